package engine

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
)

// Postgres-style OIDs of the emulated namespaces; main plays the part of
// Postgres' public schema (whose OID is 2200).
const (
	nspPGCatalog = 11
	nspMain      = 2200
	nspInfo      = 13000
	// nspAudit is the audit schema's (see Scope), numbered as Postgres
	// numbers user schemas.
	nspAudit = 16390
	// nspDeid is the deid schema's (see Scope).
	nspDeid   = 16391
	ownerOID  = 10
	ownerName = "fhirlake"
	// classPGClass is pg_class's own OID: pg_description.classoid of
	// relation and column comments.
	classPGClass = 1259
)

// compatRelation is one relation of the emulation: a DuckDB view named
// Name in compatSchema, defined by the query Body.
type compatRelation struct {
	Name string
	Body string
}

// compatFunction is one function of the emulation: a DuckDB macro with
// one or more overloads ("(a, b) AS expr"), or a table macro.
type compatFunction struct {
	Name      string
	Overloads []string
	Table     bool
}

// compatRelations are the relation names rewriteCompat redirects to
// compatSchema, written pg_catalog.x or bare.
var compatRelations = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range catalogRelations() {
		m[r.Name] = true
	}
	for _, r := range emptyRelations() {
		m[r.Name] = true
	}
	return m
}()

// compatInfoSchema are the information_schema views served by
// compatSchema as information_schema_<name>.
var compatInfoSchema = map[string]bool{"tables": true, "columns": true}

// compatFunctions are the function names rewriteCompat redirects to
// compatSchema; compatTableFunctions are those returning rows.
var compatFunctions, compatTableFunctions = func() (map[string]bool, map[string]bool) {
	all, table := map[string]bool{}, map[string]bool{}
	for _, f := range catalogFunctions("") {
		all[f.Name] = true
		if f.Table {
			table[f.Name] = true
		}
	}
	return all, table
}()

// createCompatSchema creates memory.fhirlake_pg: Postgres-shaped catalog
// relations over the current data store's views, and the functions
// clients call. rewriteCompat points client queries at them.
func (e *Engine) createCompatSchema(ctx context.Context) error {
	var duck string
	if err := e.admin.QueryRowContext(ctx, "SELECT library_version FROM pragma_version()").Scan(&duck); err != nil {
		return fmt.Errorf("engine: duckdb version: %w", err)
	}
	version := fmt.Sprintf("PostgreSQL 15.0 (fhirlake, DuckDB %s) on %s-linux, compiled by %s, 64-bit", duck, runtime.GOARCH, runtime.Version())
	stmts := []string{"CREATE SCHEMA " + compatSchema}
	rels := append(catalogRelations(), emptyRelations()...)
	rels = append(rels, infoSchemaRelations()...)
	for _, r := range rels {
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s.%s AS %s", compatSchema, quoteIdent(r.Name), r.Body))
	}
	// Macros are bound when created: after the relations they read.
	for _, f := range catalogFunctions(version) {
		stmts = append(stmts, f.create())
	}
	return e.execAll(ctx, "create pg_catalog emulation", stmts)
}

// create is the CREATE MACRO statement of f.
func (f compatFunction) create() string {
	kind := ""
	if f.Table {
		kind = "TABLE "
	}
	parts := make([]string, len(f.Overloads))
	for i, o := range f.Overloads {
		args, body, _ := strings.Cut(o, " AS ")
		parts[i] = args + " AS " + kind + body
	}
	return fmt.Sprintf("CREATE MACRO %s.%s%s", compatSchema, quoteIdent(f.Name), strings.Join(parts, ", "))
}

// sessionSchemas is the list of the schemas the session's scope shows
// (see Scope.sessionSetup); main when the variable is not set.
const sessionSchemas = "coalesce(getvariable('" + varSchemas + "'), ['main'])"

// userViews is the FROM clause of the views the session's scope shows.
const userViews = "duckdb_views() WHERE database_name = current_database() AND list_contains(" + sessionSchemas + ", schema_name) AND NOT internal"

// userColumns is the FROM clause of their columns.
const userColumns = "duckdb_columns() WHERE database_name = current_database() AND list_contains(" + sessionSchemas + ", schema_name) AND NOT internal"

// nspOIDSQL maps the schema name column of userViews or userColumns to
// the emulated namespace OID.
var nspOIDSQL = fmt.Sprintf("(CASE schema_name WHEN %s THEN %d WHEN %s THEN %d ELSE %d END)::BIGINT",
	quoteLiteral(auditSchema), nspAudit, quoteLiteral(deidSchema), nspDeid, nspMain)

// sortedKeys returns m's keys in order, so generated SQL is stable.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
