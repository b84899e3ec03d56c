package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// emitter receives generated resources.
type emitter interface {
	// put writes one resource of type typ with logical id id. res is
	// marshalled before put returns and is not retained.
	put(typ, id string, res any) error
}

// sink is an emitter that groups resources into units: one per patient
// plus one for the shared pool. It records what it writes in a Stats.
type sink interface {
	emitter
	// begin starts a unit named name; bundleID is the id of its Bundle in
	// bundle format (ignored by NDJSON).
	begin(name, bundleID string) error
	// end finishes the unit started by begin.
	end() error
	// close flushes and closes every open file.
	close() error
}

// newSink returns the sink for opts.Format, writing into opts.Out and
// counting into st.
func newSink(opts Options, st *Stats) sink {
	if opts.Format == FormatBundle {
		return &bundleSink{dir: opts.Out, st: st}
	}
	return &ndjsonSink{dir: opts.Out, st: st, files: map[string]*ndjsonFile{}}
}

// encoder marshals resources into a reusable buffer without HTML escaping.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encode marshals v and returns its JSON followed by a newline; the result
// is valid until the next call.
func (e *encoder) encode(v any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// ndjsonSink writes <Type>.ndjson files, created on first use.
type ndjsonSink struct {
	dir   string
	st    *Stats
	files map[string]*ndjsonFile
	enc   encoder
}

type ndjsonFile struct {
	f *os.File
	w *bufio.Writer
}

func (s *ndjsonSink) begin(string, string) error { return nil }

func (s *ndjsonSink) end() error { return nil }

func (s *ndjsonSink) put(typ, id string, res any) error {
	f := s.files[typ]
	if f == nil {
		name := filepath.Join(s.dir, typ+".ndjson")
		osf, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("synth: create %s: %w", name, err)
		}
		f = &ndjsonFile{f: osf, w: bufio.NewWriterSize(osf, 256<<10)}
		s.files[typ] = f
		s.st.Files++
	}
	b, err := s.enc.encode(res)
	if err != nil {
		return fmt.Errorf("synth: marshal %s/%s: %w", typ, id, err)
	}
	if _, err := f.w.Write(b); err != nil {
		return fmt.Errorf("synth: write %s.ndjson: %w", typ, err)
	}
	s.st.Bytes += int64(len(b))
	s.st.Resources[typ]++
	return nil
}

func (s *ndjsonSink) close() error {
	var errs []error
	types := make([]string, 0, len(s.files))
	for t := range s.files {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		f := s.files[t]
		if err := f.w.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("synth: flush %s.ndjson: %w", t, err))
		}
		if err := f.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("synth: close %s.ndjson: %w", t, err))
		}
	}
	s.files = map[string]*ndjsonFile{}
	return errors.Join(errs...)
}
