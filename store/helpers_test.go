package store

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testStart is the first time the test clock returns.
var testStart = time.Date(2026, 1, 2, 3, 4, 5, 678_900_000, time.UTC)

// clock returns a Now func that starts at testStart and advances one
// second a call.
func clock() func() time.Time {
	var mu sync.Mutex
	t := testStart
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := t
		t = t.Add(time.Second)
		return now
	}
}

// openTest opens a fresh store in t.TempDir, closed at the end of the test.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "test.db"), Options{Now: clock(), NoSync: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// put writes one resource and returns its outcome.
func put(t testing.TB, s *Store, typ, id, body string) Outcome {
	t.Helper()
	out, err := s.Put(context.Background(), []Input{{Type: typ, ID: id, Body: []byte(body)}})
	require.NoError(t, err)
	require.Len(t, out, 1)
	return out[0]
}
