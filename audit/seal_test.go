package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

var (
	sealKey  = []byte("seal-key-seal-key-seal-key-32by!")
	otherKey = []byte("another-seal-key-of-32-bytes-ok!")
)

// resealLine decrypts the sealed line of seq in segment seg, lets edit
// change the record line, and seals it again with key, as someone who
// holds the key would.
func resealLine(t *testing.T, key []byte, seg int, line string, edit func(string) string) string {
	t.Helper()
	seq, b64, ok := splitSealed([]byte(line))
	require.True(t, ok)
	ct, err := base64.StdEncoding.DecodeString(string(b64))
	require.NoError(t, err)
	pt, err := sealed.Open(key, sealAAD(seg, seq), ct)
	require.NoError(t, err)
	cd, err := sealingCodec(key)
	require.NoError(t, err)
	out, err := cd.appendStored(nil, seg, seq, []byte(edit(string(pt))))
	require.NoError(t, err)
	return strings.TrimSuffix(string(out), "\n")
}

// TestSealedVerifyTamper edits, removes, reorders and moves the sealed
// records of a log of 6 records (one segment) or of 4 records (one per
// segment) and checks that Verify, with the seal key, names the first bad
// record.
func TestSealedVerifyTamper(t *testing.T) {
	seg1 := segmentName(1)
	lines := func(f func(l []string) []string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			path := filepath.Join(dir, seg1)
			writeLines(t, path, f(readLines(t, path)))
		}
	}
	for _, tc := range []struct {
		name     string
		perSeg   bool // one record per segment
		edit     func(t *testing.T, dir string)
		want     *Problem // nil: the log verifies
		wantRecs uint64
	}{
		{name: "intact", wantRecs: 6},
		{name: "intact over segments", perSeg: true, wantRecs: 4},
		{name: "flip a ciphertext byte", edit: lines(func(l []string) []string {
			b := []byte(l[2])
			changeBase64(b, len(b)-10)
			l[2] = string(b)
			return l
		}), want: &Problem{File: seg1, Line: 3, Seq: 3, What: "cannot be decrypted"}},
		{name: "change the clear seq", edit: lines(func(l []string) []string {
			l[2] = strings.Replace(l[2], `{"seq":3,`, `{"seq":30,`, 1)
			return l
		}), want: &Problem{File: seg1, Line: 3, Seq: 30, What: "cannot be decrypted"}},
		{name: "delete a line", edit: lines(func(l []string) []string { return slices.Delete(l, 3, 4) }),
			want: &Problem{File: seg1, Line: 4, Seq: 5, What: "seq 5 follows seq 3"}},
		{name: "swap two lines", edit: lines(func(l []string) []string {
			l[1], l[2] = l[2], l[1]
			return l
		}), want: &Problem{File: seg1, Line: 2, Seq: 3, What: "seq 3 follows seq 1"}},
		{name: "insert a copy", edit: lines(func(l []string) []string { return slices.Insert(l, 2, l[1]) }),
			want: &Problem{File: seg1, Line: 3, Seq: 2, What: "seq 2 follows seq 2"}},
		{name: "swap two segments", perSeg: true, edit: func(t *testing.T, dir string) {
			a, b := filepath.Join(dir, segmentName(2)), filepath.Join(dir, segmentName(3))
			require.NoError(t, os.Rename(a, a+".x"))
			require.NoError(t, os.Rename(b, a))
			require.NoError(t, os.Rename(a+".x", b))
		}, want: &Problem{File: segmentName(2), Line: 1, Seq: 3, What: "cannot be decrypted"}},
		{name: "a plaintext line slipped in", edit: lines(func(l []string) []string {
			l[4] = forge(t, newChain(nil), 5, Genesis)
			return l
		}), want: &Problem{File: seg1, Line: 5, What: "not encrypted in an encrypted log"}},
		{name: "re-sealed with the key after an edit", edit: lines(func(l []string) []string {
			l[3] = resealLine(t, sealKey, 1, l[3], func(s string) string { return strings.Replace(s, `"rows":4`, `"rows":40`, 1) })
			return l
		}), want: &Problem{File: seg1, Line: 4, Seq: 4, What: "hash mismatch"}},
		{name: "truncate a line", edit: func(t *testing.T, dir string) {
			path := filepath.Join(dir, seg1)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, fi.Size()-40))
		}, want: &Problem{File: seg1, Line: 6, What: "incomplete last line"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{SealKey: sealKey}
			n := 6
			if tc.perSeg {
				opts.SegmentSize, n = 1, 4
			}
			dir := writeLog(t, n, opts)
			if tc.edit != nil {
				tc.edit(t, dir)
			}
			rep, err := Reader{Dir: dir, SealKey: sealKey}.Verify(context.Background())
			require.True(t, rep.Sealed)
			if tc.want == nil {
				require.NoError(t, err)
				require.Equal(t, tc.wantRecs, rep.Records)
				return
			}
			var p *Problem
			require.ErrorAs(t, err, &p)
			require.Contains(t, p.What, tc.want.What)
			p.What = tc.want.What
			require.Equal(t, tc.want, p)
		})
	}
}

