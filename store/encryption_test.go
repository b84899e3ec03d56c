package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/fhirlake/fhirlake/internal/sealed"
)

// testKey returns a 32-byte key filled with b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// testEncryption returns the Encryption of testKey(b).
func testEncryption(t testing.TB, b byte) *Encryption {
	t.Helper()
	e, err := NewEncryption(testKey(b))
	require.NoError(t, err)
	return e
}

// openAt opens the store at path with the test clock and e (nil: plain).
func openAt(t testing.TB, path string, e *Encryption) *Store {
	t.Helper()
	s, err := Open(path, Options{Now: clock(), NoSync: true, Encryption: e})
	require.NoError(t, err)
	return s
}

// step is one entry of a transcript: an operation and what it returned.
type step struct {
	Op  string
	Got any
}

// exercise runs every public operation of the store on s and returns what
// each returned, so a plain and an encrypted store can be compared. It
// also checks the answers that must hold either way, so the comparison
// cannot pass with both stores equally broken.
func exercise(t *testing.T, s *Store) []step {
	ctx := context.Background()
	var out []step
	rec := func(op string, got any, err error) {
		if err != nil {
			got = fmt.Sprintf("%v (error: %v)", got, err)
		}
		out = append(out, step{op, got})
	}
	// 120 Observations in one batch: enough to train a dictionary.
	var in []Input
	for i := range 120 {
		id := fmt.Sprintf("o%03d", i)
		in = append(in, Input{Type: "Observation", ID: id, Body: fmt.Appendf(nil,
			`{"resourceType":"Observation","status":"final","code":{"text":"heart rate"},"valueQuantity":{"value":%d,"unit":"/min"}}`, 60+i)})
	}
	for i := range 5 {
		in = append(in, Input{Type: "Patient", ID: fmt.Sprintf("p%d", i), Body: fmt.Appendf(nil,
			`{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"MRN-%d"},{"value":"shared"}],"name":[{"family":"Family%d"}]}`, i, i)})
	}
	got, err := s.Put(ctx, in)
	rec("put", got, err)
	require.NoError(t, err)
	require.Contains(t, s.codecs.cur.Load().dicts, "Observation", "a dictionary is trained")
	got, err = s.Put(ctx, in)
	rec("put again", got, err)
	require.Equal(t, Unchanged, got[0])
	got, err = s.Put(ctx, []Input{{Type: "Patient", ID: "p1", Body: []byte(
		`{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"MRN-NEW"}],"name":[{"family":"Renamed"}]}`)}})
	rec("put update", got, err)
	res, err := s.Apply(ctx, []Op{
		{Type: "Patient", ID: "a1", Body: []byte(`{"resourceType":"Patient","identifier":[{"system":"urn:other","value":"MRN-3"}]}`), IfAbsent: true},
		{Type: "Patient", ID: "p2", Body: []byte(`{"resourceType":"Patient","active":true}`), IfMatch: 1},
		{Type: "Patient", ID: "p4", Delete: true},
	})
	rec("apply", res, err)
	require.NoError(t, err)
	res, err = s.Apply(ctx, []Op{{Type: "Patient", ID: "p2", Body: []byte(`{"resourceType":"Patient"}`), IfMatch: 1}})
	rec("apply conflict", res, err)
	require.ErrorIs(t, err, ErrConflict)
	r, err := s.Delete(ctx, "Observation", "o005")
	rec("delete", r, err)
	return append(out, reads(t, s)...)
}

