package audit

import (
	"bytes"
	"context"
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
	// Sealed reports that the log is encrypted (see Options.SealKey).
	Sealed bool
	// Problem is the first bad record, nil if the log is intact.
	Problem *Problem
}

// Verify reads the whole plaintext log in dir and checks its chain (see
// [Reader.Verify]); key is the chain key of a keyed log (nil for a plain
// chain). A sealed log fails with an error wrapping ErrEncrypted: use a
// Reader with its SealKey.
func Verify(dir string, key []byte) (Report, error) {
	return Reader{Dir: dir, Key: key}.Verify(context.Background())
}

// Verify reads the whole log and checks the chain: each record is well
// formed (and, in a sealed log, decrypts under SealKey bound to its
// segment and seq), has the next seq, carries the hash of the record
// before, and hashes (with Key, for a keyed log) to its hash member. It
// stops at the first bad record, which it returns both in Report.Problem
// and as a *Problem error. A sealed log without SealKey, or with the
// wrong one, fails with an error wrapping ErrEncrypted or ErrWrongKey
// before any record is read; other errors are I/O failures. An absent or
// empty dir is an intact empty log.
func (rd Reader) Verify(ctx context.Context) (Report, error) {
	var rep Report
	cd, err := rd.codec()
	if err != nil {
		return rep, err
	}
	rep.Sealed = cd.box != nil
	nums, err := segments(rd.Dir)
	if err != nil {
		return rep, err
	}
	v := verifier{c: newChain(rd.Key), codec: cd, hash: Genesis}
	for i, n := range nums {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		v.file, v.seg, v.line = segmentName(n), n, 0
		if n != i+1 {
			return rep.fail(&Problem{File: v.file, What: fmt.Sprintf("segment %s is missing", segmentName(i+1))})
		}
		data, err := os.ReadFile(filepath.Join(rd.Dir, v.file))
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
	c     *chain
	codec codec  // opens sealed lines
	seg   int    // number of the segment being read
	seq   uint64 // seq of the last good record
	hash  string // hash of the last good record
	file  string
	line  int
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
	pt, err := v.codec.open(v.seg, line)
	if err != nil {
		seq, _, _ := splitSealed(line)
		return &Problem{File: v.file, Line: v.line, Seq: seq, What: err.Error()}
	}
	r, body, err := parseLine(pt)
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
