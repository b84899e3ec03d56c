package flattentest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// suite is one test file.
type suite struct {
	name      string
	Title     string            `json:"title"`
	Resources []json.RawMessage `json:"resources"`
	Tests     []testCase        `json:"tests"`
	resources [][]byte
}

// testCase is one entry of a suite's tests.
type testCase struct {
	Title         string            `json:"title"`
	View          json.RawMessage   `json:"view"`
	Expect        []json.RawMessage `json:"expect"`
	ExpectError   bool              `json:"expectError"`
	ExpectColumns []string          `json:"expectColumns"`
}

func loadSuite(path string) (*suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("flattentest: %w", err)
	}
	var s suite
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("flattentest: %s: %w", path, err)
	}
	s.name = suiteName(path)
	for _, r := range s.Resources {
		s.resources = append(s.resources, []byte(r))
	}
	return &s, nil
}

// canonicalRows encodes each row as a canonical JSON object.
func canonicalRows(cols []string, rows [][]any) ([]string, error) {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		if len(r) != len(cols) {
			return nil, fmt.Errorf("row has %d values for %d columns", len(r), len(cols))
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			m[c] = r[i]
		}
		data, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("marshal row: %w", err)
		}
		s, err := canonical(data)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func canonicalExpected(rows []json.RawMessage) ([]string, error) {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		s, err := canonical(r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// canonical re-encodes JSON with sorted keys and numbers in one form, so
// that 5, 5.0 and 5e0 compare equal.
func canonical(data []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", fmt.Errorf("flattentest: canonical JSON: %w", err)
	}
	out, err := json.Marshal(normalize(v))
	return string(out), err
}

func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return v
}
