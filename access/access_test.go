package access

import (
	"go/build"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMatrixMatchesDoc checks every role against every action, reading the
// expected answers from the table in doc.go, so the documented matrix and
// the enforced one cannot drift apart.
func TestMatrixMatchesDoc(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var header []string
	rows := map[Action][]bool{}
	for _, line := range strings.Split(string(src), "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "//"))
		if len(f) == 0 {
			continue
		}
		if f[0] == "action" {
			header = f[1:]
			continue
		}
		if header == nil || !slices.Contains(Actions(), Action(f[0])) || !strings.HasPrefix(line, "//\t") {
			continue
		}
		// Columns are positions under the header's role names.
		cells := make([]bool, len(header))
		body := strings.TrimPrefix(line, "//\t")
		head := docHeaderLine(t, string(src))
		for i, role := range header {
			at := strings.Index(head, role)
			for j := at; j < at+len(role) && j < len(body); j++ {
				if body[j] == 'x' {
					cells[i] = true
				}
			}
		}
		rows[Action(f[0])] = cells
	}
	require.Equal(t, Roles(), header, "doc.go lists every role, in order")
	require.Len(t, rows, len(Actions()), "doc.go lists every action")
	for _, a := range Actions() {
		for i, role := range header {
			t.Run(string(a)+"/"+role, func(t *testing.T) {
				require.Equal(t, rows[a][i], Allows(role, a))
			})
		}
	}
}

// docHeaderLine returns the matrix header line of doc.go without its
// comment prefix.
func docHeaderLine(t *testing.T, src string) string {
	t.Helper()
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "//\taction") {
			return strings.TrimPrefix(line, "//\t")
		}
	}
	t.Fatal("doc.go has no matrix header")
	return ""
}

func TestCanSQL(t *testing.T) {
	tests := []struct {
		name  string
		roles []string
		want  bool
	}{
		{"none", nil, false},
		{"admin", []string{Admin}, true},
		{"analyst", []string{Analyst}, true},
		{"reader", []string{Reader}, false},
		{"writer", []string{Writer}, false},
		{"deid-analyst", []string{DeidAnalyst}, false},
		{"auditor", []string{Auditor}, false},
		{"reader and analyst", []string{Reader, Analyst}, true},
		{"unknown role", []string{"superuser"}, false},
		{"case matters", []string{"Admin"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, CanSQL(tt.roles))
		})
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		role            string
		valid, wildcard bool
	}{
		{Admin, true, true},
		{Writer, true, false},
		{Reader, true, false},
		{Analyst, true, false},
		{DeidAnalyst, true, false},
		{Auditor, true, true},
		{"", false, false},
		{"root", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			require.Equal(t, tt.valid, ValidRole(tt.role))
			require.Equal(t, tt.wildcard, Wildcard(tt.role))
		})
	}
	r := Roles()
	r[0] = "changed"
	require.Equal(t, Admin, Roles()[0], "Roles returns a copy")
	require.Equal(t, []string{Admin, Analyst}, Needed(SQLViews))
	require.Empty(t, Needed("nothing"))
}

// TestPure checks that access imports only the standard library, so both
// protocol edges (wire, api) and the catalog can use it without pulling
// anything in.
func TestPure(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		require.NotContains(t, first, ".", "access imports %s", imp)
	}
}
