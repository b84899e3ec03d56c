package deid

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fhirlake/fhirlake/fhir/r4"
	"github.com/stretchr/testify/require"
)

// TestDeterministic checks the same input and key give the same output,
// and another key other pseudonyms.
func TestDeterministic(t *testing.T) {
	src := corpus(t)[:300]
	a := deidentifyAll(t, newTest(t, Options{}), src)
	b := deidentifyAll(t, newTest(t, Options{}), src)
	c := deidentifyAll(t, newTest(t, Options{Key: []byte("another-key-of-enough-length")}), src)
	for i := range src {
		require.Equal(t, string(a[i]), string(b[i]))
		var ra, rc struct{ ID string }
		require.NoError(t, json.Unmarshal(a[i], &ra))
		require.NoError(t, json.Unmarshal(c[i], &rc))
		require.Len(t, ra.ID, 26)
		require.NotEqual(t, ra.ID, rc.ID)
	}
}

// TestReferencesStillJoin checks every reference of the de-identified
// corpus points at a de-identified resource id.
func TestReferencesStillJoin(t *testing.T) {
	src := corpus(t)
	outs := deidentifyAll(t, newTest(t, Options{}), src)
	ids := map[string]bool{}
	var refs []string
	for _, out := range outs {
		var r map[string]any
		require.NoError(t, json.Unmarshal(out, &r))
		ids[r["resourceType"].(string)+"/"+r["id"].(string)] = true
		collectRefs(r, &refs)
	}
	require.Greater(t, len(refs), len(outs))
	for _, ref := range refs {
		require.True(t, ids[ref], "dangling reference %s", ref)
	}
}

func collectRefs(v any, refs *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && k == "reference" {
				*refs = append(*refs, s)
			}
			collectRefs(c, refs)
		}
	case []any:
		for _, c := range x {
			collectRefs(c, refs)
		}
	}
}

// TestShiftDatesKeepsIntervals checks that with ShiftDates every full
// date of a patient's resources moves by the same number of days, that
// offsets differ between patients, and that none is zero.
func TestShiftDatesKeepsIntervals(t *testing.T) {
	src := corpus(t)
	d := newTest(t, Options{ShiftDates: true})
	offsets := map[string]int{} // patient id -> days
	for _, r := range src {
		var res map[string]any
		require.NoError(t, json.Unmarshal(r.body, &res))
		p, ok := patientOf(mustParse(t, r.body), r.typ)
		if !ok {
			continue
		}
		out, err := d.Resource(context.Background(), r.body)
		require.NoError(t, err)
		in, got := fullDate.FindAllString(string(r.body), -1), fullDate.FindAllString(string(out), -1)
		if r.typ == "Patient" && len(in) != len(got) {
			continue // a birth date of someone 90 or older became a year
		}
		require.Equal(t, len(in), len(got), "%s\n%s", r.body, out)
		for i := range in {
			a, err := time.Parse("2006-01-02", in[i])
			require.NoError(t, err)
			b, err := time.Parse("2006-01-02", got[i])
			require.NoError(t, err)
			days := int(b.Sub(a).Hours() / 24)
			require.NotZero(t, days)
			require.LessOrEqual(t, days, 365)
			require.GreaterOrEqual(t, days, -365)
			if prev, ok := offsets[p]; ok {
				require.Equal(t, prev, days, "patient %s: %s -> %s", p, in[i], got[i])
			}
			offsets[p] = days
		}
	}
	distinct := map[int]bool{}
	for _, d := range offsets {
		distinct[d] = true
	}
	require.Greater(t, len(offsets), 150)
	require.Greater(t, len(distinct), len(offsets)/3, "offsets must differ between patients")
}

func mustParse(t *testing.T, b []byte) *node {
	n, err := parseJSON(b)
	require.NoError(t, err)
	return &n
}

// TestCanonicalPaths checks each canonical datatype path resolves, in the
// R4 definitions, to an element of that datatype.
func TestCanonicalPaths(t *testing.T) {
	same := map[string]string{"Age": "Quantity", "Count": "Quantity", "Distance": "Quantity", "Duration": "Quantity", "Element": "Extension"}
	for typ, path := range canonical {
		t.Run(typ, func(t *testing.T) {
			_, types, ok := r4.Element(path)
			require.True(t, ok, path)
			want := typ
			if s, ok := same[typ]; ok {
				want = s
			}
			require.Equal(t, []string{want}, types, path)
		})
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	_, err := New(Options{Key: []byte("short")})
	require.ErrorIs(t, err, ErrInvalidOptions)
	_, err = New(Options{Key: testKey, MaxShiftDays: -1})
	require.ErrorIs(t, err, ErrInvalidOptions)
}

// TestConcurrent checks one Deidentifier gives the same outputs when
// shared by goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	src := corpus(t)[:400]
	d := newTest(t, Options{RedactText: true})
	want := deidentifyAll(t, d, src)
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := range src {
				out, err := d.Resource(context.Background(), src[(i+g*97)%len(src)].body)
				if err == nil && string(out) != string(want[(i+g*97)%len(src)]) {
					err = fmt.Errorf("resource %d differs", (i+g*97)%len(src))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		require.NoError(t, <-errs)
	}
}

func TestResourceErrors(t *testing.T) {
	d := newTest(t, Options{})
	for _, in := range []string{``, `[]`, `{"a":1}`, `{"resourceType":"Nope"}`, `{"resourceType":"Patient"`, `{"resourceType":"Patient"} x`} {
		_, err := d.Resource(context.Background(), []byte(in))
		require.ErrorIs(t, err, ErrNotResource, in)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Resource(ctx, []byte(`{"resourceType":"Patient"}`))
	require.ErrorIs(t, err, context.Canceled)
}
