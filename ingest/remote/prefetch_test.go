package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeStore serves objects from memory and records how many are open at
// once.
type fakeStore struct {
	data          map[string][]byte
	fail          map[string]error // open error by key
	open, maxOpen atomic.Int32
}

func (f *fakeStore) Open(_ context.Context, o Object) (io.ReadCloser, error) {
	if err := f.fail[o.Key]; err != nil {
		return nil, err
	}
	n := f.open.Add(1)
	for {
		m := f.maxOpen.Load()
		if n <= m || f.maxOpen.CompareAndSwap(m, n) {
			break
		}
	}
	return &trackedBody{Reader: bytes.NewReader(f.data[o.Key]), f: f}, nil
}

type trackedBody struct {
	io.Reader
	f *fakeStore
}

func (b *trackedBody) Close() error { b.f.open.Add(-1); return nil }

func TestPrefetch(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 3*chunkSize/16+5) // several chunks and a partial one
	errOpen := errors.New("denied")
	tests := []struct {
		name     string
		keys     []string
		parallel int
		wantErr  map[string]string // per key
	}{
		{name: "one object", keys: []string{"a"}, parallel: 4},
		{name: "more objects than slots", keys: []string{"a", "b", "c", "d", "e", "f", "g"}, parallel: 2},
		{name: "sequential", keys: []string{"a", "b", "c"}, parallel: 1},
		{name: "open error in the middle", keys: []string{"a", "bad", "c"}, parallel: 3, wantErr: map[string]string{"bad": "denied"}},
		{name: "none", parallel: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := &fakeStore{data: map[string][]byte{}, fail: map[string]error{"bad": errOpen}}
			var objs []Object
			for i, k := range tc.keys {
				fs.data[k] = append([]byte(fmt.Sprintf("%s:", k)), big[:len(big)-i*7]...)
				objs = append(objs, Object{Bucket: "b", Key: k})
			}
			p := Prefetch(context.Background(), objs, fs.Open, tc.parallel, 2*chunkSize)
			defer p.Close()
			for _, k := range tc.keys {
				s, ok := p.Next()
				require.True(t, ok)
				require.Equal(t, k, s.Object.Key)
				got, err := io.ReadAll(s)
				if want := tc.wantErr[k]; want != "" {
					require.EqualError(t, err, want)
					require.EqualError(t, s.Opened(), want)
				} else {
					require.NoError(t, err)
					require.NoError(t, s.Opened())
					require.Equal(t, fs.data[k], got)
				}
				require.NoError(t, s.Close())
			}
			_, ok := p.Next()
			require.False(t, ok)
			require.LessOrEqual(t, int(fs.maxOpen.Load()), tc.parallel)
			require.Equal(t, int32(0), fs.open.Load(), "every body closed")
		})
	}
}

// TestPrefetchAbandon closes the prefetcher while objects are half read
// and not yet handed out: every body must still be closed.
func TestPrefetchAbandon(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 5*chunkSize)
	fs := &fakeStore{data: map[string][]byte{"a": big, "b": big, "c": big}}
	objs := []Object{{Key: "a"}, {Key: "b"}, {Key: "c"}}
	p := Prefetch(context.Background(), objs, fs.Open, 3, chunkSize)
	s, ok := p.Next()
	require.True(t, ok)
	buf := make([]byte, 100)
	_, err := io.ReadFull(s, buf)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.Equal(t, int32(0), fs.open.Load())
}

// TestPrefetchCanceled stops reading when the context is canceled.
func TestPrefetchCanceled(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 5*chunkSize)
	fs := &fakeStore{data: map[string][]byte{"a": big}}
	ctx, cancel := context.WithCancel(context.Background())
	p := Prefetch(ctx, []Object{{Key: "a"}}, fs.Open, 1, chunkSize)
	defer p.Close()
	s, ok := p.Next()
	require.True(t, ok)
	cancel()
	_, err := io.ReadAll(s)
	require.ErrorIs(t, err, context.Canceled)
}
