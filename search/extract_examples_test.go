package search

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fhirlake/fhirlake/flatten/fhirpath"
	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/no-example-values.txt")

// sharedDir returns the shared data folder: $FHIRLAKE_SHARED or
// ../../shared. It skips the test when the folder is missing, except
// under CI=true, where it fails.
func sharedDir(t testing.TB) string {
	dir := os.Getenv("FHIRLAKE_SHARED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "fhir-r4")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data folder missing under CI: %v", err)
		}
		t.Skipf("shared data folder missing: %v", err)
	}
	return dir
}

// loadExamples reads the R4 example resources and the resources inside
// the example Bundles, as raw JSON.
func loadExamples(t testing.TB, dir string) [][]byte {
	var out [][]byte
	for _, sub := range []string{"resources", "bundles"} {
		files, err := filepath.Glob(filepath.Join(dir, "data", "fhir-r4", "examples", sub, "*.json"))
		require.NoError(t, err)
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			out = append(out, data)
			if sub == "bundles" {
				out = append(out, bundleEntries(t, data)...)
			}
		}
	}
	return out
}

func bundleEntries(t testing.TB, data []byte) [][]byte {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	require.NoError(t, json.Unmarshal(data, &b))
	var out [][]byte
	for _, e := range b.Entry {
		if len(e.Resource) > 0 {
			out = append(out, e.Resource)
		}
	}
	return out
}

// paramsWithValues returns the parameters (Base.code) that yield at
// least one value for some resource, and the example count per type.
func paramsWithValues(t *testing.T, examples [][]byte) (map[string]bool, map[string]int) {
	got := map[string]bool{}
	types := map[string]int{}
	for _, ex := range examples {
		v, err := Extract(ex)
		require.NoError(t, err, "%s/%s", v.ResourceType, v.ID)
		types[v.ResourceType]++
		for _, code := range valueCodes(&v) {
			p, ok := Lookup(v.ResourceType, code)
			require.True(t, ok, "%s has no parameter %s", v.ResourceType, code)
			got[p.Base+"."+p.Code] = true
		}
	}
	return got, types
}

