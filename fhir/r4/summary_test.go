package r4

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/shape")

// TestShapeGolden runs Summarize and Elements over testdata/shape/<in>.in.json
// and compares with testdata/shape/<in>.<case>.golden.json.
func TestShapeGolden(t *testing.T) {
	tests := []struct {
		in       string
		name     string
		summary  string
		elements []string
	}{
		{"Patient-example", "summary-true", "true", nil},
		{"Patient-example", "summary-text", "text", nil},
		{"Patient-example", "summary-data", "data", nil},
		{"Patient-example", "summary-false", "false", nil},
		{"Patient-example", "elements-name-birthDate", "", []string{"name", "birthDate"}},
		{"Observation-blood-pressure", "summary-true", "true", nil},
		{"Observation-blood-pressure", "summary-text", "text", nil},
		{"Observation-blood-pressure", "elements-value-subject", "", []string{"value[x]", "subject", "nonsense"}},
		{"Questionnaire-gcs", "summary-true", "true", nil},
		{"CarePlan-example", "summary-true", "true", nil},
		{"CarePlan-example", "elements-activity", "", []string{"activity"}},
		{"tagged-no-id", "summary-true", "true", nil},
		{"tagged-no-id", "elements-gender", "", []string{"gender"}},
		{"primitive-ext", "summary-true", "true", nil},
		{"primitive-ext", "elements-birthDate", "", []string{"birthDate"}},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "shape", tt.in+".in.json"))
			require.NoError(t, err)
			var got []byte
			if tt.elements != nil {
				got, err = Elements(in, tt.elements)
			} else {
				got, err = Summarize(in, tt.summary)
			}
			require.NoError(t, err)
			require.True(t, json.Valid(got), "output is not JSON: %s", got)
			require.Empty(t, Validate(got), "shaped output should stay valid")
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, got, "", "  "))
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "shape", tt.in+"."+tt.name+".golden.json")
			if *rewrite {
				require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), pretty.String())
			require.NotContains(t, string(got), "\n", "output must be compact")
		})
	}
}

func TestShapeSubsettedTag(t *testing.T) {
	const tag = `{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED"}`
	tests := []struct {
		name string
		in   string
		mode string
		want string
	}{
		{"nothing removed, no tag", `{"resourceType":"Patient","id":"a","gender":"male"}`, "data", `{"resourceType":"Patient","id":"a","gender":"male"}`},
		{"meta created after id", `{"resourceType":"Patient","id":"a","text":{"status":"generated","div":"<div></div>"},"gender":"male"}`, "data",
			`{"resourceType":"Patient","id":"a","meta":{"tag":[` + tag + `]},"gender":"male"}`},
		{"tag appended", `{"resourceType":"Patient","meta":{"versionId":"1","tag":[{"code":"x"}]},"photo":[{"url":"http://x"}]}`, "true",
			`{"resourceType":"Patient","meta":{"versionId":"1","tag":[{"code":"x"},` + tag + `]}}`},
		{"tag not duplicated", `{"resourceType":"Patient","meta":{"tag":[` + tag + `]},"photo":[{"url":"http://x"}]}`, "true",
			`{"resourceType":"Patient","meta":{"tag":[` + tag + `]}}`},
		{"tag list added to meta", `{"resourceType":"Patient","meta":{"versionId":"1"}, "photo":[{"url":"http://x"}]}`, "true",
			`{"resourceType":"Patient","meta":{"versionId":"1","tag":[` + tag + `]}}`},
		{"false keeps everything", "{\"resourceType\": \"Patient\",\n \"photo\": [ {\"url\":\"http://x\"} ]}", "false",
			`{"resourceType":"Patient","photo":[{"url":"http://x"}]}`},
		{"empty backbone dropped", `{"resourceType":"Patient","id":"a","contact":[{"gender":"male"}]}`, "true",
			`{"resourceType":"Patient","id":"a","meta":{"tag":[` + tag + `]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Summarize([]byte(tt.in), tt.mode)
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got))
		})
	}
}

func TestShapeErrors(t *testing.T) {
	tests := []struct {
		name, in, mode, want string
	}{
		{"bad mode", `{"resourceType":"Patient"}`, "count", "r4: unknown _summary mode \"count\""},
		{"bad JSON", `{"resourceType":`, "true", "r4: _summary=true: invalid JSON"},
		{"not an object", `"x"`, "true", "r4: _summary=true: expected a resource"},
		{"no resourceType", `{"id":"a"}`, "true", "r4: _summary=true: resourceType is missing"},
		{"unknown resourceType", `{"resourceType":"Nope"}`, "data", `r4: _summary=data: unknown resource type "Nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Summarize([]byte(tt.in), tt.mode)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tt.want), "got %q", err)
		})
	}
	_, err := Elements([]byte(`[]`), []string{"id"})
	require.ErrorContains(t, err, "r4: _elements: expected a resource")
}

func TestElementsNames(t *testing.T) {
	in := `{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"note":[{"text":"n"}],"_status":{"id":"s"}}`
	tests := []struct {
		name     string
		elements []string
		want     string
	}{
		{"choice by base name", []string{"value"}, `"status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"_status":{"id":"s"}}`},
		{"choice by definition name", []string{"value[x]"}, `"status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"_status":{"id":"s"}}`},
		{"choice by JSON name", []string{"valueQuantity"}, `"status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"_status":{"id":"s"}}`},
		{"mandatory only", nil, `"status":"final","code":{"text":"x"},"_status":{"id":"s"}}`},
		{"everything", []string{"value", "note"}, ""},
	}
	const head = `{"resourceType":"Observation","id":"o","meta":{"tag":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"SUBSETTED"}]},`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Elements([]byte(in), tt.elements)
			require.NoError(t, err)
			want := head + tt.want
			if tt.want == "" {
				want = in
			}
			require.Equal(t, want, string(got))
		})
	}
}
