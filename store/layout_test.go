package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

// randomID returns a random UUID-like id, as generators and EHR exports
// use: keys land anywhere in the B+tree.
func randomID(t testing.TB) string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// randomObservation returns a body of about 700 bytes that compresses
// about as well as real resources.
func randomObservation(t testing.TB, id, subject string) []byte {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	require.NoError(t, err)
	return fmt.Appendf(nil, `{"resourceType":"Observation","id":%q,"status":"final",`+
		`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital signs"}]}],`+
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"Heart rate"},`+
		`"subject":{"reference":"Patient/%s"},"encounter":{"reference":"Encounter/%s"},`+
		`"effectiveDateTime":"2020-%02d-%02dT%02d:%02d:00Z","issued":"2020-01-01T10:00:00.%03dZ",`+
		`"valueQuantity":{"value":%d.%d,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`,
		id, subject, randomID(t), 1+n.Int64()%12, 1+n.Int64()%28, n.Int64()%24, n.Int64()%60, n.Int64()%1000,
		n.Int64()%200, n.Int64()%10)
}

// TestStaysCompact writes many batches of resources with random ids, then
// a round of updates to all of them, and checks that the pages the file
// uses stay close to the live data. Format 1 keyed bodies by type/id and
// grew to 4x the NDJSON on such imports (random inserts of large values
// into full pages, rewritten copy-on-write by every transaction).
func TestStaysCompact(t *testing.T) {
	batches, size := 40, 500
	if testing.Short() {
		batches = 10
	}
	s, err := Open(filepath.Join(t.TempDir(), "ds.db"), Options{NoSync: true})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	var ids []string
	for range batches {
		in := make([]Input, size)
		for i := range in {
			id := randomID(t)
			ids = append(ids, id)
			in[i] = Input{Type: "Observation", ID: id, Body: randomObservation(t, id, randomID(t))}
		}
		_, err := s.Put(ctx, in)
		require.NoError(t, err)
	}
	// Updates in random order: every one appends a version and rewrites
	// a head.
	for lo := 0; lo < len(ids); lo += size {
		in := make([]Input, 0, size)
		for _, id := range ids[lo:min(lo+size, len(ids))] {
			in = append(in, Input{Type: "Observation", ID: id, Body: randomObservation(t, id, "x")})
		}
		out, err := s.Put(ctx, in)
		require.NoError(t, err)
		require.Equal(t, Updated, out[0])
	}

	var live, used int64
	require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
		used = tx.Size()
		for _, name := range [][]byte{bucketCurrent, bucketVersions} {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				live += int64(len(k) + len(v))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}))
	ratio := float64(used) / float64(live)
	t.Logf("%d resources x 2 versions: live keys+values %d B, pages in use %d B (%.2fx)", len(ids), live, used, ratio)
	require.Less(t, ratio, 2.0, "the file grows much faster than the data it holds")
}

// TestOpenOtherFormat checks that a file of another on-disk format is
// refused with an error that says so, and left as it was.
func TestOpenOtherFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ds.db")
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put([]byte("format"), []byte("1"))
	}))
	require.NoError(t, db.Close())
	_, err = Open(path, Options{})
	require.ErrorContains(t, err, `file has on-disk format "1", this build reads only format "2"`)

	db, err = bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.View(func(tx *bolt.Tx) error {
		require.Nil(t, tx.Bucket(bucketVersions), "Open must not create buckets in a foreign file")
		return nil
	}))
	require.NoError(t, db.Close())
}

// TestPutBatchParallel checks a batch large enough to be prepared on
// several goroutines against a sequential model: repeated ids see their
// earlier occurrences in input order, and the first invalid input is the
// one reported.
func TestPutBatchParallel(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	const n, ids = 2000, 300
	body := func(i int) []byte {
		// Every id cycles through three contents, so some repeats are
		// unchanged and others are updates.
		return fmt.Appendf(nil, `{"resourceType":"Patient","gender":"g%d"}`, (i/ids)%3/2)
	}
	in := make([]Input, n)
	for i := range in {
		in[i] = Input{Type: "Patient", ID: fmt.Sprint("p", i%ids), Body: body(i)}
	}
	out, err := s.Put(ctx, in)
	require.NoError(t, err)
	last := map[string]string{}
	version := map[string]int64{}
	for i, r := range in {
		want := Updated
		switch prev, ok := last[r.ID]; {
		case !ok:
			want = Created
		case prev == string(r.Body):
			want = Unchanged
		}
		if want != Unchanged {
			version[r.ID]++
		}
		last[r.ID] = string(r.Body)
		require.Equal(t, want, out[i], "input %d", i)
	}
	for id, v := range version {
		h, err := s.History(ctx, "Patient", id)
		require.NoError(t, err)
		require.Len(t, h, int(v))
		require.Equal(t, v, h[0].Version)
		gender := last[id][len(`{"resourceType":"Patient",`) : len(last[id])-1]
		require.Contains(t, string(h[0].Body), gender)
	}

	bad := append([]Input(nil), in...)
	bad[1500] = Input{Type: "Patient", ID: "q", Body: []byte(`{"resourceType":"Person"}`)}
	bad[1700] = Input{Type: "Patient", ID: "r", Body: []byte(`not json`)}
	before, err := s.Seq(ctx)
	require.NoError(t, err)
	_, err = s.Put(ctx, bad)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "Patient/q (input 1500)")
	after, err := s.Seq(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
}

// TestDictionaries checks that a batch with enough resources of a type
// trains a dictionary for it, that bodies written before and after it read
// back (also after reopening), and that the dictionary makes them smaller.
func TestDictionaries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ds.db")
	s, err := Open(path, Options{Now: clock(), NoSync: true})
	require.NoError(t, err)
	ctx := context.Background()
	first := randomID(t)
	firstBody := randomObservation(t, first, "p")
	require.Equal(t, Created, put(t, s, "Observation", first, string(firstBody)))
	in := make([]Input, dictMinBatch)
	for i := range in {
		id := randomID(t)
		in[i] = Input{Type: "Observation", ID: id, Body: randomObservation(t, id, randomID(t))}
	}
	_, err = s.Put(ctx, in)
	require.NoError(t, err)
	require.Contains(t, s.codecs.cur.Load().dicts, "Observation")

	size := func(id string) int {
		var n int
		require.NoError(t, s.db.View(func(tx *bolt.Tx) error {
			h, err := getHead(tx, resKey("Observation", id))
			require.NoError(t, err)
			n = len(tx.Bucket(bucketVersions).Get(seqKey(h.seq)))
			return nil
		}))
		return n
	}
	second := randomID(t)
	require.Equal(t, Created, put(t, s, "Observation", second, string(randomObservation(t, second, "p"))))
	require.Less(t, 2*size(second), size(first), "the dictionary should at least halve a body")

	for range 2 {
		for _, id := range []string{first, second, in[0].ID} {
			r, err := s.Read(ctx, "Observation", id)
			require.NoError(t, err)
			require.Contains(t, string(r.Body), `"id":"`+id+`"`)
		}
		require.NoError(t, s.Close())
		s, err = Open(path, Options{NoSync: true})
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	_, err = Open(path, Options{Codec: otherCodec{Zstd()}})
	require.Error(t, err)
}
