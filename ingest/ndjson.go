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
//
// Besides what every record is checked for, it rejects a resource whose
// type differs from the one the file's name announces (see fileTypeOf), a
// second resource with the same type and id in the file (see idSet), and a
// line longer than MaxRecordBytes.
type ndjsonReader struct {
	em       *emitter
	rs       *resourceScanner
	long     []byte // assembles lines longer than the read buffer
	hashBuf  []byte // compact copy for content ids
	line     int    // number of the current line
	nonBlank bool   // at least one non-blank line was seen
	fileType string // the only resourceType allowed, or "" for any
	ids      *idSet // "Type/id" of the records so far, with their line
	skipped  int64  // length of the current line when it was too long to read, else 0
}

func newNDJSONReader(em *emitter) *ndjsonReader {
	return &ndjsonReader{em: em, rs: newResourceScanner(), fileType: fileTypeOf(em.file), ids: newIDSet()}
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
		if len(data) > 0 || err == nil || nr.skipped > 0 {
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

// readLine returns the next line, possibly with its line end. The slice is
// valid until the next call. A line longer than MaxRecordBytes is skipped:
// readLine then returns no bytes and sets nr.skipped to its length.
func (nr *ndjsonReader) readLine(br *bufio.Reader) ([]byte, error) {
	nr.skipped = 0
	b, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return b, err
	}
	nr.long = append(nr.long[:0], b...)
	for err == bufio.ErrBufferFull {
		b, err = br.ReadSlice('\n')
		if n := len(nr.long) + len(b); int64(n)-lineEndLen(b) > MaxRecordBytes {
			return nil, nr.skipLine(br, int64(n), b, err)
		}
		nr.long = appendCapped(nr.long, b, MaxRecordBytes+2)
	}
	return nr.long, err
}

// skipLine reads the rest of a line too long to keep, of which n bytes
// (ending with last) were read, and sets nr.skipped to its length without
// line end. It releases the partly filled line buffer, so that one huge
// line does not hold MaxRecordBytes for the rest of the file.
func (nr *ndjsonReader) skipLine(br *bufio.Reader, n int64, last []byte, err error) error {
	nr.long = nil
	for err == bufio.ErrBufferFull {
		last, err = br.ReadSlice('\n')
		n += int64(len(last))
	}
	nr.skipped = n - lineEndLen(last)
	return err
}

// lineEndLen returns the length of the line end ("\n" or "\r\n") that b
// ends with, or 0.
func lineEndLen(b []byte) int64 {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		return 2
	case bytes.HasSuffix(b, []byte("\n")):
		return 1
	}
	return 0
}

// processLine handles one line (possibly with its line end), or the line
// skipped as too long.
func (nr *ndjsonReader) processLine(data []byte) error {
	if nr.skipped > 0 {
		nr.nonBlank = true
		return nr.em.reject(nr.line, oversizeReason(nr.skipped))
	}
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
	if nr.fileType != "" && res.typ != nr.fileType {
		return nr.em.reject(nr.line, wrongTypeReason(res.typ, nr.em.file, nr.fileType))
	}
	if res.typ == "Bundle" {
		return readBundleBytes(nr.em, data, nr.line-1)
	}
	assigned := res.id == ""
	if assigned {
		res.id = contentID(compactOf(&nr.hashBuf, data, res.compact))
	}
	if first, dup := nr.ids.add(nr.ids.hash(res.typ, res.id), nr.line); dup {
		return nr.em.reject(nr.line, dupLineReason(res.typ, res.id, first, assigned))
	}
	return nr.em.record(nr.line, res.typ, res.id, body(data, res, nil, assigned))
}

// dupLineReason rejects the resource typ/id of an NDJSON file whose first
// occurrence was on line first. A resource without an id (assigned) can
// only repeat with the same content, since its id derives from it.
func dupLineReason(typ, id string, first int, assigned bool) string {
	if assigned {
		return fmt.Sprintf("duplicate id %s/%s in this file: the same resource without an id repeats line %d (harmless: its id derives from its content)", typ, id, first)
	}
	return fmt.Sprintf("duplicate id %s/%s in this file (first at line %d)", typ, id, first)
}

// lineReason adds the 1-based column to a reason that has an offset in
// the line; lead is the number of bytes trimmed from the line's start.
func lineReason(bad *badRecord, lead int) string {
	if bad.off < 0 {
		return bad.reason
	}
	return fmt.Sprintf("%s at column %d", bad.reason, lead+bad.off+1)
}
