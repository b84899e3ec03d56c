package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// fill writes n Patients (ids p0000..) and a few Observations.
func fill(t testing.TB, s *Store, n int) []string {
	t.Helper()
	var in []Input
	var ids []string
	for i := n - 1; i >= 0; i-- { // written in reverse to show Scan sorts
		id := fmt.Sprintf("p%04d", i)
		ids = append(ids, id)
		in = append(in, Input{Type: "Patient", ID: id, Body: []byte(`{"resourceType":"Patient","id":"` + id + `"}`)})
	}
	for i := range 3 {
		in = append(in, Input{Type: "Observation", ID: fmt.Sprint("o", i), Body: []byte(`{"resourceType":"Observation"}`)})
	}
	_, err := s.Put(context.Background(), in)
	require.NoError(t, err)
	sort.Strings(ids)
	return ids
}

func TestScan(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const n = 3*scanChunk + 7 // several chunks
	ids := fill(t, s, n)
	// Delete a few, including ones on chunk boundaries.
	deleted := map[string]bool{}
	for _, i := range []int{0, scanChunk - 1, scanChunk, 2 * scanChunk, n - 1} {
		_, err := s.Delete(ctx, "Patient", ids[i])
		require.NoError(t, err)
		deleted[ids[i]] = true
	}
	var want []string
	for _, id := range ids {
		if !deleted[id] {
			want = append(want, id)
		}
	}

	var got []string
	err := s.Scan(ctx, "Patient", func(r Resource) error {
		require.Equal(t, "Patient", r.Type)
		require.Equal(t, int64(1), r.Version)
		require.Contains(t, string(r.Body), `"id":"`+r.ID+`"`)
		got = append(got, r.ID)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, want, got)

	counts, err := s.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"Patient": n - len(deleted), "Observation": 3}, counts)
	types, err := s.Types(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"Observation", "Patient"}, types)

	// A type with nothing stored scans nothing.
	err = s.Scan(ctx, "Encounter", func(Resource) error { return errors.New("called") })
	require.NoError(t, err)
	// Unknown types are rejected.
	require.ErrorIs(t, s.Scan(ctx, "Nope", func(Resource) error { return nil }), ErrInvalid)
}

func TestScanStopsAndStreams(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	fill(t, s, 2*scanChunk)

	// fn's error is returned as is and stops the scan.
	stop := errors.New("stop")
	calls := 0
	err := s.Scan(ctx, "Patient", func(Resource) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	require.Same(t, stop, err)
	require.Equal(t, 10, calls)

	// fn runs outside any transaction: it may write to the store, and
	// resources written after the cursor are seen.
	calls = 0
	err = s.Scan(ctx, "Patient", func(r Resource) error {
		calls++
		if calls == 1 {
			_, err := s.Put(ctx, []Input{{Type: "Patient", ID: "zzz", Body: []byte(`{"resourceType":"Patient"}`)}})
			return err
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 2*scanChunk+1, calls)

	// Cancelling ctx stops the scan.
	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = s.Scan(cctx, "Patient", func(Resource) error {
		calls++
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls)
}

func TestChanges(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	seq, err := s.Seq(ctx)
	require.NoError(t, err)
	require.Zero(t, seq)

	put(t, s, "Patient", "a", `{"resourceType":"Patient"}`)
	put(t, s, "Patient", "a", `{"resourceType":"Patient"}`) // unchanged: no change
	put(t, s, "Patient", "a", `{"resourceType":"Patient","active":true}`)
	_, err = s.Delete(ctx, "Patient", "a")
	require.NoError(t, err)
	fill(t, s, 2*scanChunk)

	all := collectChanges(t, s, 0)
	require.Len(t, all, 3+2*scanChunk+3)
	require.Equal(t, []Change{
		{Seq: 1, Type: "Patient", ID: "a", Version: 1},
		{Seq: 2, Type: "Patient", ID: "a", Version: 2},
		{Seq: 3, Type: "Patient", ID: "a", Version: 3, Deleted: true},
	}, all[:3])
	for i, c := range all {
		require.Equal(t, uint64(i+1), c.Seq)
	}
	seq, err = s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, all[len(all)-1].Seq, seq)

	require.Equal(t, all[2:], collectChanges(t, s, 2))
	require.Empty(t, collectChanges(t, s, seq))
}

func collectChanges(t *testing.T, s *Store, since uint64) []Change {
	t.Helper()
	var got []Change
	require.NoError(t, s.Changes(context.Background(), since, func(c Change) error {
		got = append(got, c)
		return nil
	}))
	return got
}
