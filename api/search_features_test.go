package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/store"
)

// TestSearchRejects: what a search cannot evaluate is a 400
// OperationOutcome naming the parameter (and the value set), before any
// search runs.
func TestSearchRejects(t *testing.T) {
	s := testStore(t)
	_, err := s.Put(context.Background(), []store.Input{{Type: "ValueSet", ID: "vsf", Body: []byte(
		`{"resourceType":"ValueSet","url":"http://x/filtered","status":"active","compose":{"include":[{"system":"http://snomed.info/sct","filter":[{"property":"concept","op":"is-a","value":"1234"}]}]}}`)}})
	require.NoError(t, err)
	h := NewHandler(datastores{"main": s}, Options{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Searcher: argSearcher{map[string]string{"http://x/filtered": "vsf"}},
	})
	tests := []struct {
		target string
		want   []string // in the body
	}{
		{"/fhir/main/Observation?code:in=http://x/none", []string{`search parameter \"code:in\"`, `value set \"http://x/none\" is not known`}},
		{"/fhir/main/Observation?code:not-in=ValueSet/nope", []string{`\"code:not-in\"`, `\"ValueSet/nope\" is not known`}},
		{"/fhir/main/Observation?code:in=http://x/filtered", []string{`\"code:in\"`, `compose.include.filter (concept is-a 1234 in http://snomed.info/sct) cannot be evaluated`}},
		{"/fhir/main/Patient?_list=$current-allergies", []string{`\"_list\"`, "not supported"}},
		{"/fhir/main/Patient?identifier:of-type=MR|1", []string{`not type-system|type-code|value`}},
		{"/fhir/main/Patient?_text:exact=x", []string{`:exact modifier on _text`}},
		{"/fhir/main/Patient?name=caf%C3", []string{"not valid UTF-8"}},
		{"/fhir/main/Patient/p1/$everything?start=2020-02-30", []string{`start \"2020-02-30\" is not a FHIR date`}},
		{"/fhir/main/Patient/p1/$everything?end=soon", []string{`end \"soon\" is not a FHIR date`}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := do(h, "GET", tt.target, http.Header{"Accept": {"application/fhir+json"}})
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), `"resourceType":"OperationOutcome"`)
			for _, w := range tt.want {
				require.Contains(t, rec.Body.String(), w)
			}
			require.NotContains(t, rec.Body.String(), "SELECT")
		})
	}
}
