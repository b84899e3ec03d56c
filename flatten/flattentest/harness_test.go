package flattentest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ a, b string }{
		{`{"b":5,"a":"x"}`, `{"a":"x","b":5.0}`},
		{`{"a":[1.50,2e0]}`, `{"a":[1.5,2]}`},
		{`{"a":null,"n":0.95}`, `{"n":0.950,"a":null}`},
	}
	for _, tc := range tests {
		a, err := canonical([]byte(tc.a))
		require.NoError(t, err)
		b, err := canonical([]byte(tc.b))
		require.NoError(t, err)
		require.Equal(t, a, b)
	}
	a, _ := canonical([]byte(`{"a":"5"}`))
	b, _ := canonical([]byte(`{"a":5}`))
	require.NotEqual(t, a, b, "a string is not a number")
}

// TestCheck runs check on a small suite with implementations that are
// right and wrong in different ways.
func TestCheck(t *testing.T) {
	s := &suite{name: "s", resources: [][]byte{[]byte(`{"resourceType":"Patient","id":"p"}`)}}
	rows := testCase{Title: "rows", Expect: []json.RawMessage{[]byte(`{"id":"p","n":1}`), []byte(`{"id":"q","n":null}`)}}
	cols := testCase{Title: "cols", Expect: rows.Expect, ExpectColumns: []string{"id", "n"}}
	fails := testCase{Title: "err", ExpectError: true}
	impl := func(c []string, r [][]any, err error) Impl {
		return ImplFunc(func([]byte, [][]byte) ([]string, [][]any, error) { return c, r, err })
	}
	good := impl([]string{"id", "n"}, [][]any{{"q", nil}, {"p", 1.0}}, nil)
	require.NoError(t, check(good, s, rows), "row order must not matter")
	require.NoError(t, check(good, s, cols))
	require.Error(t, check(good, s, fails), "expectError needs an error")
	require.Error(t, check(impl([]string{"n", "id"}, [][]any{{1, "p"}, {nil, "q"}}, nil), s, cols), "column order matters")
	require.Error(t, check(impl([]string{"id", "n"}, [][]any{{"p", 1}}, nil), s, rows), "a missing row")
	require.Error(t, check(impl([]string{"id", "n"}, [][]any{{"p", 1}, {"q", 2}}, nil), s, rows), "a wrong value")
	require.Error(t, check(impl([]string{"id"}, [][]any{{"p", 1}}, nil), s, rows), "a row wider than its columns")
	require.NoError(t, check(impl(nil, nil, os.ErrInvalid), s, fails))
}

func TestFindDir(t *testing.T) {
	t.Setenv("SOF_TESTS_DIR", "/some/where")
	require.Equal(t, "/some/where", FindDir())
	t.Setenv("SOF_TESTS_DIR", "")
	if d := FindDir(); d != "" {
		require.Equal(t, "sof-tests", filepath.Base(d))
	}
}
