package audit

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// forge returns a record chained after prev with a hash computed by c, as
// someone who can rewrite the file (and, for a keyed chain, holds the
// key) would write it.
func forge(t *testing.T, c *chain, seq uint64, prev string) string {
	t.Helper()
	ev, err := encodeEvent(Event{Kind: KindFHIR, Action: "delete", Actor: Actor{User: "mallory"}, Outcome: Outcome{Result: Success}})
	require.NoError(t, err)
	line, _ := c.appendLine(nil, seq, prev, ev)
	return strings.TrimSuffix(string(line), "\n")
}

// TestVerifyTamper edits, removes, inserts, reorders, truncates and
// forges records of a two-segment log of 12 records (seq 1–6 in
// 000001.ndjson, 7–12 in 000002.ndjson) and checks that Verify names the
// first bad record.
func TestVerifyTamper(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	seg1, seg2 := segmentName(1), segmentName(2)
	type edit func(t *testing.T, dir string, key []byte)
	lines := func(name string, f func(l []string) []string) edit {
		return func(t *testing.T, dir string, _ []byte) {
			path := filepath.Join(dir, name)
			writeLines(t, path, f(readLines(t, path)))
		}
	}
	for _, tc := range []struct {
		name  string
		keyed bool
		edit  edit
		want  *Problem // nil: the log verifies
	}{
		{name: "intact"},
		{name: "intact keyed", keyed: true},
		{name: "edit a field", edit: lines(seg1, func(l []string) []string {
			l[2] = strings.Replace(l[2], `"rows":3`, `"rows":30`, 1)
			return l
		}), want: &Problem{File: seg1, Line: 3, Seq: 3, What: "hash mismatch"}},
		{name: "edit a field keyed", keyed: true, edit: lines(seg2, func(l []string) []string {
			l[1] = strings.Replace(l[1], `"alice"`, `"bob"`, 1)
			return l
		}), want: &Problem{File: seg2, Line: 2, Seq: 8, What: "hash mismatch"}},
		{name: "edit the hash too", edit: lines(seg1, func(l []string) []string {
			l[1] = strings.Replace(l[1], `"rows":2`, `"rows":3`, 1)
			r, body, err := parseLine([]byte(l[1]))
			require.NoError(t, err)
			l[1] = strings.Replace(l[1], r.Hash, newChain(nil).sum(body), 1)
			return l
		}), want: &Problem{File: seg1, Line: 3, Seq: 3, What: "prev is not the hash of the record before"}},
		{name: "delete a line", edit: lines(seg1, func(l []string) []string { return slices.Delete(l, 3, 4) }),
			want: &Problem{File: seg1, Line: 4, Seq: 5, What: "seq 5 follows seq 3"}},
		{name: "delete the first line", edit: lines(seg1, func(l []string) []string { return l[1:] }),
			want: &Problem{File: seg1, Line: 1, Seq: 2, What: "seq 2 follows seq 0"}},
		{name: "swap two lines", edit: lines(seg2, func(l []string) []string {
			l[2], l[3] = l[3], l[2]
			return l
		}), want: &Problem{File: seg2, Line: 3, Seq: 10, What: "seq 10 follows seq 8"}},
		{name: "insert a copy", edit: lines(seg1, func(l []string) []string { return slices.Insert(l, 2, l[1]) }),
			want: &Problem{File: seg1, Line: 3, Seq: 2, What: "seq 2 follows seq 2"}},
		{name: "truncate a line in the middle", edit: func(t *testing.T, dir string, _ []byte) {
			path := filepath.Join(dir, seg2)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, fi.Size()-40))
		}, want: &Problem{File: seg2, Line: 6, What: "incomplete last line"}},
		{name: "truncate the first segment", edit: lines(seg1, func(l []string) []string { return l[:4] }),
			want: &Problem{File: seg2, Line: 1, Seq: 7, What: "seq 7 follows seq 4"}},
		{name: "remove a segment", edit: func(t *testing.T, dir string, _ []byte) {
			require.NoError(t, os.Rename(filepath.Join(dir, seg2), filepath.Join(dir, segmentName(3))))
		}, want: &Problem{File: segmentName(3), What: "segment 000002.ndjson is missing"}},
		{name: "append a line copying the last hash", edit: lines(seg2, func(l []string) []string {
			r, _, err := parseLine([]byte(l[len(l)-1]))
			require.NoError(t, err)
			f := forge(t, newChain(nil), 13, r.Hash)
			return append(l, f[:len(f)-hashSuffixLen]+`,"hash":"`+r.Hash+`"}`)
		}), want: &Problem{File: seg2, Line: 7, Seq: 13, What: "hash mismatch"}},
		{name: "append a line forged without the key", keyed: true, edit: lines(seg2, func(l []string) []string {
			r, _, err := parseLine([]byte(l[len(l)-1]))
			require.NoError(t, err)
			f := forge(t, newChain(nil), 13, r.Hash)
			return append(l, strings.Replace(f, `"alg":"sha256"`, `"alg":"hmac-sha256"`, 1))
		}), want: &Problem{File: seg2, Line: 7, Seq: 13, What: "hash mismatch"}},
		{name: "append a line forged with the key", keyed: true, edit: func(t *testing.T, dir string, key []byte) {
			// Whoever holds the key can extend a keyed chain: keep the key
			// off the machine that holds the log.
			lines(seg2, func(l []string) []string {
				r, _, err := parseLine([]byte(l[len(l)-1]))
				require.NoError(t, err)
				return append(l, forge(t, newChain(key), 13, r.Hash))
			})(t, dir, key)
		}},
		{name: "rewrite a plain chain", edit: func(t *testing.T, dir string, _ []byte) {
			// A plain chain does not resist someone who rewrites the tail
			// (here: one record dropped and the rest re-chained).
			rewriteTail(t, dir, newChain(nil))
		}},
		{name: "rewrite a keyed chain without the key", keyed: true, edit: func(t *testing.T, dir string, _ []byte) {
			rewriteTail(t, dir, newChain([]byte("a guessed key, not the real one!")))
		}, want: &Problem{File: seg2, Line: 1, Seq: 7, What: "hash mismatch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var k []byte
			if tc.keyed {
				k = key
			}
			dir := writeLog(t, 12, Options{Key: k, SegmentSize: 1})
			regroup(t, dir, 12, 6)
			if tc.edit != nil {
				tc.edit(t, dir, k)
			}
			rep, err := Verify(dir, k)
			if tc.want == nil {
				require.NoError(t, err)
				require.Nil(t, rep.Problem)
				return
			}
			var p *Problem
			require.ErrorAs(t, err, &p)
			require.Same(t, p, rep.Problem)
			require.Contains(t, p.What, tc.want.What)
			p.What = tc.want.What
			require.Equal(t, tc.want, p)
		})
	}
}