// reads runs every read operation of the store on s, as exercise left it.
func reads(t *testing.T, s *Store) []step {
	ctx := context.Background()
	var out []step
	rec := func(op string, got any, err error) {
		if err != nil {
			got = fmt.Sprintf("%v (error: %v)", got, err)
		}
		out = append(out, step{op, got})
	}
	for _, id := range []string{"p0", "p1", "p4", "a1", "o005", "o119", "none"} {
		typ := "Patient"
		if id[0] == 'o' {
			typ = "Observation"
		}
		r, err := s.Read(ctx, typ, id)
		rec("read "+id, r, err)
	}
	r, err := s.Read(ctx, "Observation", "o119")
	require.NoError(t, err)
	require.Contains(t, string(r.Body), `"value":179`)
	r, err = s.VRead(ctx, "Patient", "p1", 1)
	rec("vread p1/1", r, err)
	require.Contains(t, string(r.Body), "Family1")
	h, err := s.History(ctx, "Patient", "p1")
	rec("history p1", h, err)
	require.Len(t, h, 2)
	for _, typ := range []string{"Patient", ""} {
		q := HistoryQuery{Type: typ, Limit: 7}
		for {
			page, err := s.HistoryPage(ctx, q)
			rec("history page "+typ, page, err)
			require.NoError(t, err)
			if page.Next == 0 {
				break
			}
			q.Before = page.Next
		}
	}
	for _, typ := range []string{"Patient", "Observation"} {
		var all []Resource
		err := s.Scan(ctx, typ, func(r Resource) error { all = append(all, r); return nil })
		rec("scan "+typ, all, err)
	}
	var changes []Change
	err = s.Changes(ctx, 3, func(c Change) error { changes = append(changes, c); return nil })
	rec("changes", changes, err)
	for _, q := range []IdentifierQuery{
		{System: "urn:mrn", Value: "MRN-0"},
		{System: "urn:mrn", Value: "MRN-3"},
		{Value: "MRN-3", AnySystem: true},
		{Value: "shared", AnySystem: true},
		{Value: "shared"},
		{System: "urn:mrn", Value: "MRN-1"}, // dropped by the update
		{System: "urn:mrn", Value: "MRN-4"}, // deleted
		{System: "urn:mrn", Value: "MRN-NEW"},
	} {
		ids, err := s.FindByIdentifier(ctx, "Patient", q)
		rec(fmt.Sprintf("find %+v", q), ids, err)
	}
	ids, err := s.FindByIdentifier(ctx, "Patient", IdentifierQuery{Value: "MRN-3", AnySystem: true})
	require.NoError(t, err)
	require.Equal(t, []string{"a1", "p3"}, ids)
	ids, err = s.FindByIdentifier(ctx, "Patient", IdentifierQuery{Value: "shared"})
	require.NoError(t, err)
	require.Equal(t, []string{"p0", "p3"}, ids) // p1 dropped it, p2 too, p4 is deleted
	counts, err := s.Counts(ctx)
	rec("counts", counts, err)
	types, err := s.Types(ctx)
	rec("types", types, err)
	seq, err := s.Seq(ctx)
	rec("seq", seq, err)
	return out
}

// TestEncryptedRoundTrip runs every operation on a plain and an encrypted
// store and requires the same answers, before and after reopening (which
// loads the sealed dictionaries).
func TestEncryptedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	plainPath, encPath := filepath.Join(dir, "plain.db"), filepath.Join(dir, "enc.db")
	plain, enc := openAt(t, plainPath, nil), openAt(t, encPath, testEncryption(t, 1))
	want := exercise(t, plain)
	got := exercise(t, enc)
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Equal(t, want[i], got[i], "step %d: %s", i, want[i].Op)
	}
	require.NoError(t, plain.Close())
	require.NoError(t, enc.Close())

	plain, enc = openAt(t, plainPath, nil), openAt(t, encPath, testEncryption(t, 1))
	defer plain.Close()
	defer enc.Close()
	require.Contains(t, enc.codecs.cur.Load().dicts, "Observation")
	require.Equal(t, reads(t, plain), reads(t, enc))
	// Writing after reopening uses the loaded dictionary and the same
	// keyed content hashes.
	for _, s := range []*Store{plain, enc} {
		require.Equal(t, Unchanged, put(t, s, "Observation", "o000",
			`{"resourceType":"Observation","status":"final","code":{"text":"heart rate"},"valueQuantity":{"value":60,"unit":"/min"}}`))
		require.Equal(t, Updated, put(t, s, "Observation", "o001", `{"resourceType":"Observation","status":"amended"}`))
	}
	require.Equal(t, reads(t, plain), reads(t, enc))
}

