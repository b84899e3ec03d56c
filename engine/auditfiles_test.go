package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
)

// TestAuditFiles checks the tailing reader: records after a seq, across
// segments, an incomplete last line left for later, and a reset when the
// caller asks again from the start.
func TestAuditFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	log, err := audit.Open(ctx, dir, audit.Options{SegmentSize: 400})
	require.NoError(t, err)
	defer log.Close()
	add := func(n int) {
		for range n {
			_, err := log.Append(ctx, audit.Event{Kind: audit.KindLogin, Actor: audit.Actor{User: "u"}, Outcome: audit.Outcome{Result: audit.Success}})
			require.NoError(t, err)
		}
	}
	src := AuditFiles(dir)
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

	// A line being written is not read until it is complete.
	last := segs[len(segs)-1]
	f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"seq":8,"prev":"x","alg":"sha256","kind":"login"`)
	require.NoError(t, err)
	require.Nil(t, read(7))
	_, err = f.WriteString(`,"time":"2026-11-29T00:00:00Z","outcome":{"result":"0"},"hash":"y"}` + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, []uint64{8}, read(7))
}
