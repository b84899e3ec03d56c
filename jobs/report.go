package jobs

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// FragmentExtension is the URL of the OperationOutcome.issue extension
// of the error report that holds the start of the offending record.
const FragmentExtension = "https://fhirlake.dev/fhir/StructureDefinition/import-fragment"

// MaxFragment bounds the bytes of a record kept in the error report.
const MaxFragment = 200

// Reject is one rejected record, as a Runner reports it.
type Reject struct {
	Source string // the file or URI it was read from
	Line   int    // 1-based line where the record starts; 0 for the whole source
	Reason string
	// Fragment is the offending record, or its start; it is truncated to
	// MaxFragment bytes in the report.
	Fragment string
}

// Location returns "source:line", or the source alone for Line 0.
func (r Reject) Location() string {
	if r.Line == 0 {
		return r.Source
	}
	return r.Source + ":" + strconv.Itoa(r.Line)
}

// reportIssue is one issue of an error report line.
type reportIssue struct {
	Severity    string            `json:"severity"`
	Code        string            `json:"code"`
	Diagnostics string            `json:"diagnostics"`
	Location    []string          `json:"location"`
	Extension   []reportExtension `json:"extension,omitempty"`
}

type reportExtension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString"`
}

// reportLine is an OperationOutcome of the error report.
type reportLine struct {
	ResourceType string        `json:"resourceType"`
	Issue        []reportIssue `json:"issue"`
}

// Outcome returns the error report line of r: an OperationOutcome with
// one error issue.
func (r Reject) Outcome() ([]byte, error) {
	is := reportIssue{Severity: "error", Code: "invalid", Diagnostics: r.Reason, Location: []string{r.Location()}}
	if r.Fragment != "" {
		is.Extension = []reportExtension{{URL: FragmentExtension, ValueString: truncate(r.Fragment, MaxFragment)}}
	}
	b, err := json.Marshal(reportLine{ResourceType: "OperationOutcome", Issue: []reportIssue{is}})
	if err != nil {
		return nil, fmt.Errorf("jobs: encode reject %s: %w", r.Location(), err)
	}
	return b, nil
}

// truncate cuts s to at most n bytes on a UTF-8 boundary, marking the
// cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// report writes a job's error report: plaintext NDJSON, or NDJSON
// through a sealed stream.
type report struct {
	f    *os.File
	seal io.WriteCloser // nil for a plaintext report
	w    *bufio.Writer
}

// createReport creates (or empties, for a job run again) the report at
// path, sealed with key and aad when key is not nil.
func createReport(path string, key, aad []byte) (*report, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("jobs: error report: %w", err)
	}
	r := &report{f: f}
	var dst io.Writer = f
	if key != nil {
		if r.seal, err = sealed.NewWriter(f, key, aad); err != nil {
			f.Close()
			return nil, fmt.Errorf("jobs: error report: %w", err)
		}
		dst = r.seal
	}
	r.w = bufio.NewWriter(dst)
	return r, nil
}

func (r *report) add(rej Reject) error {
	b, err := rej.Outcome()
	if err != nil {
		return err
	}
	if _, err := r.w.Write(b); err != nil {
		return fmt.Errorf("jobs: error report: %w", err)
	}
	return r.w.WriteByte('\n')
}

// flush makes the lines written so far visible to readers (of a sealed
// report: those in its complete chunks).
func (r *report) flush() error { return r.w.Flush() }

func (r *report) close() error {
	err := r.w.Flush()
	if r.seal != nil {
		if serr := r.seal.Close(); err == nil {
			err = serr
		}
	}
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("jobs: error report: %w", err)
	}
	return nil
}
