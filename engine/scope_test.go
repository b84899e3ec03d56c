package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fhirlake/fhirlake/audit"
	"github.com/fhirlake/fhirlake/internal/sqlstate"
	"github.com/fhirlake/fhirlake/wire"
)

// scopeEnv is an engine over newEnv's data stores (demo and other) with
// an audit log of its own.
type scopeEnv struct {
	*testEnv
	e   *Engine
	log *audit.Log
}

// newScopeEnv opens an engine whose Scope hook gives user "aud" the audit
// scope, "all" the audit scope of every data store, "adm" the views and
// the audit log, "nobody" an error, and anyone else the views. Its audit
// log starts with three records: of demo, of other and of no data store.
func newScopeEnv(t *testing.T) *scopeEnv {
	env := newEnv(t)
	ctx := context.Background()
	dir := filepath.Join(env.cat.Dir(), "audit")
	// Small segments: most appends start a new file.
	log, err := audit.Open(ctx, dir, audit.Options{SegmentSize: 600})
	require.NoError(t, err)
	t.Cleanup(func() { log.Close() })
	se := &scopeEnv{testEnv: env, log: log}
	se.append(t, audit.Event{Kind: audit.KindSQL, Actor: audit.Actor{User: "ana"}, DataStore: "demo", Action: "query",
		Query: "SELECT * FROM patient", Tables: []string{"patient"}, Rows: 3, Outcome: audit.SQLOutcome("", "")})
	se.append(t, audit.Event{Kind: audit.KindFHIR, Actor: audit.Actor{User: "bob"}, DataStore: "other", Action: "read",
		Resources: []string{"Patient/x"}, Outcome: audit.HTTPOutcome(404, "")})
	se.append(t, audit.Event{Kind: audit.KindUser, Actor: audit.Actor{User: "root"}, Action: "create", Subject: "ana",
		Outcome: audit.Outcome{Result: audit.Success}})
	scope := func(_ context.Context, user, _ string) (Scope, error) {
		switch user {
		case "aud":
			return Scope{Audit: true}, nil
		case "all":
			return Scope{Audit: true, AuditAll: true}, nil
		case "adm":
			return Scope{Views: true, Audit: true}, nil
		case "nobody":
			return Scope{}, sqlstate.New(sqlstate.InsufficientPrivilege, "permission denied for database")
		}
		return ScopeViews, nil
	}
	e, err := Open(ctx, env.cat, Options{Threads: 2, MemoryLimit: "1GB", Scope: scope, Audit: AuditFiles(dir)})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	se.e = e
	return se
}

func (se *scopeEnv) append(t *testing.T, ev audit.Event) {
	ev.Time = time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
	_, err := se.log.Append(context.Background(), ev)
	require.NoError(t, err)
}

