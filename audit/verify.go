package audit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Problem names the first bad record of a log. It is the error [Verify]
// returns for a log that is not intact, and that [Open] returns when a
// log cannot be continued safely.
type Problem struct {
	// File is the segment file name (000001.ndjson).
	File string
	// Line is the 1-based line number in File (0 when the problem is the
	// file itself).
	Line int
	// Seq is the seq the record claims, or 0 if it could not be read.
	Seq uint64
	// What says what is wrong.
	What string
}

// Error implements error.
func (p *Problem) Error() string {
	if p.Line == 0 {
		return fmt.Sprintf("audit: %s: %s", p.File, p.What)
	}
	return fmt.Sprintf("audit: %s line %d (seq %d): %s", p.File, p.Line, p.Seq, p.What)
}

// Report is the result of [Verify].
type Report struct {
	// Segments is the number of segment files read.
	Segments int
	// Records is the number of records that verified.
	Records uint64
	// Alg is the chain algorithm of the log (AlgSHA256 or AlgHMACSHA256),
	// empty for an empty log.
	Alg string
	// Head is the seq and hash of the last good record. Keeping it outside
	// the machine lets a later Verify detect truncation of the tail.
	Head Receipt
	// Problem is the first bad record, nil if the log is intact.
	Problem *Problem
}

// Verify reads the whole log in dir and checks the chain: each record is
// well formed, has the next seq, carries the hash of the record before,
// and hashes (with key, for a keyed log) to its hash member. It stops at
// the first bad record, which it returns both in Report.Problem and as a
// *Problem error. Other errors are I/O failures. An absent or empty dir
// is an intact empty log.
//
// A nil key verifies a plain SHA-256 chain; a keyed log needs its key.
func Verify(dir string, key []byte) (Report, error) {
	var rep Report
	nums, err := segments(dir)
	if err != nil {
		return rep, err
	}
	v := verifier{c: newChain(key), hash: Genesis}
	for i, n := range nums {
		v.file, v.line = segmentName(n), 0
		if n != i+1 {
			return rep.fail(&Problem{File: v.file, What: fmt.Sprintf("segment %s is missing", segmentName(i+1))})
		}
		data, err := os.ReadFile(filepath.Join(dir, v.file))
		if err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		rep.Segments++
		if p := v.segment(data); p != nil {
			rep.Records, rep.Head = v.seq, Receipt{Seq: v.seq, Hash: v.hash}
			return rep.fail(p)
		}
	}
	rep.Records, rep.Head = v.seq, Receipt{Seq: v.seq, Hash: v.hash}
	if v.seq > 0 {
		rep.Alg = v.c.alg
	}
	return rep, nil
}

func (r Report) fail(p *Problem) (Report, error) {
	r.Problem = p
	return r, p
}

// verifier checks records in chain order.
type verifier struct {
	c    *chain
	seq  uint64 // seq of the last good record
	hash string // hash of the last good record
	file string
	line int
}

// segment checks every line of one segment file.
func (v *verifier) segment(data []byte) *Problem {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			v.line++
			return &Problem{File: v.file, Line: v.line, What: "incomplete last line: a write cut short (a crash before it was acknowledged) or a truncated file"}
		}
		if p := v.check(data[:i]); p != nil {
			return p
		}
		data = data[i+1:]
	}
	return nil
}

// check verifies one line and, if it is good, advances the chain.
func (v *verifier) check(line []byte) *Problem {
	v.line++
	r, body, err := parseLine(line)
	p := &Problem{File: v.file, Line: v.line, Seq: r.Seq}
	switch {
	case err != nil:
		p.What = err.Error()
	case r.Alg != v.c.alg && r.Alg == AlgHMACSHA256:
		p.What = "the log is keyed (hmac-sha256): verifying it needs the audit key"
	case r.Alg != v.c.alg:
		p.What = fmt.Sprintf("the record uses the %s chain, not the keyed %s chain", r.Alg, v.c.alg)
	case r.Seq != v.seq+1:
		p.What = fmt.Sprintf("seq %d follows seq %d: a record was removed, inserted or moved", r.Seq, v.seq)
	case r.Prev != v.hash:
		p.What = "prev is not the hash of the record before: a record was removed, inserted or moved"
	case v.c.sum(body) != r.Hash:
		p.What = "hash mismatch: the record was changed (or the key is wrong)"
	default:
		v.seq, v.hash = r.Seq, r.Hash
		return nil
	}
	return p
}
