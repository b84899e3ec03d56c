package search

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDsOnly(t *testing.T) {
	for _, tc := range []struct {
		query string
		ids   []string
		ok    bool
	}{
		{"_id=b,a,b", []string{"a", "b"}, true},
		{"_id=a&_count=5&_revinclude=Encounter:subject", []string{"a"}, true},
		{"_id=a&_summary=count", []string{"a"}, true},
		{"_id=" + url.QueryEscape("a b") + ",c", []string{"c"}, true},
		{"_id=a&_id=b", nil, false},
		{"_id:not=a", nil, false},
		{"_id=a&name=x", nil, false},
		{"_id=a&_sort=birthdate", nil, false},
		{"_id:missing=true", nil, false},
		{"name=x", nil, false},
		{"", nil, false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			vals, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			q, err := ParseQuery("Patient", vals, false)
			require.NoError(t, err)
			ids, ok := q.IDsOnly()
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.ids, ids)
		})
	}
}
