package flattentest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// idImpl returns the id of every resource in one column "id", and fails
// for a view without selects.
var idImpl = ImplFunc(func(view []byte, resources [][]byte) ([]string, [][]any, error) {
	var v struct{ Select []json.RawMessage }
	if err := json.Unmarshal(view, &v); err != nil || len(v.Select) == 0 {
		return nil, nil, os.ErrInvalid
	}
	var rows [][]any
	for _, r := range resources {
		var res struct{ ID string }
		if err := json.Unmarshal(r, &res); err != nil {
			return nil, nil, err
		}
		rows = append(rows, []any{res.ID})
	}
	return []string{"id"}, rows, nil
})

func TestRunDir(t *testing.T) {
	rep, err := RunDir(context.Background(), filepath.Join("testdata", "suite"), idImpl)
	require.NoError(t, err)
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.FullName())
	}
	require.Equal(t, []string{"a_first/ids", "a_first/wrong on purpose", "a_first/ordered columns",
		"b_second/z comes first in the file", "b_second/a comes second"}, got, "files sorted, tests in file order, subfolders left out")
	require.Equal(t, 4, rep.Passed())
	require.Len(t, rep.Failed(), 1)
	require.Contains(t, rep.Failed()[0].Error, "rows differ")

	_, err = RunDir(context.Background(), t.TempDir(), idImpl)
	require.ErrorIs(t, err, ErrNoSuite)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = RunDir(ctx, filepath.Join("testdata", "suite"), idImpl)
	require.ErrorIs(t, err, context.Canceled)
	panics := ImplFunc(func([]byte, [][]byte) ([]string, [][]any, error) { panic("boom") })
	rep, err = RunDir(context.Background(), filepath.Join("testdata", "suite"), panics)
	require.NoError(t, err)
	require.Equal(t, 0, rep.Passed())
	require.Contains(t, rep.Results[0].Error, "panic: boom")
}

// TestReportJSON checks the report file: valid against the suite's
// test-report schema (when the suite is present) and keyed by file in
// suite order with tests in file order, as the leaderboard matches them by
// position.
func TestReportJSON(t *testing.T) {
	rep, err := RunDir(context.Background(), filepath.Join("testdata", "suite"), idImpl)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "report.json")
	require.NoError(t, rep.WriteFile(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	files, names := reportOrder(t, data)
	require.Equal(t, []string{"a_first.json", "b_second.json"}, files)
	require.Equal(t, []string{"ids", "wrong on purpose", "ordered columns", "z comes first in the file", "a comes second"}, names)
	var doc map[string]struct {
		Tests []struct {
			Name   string
			Result map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, map[string]any{"passed": true}, doc["a_first.json"].Tests[0].Result, "no error member when passed")
	require.Equal(t, false, doc["a_first.json"].Tests[1].Result["passed"])
	require.Contains(t, doc["a_first.json"].Tests[1].Result["error"], "rows differ")

	if dir := FindDir(); dir != "" {
		schemaData, err := os.ReadFile(filepath.Join(dir, "schema", "test-report.schema.json"))
		require.NoError(t, err)
		var schema, inst any
		require.NoError(t, json.Unmarshal(schemaData, &schema))
		require.NoError(t, json.Unmarshal(data, &inst))
		require.Empty(t, validate(schema.(map[string]any), inst, ""))
		// The validator is not blind: break the report in two ways.
		require.NotEmpty(t, validate(schema.(map[string]any), map[string]any{"x.json": map[string]any{"tests": []any{}}}, ""))
		require.NotEmpty(t, validate(schema.(map[string]any), map[string]any{"x.json": map[string]any{"tests": []any{map[string]any{"name": "n", "result": map[string]any{"passed": "yes"}}}}}, ""))
	}
}

// reportOrder lists the file keys and the test names of a report in the
// order they are written.
func reportOrder(t *testing.T, data []byte) (files, names []string) {
	var doc []struct {
		Key   string
		Tests []struct{ Name string }
	}
	d := json.NewDecoder(bytes.NewReader(data))
	tok, err := d.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	for d.More() {
		key, err := d.Token()
		require.NoError(t, err)
		var v struct{ Tests []struct{ Name string } }
		require.NoError(t, d.Decode(&v))
		doc = append(doc, struct {
			Key   string
			Tests []struct{ Name string }
		}{key.(string), v.Tests})
	}
	for _, f := range doc {
		files = append(files, f.Key)
		for _, tc := range f.Tests {
			names = append(names, tc.Name)
		}
	}
	return files, names
}

// validate checks inst against the subset of JSON Schema that the report
// schema uses (type, properties, patternProperties, additionalProperties
// false, required, items, minItems) and lists the violations.
func validate(schema map[string]any, inst any, at string) []string {
	var errs []string
	fail := func(msg string) { errs = append(errs, at+": "+msg) }
	switch schema["type"] {
	case "object":
		obj, ok := inst.(map[string]any)
		if !ok {
			fail("not an object")
			return errs
		}
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				fail("missing " + r.(string))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		patterns, _ := schema["patternProperties"].(map[string]any)
		for k, v := range obj {
			matched := false
			if sub, ok := props[k].(map[string]any); ok {
				matched = true
				errs = append(errs, validate(sub, v, at+"/"+k)...)
			}
			for p, sub := range patterns {
				if regexp.MustCompile(p).MatchString(k) {
					matched = true
					errs = append(errs, validate(sub.(map[string]any), v, at+"/"+k)...)
				}
			}
			if !matched && schema["additionalProperties"] == false {
				fail("unexpected member " + k)
			}
		}
	case "array":
		arr, ok := inst.([]any)
		if !ok {
			fail("not an array")
			return errs
		}
		if n, ok := schema["minItems"].(float64); ok && float64(len(arr)) < n {
			fail("too few items")
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, v := range arr {
				errs = append(errs, validate(items, v, at+"/"+strconv.Itoa(i))...)
			}
		}
	case "string":
		if _, ok := inst.(string); !ok {
			fail("not a string")
		}
	case "boolean":
		if _, ok := inst.(bool); !ok {
			fail("not a boolean")
		}
	}
	return errs
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