func valueCodes(v *Values) []string {
	var codes []string
	for _, x := range v.Tokens {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Strings {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Dates {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Numbers {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Quantities {
		codes = append(codes, x.Param)
	}
	for _, x := range v.References {
		codes = append(codes, x.Param)
	}
	for _, x := range v.URIs {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Composites {
		codes = append(codes, x.Param)
	}
	for _, x := range v.Positions {
		codes = append(codes, x.Param)
	}
	return codes
}

// TestExampleCoverage extracts every R4 example and checks the list of
// parameters that yield no value from any example against
// testdata/no-example-values.txt, which gives each a reason:
//
//   - no-example: there is no example of the base type;
//   - no-element: no example of the type has the expression's first
//     element;
//   - no-value: some example has the first element, but the rest of the
//     path or the type filter finds nothing to index.
//
// A listed parameter that starts yielding values, or an unlisted one that
// stops, fails the test; rewrite the file with -rewrite after checking.
func TestExampleCoverage(t *testing.T) {
	dir := sharedDir(t)
	examples := loadExamples(t, dir)
	got, types := paramsWithValues(t, examples)
	present := rootFieldsPresent(t, examples)

	var lines []string
	total, yielding := 0, 0
	urls, urlsYielding := map[string]bool{}, map[string]bool{}
	for _, p := range All() {
		if p.Expression == "" {
			continue
		}
		total++
		urls[p.URL] = true
		if got[p.Base+"."+p.Code] {
			yielding++
			urlsYielding[p.URL] = true
			continue
		}
		lines = append(lines, fmt.Sprintf("%s.%s\t%s\t%s", p.Base, p.Code, reason(p, types, present), p.Expression))
	}
	sort.Strings(lines)
	t.Logf("%d examples; %d of %d parameters (per base) yield values; %d of %d definitions on some base",
		len(examples), yielding, total, len(urlsYielding), len(urls))
	text := "# Search parameters (base.code) that yield no value from any R4 example (resources and\n" +
		"# Bundle entries), with the reason and the expression. Every expression compiles, so no\n" +
		"# parameter is listed as unsupported. Reasons:\n" +
		"#   no-example  there is no example of the base type\n" +
		"#   no-element  no example of the type has the expression's first element\n" +
		"#   no-value    an example has that element, but nothing below it to index\n" +
		"#               (display-only references, codings without code, ...)\n" +
		"# TestSyntheticCoverage exercises all of them on generated resources.\n" +
		"# Generated by go test ./search -run TestExampleCoverage -rewrite.\n" + strings.Join(lines, "\n") + "\n"
	golden := filepath.Join("testdata", "no-example-values.txt")
	if *rewrite {
		require.NoError(t, os.WriteFile(golden, []byte(text), 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), text)
}

func reason(p *Param, types map[string]int, present map[string]bool) string {
	if p.Base != "Resource" && p.Base != "DomainResource" && types[p.Base] == 0 {
		return "no-example"
	}
	e, err := fhirpath.Parse(p.Expression)
	if err != nil {
		return "unsupported"
	}
	for _, f := range firstElements(e) {
		if present[p.Base+"."+f] {
			return "no-value"
		}
	}
	return "no-element"
}

// firstElements returns the element names right below the resource that
// the expression's paths start with (subject in Observation.subject).
func firstElements(e fhirpath.Expr) []string {
	var out []string
	fhirpath.Walk(e, func(x fhirpath.Expr) {
		m, ok := x.(*fhirpath.Member)
		if !ok {
			return
		}
		if id, ok := m.Target.(*fhirpath.Ident); ok && id.Name != "" && id.Name[0] >= 'A' && id.Name[0] <= 'Z' {
			out = append(out, m.Name)
		}
	})
	if id, ok := e.(*fhirpath.Ident); ok {
		out = append(out, id.Name)
	}
	return out
}

// rootFieldsPresent records Type.field for every top-level member of every
// example, with choice suffixes removed by FieldMatches at lookup.
func rootFieldsPresent(t *testing.T, examples [][]byte) map[string]bool {
	out := map[string]bool{}
	var d fhirpath.Decoder
	for _, ex := range examples {
		n, err := d.Decode(ex)
		require.NoError(t, err)
		rt := n.Get("resourceType").Str
		for _, f := range n.Fields {
			out[rt+"."+f.Name] = true
			// A choice element valueQuantity also counts as value.
			for i := 1; i < len(f.Name); i++ {
				if f.Name[i] >= 'A' && f.Name[i] <= 'Z' {
					out[rt+"."+f.Name[:i]] = true
					break
				}
			}
		}
		out["Resource."+"meta"] = out["Resource.meta"] || n.Get("meta") != nil
		out["Resource."+"id"] = true
	}
	return out
}

// TestSyntheaExtract extracts every resource of the Synthea sample (bulk
// NDJSON and transaction bundles) and requires no error, and values for
// the parameters every such resource must have.
func TestSyntheaExtract(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "data", "synthea-small")
	var bodies [][]byte
	ndjson, err := filepath.Glob(filepath.Join(dir, "bulk-ndjson", "*.ndjson"))
	require.NoError(t, err)
	for _, f := range ndjson {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, line := range strings.Split(string(data), "\n") {
			if line != "" {
				bodies = append(bodies, []byte(line))
			}
		}
	}
	bundles, err := filepath.Glob(filepath.Join(dir, "bundles", "*.json"))
	require.NoError(t, err)
	for _, f := range bundles {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		bodies = append(bodies, bundleEntries(t, data)...)
	}
	require.NotEmpty(t, bodies)
	counts := map[string]int{}
	for _, b := range bodies {
		v, err := Extract(b)
		require.NoError(t, err)
		require.Contains(t, valueCodes(&v), "_id", "%s/%s", v.ResourceType, v.ID)
		for _, c := range valueCodes(&v) {
			counts[c]++
		}
		if v.ResourceType == "Observation" {
			require.Contains(t, valueCodes(&v), "code", v.ID)
			require.Contains(t, valueCodes(&v), "subject", v.ID)
		}
	}
	t.Logf("%d resources, %d values of %d parameter codes", len(bodies), sum(counts), len(counts))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
