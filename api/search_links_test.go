package api

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/search"
)

func TestPageLinks(t *testing.T) {
	const self = "http://x/fhir/d/Patient"
	tests := []struct {
		name, query string
		next        string
		want        map[string]string // relation: query of the link
	}{
		{"first page", "gender=female&_count=2", "p2",
			map[string]string{"self": "?_count=2&gender=female", "next": "?_after=p2&_count=2&gender=female"}},
		{"last page", "gender=female&_count=2", "",
			map[string]string{"self": "?_count=2&gender=female"}},
		{"cursor page", "_sort=family&_count=2&_after=abc", "def",
			map[string]string{"self": "?_after=abc&_count=2&_sort=family", "first": "?_count=2&_sort=family", "next": "?_after=def&_count=2&_sort=family"}},
		{"offset page: next by cursor, previous by offset", "_sort=family&_count=2&_offset=3", "def",
			map[string]string{"self": "?_count=2&_offset=3&_sort=family", "first": "?_count=2&_sort=family",
				"next": "?_after=def&_count=2&_sort=family", "previous": "?_count=2&_offset=1&_sort=family"}},
		{"offset below a page", "_count=5&_offset=3", "",
			map[string]string{"self": "?_count=5&_offset=3", "first": "?_count=5", "previous": "?_count=5"}},
		{"cursor and offset", "_count=2&_after=p1&_offset=4", "p9",
			map[string]string{"self": "?_after=p1&_count=2&_offset=4", "first": "?_count=2",
				"next": "?_after=p9&_count=2", "previous": "?_after=p1&_count=2&_offset=2"}},
		{"count only", "_summary=count", "",
			map[string]string{"self": "?_summary=count"}},
		{"escaped values", "name=a%26b&_count=1", "x",
			map[string]string{"self": "?_count=1&name=a%26b", "next": "?_after=x&_count=1&name=a%26b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			q, err := search.ParseQuery("Patient", params, false)
			require.NoError(t, err)
			got := map[string]string{}
			for _, l := range pageLinks(self, params, q, q.PageSize(), tt.next) {
				require.NotContains(t, got, l.Relation)
				got[l.Relation] = l.URL
			}
			want := map[string]string{}
			for rel, query := range tt.want {
				want[rel] = self + query
			}
			require.Equal(t, want, got)
		})
	}
}
