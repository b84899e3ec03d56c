package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestAuditFiles checks the tailing reader of a plaintext and of a sealed
// log: records after a seq, across segments, an incomplete last line
// left for later, and a reset when the caller asks again from the start.
func TestAuditFiles(t *testing.T) {
	for _, seal := range [][]byte{nil, []byte("engine-test-seal-key-of-32-bytes")} {
		t.Run("sealed="+strconv.FormatBool(seal != nil), func(t *testing.T) { testAuditFiles(t, seal) })
	}
}

func testAuditFiles(t *testing.T, seal []byte) {
	ctx := context.Background()
	dir := t.TempDir()
	log, err := audit.Open(ctx, dir, audit.Options{SegmentSize: 400, SealKey: seal})
	require.NoError(t, err)
	defer log.Close()
	add := func(n int) {
		for range n {
			_, err := log.Append(ctx, audit.Event{Kind: audit.KindLogin, Actor: audit.Actor{User: "u"}, Outcome: audit.Outcome{Result: audit.Success}})
			require.NoError(t, err)
		}
	}
	src := AuditReader(audit.Reader{Dir: dir, SealKey: seal})
	read := func(after uint64) []uint64 {
		var out []uint64
		require.NoError(t, src.Records(ctx, after, func(r audit.Record) error {
			out = append(out, r.Seq)
			return nil
		}))
		return out
	}
	tests := []struct {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			add(tt.add)
			require.Equal(t, tt.want, read(tt.after))
		})
	}
	segs, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	require.Greater(t, len(segs), 1, "the test needs several segments")

	// A line being written is not read until it is complete: take record
	// 8's line off the last segment and write it back in two halves. (The
	// log is closed first, and an empty segment its rotation started is
	// removed, so that record 8 ends the last segment, as it would while
	// being written.)
	add(1)
	require.NoError(t, log.Close())
	segs, err = filepath.Glob(filepath.Join(dir, "*.ndjson"))
	require.NoError(t, err)
	last := segs[len(segs)-1]
	if st, err := os.Stat(last); err == nil && st.Size() == 0 {
		require.NoError(t, os.Remove(last))
		last = segs[len(segs)-2]
	}
	b, err := os.ReadFile(last)
	require.NoError(t, err)
	start := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1
	line := bytes.Clone(b[start:])
	require.NoError(t, os.Truncate(last, int64(start)))
	f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.Write(line[:len(line)/2])
	require.NoError(t, err)
	require.Nil(t, read(7))
	_, err = f.Write(line[len(line)/2:])
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, []uint64{8}, read(7))

	if seal != nil {
		var recs int
		err := AuditFiles(dir).Records(ctx, 0, func(audit.Record) error { recs++; return nil })
		require.ErrorIs(t, err, audit.ErrEncrypted)
		require.Zero(t, recs)
	}
}
