package search

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fhirlake/fhirlake/fhir"
)

// A page cursor says where the next page of a sorted search starts: after
// the row with these sort key values and this id, in the order of the
// sort. It travels in the _after parameter of a next link as base64url
// (no padding) of a small JSON object:
//
//	{"s":"-date,code","k":["2021-06-10T00:00:00Z",null],"i":"o2"}
//
// s is the _sort the cursor was made for, k the key values of the row
// (one per sort key, typed by the parameter: a string, an RFC 3339 UTC
// timestamp, a number, or null for a resource without the parameter), i
// its id. An unsorted search needs no keys: its cursor is the plain id.
//
// A cursor is not a secret and needs no signature: its values are bound
// parameters, so an edited one only moves the start of the page, which
// the client could do anyway. One that does not decode, or was made for
// another _sort, is a *QueryError (a 400).
type cursor struct {
	Sort string            `json:"s"`
	Keys []json.RawMessage `json:"k"`
	ID   string            `json:"i"`
}

// maxCursorLen bounds an encoded cursor; ParseQuery already bounds every
// value to maxValueLen.
const maxCursorLen = maxValueLen

// keyKind is the SQL type of a sort key column.
type keyKind uint8

const (
	kindString keyKind = iota
	kindTime
	kindFloat
)

// isCursor reports whether s has the shape of an encoded cursor (base64url
// without padding); decodeCursor checks the rest.
func isCursor(s string) bool {
	if s == "" || len(s) > maxCursorLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// sortSignature is the _sort a cursor is made for, normalized.
func sortSignature(keys []SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		if k.Desc {
			parts[i] = "-"
		}
		parts[i] += k.Param.Code
	}
	return strings.Join(parts, ",")
}

// encodeCursor returns the cursor after a row of a sorted search: its id
// and key values as scanned from the database (string, time.Time,
// float64 or nil, by kind).
func encodeCursor(sort string, kinds []keyKind, id string, keys []any) (string, error) {
	if len(keys) != len(kinds) {
		return "", fmt.Errorf("search: cursor: %d key values for %d sort keys", len(keys), len(kinds))
	}
	c := cursor{Sort: sort, ID: id, Keys: make([]json.RawMessage, len(keys))}
	for i, v := range keys {
		raw, err := encodeKey(kinds[i], v)
		if err != nil {
			return "", fmt.Errorf("search: cursor: sort key %d: %w", i+1, err)
		}
		c.Keys[i] = raw
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("search: cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// encodeKey encodes one key value of the given kind.
func encodeKey(k keyKind, v any) (json.RawMessage, error) {
	var out any
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case string:
		if k != kindString {
			return nil, fmt.Errorf("unexpected string %q", x)
		}
		out = x
	case time.Time:
		if k != kindTime {
			return nil, fmt.Errorf("unexpected timestamp %v", x)
		}
		out = x.UTC().Format(time.RFC3339Nano)
	case float64:
		if k != kindFloat || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("unexpected number %v", x)
		}
		out = x
	default:
		return nil, fmt.Errorf("unexpected value of type %T", v)
	}
	return json.Marshal(out)
}

// decodeCursor decodes an encoded cursor made for the sort sig with keys
// of the given kinds: the id and the key values, typed for binding (nil
// for null).
func decodeCursor(s, sig string, kinds []keyKind) (string, []any, error) {
	bad := func(why string) error {
		return &QueryError{"_after", "not a page cursor from a next link of this search: " + why}
	}
	if !isCursor(s) {
		return "", nil, bad("malformed")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", nil, bad("malformed")
	}
	var c cursor
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil || d.More() {
		return "", nil, bad("malformed")
	}
	if c.Sort != sig {
		return "", nil, bad(fmt.Sprintf("made for _sort=%s", c.Sort))
	}
	if len(c.Keys) != len(kinds) || !fhir.ValidID(c.ID) {
		return "", nil, bad("malformed")
	}
	keys := make([]any, len(kinds))
	for i, raw := range c.Keys {
		v, err := decodeKey(kinds[i], raw)
		if err != nil {
			return "", nil, bad(fmt.Sprintf("sort key %d: %v", i+1, err))
		}
		keys[i] = v
	}
	return c.ID, keys, nil
}

// decodeKey decodes one key value of the given kind.
func decodeKey(k keyKind, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	switch k {
	case kindFloat:
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("not a number")
		}
		return f, nil
	case kindTime:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("not a timestamp")
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Errorf("not a timestamp")
		}
		return t.UTC(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("not a string")
	}
	return s, nil
}
