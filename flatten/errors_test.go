package flatten

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// errorCase is one case of testdata/errors/errors.txt:
//
//	# name
//	view <ViewDefinition JSON on one line>
//	resource <resource JSON on one line>   (optional, for errors at run time)
//	----
//	pointer <JSON pointer>
//	reason <reason>
//
// Cases are separated by blank lines. go test -run TestViewErrors -rewrite
// rewrites the part after ----.
type errorCase struct {
	name, view, resource string
	pointer, reason      string
}

// TestViewErrors checks the exact pointer and reason of the *ViewError
// that ParseView, Compile or Evaluate returns for each invalid view, and
// the Error text built from them.
func TestViewErrors(t *testing.T) {
	path := filepath.Join("testdata", "errors", "errors.txt")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	cases := parseErrorCases(t, string(data))
	require.NotEmpty(t, cases)
	var out strings.Builder
	for i := range cases {
		tc := &cases[i]
		t.Run(tc.name, func(t *testing.T) {
			ve := viewError(t, tc.view, tc.resource)
			want := fmt.Sprintf("flatten: view %q: %s: %s", ve.View, ve.Pointer, ve.Reason)
			if ve.Pointer == "" {
				want = fmt.Sprintf("flatten: view %q: %s", ve.View, ve.Reason)
			}
			require.Equal(t, want, ve.Error())
			if !*rewrite {
				require.Equal(t, tc.pointer, ve.Pointer, "pointer")
				require.Equal(t, tc.reason, ve.Reason, "reason")
			}
			tc.pointer, tc.reason = ve.Pointer, ve.Reason
		})
		fmt.Fprintf(&out, "# %s\nview %s\n", tc.name, tc.view)
		if tc.resource != "" {
			fmt.Fprintf(&out, "resource %s\n", tc.resource)
		}
		fmt.Fprintf(&out, "----\npointer %s\nreason %s\n\n", tc.pointer, tc.reason)
	}
	if *rewrite {
		require.NoError(t, os.WriteFile(path, []byte(strings.TrimSuffix(out.String(), "\n")), 0o644))
	}
}

// viewError runs view (and resource, if any) and returns the *ViewError
// it must fail with.
func viewError(t *testing.T, view, resource string) *ViewError {
	t.Helper()
	var resources [][]byte
	if resource != "" {
		resources = [][]byte{[]byte(resource)}
	}
	_, _, err := RunView([]byte(view), resources)
	require.Error(t, err)
	var ve *ViewError
	require.True(t, errors.As(err, &ve), "%T %v", err, err)
	if resource != "" {
		// The view itself is valid: the error comes from the resource.
		vd, err := ParseView([]byte(view))
		require.NoError(t, err)
		_, err = Compile(vd)
		require.NoError(t, err)
	}
	return ve
}

func parseErrorCases(t *testing.T, text string) []errorCase {
	var cases []errorCase
	for _, block := range strings.Split(strings.TrimSpace(text), "\n\n") {
		var tc errorCase
		for _, line := range strings.Split(block, "\n") {
			key, val, _ := strings.Cut(line, " ")
			switch key {
			case "#":
				tc.name = val
			case "view":
				tc.view = val
			case "resource":
				tc.resource = val
			case "pointer":
				tc.pointer = val
			case "reason":
				tc.reason = val
			case "----":
			default:
				t.Fatalf("errors.txt: unexpected line %q", line)
			}
		}
		require.NotEmpty(t, tc.name, block)
		require.NotEmpty(t, tc.view, block)
		cases = append(cases, tc)
	}
	return cases
}

func TestPointer(t *testing.T) {
	require.Equal(t, "/select/0/column/2/path", pointer("/select", 0, "column", 2, "path"))
	require.Equal(t, "/a~1b/c~0d", pointer("", "a/b", "c~d"))
}

// TestLocate checks the JSON pointer of byte offsets, as json.Unmarshal
// reports them.
func TestLocate(t *testing.T) {
	doc := []byte(`{"a":[1,{"b":"x","c":[true]}],"d~/":null}`)
	tests := []struct {
		off  int64
		want string
	}{
		{0, ""},
		{4, "/a"},
		{7, "/a/0"},
		{13, "/a/1/b"},
		{16, "/a/1/b"},
		{26, "/a/1/c/0"},
		{27, "/a/1/c"},
		{28, "/a/1"},
		{29, "/a"},
		{int64(len(doc)) - 1, "/d~0~1"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, locate(doc, tc.off), "offset %d (%q)", tc.off, doc[:tc.off])
	}
	require.Equal(t, "/a/1/c", locate([]byte(`{"a":[1,{"c":`), 100), "a syntax error points where the decoder stopped")
	line, col := lineColumn([]byte("{\n  \"a\": x"), 9)
	require.Equal(t, []int{2, 8}, []int{line, col})
}