// TestEncryptedOpen covers the checks Open makes between the file and
// Options.Encryption.
func TestEncryptedOpen(t *testing.T) {
	tests := []struct {
		name       string
		create     *Encryption // nil: a plain store
		write      bool        // write a resource before reopening
		open       *Encryption
		wantErr    error
		wantMsg    string
		thenPlain  bool // afterwards, opening without a key must fail
		wantSealed bool
	}{
		{name: "same key", create: testEncryption(t, 1), write: true, open: testEncryption(t, 1)},
		{name: "wrong key", create: testEncryption(t, 1), write: true, open: testEncryption(t, 2),
			wantErr: ErrWrongKey, wantMsg: "is encrypted with another key"},
		{name: "wrong key, empty store", create: testEncryption(t, 1), open: testEncryption(t, 2),
			wantErr: ErrWrongKey, wantMsg: "is encrypted with another key"},
		{name: "missing key", create: testEncryption(t, 1), write: true,
			wantErr: ErrKeyRequired, wantMsg: "is encrypted: open it with its data store's key"},
		{name: "plain store with data", write: true, open: testEncryption(t, 1),
			wantErr: ErrNotEncrypted, wantMsg: "is not encrypted"},
		{name: "empty plain store is sealed from now on", open: testEncryption(t, 1), wantSealed: true},
		{name: "plain stays plain", write: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ds.db")
			s := openAt(t, path, tt.create)
			if tt.write {
				put(t, s, "Patient", "p", `{"resourceType":"Patient","active":true}`)
			}
			require.NoError(t, s.Close())
			s, err := Open(path, Options{NoSync: true, Encryption: tt.open})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.True(t, strings.HasPrefix(err.Error(), "store: "+path+" "+tt.wantMsg), err.Error())
				require.Nil(t, s)
				// The refused Open changed nothing: the right key still works.
				s = openAt(t, path, tt.create)
				require.NoError(t, s.Close())
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.open != nil, s.Encrypted())
			if tt.write {
				r, err := s.Read(context.Background(), "Patient", "p")
				require.NoError(t, err)
				require.Contains(t, string(r.Body), `"active":true`)
			}
			require.NoError(t, s.Close())
			if tt.wantSealed {
				_, err := Open(path, Options{NoSync: true})
				require.ErrorIs(t, err, ErrKeyRequired)
			}
		})
	}
	_, err := NewEncryption(make([]byte, 16))
	require.EqualError(t, err, "store: encryption key has 16 bytes, want 32")
}

// TestSealedValueBoundToKey moves sealed values in the file to other keys
// and checks that they fail to authenticate instead of being read as
// another resource's, another version's or another type's.
func TestSealedValueBoundToKey(t *testing.T) {
	ctx := context.Background()
	var obs []Input
	for i := range dictMinBatch {
		obs = append(obs, Input{Type: "Observation", ID: fmt.Sprintf("o%d", i), Body: fmt.Appendf(nil, `{"resourceType":"Observation","status":"final","valueInteger":%d}`, i)})
		obs = append(obs, Input{Type: "Condition", ID: fmt.Sprintf("c%d", i), Body: fmt.Appendf(nil, `{"resourceType":"Condition","onsetString":"%d"}`, i)})
	}
	tests := []struct {
		name   string
		tamper func(tx *bolt.Tx) error
		check  func(s *Store) error
	}{
		{
			name: "body of another resource",
			tamper: func(tx *bolt.Tx) error {
				return swapBodies(tx, "Patient", "a", 1, "Patient", "b", 1)
			},
			check: func(s *Store) error { _, err := s.Read(ctx, "Patient", "b"); return err },
		},
		{
			name: "body of another version",
			tamper: func(tx *bolt.Tx) error {
				return swapBodies(tx, "Patient", "a", 1, "Patient", "a", 2)
			},
			check: func(s *Store) error { _, err := s.VRead(ctx, "Patient", "a", 1); return err },
		},
		{
			name: "dictionary of another type",
			tamper: func(tx *bolt.Tx) error {
				meta := tx.Bucket(bucketMeta)
				v := bytes.Clone(meta.Get([]byte(dictPrefix + "Condition")))
				return meta.Put([]byte(dictPrefix+"Observation"), v)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ds.db")
			s := openAt(t, path, testEncryption(t, 1))
			put(t, s, "Patient", "a", `{"resourceType":"Patient","gender":"female"}`)
			put(t, s, "Patient", "b", `{"resourceType":"Patient","gender":"male"}`)
			put(t, s, "Patient", "a", `{"resourceType":"Patient","gender":"other"}`)
			_, err := s.Put(ctx, obs)
			require.NoError(t, err)
			require.NoError(t, s.db.Update(tt.tamper))
			require.NoError(t, s.Close())
			s, err = Open(path, Options{NoSync: true, Encryption: testEncryption(t, 1)})
			if tt.check == nil {
				require.ErrorIs(t, err, sealed.ErrAuth)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			require.ErrorIs(t, tt.check(s), sealed.ErrAuth)
		})
	}
}

// swapBodies exchanges the sealed bodies (after the version headers) of
// two versions.
func swapBodies(tx *bolt.Tx, typ1, id1 string, v1 int64, typ2, id2 string, v2 int64) error {
	versions := tx.Bucket(bucketVersions)
	find := func(typ, id string, version int64) ([]byte, []byte, []byte, error) {
		c := versions.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			vh, body, err := decodeVerHeader(v)
			if err != nil {
				return nil, nil, nil, err
			}
			if vh.is(typ, id) && vh.version == version {
				return bytes.Clone(k), bytes.Clone(v[:len(v)-len(body)]), bytes.Clone(body), nil
			}
		}
		return nil, nil, nil, errors.New("no such version")
	}
	k1, h1, b1, err := find(typ1, id1, v1)
	if err != nil {
		return err
	}
	k2, h2, b2, err := find(typ2, id2, v2)
	if err != nil {
		return err
	}
	if err := versions.Put(k1, append(h1, b2...)); err != nil {
		return err
	}
	return versions.Put(k2, append(h2, b1...))
}

