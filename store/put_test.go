package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPutVersioning(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	steps := []struct {
		body string
		want Outcome
		ver  int64
	}{
		{`{"resourceType":"Patient","active":true}`, Created, 1},
		{`{"resourceType":"Patient","active":true}`, Unchanged, 1},
		{`{"resourceType":"Patient","active":false}`, Updated, 2},
		{`{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2000-01-01T00:00:00.000Z"},"active":false}`, Unchanged, 2},
		{`{"resourceType":"Patient","gender":"male"}`, Updated, 3},
	}
	for i, st := range steps {
		require.Equal(t, st.want, put(t, s, "Patient", "p1", st.body), "step %d", i)
		r, err := s.Read(ctx, "Patient", "p1")
		require.NoError(t, err)
		require.Equal(t, st.ver, r.Version, "step %d", i)
	}

	hist, err := s.History(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.Len(t, hist, 3)
	// Each Put call takes one tick of the clock, unchanged ones included.
	wantTimes := []time.Time{testStart.Add(4 * time.Second), testStart.Add(2 * time.Second), testStart}
	wantBodies := []string{
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2026-01-02T03:04:09.678Z"},"gender":"male"}`,
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2026-01-02T03:04:07.678Z"},"active":false}`,
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"1","lastUpdated":"2026-01-02T03:04:05.678Z"},"active":true}`,
	}
	for i, r := range hist {
		ver := int64(3 - i)
		require.Equal(t, ver, r.Version)
		require.Equal(t, wantTimes[i].Truncate(time.Millisecond), r.LastUpdated)
		require.Equal(t, time.UTC, r.LastUpdated.Location())
		require.Equal(t, wantBodies[i], string(r.Body))
		v, err := s.VRead(ctx, "Patient", "p1", ver)
		require.NoError(t, err)
		require.Equal(t, r, v)
	}
	_, err = s.VRead(ctx, "Patient", "p1", 4)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = s.VRead(ctx, "Patient", "p1", 0)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestPutBatch(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	in := []Input{
		{Type: "Patient", ID: "a", Body: []byte(`{"resourceType":"Patient","active":true}`)},
		{Type: "Patient", ID: "b", Body: []byte(`{"resourceType":"Patient"}`)},
		{Type: "Patient", ID: "a", Body: []byte(`{"resourceType":"Patient","active":false}`)},
		{Type: "Patient", ID: "a", Body: []byte(`{"resourceType":"Patient","active":false}`)},
		{Type: "Observation", ID: "a", Body: []byte(`{"resourceType":"Observation"}`)},
	}
	out, err := s.Put(ctx, in)
	require.NoError(t, err)
	require.Equal(t, []Outcome{Created, Created, Updated, Unchanged, Created}, out)
	r, err := s.Read(ctx, "Patient", "a")
	require.NoError(t, err)
	require.Equal(t, int64(2), r.Version)

	// Re-importing the same batch writes nothing.
	out, err = s.Put(ctx, in[1:])
	require.NoError(t, err)
	require.Equal(t, []Outcome{Unchanged, Unchanged, Unchanged, Unchanged}, out)
	seq, err := s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(4), seq) // one change per version written

	// An invalid input rejects the whole batch.
	before, err := s.Seq(ctx)
	require.NoError(t, err)
	_, err = s.Put(ctx, []Input{
		{Type: "Patient", ID: "c", Body: []byte(`{"resourceType":"Patient"}`)},
		{Type: "Patient", ID: "d", Body: []byte(`{"resourceType":"Person"}`)},
	})
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "Patient/d (input 1)")
	_, err = s.Read(ctx, "Patient", "c")
	require.ErrorIs(t, err, ErrNotFound)
	after, err := s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)

	out, err = s.Put(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, out)
}

func TestPutContextCancelled(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := make([]Input, 1000)
	for i := range in {
		in[i] = Input{Type: "Patient", ID: fmt.Sprint(i), Body: []byte(`{"resourceType":"Patient"}`)}
	}
	_, err := s.Put(ctx, in)
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Delete(ctx, "Patient", "1")
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Read(ctx, "Patient", "1")
	require.ErrorIs(t, err, context.Canceled)
	err = s.Scan(ctx, "Patient", func(Resource) error { return nil })
	require.ErrorIs(t, err, context.Canceled)

	counts, err := s.Counts(context.Background())
	require.NoError(t, err)
	require.Empty(t, counts)
}

func TestDelete(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	_, err := s.Delete(ctx, "Patient", "p1")
	require.ErrorIs(t, err, ErrNotFound)

	put(t, s, "Patient", "p1", `{"resourceType":"Patient","active":true}`)
	tomb, err := s.Delete(ctx, "Patient", "p1")
	require.NoError(t, err)
	// Third tick: the failed Delete and the Put took one each.
	want := Resource{Type: "Patient", ID: "p1", Version: 2, LastUpdated: testStart.Add(2 * time.Second).Truncate(time.Millisecond), Deleted: true}
	require.Equal(t, want, tomb)

	r, err := s.Read(ctx, "Patient", "p1")
	require.ErrorIs(t, err, ErrDeleted)
	require.Equal(t, want, r)
	r, err = s.VRead(ctx, "Patient", "p1", 2)
	require.ErrorIs(t, err, ErrDeleted)
	require.Equal(t, want, r)
	_, err = s.VRead(ctx, "Patient", "p1", 1)
	require.NoError(t, err)

	// Deleting again is a no-op returning the same tombstone.
	again, err := s.Delete(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.Equal(t, want, again)

	counts, err := s.Counts(ctx)
	require.NoError(t, err)
	require.Empty(t, counts)
	types, err := s.Types(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"Patient"}, types)

	// Writing the same content again brings it back as version 3.
	require.Equal(t, Created, put(t, s, "Patient", "p1", `{"resourceType":"Patient","active":true}`))
	r, err = s.Read(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.Equal(t, int64(3), r.Version)
	hist, err := s.History(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.Equal(t, []bool{false, true, false}, []bool{hist[0].Deleted, hist[1].Deleted, hist[2].Deleted})
	require.Nil(t, hist[1].Body)
	counts, err = s.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"Patient": 1}, counts)
}

func TestReadErrors(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	put(t, s, "Patient", "p1", `{"resourceType":"Patient"}`)
	tests := []struct {
		name    string
		typ, id string
		want    error
	}{
		{"unknown id", "Patient", "p2", ErrNotFound},
		{"other type, same id", "Observation", "p1", ErrNotFound},
		{"unknown type", "Patients", "p1", ErrInvalid},
		{"invalid id", "Patient", "p/1", ErrInvalid},
		{"empty id", "Patient", "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Read(ctx, tt.typ, tt.id)
			require.ErrorIs(t, err, tt.want)
			_, err = s.VRead(ctx, tt.typ, tt.id, 1)
			require.ErrorIs(t, err, tt.want)
			_, err = s.History(ctx, tt.typ, tt.id)
			require.ErrorIs(t, err, tt.want)
			_, err = s.Delete(ctx, tt.typ, tt.id)
			require.ErrorIs(t, err, tt.want)
		})
	}
}
