package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func TestApplyWritesAndDeletesAtomically(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	res, err := s.Apply(ctx, []Op{
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","gender":"female"}`)},
		{Type: "Observation", ID: "o1", Body: []byte(`{"resourceType":"Observation","id":"o1","status":"final"}`)},
	})
	require.NoError(t, err)
	require.Equal(t, Created, res[0].Outcome)
	require.Equal(t, int64(1), res[0].Resource.Version)
	require.Contains(t, string(res[0].Resource.Body), `"versionId":"1"`)

	// A failed precondition on the second op leaves the first unwritten.
	_, err = s.Apply(ctx, []Op{
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","gender":"male"}`)},
		{Type: "Observation", ID: "o1", Delete: true, IfMatch: 7},
	})
	require.ErrorIs(t, err, ErrConflict)
	require.ErrorContains(t, err, "Observation/o1 is at version 1, not 7")
	r, err := s.Read(ctx, "Patient", "p1")
	require.NoError(t, err)
	require.Equal(t, int64(1), r.Version)

	res, err = s.Apply(ctx, []Op{
		{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","gender":"male"}`), IfMatch: 1},
		{Type: "Observation", ID: "o1", Delete: true, IfMatch: 1},
		{Type: "Observation", ID: "never", Delete: true},
	})
	require.NoError(t, err)
	require.Equal(t, []Outcome{Updated, Deleted, Unchanged}, []Outcome{res[0].Outcome, res[1].Outcome, res[2].Outcome})
	require.Equal(t, int64(2), res[1].Resource.Version)
	require.Zero(t, res[2].Resource.Version)
	_, err = s.Read(ctx, "Observation", "o1")
	require.ErrorIs(t, err, ErrDeleted)

	// Writing the same content again is Unchanged and returns the body.
	res, err = s.Apply(ctx, []Op{{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1","gender":"male"}`)}})
	require.NoError(t, err)
	require.Equal(t, Unchanged, res[0].Outcome)
	require.Equal(t, int64(2), res[0].Resource.Version)
	require.Contains(t, string(res[0].Resource.Body), `"gender":"male"`)

	// IfAbsent refuses an existing resource and accepts a deleted one.
	_, err = s.Apply(ctx, []Op{{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient","id":"p1"}`), IfAbsent: true}})
	require.ErrorIs(t, err, ErrConflict)
	res, err = s.Apply(ctx, []Op{{Type: "Observation", ID: "o1", Body: []byte(`{"resourceType":"Observation","id":"o1","status":"amended"}`), IfAbsent: true}})
	require.NoError(t, err)
	require.Equal(t, Created, res[0].Outcome)
	require.Equal(t, int64(3), res[0].Resource.Version)

	// Invalid input fails before anything is queued.
	_, err = s.Apply(ctx, []Op{{Type: "Patient", ID: "p2", Body: []byte(`{"resourceType":"Observation"}`)}})
	require.ErrorIs(t, err, ErrInvalid)
}

// TestApplyConcurrentIfMatch races writers that all start from the same
// version: exactly one wins each round, the rest get ErrConflict, and no
// update is lost.
func TestApplyConcurrentIfMatch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	_, err := s.Apply(ctx, []Op{{Type: "Patient", ID: "p", Body: []byte(`{"resourceType":"Patient","id":"p"}`)}})
	require.NoError(t, err)
	const rounds, writers = 20, 8
	for round := range rounds {
		var wg sync.WaitGroup
		wins := make(chan int, writers)
		for w := range writers {
			wg.Go(func() {
				body := fmt.Sprintf(`{"resourceType":"Patient","id":"p","name":[{"text":"r%d w%d"}]}`, round, w)
				_, err := s.Apply(ctx, []Op{{Type: "Patient", ID: "p", Body: []byte(body), IfMatch: int64(round + 1)}})
				switch {
				case err == nil:
					wins <- w
				case !errors.Is(err, ErrConflict):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		close(wins)
		require.Len(t, wins, 1, "round %d", round)
		winner := <-wins
		r, err := s.Read(ctx, "Patient", "p")
		require.NoError(t, err)
		require.Equal(t, int64(round+2), r.Version)
		require.Contains(t, string(r.Body), fmt.Sprintf("r%d w%d", round, winner))
	}
}

// TestApplyGroupCommit runs many concurrent writers and checks every
// acknowledged write is there with its own version and that the change
// log has one entry per write.
func TestApplyGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const n = 400
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("o%d", i%100)
			body := fmt.Sprintf(`{"resourceType":"Observation","id":"%s","status":"final","valueInteger":%d}`, id, i)
			_, err := s.Apply(ctx, []Op{{Type: "Observation", ID: id, Body: []byte(body)}})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	var changes int
	require.NoError(t, s.Changes(ctx, 0, func(Change) error { changes++; return nil }))
	require.Equal(t, n, changes)
	counts, err := s.Counts(ctx)
	require.NoError(t, err)
	require.Equal(t, 100, counts["Observation"])
	for i := range 100 {
		h, err := s.History(ctx, "Observation", fmt.Sprintf("o%d", i))
		require.NoError(t, err)
		require.Len(t, h, 4)
	}
}

func TestFindByIdentifier(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	put(t, s, "Patient", "a", `{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:mrn","value":"1"},{"value":"x"}]}`)
	put(t, s, "Patient", "b", `{"resourceType":"Patient","id":"b","identifier":[{"system":"urn:ssn","value":"1"}]}`)
	find := func(q IdentifierQuery) []string {
		ids, err := s.FindByIdentifier(ctx, "Patient", q)
		require.NoError(t, err)
		return ids
	}
	require.Equal(t, []string{"a"}, find(IdentifierQuery{System: "urn:mrn", Value: "1"}))
	require.Equal(t, []string{"a", "b"}, find(IdentifierQuery{Value: "1", AnySystem: true}))
	require.Equal(t, []string{"a"}, find(IdentifierQuery{Value: "x"}))
	require.Empty(t, find(IdentifierQuery{Value: "1"}))

	// A later version that drops the identifier, and a delete, hide stale
	// index entries.
	put(t, s, "Patient", "a", `{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:mrn","value":"2"}]}`)
	require.Empty(t, find(IdentifierQuery{System: "urn:mrn", Value: "1"}))
	require.Equal(t, []string{"a"}, find(IdentifierQuery{System: "urn:mrn", Value: "2"}))
	_, err := s.Apply(ctx, []Op{{Type: "Patient", ID: "a", Delete: true}})
	require.NoError(t, err)
	require.Empty(t, find(IdentifierQuery{System: "urn:mrn", Value: "2"}))
}

func TestIdentifierIndexBuiltOnOpen(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/old.db"
	s, err := Open(path, Options{NoSync: true})
	require.NoError(t, err)
	put(t, s, "Patient", "a", `{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:mrn","value":"1"}]}`)
	// Forget the index, as in a file written before it existed.
	require.NoError(t, s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketIdentifiers); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketIdentifiers); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(identIndexed)
	}))
	ids, err := s.FindByIdentifier(ctx, "Patient", IdentifierQuery{System: "urn:mrn", Value: "1"})
	require.NoError(t, err)
	require.Empty(t, ids)
	require.NoError(t, s.Close())
	s, err = Open(path, Options{NoSync: true})
	require.NoError(t, err)
	defer s.Close()
	ids, err = s.FindByIdentifier(ctx, "Patient", IdentifierQuery{System: "urn:mrn", Value: "1"})
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids)
}

func TestHistoryPage(t *testing.T) {
	ctx := context.Background()
	s := openTest(t) // the clock advances a second per commit
	for i := range 5 {
		put(t, s, "Patient", "p", fmt.Sprintf(`{"resourceType":"Patient","id":"p","name":[{"text":"v%d"}]}`, i))
		put(t, s, "Observation", fmt.Sprintf("o%d", i), `{"resourceType":"Observation","status":"final"}`)
	}
	_, err := s.Delete(ctx, "Observation", "o0")
	require.NoError(t, err)

	page, err := s.HistoryPage(ctx, HistoryQuery{Limit: 4})
	require.NoError(t, err)
	require.Len(t, page.Versions, 4)
	require.True(t, page.Versions[0].Deleted)
	require.Equal(t, "Observation/o4", page.Versions[1].Type+"/"+page.Versions[1].ID)
	var all []Resource
	all = append(all, page.Versions...)
	for page.Next != 0 {
		page, err = s.HistoryPage(ctx, HistoryQuery{Limit: 4, Before: page.Next})
		require.NoError(t, err)
		all = append(all, page.Versions...)
	}
	require.Len(t, all, 11)
	require.Equal(t, "Patient", all[10].Type)
	require.Equal(t, int64(1), all[10].Version)

	page, err = s.HistoryPage(ctx, HistoryQuery{Type: "Patient"})
	require.NoError(t, err)
	require.Len(t, page.Versions, 5)
	require.Equal(t, int64(5), page.Versions[0].Version)
	require.Zero(t, page.Next)

	// _since: the first commit is at testStart, each later one a second on.
	page, err = s.HistoryPage(ctx, HistoryQuery{Since: testStart.Truncate(time.Millisecond).Add(8 * time.Second)})
	require.NoError(t, err)
	require.Len(t, page.Versions, 3) // commits 8, 9 (Observation o4) and 10 (the delete)
}