// TestSealedKeys checks what every entry point does with a missing,
// wrong or unneeded seal key.
func TestSealedKeys(t *testing.T) {
	ctx := context.Background()
	sealedDir := writeLog(t, 3, Options{SealKey: sealKey})
	plainDir := writeLog(t, 3, Options{})
	for _, tc := range []struct {
		name string
		dir  string
		key  []byte
		want error // nil: reads 3 records
	}{
		{"sealed log with its key", sealedDir, sealKey, nil},
		{"sealed log without a key", sealedDir, nil, ErrEncrypted},
		{"sealed log with another key", sealedDir, otherKey, ErrWrongKey},
		{"plain log without a key", plainDir, nil, nil},
		{"plain log with a key", plainDir, sealKey, ErrNotSealed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd := Reader{Dir: tc.dir, SealKey: tc.key}
			rep, verr := rd.Verify(ctx)
			n := 0
			rerr := rd.Rows(ctx, func(Record) error { n++; return nil })
			exported, eerr := rd.Export(ctx, &bytes.Buffer{}, testTime)
			_, tailErr := readTail(ctx, rd.Tail(), 0)
			l, oerr := Open(ctx, tc.dir, Options{SealKey: tc.key})
			if tc.want == nil {
				for _, err := range []error{verr, rerr, eerr, tailErr, oerr} {
					require.NoError(t, err)
				}
				require.Equal(t, uint64(3), rep.Records)
				require.Equal(t, 3, n)
				require.Equal(t, 3, exported)
				rc, err := l.Append(ctx, sampleEvent(4))
				require.NoError(t, err)
				require.Equal(t, uint64(4), rc.Seq)
				require.NoError(t, l.Close())
				rep, err := rd.Verify(ctx)
				require.NoError(t, err)
				require.Equal(t, uint64(4), rep.Records)
				return
			}
			for _, err := range []error{verr, rerr, eerr, tailErr, oerr} {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
	t.Run("old entry points refuse a sealed log", func(t *testing.T) {
		_, err := Verify(sealedDir, nil)
		require.ErrorIs(t, err, ErrEncrypted)
		require.ErrorContains(t, err, "the audit log is encrypted: pass the key")
		require.ErrorIs(t, Rows(ctx, sealedDir, func(Record) error { return nil }), ErrEncrypted)
		_, err = Export(ctx, sealedDir, &bytes.Buffer{}, testTime)
		require.ErrorIs(t, err, ErrEncrypted)
	})
	t.Run("an empty plain log becomes sealed", func(t *testing.T) {
		dir := writeLog(t, 0, Options{})
		l, err := Open(ctx, dir, Options{SealKey: sealKey})
		require.NoError(t, err)
		_, err = l.Append(ctx, sampleEvent(1))
		require.NoError(t, err)
		require.NoError(t, l.Close())
		ok, err := IsSealed(dir)
		require.NoError(t, err)
		require.True(t, ok)
		_, err = Open(ctx, dir, Options{})
		require.ErrorIs(t, err, ErrEncrypted)
	})
	t.Run("a removed SEALED file", func(t *testing.T) {
		dir := writeLog(t, 2, Options{SealKey: sealKey})
		require.NoError(t, os.Remove(filepath.Join(dir, SealedFile)))
		_, err := Open(ctx, dir, Options{SealKey: sealKey})
		require.ErrorIs(t, err, ErrNotSealed)
		_, err = Verify(dir, nil)
		var p *Problem
		require.ErrorAs(t, err, &p)
		require.Equal(t, 1, p.Line)
		require.Contains(t, p.What, "encrypted but the log has no SEALED file")
	})
	t.Run("a key of the wrong size", func(t *testing.T) {
		_, err := Open(ctx, filepath.Join(t.TempDir(), "audit"), Options{SealKey: []byte("short")})
		require.ErrorIs(t, err, sealed.ErrKeySize)
	})
}

// readTail returns the seqs a Tail reads after a seq.
func readTail(ctx context.Context, tl *Tail, after uint64) ([]uint64, error) {
	var out []uint64
	err := tl.Records(ctx, after, func(r Record) error {
		out = append(out, r.Seq)
		return nil
	})
	return out, err
}

// TestSealedTornTail checks that Open cuts a torn sealed write off and
// refuses a damaged complete one, as for a plain log.
func TestSealedTornTail(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		damage  func(b []byte) []byte
		wantErr string
	}{
		{"half a sealed line", func(b []byte) []byte {
			last := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1
			return append(b, b[last:last+(len(b)-last)/2]...)
		}, ""},
		{"NUL bytes", func(b []byte) []byte { return append(b, make([]byte, 300)...) }, ""},
		{"changed last record", func(b []byte) []byte {
			changeBase64(b, len(b)-8)
			return b
		}, "line 5 (seq 5): the record cannot be decrypted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeLog(t, 5, Options{SealKey: sealKey})
			path := filepath.Join(dir, segmentName(1))
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, tc.damage(bytes.Clone(b)), 0o600))
			l, err := Open(ctx, dir, Options{SealKey: sealKey})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			rc, err := l.Append(ctx, sampleEvent(6))
			require.NoError(t, err)
			require.Equal(t, uint64(6), rc.Seq)
			require.NoError(t, l.Close())
			rep, err := Reader{Dir: dir, SealKey: sealKey}.Verify(ctx)
			require.NoError(t, err)
			require.Equal(t, uint64(6), rep.Records)
		})
	}
}