// regroup rewrites a log written with one record per segment (n
// records) into segments of per records each.
func regroup(t *testing.T, dir string, n, per int) {
	t.Helper()
	var lines []string
	for i := 1; i <= n+1; i++ { // the last segment is empty, after the last rotation
		path := filepath.Join(dir, segmentName(i))
		if i <= n {
			lines = append(lines, readLines(t, path)...)
		}
		require.NoError(t, os.Remove(path))
	}
	require.Len(t, lines, n)
	for i := 0; i < n; i += per {
		writeLines(t, filepath.Join(dir, segmentName(1+i/per)), lines[i:i+per])
	}
}

// rewriteTail drops seq 7 and re-chains seq 8–12 of the second segment
// with c, renumbering them 7–11.
func rewriteTail(t *testing.T, dir string, c *chain) {
	t.Helper()
	path := filepath.Join(dir, segmentName(2))
	old := readLines(t, path)
	first, _, err := parseLine([]byte(old[0]))
	require.NoError(t, err)
	prev := first.Prev
	var out []string
	for i, s := range old[1:] {
		r, body, err := parseLine([]byte(s))
		require.NoError(t, err)
		start := len(appendPrefix(nil, r.Seq, r.Prev, r.Alg))
		ev := append([]byte("{"), body[start:]...)
		line, h := c.appendLine(nil, uint64(7+i), prev, ev)
		out = append(out, strings.TrimSuffix(string(line), "\n"))
		prev = h
	}
	writeLines(t, path, out)
}
