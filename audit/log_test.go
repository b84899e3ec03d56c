package audit

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAppendConcurrentRotateReopen(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
		alg  string
	}{
		{"plain", nil, AlgSHA256},
		{"keyed", []byte("0123456789abcdef0123456789abcdef"), AlgHMACSHA256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "audit")
			opts := Options{Key: tc.key, SegmentSize: 4 << 10}
			l, err := Open(ctx, dir, opts)
			require.NoError(t, err)
			const clients, each = 8, 50
			seen := make([]bool, clients*each+1)
			var mu sync.Mutex
			var wg sync.WaitGroup
			for c := range clients {
				wg.Go(func() {
					for i := range each {
						rc, err := l.Append(ctx, sampleEvent(c*each+i))
						require.NoError(t, err)
						mu.Lock()
						require.False(t, seen[rc.Seq], "seq %d given twice", rc.Seq)
						seen[rc.Seq] = true
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			head := l.Head()
			require.Equal(t, uint64(clients*each), head.Seq)
			require.NoError(t, l.Close())
			_, err = l.Append(ctx, sampleEvent(0))
			require.ErrorIs(t, err, ErrClosed)

			nums, err := segments(dir)
			require.NoError(t, err)
			require.Greater(t, len(nums), 2, "4 KiB segments must rotate")

			rep, err := Verify(dir, tc.key)
			require.NoError(t, err)
			require.Equal(t, Report{Segments: len(nums), Records: clients * each, Alg: tc.alg, Head: head}, rep)

			// Reopening continues the chain.
			l, err = Open(ctx, dir, opts)
			require.NoError(t, err)
			require.Equal(t, head, l.Head())
			rc, err := l.Append(ctx, Event{Kind: KindLogin, Action: "login", Actor: Actor{User: "bob"}, Outcome: Outcome{Result: Success}})
			require.NoError(t, err)
			require.Equal(t, head.Seq+1, rc.Seq)
			require.NoError(t, l.Close())
			rep, err = Verify(dir, tc.key)
			require.NoError(t, err)
			require.Equal(t, rc, rep.Head)

			var got []uint64
			require.NoError(t, Rows(ctx, dir, func(r Record) error {
				got = append(got, r.Seq)
				return nil
			}))
			require.Len(t, got, int(rc.Seq))
			for i, s := range got {
				require.Equal(t, uint64(i+1), s)
			}
		})
	}
}

func TestOpenChecksKeyAndLock(t *testing.T) {
	ctx := context.Background()
	key := []byte("0123456789abcdef0123456789abcdef")
	keyed := writeLog(t, 3, Options{Key: key})
	plain := writeLog(t, 3, Options{})
	for _, tc := range []struct {
		name, dir string
		key       []byte
		want      string
	}{
		{"keyed log without key", keyed, nil, "needs the audit key"},
		{"keyed log with wrong key", keyed, []byte("another key of thirty-two bytes!"), "hash mismatch"},
		{"plain log with a key", plain, key, "not the keyed hmac-sha256 chain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(ctx, tc.dir, Options{Key: tc.key})
			var p *Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, 1, p.Line)
			require.Contains(t, p.What, tc.want)
			_, err = Verify(tc.dir, tc.key)
			require.ErrorAs(t, err, &p)
			require.Contains(t, p.What, tc.want)
		})
	}
	t.Run("locked", func(t *testing.T) {
		l, err := Open(ctx, plain, Options{})
		require.NoError(t, err)
		defer l.Close()
		_, err = Open(ctx, plain, Options{})
		require.ErrorIs(t, err, ErrLocked)
	})
}

// TestOpenRecoversTornTail checks that a crash's torn last write is cut
// off at open, while a damaged complete record is refused.
func TestOpenRecoversTornTail(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		damage  func(b []byte) []byte
		wantErr string
	}{
		{"half a line", func(b []byte) []byte { return append(b, []byte(`{"seq":6,"prev":"ab`)...) }, ""},
		{"NUL bytes", func(b []byte) []byte { return append(b, make([]byte, 300)...) }, ""},
		{"NUL bytes then a line", func(b []byte) []byte {
			return append(append(b, make([]byte, 10)...), []byte(`{"seq":7}`+"\n")...)
		}, ""},
		{"changed last record", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"rows":5`), []byte(`"rows":6`), 1)
		}, "line 5 (seq 5): hash mismatch"},
		{"garbage line", func(b []byte) []byte { return append(b, []byte("hello\n")...) }, "line 6 (seq 0): not a well-formed record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeLog(t, 5, Options{})
			path := filepath.Join(dir, segmentName(1))
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, tc.damage(bytes.Clone(b)), 0o600))
			l, err := Open(ctx, dir, Options{})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			rc, err := l.Append(ctx, sampleEvent(6))
			require.NoError(t, err)
			require.Equal(t, uint64(6), rc.Seq)
			require.NoError(t, l.Close())
			rep, err := Verify(dir, nil)
			require.NoError(t, err)
			require.Equal(t, uint64(6), rep.Records)
		})
	}
}

func TestAppendContextAndEvent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	l, err := Open(context.Background(), dir, Options{})
	require.NoError(t, err)
	defer l.Close()
	_, err = l.Append(context.Background(), Event{})
	require.ErrorContains(t, err, "no kind")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.Append(ctx, sampleEvent(1))
	require.True(t, errors.Is(err, context.Canceled), err)
	require.Equal(t, uint64(0), l.Head().Seq, "a cancelled append writes nothing")

	before := time.Now().UTC()
	rc, err := l.Append(context.Background(), Event{Kind: KindSQL, Query: string(bytes.Repeat([]byte("é"), MaxQueryBytes))})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	var last Record
	require.NoError(t, Rows(context.Background(), dir, func(r Record) error { last = r; return nil }))
	require.Equal(t, rc.Seq, last.Seq)
	require.Equal(t, rc.Hash, last.Hash)
	require.False(t, last.Time.Before(before.Truncate(time.Microsecond)))
	require.Equal(t, time.UTC, last.Time.Location())
	require.LessOrEqual(t, len(last.Query), MaxQueryBytes)
	require.Contains(t, last.Query, "…[truncated]")
}

// TestAppendFailsClosed breaks the segment file under the log: the
// failing Append and every later one return an error, in both modes.
func TestAppendFailsClosed(t *testing.T) {
	for _, lazy := range []time.Duration{0, time.Hour} {
		t.Run(syncName(lazy), func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "audit")
			l, err := Open(ctx, dir, Options{SyncInterval: lazy})
			require.NoError(t, err)
			_, err = l.Append(ctx, sampleEvent(1))
			require.NoError(t, err)
			l.wmu.Lock()
			require.NoError(t, l.w.f.Close()) // every later write fails
			l.wmu.Unlock()
			_, err = l.Append(ctx, sampleEvent(2))
			require.ErrorContains(t, err, "audit: write 000001.ndjson")
			_, err2 := l.Append(ctx, sampleEvent(3))
			require.Equal(t, err, err2)
			require.Equal(t, uint64(1), l.Head().Seq)
			require.Error(t, l.Close())
			rep, err := Verify(dir, nil)
			require.NoError(t, err)
			require.Equal(t, uint64(1), rep.Records)
		})
	}
}