// TestSealedByteScan appends events holding a distinctive name, id,
// address and phone number and scans every byte under the log's folder:
// with a seal key none of them is there; without one all are (so the
// scan can fail). Read with the key, the records hold them again.
func TestSealedByteScan(t *testing.T) {
	ctx := context.Background()
	secrets := []string{"Zebulonski-Quartermain", "pat-7c1d-secret", "77 Quillfeather Lane", "+1-555-0199-4242", "zebulon.q"}
	for _, seal := range [][]byte{nil, sealKey} {
		t.Run("sealed="+strconv.FormatBool(seal != nil), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			l, err := Open(ctx, dir, Options{SealKey: seal, SegmentSize: 2 << 10})
			require.NoError(t, err)
			for i := range 20 {
				ev := sampleEvent(i)
				ev.Kind, ev.Protocol, ev.Actor.User = KindSQL, "pgwire", "zebulon.q"
				ev.Query = "SELECT * FROM patient WHERE family = 'Zebulonski-Quartermain' AND address = '77 Quillfeather Lane' OR phone = '+1-555-0199-4242'"
				ev.Resources = []string{"Patient/pat-7c1d-secret"}
				_, err := l.Append(ctx, ev)
				require.NoError(t, err)
			}
			require.NoError(t, l.Close())
			found := scanDir(t, dir, secrets)
			if seal == nil {
				require.ElementsMatch(t, secrets, found)
				return
			}
			require.Empty(t, found, "plaintext found in the sealed log's files")
			var got []string
			require.NoError(t, Reader{Dir: dir, SealKey: seal}.Rows(ctx, func(r Record) error {
				got = append(got, r.Query)
				return nil
			}))
			require.Len(t, got, 20)
			require.Contains(t, got[0], "Zebulonski-Quartermain")
		})
	}
}

// scanDir returns the needles found in the bytes of any file under dir.
func scanDir(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	seen := map[string]bool{}
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, s := range needles {
			if bytes.Contains(b, []byte(s)) {
				seen[s] = true
			}
		}
		return nil
	}))
	require.Greater(t, files, 2, "the log should have several segment files")
	var out []string
	for _, s := range needles {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// TestSealedTail reads a growing sealed log across segments with a Tail.
func TestSealedTail(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := Open(ctx, dir, Options{SealKey: sealKey, SegmentSize: 1500})
	require.NoError(t, err)
	defer l.Close()
	tl := Reader{Dir: dir, SealKey: sealKey}.Tail()
	for _, tc := range []struct {
		name  string
		add   int
		after uint64
		want  []uint64
	}{
		{"empty log", 0, 0, nil},
		{"first records", 3, 0, []uint64{1, 2, 3}},
		{"nothing new", 0, 3, nil},
		{"new records in new segments", 4, 3, []uint64{4, 5, 6, 7}},
		{"after a seq in the middle", 0, 5, []uint64{6, 7}},
		{"from the start again", 0, 0, []uint64{1, 2, 3, 4, 5, 6, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.add {
				_, err := l.Append(ctx, sampleEvent(i))
				require.NoError(t, err)
			}
			got, err := readTail(ctx, tl, tc.after)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	nums, err := segments(dir)
	require.NoError(t, err)
	require.Greater(t, len(nums), 2, "the test needs several segments")
}

// changeBase64 replaces the base64 character at b[i] with another valid
// one, so that the record still decodes and the change reaches the
// ciphertext (flipping a bit can make an invalid character instead, which
// fails earlier with another message).
func changeBase64(b []byte, i int) {
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
}