func (se *scopeEnv) open(t *testing.T, user string) wire.Session {
	s, err := se.e.Open(context.Background(), "demo", user)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestScopes checks what each scope's session reads and is refused.
func TestScopes(t *testing.T) {
	se := newScopeEnv(t)
	const seqs = "SELECT seq, actor, datastore FROM audit_log ORDER BY seq"
	tests := []struct {
		user, query string
		want        [][]any
		code        string
	}{
		// An auditor of demo: its records only, and nothing else.
		{"aud", seqs, [][]any{{int64(1), "ana", "demo"}}, ""},
		{"aud", "SELECT query, tables, row_count, result, outcome_code, kind FROM audit.audit_log",
			[][]any{{"SELECT * FROM patient", "{patient}", int64(3), "0", nil, "sql"}}, ""},
		{"aud", "SELECT count(*) FROM demo.audit.audit_log", [][]any{{int64(1)}}, ""},
		{"aud", "WITH a AS (SELECT * FROM audit_log) SELECT count(*) FROM a", [][]any{{int64(1)}}, ""},
		{"aud", "SELECT count(*) FROM (DESCRIBE audit_log)", [][]any{{int64(len(auditColumns))}}, ""},
		{"aud", "SELECT count(*) FROM range(3)", [][]any{{int64(3)}}, ""},
		{"aud", "SELECT * FROM patient", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM Patient", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM main.patient", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM demo.main.patient", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM demo.patient", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM search.observation", nil, sqlstate.InsufficientPrivilege},
		{"aud", "DESCRIBE main.patient", nil, sqlstate.InsufficientPrivilege},
		{"aud", "EXPLAIN SELECT * FROM main.patient", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM other.main.secret", nil, sqlstate.FeatureNotSupported},
		{"aud", "SELECT * FROM other.audit.audit_log", nil, sqlstate.FeatureNotSupported},
		{"aud", "SELECT * FROM memory.fhirlake_audit.records", nil, sqlstate.FeatureNotSupported},
		{"aud", "SELECT * FROM fhirlake_audit.records", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM read_parquet('stores/demo/views/patient-1.parquet')", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM duckdb_tables()", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM duckdb_views()", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM pragma_table_info('main.patient')", nil, sqlstate.InsufficientPrivilege},
		{"aud", "SELECT * FROM duckdb_tables", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM sqlite_master", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM information_schema.schemata", nil, sqlstate.UndefinedTable},
		{"aud", "SELECT * FROM system.main.duckdb_tables", nil, sqlstate.UndefinedTable},
		{"aud", "SHOW TABLES", nil, sqlstate.InsufficientPrivilege},
		// The catalog emulation shows audit_log only, in schema audit.
		{"aud", psqlDT, [][]any{{"audit", "audit_log", "table", "fhirlake"}}, ""},
		{"aud", "SELECT table_schema, table_name FROM information_schema.tables", [][]any{{"audit", "audit_log"}}, ""},
		{"aud", "SELECT current_schema()", [][]any{{"audit"}}, ""},
		// An auditor of every data store: every record.
		{"all", seqs, [][]any{{int64(1), "ana", "demo"}, {int64(2), "bob", "other"}, {int64(3), "root", nil}}, ""},
		{"all", "SELECT * FROM patient", nil, sqlstate.UndefinedTable},
		// An admin of demo: the views and demo's records.
		{"adm", seqs, [][]any{{int64(1), "ana", "demo"}}, ""},
		{"adm", "SELECT count(*) FROM patient", [][]any{{int64(3)}}, ""},
		{"adm", "SELECT count(*) FROM audit.audit_log a JOIN main.patient p ON true", [][]any{{int64(3)}}, ""},
		{"adm", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1", [][]any{{"audit"}, {"information_schema"}, {"main"}, {"pg_catalog"}}, ""},
		{"adm", "SELECT * FROM fhirlake_audit.records", nil, sqlstate.UndefinedTable},
		// An analyst: the views, no audit_log.
		{"ana", "SELECT count(*) FROM patient", [][]any{{int64(3)}}, ""},
		{"ana", "SELECT count(*) FROM search.observation", [][]any{{int64(0)}}, ""},
		{"ana", "SELECT * FROM audit_log", nil, sqlstate.UndefinedTable},
		{"ana", "SELECT * FROM audit.audit_log", nil, sqlstate.InsufficientPrivilege},
		{"ana", "SELECT * FROM demo.audit.audit_log", nil, sqlstate.InsufficientPrivilege},
		{"ana", "SELECT * FROM fhirlake_audit.records", nil, sqlstate.UndefinedTable},
		{"ana", "SELECT * FROM memory.fhirlake_audit.records", nil, sqlstate.FeatureNotSupported},
		{"ana", "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1", [][]any{{"information_schema"}, {"main"}, {"pg_catalog"}}, ""},
		{"ana", "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'", [][]any{{int64(0)}}, ""},
	}
	sessions := map[string]wire.Session{}
	for _, tt := range tests {
		if sessions[tt.user] == nil {
			sessions[tt.user] = se.open(t, tt.user)
		}
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.query, func(t *testing.T) {
			s := sessions[tt.user]
			_, rows, _, err := collect(context.Background(), s, tt.query)
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

// TestScopeOpen checks the Scope hook's refusals and OpenScoped's.
func TestScopeOpen(t *testing.T) {
	se := newScopeEnv(t)
	ctx := context.Background()
	_, err := se.e.Open(ctx, "demo", "nobody")
	require.Equal(t, sqlstate.InsufficientPrivilege, sqlstate.Code(err), "%v", err)
	_, err = se.e.OpenScoped(ctx, "demo", "x", Scope{})
	require.Equal(t, sqlstate.InsufficientPrivilege, sqlstate.Code(err), "%v", err)
	_, err = se.e.OpenScoped(ctx, "nosuch", "x", Scope{Audit: true})
	require.Equal(t, sqlstate.InvalidCatalogName, sqlstate.Code(err), "%v", err)
	// Without an audit log (newEnv's engine) there is no audit scope.
	_, err = se.testEnv.e.OpenScoped(ctx, "demo", "x", Scope{Audit: true})
	require.ErrorContains(t, err, "Options.Audit")
}

// TestAuditFreshness checks that a statement sees every record appended
// before it started, also across segment files.
func TestAuditFreshness(t *testing.T) {
	se := newScopeEnv(t)
	ctx := context.Background()
	s := se.open(t, "all")
	count := func() int64 {
		_, rows, _, err := collect(ctx, s, "SELECT count(*) FROM audit_log")
		require.NoError(t, err)
		return rows[0][0].(int64)
	}
	require.Equal(t, int64(3), count())
	for i := range 5 {
		se.append(t, audit.Event{Kind: audit.KindLogin, Actor: audit.Actor{User: "eve"}, DataStore: "demo", Action: "login",
			Outcome: audit.Outcome{Result: audit.MinorFailure, Code: "28P01"}})
		require.Equal(t, int64(4+i), count())
	}
	_, rows, _, err := collect(ctx, s, "SELECT count(DISTINCT seq), min(seq), max(seq), bool_and(hash IS NOT NULL AND prev_hash IS NOT NULL) FROM audit_log")
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(8), int64(1), int64(8), true}}, rows)
	// The chain columns link: each record's prev_hash is the hash before.
	_, rows, _, err = collect(ctx, s, "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 AND b.prev_hash = a.hash")
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(7)}}, rows)
}

// TestScopeTemplates checks that a statement template checked in one
// scope is checked again in another: the cache of checked templates is
// shared by every session of the engine.
func TestScopeTemplates(t *testing.T) {
	se := newScopeEnv(t)
	ctx := context.Background()
	const template = "SELECT id FROM main.patient WHERE id = $1"
	ana := se.open(t, "ana").(wire.TemplateQuerier)
	r, err := ana.QueryTemplate(ctx, template, "SELECT id FROM main.patient WHERE id = 'p1'")
	require.NoError(t, err)
	require.NoError(t, r.Close())
	aud := se.open(t, "aud").(wire.TemplateQuerier)
	_, err = aud.QueryTemplate(ctx, template, "SELECT id FROM main.patient WHERE id = 'p1'")
	require.Equal(t, sqlstate.InsufficientPrivilege, sqlstate.Code(err), "%v", err)
}

// TestAuditConcurrent runs auditors' statements while records are
// appended: every statement sees at least the records appended before it
// started, and no record twice.
func TestAuditConcurrent(t *testing.T) {
	se := newScopeEnv(t)
	ctx := context.Background()
	const workers, appends = 3, 20
	done := make(chan error, workers)
	for range workers {
		s := se.open(t, "all")
		go func() {
			for range appends {
				before := se.log.Head().Seq
				_, rows, _, err := collect(ctx, s, "SELECT count(*), count(DISTINCT seq) FROM audit_log")
				if err != nil {
					done <- err
					return
				}
				if n := rows[0][0].(int64); n < int64(before) || n != rows[0][1].(int64) {
					done <- fmt.Errorf("saw %v with %d records appended before", rows[0], before)
					return
				}
			}
			done <- nil
		}()
	}
	for range appends {
		se.append(t, audit.Event{Kind: audit.KindLogin, DataStore: "demo", Action: "login", Outcome: audit.Outcome{Result: audit.Success}})
	}
	for range workers {
		require.NoError(t, <-done)
	}
	s := se.open(t, "all")
	_, rows, _, err := collect(ctx, s, "SELECT count(*) FROM audit_log")
	require.NoError(t, err)
	require.Equal(t, [][]any{{int64(3 + appends)}}, rows)
}