// phiNeedles are strings of the distinctive personal data byteScanData
// writes; an encrypted store file must contain none of them.
var phiNeedles = []string{"Vandersnoot", "Ophelinda", "MRN-7Q", "987-65-", "555-867-", "Quagmire Lane", "Zebulon Falls", "ophelinda.v@"}

// phiPatient returns a Patient full of distinctive personal data; round
// changes the phone, address and one identifier, as updates do.
func phiPatient(i, round int) []byte {
	return fmt.Appendf(nil, `{"resourceType":"Patient",`+
		`"identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":"MRN-7Q%05d"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"987-65-%04d"}],`+
		`"name":[{"family":"Vandersnoot%03d","given":["Ophelinda%03d"]}],`+
		`"telecom":[{"system":"phone","value":"+1 555-867-%04d"},{"system":"email","value":"ophelinda.v@example.org"}],`+
		`"address":[{"line":["%d Quagmire Lane"],"city":"Zebulon Falls","postalCode":"0%04d"}]}`,
		i+1000*round, i, i, i, i+100*round, i+round, i)
}

// TestEncryptedFileHoldsNoPHI writes Patients with distinctive names,
// identifiers, phones and addresses (enough to train a dictionary from
// them), updates and deletes some, and scans every byte of the data folder
// for them: found in a plain store (so the scan works), absent from an
// encrypted one.
func TestEncryptedFileHoldsNoPHI(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(fmt.Sprintf("encrypted=%t", encrypted), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			var e *Encryption
			if encrypted {
				e = testEncryption(t, 7)
			}
			s := openAt(t, filepath.Join(dir, "ds.db"), e)
			const n = 150
			var in []Input
			for i := range n {
				in = append(in, Input{Type: "Patient", ID: fmt.Sprintf("p%d", i), Body: phiPatient(i, 0)})
			}
			_, err := s.Put(ctx, in)
			require.NoError(t, err)
			require.Contains(t, s.codecs.cur.Load().dicts, "Patient")
			// Updates free the pages that held the first versions' heads
			// and index entries; deletes write tombstones.
			for i := 0; i < n; i += 3 {
				put(t, s, "Patient", fmt.Sprintf("p%d", i), string(phiPatient(i, 1)))
			}
			_, err = s.Apply(ctx, []Op{{Type: "Patient", ID: "p1", Body: phiPatient(1, 2)}, {Type: "Patient", ID: "p2", Delete: true}})
			require.NoError(t, err)
			for i := 4; i < n; i += 10 {
				_, err := s.Delete(ctx, "Patient", fmt.Sprintf("p%d", i))
				require.NoError(t, err)
			}
			ids, err := s.FindByIdentifier(ctx, "Patient", IdentifierQuery{System: "http://hl7.org/fhir/sid/us-ssn", Value: "987-65-0007"})
			require.NoError(t, err)
			require.Equal(t, []string{"p7"}, ids)
			require.NoError(t, s.Close())
			// A compacted copy is still the same store, and is scanned too.
			compactCopy(t, filepath.Join(dir, "ds.db"), filepath.Join(dir, "compacted.db"))
			s = openAt(t, filepath.Join(dir, "compacted.db"), e)
			r, err := s.VRead(ctx, "Patient", "p0", 1)
			require.NoError(t, err)
			require.Contains(t, string(r.Body), "Vandersnoot000")
			require.NoError(t, s.Close())

			found := scanDir(t, dir, phiNeedles)
			t.Logf("found in the file: %q", found)
			if encrypted {
				require.Empty(t, found)
				return
			}
			// In a plain store the index keys hold identifier values and
			// the dictionary holds whole bodies in clear.
			require.ElementsMatch(t, phiNeedles, found)
		})
	}
}

// compactCopy writes a compacted copy of the bbolt file src to dst, as
// bbolt's compaction (bbolt compact) makes it.
func compactCopy(t *testing.T, src, dst string) {
	t.Helper()
	from, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true})
	require.NoError(t, err)
	to, err := bolt.Open(dst, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bolt.Compact(to, from, 0))
	require.NoError(t, to.Close())
	require.NoError(t, from.Close())
}

// scanDir returns the needles found anywhere in the files under dir.
func scanDir(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) && !slices.Contains(found, n) {
				found = append(found, n)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return found
}
