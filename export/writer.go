package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// partWriter writes the NDJSON files of one resource type: parts of at most
// limit lines named <Type>.<n>.ndjson, each written as .tmp and renamed
// when it is complete. Files are created on the first line, so a type
// without resources has none.
type partWriter struct {
	dir, typ string
	limit    int
	// done receives every completed file.
	done func(outputFile)

	f     *os.File
	w     *bufio.Writer
	name  string
	count int
	parts int
}

// write appends one resource (compact JSON, no newline) as a line.
func (p *partWriter) write(body []byte) error {
	if bytes.IndexByte(body, '\n') >= 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, body); err != nil {
			return fmt.Errorf("export: %s: %w", p.typ, err)
		}
		body = buf.Bytes()
	}
	if p.f == nil {
		if err := p.open(); err != nil {
			return err
		}
	}
	_, err := p.w.Write(body)
	if err == nil {
		err = p.w.WriteByte('\n')
	}
	if err != nil {
		return fmt.Errorf("export: write %s: %w", p.name, err)
	}
	p.count++
	if p.count == p.limit {
		return p.close()
	}
	return nil
}

// open starts the next part.
func (p *partWriter) open() error {
	p.name = fmt.Sprintf("%s.%03d.ndjson", p.typ, p.parts)
	f, err := os.OpenFile(filepath.Join(p.dir, p.name+".tmp"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	p.f, p.count = f, 0
	if p.w == nil {
		p.w = bufio.NewWriterSize(f, 256<<10)
	} else {
		p.w.Reset(f)
	}
	p.parts++
	return nil
}

// close completes the current part, if any: flush, sync, rename.
func (p *partWriter) close() error {
	if p.f == nil {
		return nil
	}
	f := p.f
	p.f = nil
	tmp := filepath.Join(p.dir, p.name+".tmp")
	err := p.w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(p.dir, p.name))
	}
	if err != nil {
		return fmt.Errorf("export: write %s: %w", p.name, err)
	}
	p.done(outputFile{Type: p.typ, Name: p.name, Count: p.count})
	return nil
}

// abort closes and deletes the current part without completing it.
func (p *partWriter) abort() {
	if p.f == nil {
		return
	}
	_ = p.f.Close()
	_ = os.Remove(filepath.Join(p.dir, p.name+".tmp"))
	p.f = nil
}
