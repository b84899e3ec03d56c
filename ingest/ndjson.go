package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// ndjsonBufSize is the read buffer of the NDJSON reader. Longer lines are
// assembled in a separate buffer that grows as needed.
const ndjsonBufSize = 1 << 20

// readNDJSONFile reads an NDJSON file, one resource per line.
func readNDJSONFile(em *emitter, open opener) error {
	src, reason := open()
	if reason != "" {
		return em.reject(0, reason)
	}
	defer src.Close()
	nr := newNDJSONReader(em)
	err := nr.read(src.in)
	em.stats.Bytes = src.in.n
	if err != nil {
		return err
	}
	if f := src.failure(); f != "" {
		line := nr.line
		if src.in.n == 0 {
			line = 0 // nothing could be read at all
		}
		return em.reject(line, f)
	}
	if !nr.nonBlank {
		return em.reject(0, "file is empty")
	}
	return nil
}

// ndjsonReader turns lines into records. It owns its buffers and scanners.
type ndjsonReader struct {
	em       *emitter
	rs       *resourceScanner
	long     []byte // assembles lines longer than the read buffer
	hashBuf  []byte // compact copy for content ids
	line     int    // number of the current line
	nonBlank bool   // at least one non-blank line was seen
}

func newNDJSONReader(em *emitter) *ndjsonReader {
	return &ndjsonReader{em: em, rs: newResourceScanner()}
}

// read processes every line of r. A line cut short by a read error is
// dropped; the caller reports the error at nr.line.
func (nr *ndjsonReader) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, ndjsonBufSize)
	for {
		data, err := nr.readLine(br)
		if err != nil && err != io.EOF {
			nr.line++
			return nil
		}
		if len(data) > 0 || err == nil {
			nr.line++
			if perr := nr.processLine(data); perr != nil {
				return perr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// readLine returns the next line without its line end. The slice is valid
// until the next call.
func (nr *ndjsonReader) readLine(br *bufio.Reader) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		nr.long = append(nr.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = br.ReadSlice('\n')
			nr.long = append(nr.long, b...)
		}
		b = nr.long
	}
	return b, err
}

// processLine handles one line (possibly with its line end).
func (nr *ndjsonReader) processLine(data []byte) error {
	data = bytes.TrimRight(data, " \t\r\n")
	trimmed := bytes.TrimLeft(data, " \t")
	if len(trimmed) == 0 {
		return nil
	}
	lead := len(data) - len(trimmed)
	data = trimmed
	nr.nonBlank = true
	res, bad := nr.rs.inspect(data)
	if bad != nil {
		return nr.em.reject(nr.line, lineReason(bad, lead))
	}
	if res.typ == "Bundle" {
		return readBundleBytes(nr.em, data, nr.line-1)
	}
	assigned := res.id == ""
	if assigned {
		nr.hashBuf = compactOf(nr.hashBuf, data, res.compact)
		res.id = contentID(nr.hashBuf)
	}
	return nr.em.record(nr.line, res.typ, res.id, body(data, res, nil, assigned))
}

// lineReason adds the 1-based column to a reason that has an offset in
// the line; lead is the number of bytes trimmed from the line's start.
func lineReason(bad *badRecord, lead int) string {
	if bad.off < 0 {
		return bad.reason
	}
	return fmt.Sprintf("%s at column %d", bad.reason, lead+bad.off+1)
}
