package search

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2019, 12, 31, 23, 0, 0, 123e6, time.UTC)
	tests := []struct {
		name  string
		kinds []keyKind
		keys  []any
	}{
		{"string", []keyKind{kindString}, []any{"zoë \"quoted\" ,;&="}},
		{"empty string", []keyKind{kindString}, []any{""}},
		{"time", []keyKind{kindTime}, []any{at}},
		{"time in another zone", []keyKind{kindTime}, []any{at.In(time.FixedZone("x", 3600))}},
		{"float", []keyKind{kindFloat}, []any{0.1 + 0.2}},
		{"negative float", []keyKind{kindFloat}, []any{-1e-300}},
		{"nulls", []keyKind{kindString, kindTime, kindFloat}, []any{nil, nil, nil}},
		{"mixed", []keyKind{kindFloat, kindString, kindTime}, []any{72.0, nil, at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := encodeCursor("a,-b", tt.kinds, "id-1.x", tt.keys)
			require.NoError(t, err)
			require.True(t, isCursor(s), s)
			id, keys, err := decodeCursor(s, "a,-b", tt.kinds)
			require.NoError(t, err)
			require.Equal(t, "id-1.x", id)
			for i, k := range tt.keys {
				if at, ok := k.(time.Time); ok {
					require.True(t, at.Equal(keys[i].(time.Time)), "%v != %v", at, keys[i])
					continue
				}
				require.Equal(t, k, keys[i])
			}
		})
	}
}

func TestCursorEncodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		kinds []keyKind
		keys  []any
	}{
		{"too few keys", []keyKind{kindString, kindString}, []any{"a"}},
		{"string for a time", []keyKind{kindTime}, []any{"2020"}},
		{"time for a float", []keyKind{kindFloat}, []any{time.Now()}},
		{"NaN", []keyKind{kindFloat}, []any{nan()}},
		{"integer", []keyKind{kindFloat}, []any{int64(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := encodeCursor("a", tt.kinds, "x", tt.keys)
			require.Error(t, err)
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// TestPlanRejectsBadCursors: a cursor that is not one of this search is
// a *QueryError on _after (a 400), from ParseQuery or NewPlan.
func TestPlanRejectsBadCursors(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := b64(`{"s":"-birthdate,family","k":["1980-01-01T00:00:00Z","adams"],"i":"p1"}`)
	tests := []struct {
		name, query string
		ok          bool
	}{
		{"good", "_sort=-birthdate,family&_after=" + good, true},
		{"nulls", "_sort=-birthdate,family&_after=" + b64(`{"s":"-birthdate,family","k":[null,null],"i":"p1"}`), true},
		{"plain id, unsorted", "_after=p1", true},
		{"not base64url", "_sort=family&_after=a%2Bb", false},
		{"padded", "_sort=family&_after=" + base64.URLEncoding.EncodeToString([]byte(`{"s":"family","k":["a"],"i":"p"}`)), false},
		{"not JSON", "_sort=family&_after=" + b64("hello"), false},
		{"JSON with trailing data", "_sort=family&_after=" + b64(`{"s":"family","k":["a"],"i":"p"}{}`), false},
		{"unknown field", "_sort=family&_after=" + b64(`{"s":"family","k":["a"],"i":"p","x":1}`), false},
		{"another sort", "_sort=family,-birthdate&_after=" + good, false},
		{"another direction", "_sort=birthdate,family&_after=" + good, false},
		{"too few keys", "_sort=-birthdate,family&_after=" + b64(`{"s":"-birthdate,family","k":[null],"i":"p1"}`), false},
		{"number for a date", "_sort=-birthdate,family&_after=" + b64(`{"s":"-birthdate,family","k":[1980,"a"],"i":"p1"}`), false},
		{"bad timestamp", "_sort=-birthdate,family&_after=" + b64(`{"s":"-birthdate,family","k":["1980","a"],"i":"p1"}`), false},
		{"number for a string", "_sort=family&_after=" + b64(`{"s":"family","k":[1],"i":"p1"}`), false},
		{"string for a number", "_sort=value-quantity&_after=" + b64(`{"s":"value-quantity","k":["1"],"i":"p1"}`), false},
		{"invalid id", "_sort=family&_after=" + b64(`{"s":"family","k":["a"],"i":"p 1"}`), false},
		{"no id", "_sort=family&_after=" + b64(`{"s":"family","k":["a"]}`), false},
		{"plain id for a sorted search", "_sort=family&_after=p1", false},
		{"cursor for an unsorted search", "_after=" + good, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ := "Patient"
			if tt.name == "string for a number" {
				typ = "Observation"
			}
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			sq, err := ParseQuery(typ, q, true)
			if err == nil {
				_, err = NewPlan(sq, "clinic")
			}
			if tt.ok {
				require.NoError(t, err)
				return
			}
			var qe *QueryError
			require.True(t, errors.As(err, &qe), "%v", err)
			require.Equal(t, "_after", qe.Param)
		})
	}
}

// TestPageSQL compares the SQL of a first and a later page with
// testdata/golden/page-*.sql (rewrite with -rewrite): the cursor values
// are bound parameters, compared per key with its direction and nulls
// last.
func TestPageSQL(t *testing.T) {
	at := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	sorted, err := encodeCursor("-birthdate,family,-gender", []keyKind{kindTime, kindString, kindString}, "p1", []any{at, nil, "female"})
	require.NoError(t, err)
	tests := []struct{ name, query string }{
		{"unsorted-first", "gender=female"},
		{"unsorted-after", "gender=female&_after=p1"},
		{"sorted-first", "gender=female&_sort=-birthdate,family,-gender"},
		{"sorted-after", "gender=female&_sort=-birthdate,family,-gender&_after=" + sorted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			sq, err := ParseQuery("Patient", q, true)
			require.NoError(t, err)
			p, err := NewPlan(sq, "clinic")
			require.NoError(t, err)
			got := p.IDs + "\n"
			for i, a := range p.IDArgs(10, 0) {
				got += fmt.Sprintf("-- $%d = %#v\n", i+1, a)
			}
			golden := filepath.Join("testdata", "golden", "page-"+tt.name+".sql")
			if *rewrite {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), got)
		})
	}
}

func TestPlanCursor(t *testing.T) {
	q, err := ParseQuery("Patient", url.Values{"_sort": {"-birthdate,family"}}, true)
	require.NoError(t, err)
	p, err := NewPlan(q, "clinic")
	require.NoError(t, err)
	require.Equal(t, 3, p.Columns())
	at := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := p.Cursor([]any{"p1", at, "adams"})
	require.NoError(t, err)
	id, keys, err := decodeCursor(s, "-birthdate,family", []keyKind{kindTime, kindString})
	require.NoError(t, err)
	require.Equal(t, "p1", id)
	require.Equal(t, []any{at, "adams"}, keys)
	_, err = p.Cursor([]any{"p1", at})
	require.Error(t, err, "a key missing")
	_, err = p.Cursor([]any{"p1", "1980", "adams"})
	require.Error(t, err, "a string for a date")

	q, err = ParseQuery("Patient", url.Values{}, true)
	require.NoError(t, err)
	p, err = NewPlan(q, "clinic")
	require.NoError(t, err)
	require.Equal(t, 1, p.Columns())
	s, err = p.Cursor([]any{"p9"})
	require.NoError(t, err)
	require.Equal(t, "p9", s, "an unsorted search's cursor is the id")
}
