package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/search"
	"github.com/fhirlake/fhirlake/store"
)

// vsReader serves ValueSet bodies by id.
type vsReader map[string]string

func (r vsReader) Read(_ context.Context, typ, id string) (store.Resource, error) {
	if b, ok := r[id]; ok && typ == "ValueSet" {
		return store.Resource{Type: typ, ID: id, Body: []byte(b)}, nil
	}
	return store.Resource{}, fmt.Errorf("test: %s/%s: %w", typ, id, store.ErrNotFound)
}

// TestValueSetExpand checks what the expansion of a stored value set
// contains, probing codings of three systems.
func TestValueSetExpand(t *testing.T) {
	const (
		loinc  = "http://loinc.org"
		snomed = "http://snomed.info/sct"
	)
	sets := vsReader{
		"hr":       `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org","concept":[{"code":"hr"},{"code":"bp"}]}]}}`,
		"loinc":    `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org"}]}}`,
		"no-bp":    `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org"}],"exclude":[{"system":"http://loinc.org","concept":[{"code":"bp"}]}]}}`,
		"expanded": `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org"}]},"expansion":{"contains":[{"system":"http://snomed.info/sct","code":"a","contains":[{"system":"http://snomed.info/sct","code":"b"}]}]}}`,
		"import":   `{"resourceType":"ValueSet","compose":{"include":[{"valueSet":["ValueSet/hr"]},{"system":"http://snomed.info/sct","concept":[{"code":"a"}]}]}}`,
		"narrowed": `{"resourceType":"ValueSet","compose":{"include":[{"valueSet":["ValueSet/loinc","ValueSet/hr"]}],"exclude":[{"valueSet":["ValueSet/no-bp"]}]}}`,
		"all-but":  `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://loinc.org"}],"exclude":[{"valueSet":["ValueSet/no-bp"]}]}}`,
		"filter":   `{"resourceType":"ValueSet","compose":{"include":[{"system":"http://snomed.info/sct","filter":[{"property":"concept","op":"is-a","value":"123"}]}]}}`,
		"cycle":    `{"resourceType":"ValueSet","compose":{"include":[{"valueSet":["ValueSet/cycle"]}]}}`,
		"empty":    `{"resourceType":"ValueSet"}`,
		"missing":  `{"resourceType":"ValueSet","compose":{"include":[{"valueSet":["ValueSet/nope"]}]}}`,
	}
	probes := []search.Coding{{System: loinc, Code: "hr"}, {System: loinc, Code: "bp"}, {System: loinc, Code: "other"},
		{System: snomed, Code: "a"}, {System: snomed, Code: "b"}, {System: "http://x", Code: "hr"}}
	tests := []struct {
		ref     string
		want    []string // the probes contained, as system|code
		wantErr error
		errText string
	}{
		{ref: "ValueSet/hr", want: []string{loinc + "|hr", loinc + "|bp"}},
		{ref: "ValueSet/loinc", want: []string{loinc + "|hr", loinc + "|bp", loinc + "|other"}},
		{ref: "ValueSet/no-bp", want: []string{loinc + "|hr", loinc + "|other"}},
		{ref: "ValueSet/expanded", want: []string{snomed + "|a", snomed + "|b"}},
		{ref: "ValueSet/import", want: []string{loinc + "|hr", loinc + "|bp", snomed + "|a"}},
		{ref: "ValueSet/narrowed", want: []string{loinc + "|bp"}},
		{ref: "ValueSet/all-but", want: []string{loinc + "|bp"}},
		{ref: "ValueSet/filter", wantErr: search.ErrUnsupportedValueSet, errText: "compose.include.filter (concept is-a 123"},
		{ref: "ValueSet/cycle", wantErr: search.ErrUnsupportedValueSet, errText: "deeper than 8"},
		{ref: "ValueSet/empty", wantErr: search.ErrUnsupportedValueSet},
		{ref: "ValueSet/missing", wantErr: search.ErrUnknownValueSet, errText: "ValueSet/nope"},
		{ref: "ValueSet/unknown", wantErr: search.ErrUnknownValueSet},
		{ref: "http://example.org/vs", wantErr: search.ErrUnknownValueSet},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			vs := newStoreValueSets(sets, nil, "clinic")
			e, err := vs.Expand(context.Background(), tt.ref)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.ErrorContains(t, err, tt.errText)
				return
			}
			require.NoError(t, err)
			in := vsMember(e)
			var got []string
			for _, p := range probes {
				if in(p) {
					got = append(got, p.System+"|"+p.Code)
				}
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// argSearcher finds ValueSet ids by the url bound in a plan.
type argSearcher struct{ byURL map[string]string }

func (s argSearcher) Search(_ context.Context, _ string, p *search.Plan, _, _ int, _ bool) ([]string, int, error) {
	for _, a := range p.Args {
		if id, ok := s.byURL[fmt.Sprint(a)]; ok {
			return []string{id}, 1, nil
		}
	}
	return nil, 0, nil
}

func (s argSearcher) SearchPage(ctx context.Context, ds string, p *search.Plan, limit, offset int, count bool) (search.Page, error) {
	ids, n, err := s.Search(ctx, ds, p, limit, offset, count)
	return search.Page{IDs: ids, Total: n}, err
}

func (s argSearcher) SearchRefs(context.Context, string, string, []any) ([][2]string, error) {
	return nil, nil
}

// TestValueSetByURL: a canonical URL is looked up as one literal search
// value, whatever separators it holds, with its |version.
func TestValueSetByURL(t *testing.T) {
	sets := vsReader{"a": `{"resourceType":"ValueSet","expansion":{"contains":[{"system":"s","code":"c"}]}}`}
	for ref, url := range map[string]string{`http://x/vs,a$c\d`: `http://x/vs,a$c\d`, `http://x/vs|2.0`: `http://x/vs`} {
		t.Run(ref, func(t *testing.T) {
			vs := newStoreValueSets(sets, argSearcher{map[string]string{url: "a"}}, "clinic")
			e, err := vs.Expand(context.Background(), ref)
			require.NoError(t, err)
			require.Equal(t, []search.Coding{{System: "s", Code: "c"}}, e.Codes)
		})
	}
	vs := newStoreValueSets(sets, argSearcher{map[string]string{}}, "clinic")
	_, err := vs.Expand(context.Background(), "http://x/other")
	require.ErrorIs(t, err, search.ErrUnknownValueSet)
}
