package synth

import (
	"fmt"
	"os"
	"path/filepath"
)

// bundleSink writes one FHIR transaction Bundle per unit, in a file named
// after the unit. Each entry is
//
//	{"fullUrl":"urn:uuid:<id>","resource":{...},"request":{"method":"PUT","url":"<Type>/<id>"}}
//
// (https://hl7.org/fhir/R4/bundle.html). The entries of the current unit
// are buffered in memory, so memory is bounded by the largest patient.
type bundleSink struct {
	dir      string
	st       *Stats
	enc      encoder
	name, id string
	entries  []byte
	n        int
}

func (s *bundleSink) begin(name, bundleID string) error {
	s.name, s.id, s.entries, s.n = name, bundleID, s.entries[:0], 0
	return nil
}

func (s *bundleSink) put(typ, id string, res any) error {
	b, err := s.enc.encode(res)
	if err != nil {
		return fmt.Errorf("synth: marshal %s/%s: %w", typ, id, err)
	}
	if s.n > 0 {
		s.entries = append(s.entries, ',')
	}
	s.entries = append(s.entries, `{"fullUrl":"urn:uuid:`...)
	s.entries = append(s.entries, id...)
	s.entries = append(s.entries, `","resource":`...)
	s.entries = append(s.entries, b[:len(b)-1]...) // drop the encoder's newline
	s.entries = append(s.entries, `,"request":{"method":"PUT","url":"`...)
	s.entries = append(s.entries, typ...)
	s.entries = append(s.entries, '/')
	s.entries = append(s.entries, id...)
	s.entries = append(s.entries, `"}}`...)
	s.n++
	s.st.Resources[typ]++
	return nil
}

func (s *bundleSink) end() error {
	name := filepath.Join(s.dir, s.name+".json")
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("synth: create %s: %w", name, err)
	}
	head := `{"resourceType":"Bundle","id":"` + s.id + `","type":"transaction","entry":[`
	const tail = "]}\n"
	_, err = f.WriteString(head)
	if err == nil {
		_, err = f.Write(s.entries)
	}
	if err == nil {
		_, err = f.WriteString(tail)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", name, err)
	}
	s.st.Files++
	s.st.Bytes += int64(len(head) + len(s.entries) + len(tail))
	return nil
}

func (s *bundleSink) close() error { return nil }
