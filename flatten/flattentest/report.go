package flattentest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Result is the outcome of one test of the suite.
type Result struct {
	// File is the suite file's name, such as "basic.json".
	File string
	// Name is the test's title.
	Name   string
	Passed bool
	// Error says why the test failed; "" when it passed.
	Error string
}

// FullName is file/title with the file's .json left off, the name the
// known-failures list and go test's subtests use.
func (r Result) FullName() string {
	return suiteName(r.File) + "/" + r.Name
}

// Report holds the results of a run, files in suite order (sorted by
// name) and tests in file order.
type Report struct {
	Results []Result
}

// Passed returns the number of tests that passed.
func (r *Report) Passed() int {
	n := 0
	for _, res := range r.Results {
		if res.Passed {
			n++
		}
	}
	return n
}

// Failed returns the tests that failed, in order.
func (r *Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if !res.Passed {
			out = append(out, res)
		}
	}
	return out
}

// reportTest is one entry of a file's tests in the report format.
type reportTest struct {
	Name   string       `json:"name"`
	Result reportResult `json:"result"`
}

type reportResult struct {
	Passed bool   `json:"passed"`
	Error  string `json:"error,omitempty"`
}

// MarshalJSON writes the report in the format of the suite's
// schema/test-report.schema.json (the public leaderboard's):
// {"basic.json": {"tests": [{"name": ..., "result": {"passed": ...}}]}}.
// Files keep their suite order and tests their file order, because the
// leaderboard matches tests by position; a failure's reason is in
// result.error.
func (r *Report) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i := 0; i < len(r.Results); {
		file := r.Results[i].File
		var tests []reportTest
		for ; i < len(r.Results) && r.Results[i].File == file; i++ {
			res := r.Results[i]
			tests = append(tests, reportTest{Name: res.Name, Result: reportResult{Passed: res.Passed, Error: res.Error}})
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(file)
		if err != nil {
			return nil, fmt.Errorf("flattentest: report: %w", err)
		}
		val, err := json.Marshal(struct {
			Tests []reportTest `json:"tests"`
		}{tests})
		if err != nil {
			return nil, fmt.Errorf("flattentest: report: %w", err)
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(val)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// WriteFile writes the report (indented JSON) to path.
func (r *Report) WriteFile(path string) error {
	data, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		return fmt.Errorf("flattentest: report: %w", err)
	}
	out.WriteByte('\n')
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		return fmt.Errorf("flattentest: write report: %w", err)
	}
	return nil
}
