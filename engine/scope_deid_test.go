package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/catalog"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// newDeidEnv is newEnv with a de-identified twin of demo's patient view
// (two rows, other values than the view's three) and an engine whose
// Scope hook gives "dea" the de-identified views only, "full" everything,
// "adm" the views and the audit log, and anyone else the views.
func newDeidEnv(t *testing.T) *Engine {
	env := newEnv(t)
	ctx := context.Background()
	views, err := env.cat.Views("demo")
	require.NoError(t, err)
	twin := catalog.View{Name: catalog.DeidName("patient"), Resource: "Patient", Kind: catalog.KindDeid,
		Definition: []byte(`{"resourceType":"ViewDefinition","description":"de-identified patients"}`),
		Files: []catalog.File{env.w.file("demo", "deid.patient-1.parquet",
			`SELECT * FROM (VALUES ('x1', 'female', '1970'), ('x2', 'male', '1980')) t(id, gender, birth_date)`)}}
	env.cat.setViews("demo", append(views, twin)...)
	dir := filepath.Join(env.cat.Dir(), "audit")
	log, err := audit.Open(ctx, dir, audit.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { log.Close() })
	scope := func(_ context.Context, user, _ string) (Scope, error) {
		switch user {
		case "dea":
			return Scope{Deid: true}, nil
		case "full":
			return Scope{Views: true, Audit: true, Deid: true}, nil
		case "adm":
			return Scope{Views: true, Audit: true}, nil
		}
		return ScopeViews, nil
	}
	e, err := Open(ctx, env.cat, Options{Threads: 2, MemoryLimit: "1GB", Scope: scope, Audit: AuditFiles(dir)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

// TestScopeDeid checks what the de-identified scope reads and is refused,
// alone and with the others.
func TestScopeDeid(t *testing.T) {
	e := newDeidEnv(t)
	tests := []struct {
		user, query string
		want        [][]any
		code        string
	}{
		// A deid-analyst: the twins, unqualified or not, and nothing else.
		{"dea", "SELECT id, gender, birth_date FROM patient ORDER BY id", [][]any{{"x1", "female", "1970"}, {"x2", "male", "1980"}}, ""},
		{"dea", "SELECT count(*) FROM deid.patient", [][]any{{int64(2)}}, ""},
		{"dea", "SELECT count(*) FROM demo.deid.patient", [][]any{{int64(2)}}, ""},
		{"dea", "SELECT count(*) FROM Patient", [][]any{{int64(2)}}, ""},
		{"dea", "WITH p AS (SELECT * FROM patient) SELECT count(*) FROM p", [][]any{{int64(2)}}, ""},
		{"dea", "SELECT current_schema()", [][]any{{"deid"}}, ""},
		{"dea", "SELECT * FROM main.patient", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM demo.main.patient", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM demo.patient", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM search.patient", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM observation", nil, sqlstate.UndefinedTable},
		{"dea", "SELECT * FROM deid.observation", nil, sqlstate.UndefinedTable},
		{"dea", "SELECT * FROM audit_log", nil, sqlstate.UndefinedTable},
		{"dea", "SELECT * FROM audit.audit_log", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM other.main.secret", nil, sqlstate.FeatureNotSupported},
		{"dea", "SELECT * FROM read_parquet('stores/demo/views/patient-1.parquet')", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM duckdb_views()", nil, sqlstate.InsufficientPrivilege},
		{"dea", "SELECT * FROM duckdb_tables", nil, sqlstate.UndefinedTable},
		{"dea", "SHOW TABLES", nil, sqlstate.InsufficientPrivilege},
		// The catalog emulation shows the twins only, in schema deid.
		{"dea", psqlDT, [][]any{{"deid", "patient", "table", "fhirlake"}}, ""},
		{"dea", "SELECT table_schema, table_name FROM information_schema.tables", [][]any{{"deid", "patient"}}, ""},
		{"dea", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1", [][]any{{"deid"}, {"information_schema"}, {"main"}, {"pg_catalog"}}, ""},
		{"dea", "SELECT obj_description(c.oid) FROM pg_catalog.pg_class c", [][]any{{"de-identified patients"}}, ""},
		// Views, audit log and twins: an unqualified name is the view.
		{"full", "SELECT count(*) FROM patient", [][]any{{int64(3)}}, ""},
		{"full", "SELECT count(*) FROM deid.patient", [][]any{{int64(2)}}, ""},
		{"full", "SELECT count(*) FROM audit_log", [][]any{{int64(0)}}, ""},
		{"full", "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = 'patient' ORDER BY 1",
			[][]any{{"deid", "patient"}, {"main", "patient"}}, ""},
		// Without Deid, the twins are out of reach.
		{"adm", "SELECT * FROM deid.patient", nil, sqlstate.InsufficientPrivilege},
		{"ana", "SELECT * FROM deid.patient", nil, sqlstate.InsufficientPrivilege},
		{"ana", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'deid'", [][]any{{int64(0)}}, ""},
	}
	sessions := map[string]wire.Session{}
	for _, tt := range tests {
		if sessions[tt.user] == nil {
			s, err := e.Open(context.Background(), "demo", tt.user)
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			sessions[tt.user] = s
		}
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.query, func(t *testing.T) {
			_, rows, _, err := collect(context.Background(), sessions[tt.user], tt.query)
			if tt.code != "" {
				require.Error(t, err)
				require.Equal(t, tt.code, sqlstate.Code(err), "%v", err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, rows)
		})
	}
}

// TestScopeDeidRefresh checks that the deid schema follows the catalog:
// a twin whose view is gone is dropped.
func TestScopeDeidRefresh(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	views, err := env.cat.Views("demo")
	require.NoError(t, err)
	twin := catalog.View{Name: catalog.DeidName("patient"), Resource: "Patient", Kind: catalog.KindDeid,
		Files: []catalog.File{env.w.file("demo", "deid.patient-1.parquet", `SELECT 'x1' AS id`)}}
	env.cat.setViews("demo", append(views, twin)...)
	require.NoError(t, env.e.Refresh(ctx, "demo"))
	s, err := env.e.OpenScoped(ctx, "demo", "dea", Scope{Deid: true})
	require.NoError(t, err)
	defer s.Close()
	_, rows, _, err := collect(ctx, s, "SELECT id FROM patient")
	require.NoError(t, err)
	require.Equal(t, [][]any{{"x1"}}, rows)
	env.cat.setViews("demo", views...)
	require.NoError(t, env.e.Refresh(ctx, "demo"))
	_, _, _, err = collect(ctx, s, "SELECT id FROM deid.patient")
	require.Equal(t, sqlstate.UndefinedTable, sqlstate.Code(err), "%v", err)
}
