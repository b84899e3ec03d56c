package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "ds.db")
	ctx := context.Background()
	s, err := Open(path, Options{Now: clock()}) // with fsync, as in production
	require.NoError(t, err)
	require.Equal(t, path, s.Path())
	put(t, s, "Patient", "a", `{"resourceType":"Patient","meta":{"tag":[{"code":"x"}]}}`)
	put(t, s, "Patient", "a", `{"resourceType":"Patient","active":true}`)
	_, err = s.Delete(ctx, "Patient", "a")
	require.NoError(t, err)
	put(t, s, "Observation", "o", `{"resourceType":"Observation"}`)
	hist, err := s.History(ctx, "Patient", "a")
	require.NoError(t, err)
	seq, err := s.Seq(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	_, err = s.Read(ctx, "Patient", "a")
	require.ErrorIs(t, err, ErrClosed)

	s, err = Open(path, Options{Now: clock()})
	require.NoError(t, err)
	defer s.Close()
	got, err := s.History(ctx, "Patient", "a")
	require.NoError(t, err)
	require.Equal(t, hist, got)
	gotSeq, err := s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, seq, gotSeq)
	counts, err := s.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"Observation": 1}, counts)
	// The sequence continues after reopening.
	put(t, s, "Observation", "o2", `{"resourceType":"Observation"}`)
	gotSeq, err = s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, seq+1, gotSeq)
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ds.db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	defer s.Close()

	start := time.Now()
	_, err = Open(path, Options{})
	require.ErrorIs(t, err, ErrLocked)
	require.ErrorContains(t, err, path)
	require.Less(t, time.Since(start), 3*time.Second)

	_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond})
	require.ErrorIs(t, err, ErrLocked)
}

type otherCodec struct{ Codec }

func (otherCodec) Name() string { return "other" }

func TestOpenWrongCodec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ds.db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(path, Options{Codec: otherCodec{Zstd()}})
	require.ErrorContains(t, err, `file has codec "zstd", this build uses "other"`)
}

func TestOpenNotADatabase(t *testing.T) {
	_, err := Open(t.TempDir(), Options{})
	require.ErrorContains(t, err, "store: open")
}

// TestConcurrentReaders runs readers, scans and change feeds while a writer
// adds versions; run it with -race.
func TestConcurrentReaders(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	fill(t, s, 300)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprintf("p%04d", (i*7+r)%300)
				res, err := s.Read(ctx, "Patient", id)
				if err != nil && ctx.Err() == nil {
					errs <- err
					return
				}
				if err == nil && res.ID != id {
					errs <- fmt.Errorf("read %s got %s", id, res.ID)
					return
				}
				if r == 0 && i%50 == 0 {
					n := 0
					if err := s.Scan(ctx, "Patient", func(Resource) error { n++; return nil }); err != nil && ctx.Err() == nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	for v := 2; v <= 20; v++ {
		var in []Input
		for i := range 300 {
			in = append(in, Input{Type: "Patient", ID: fmt.Sprintf("p%04d", i), Body: []byte(fmt.Sprintf(`{"resourceType":"Patient","multipleBirthInteger":%d}`, v))})
		}
		_, err := s.Put(ctx, in)
		require.NoError(t, err)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	r, err := s.Read(context.Background(), "Patient", "p0123")
	require.NoError(t, err)
	require.Equal(t, int64(20), r.Version)
}
