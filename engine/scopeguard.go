package engine

import (
	"fmt"
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// internalAuditSchema holds the loaded audit records (see auditlog.go);
// sessions read them only through their data store's audit_log view.
const internalAuditSchema = "fhirlake_audit"

// restrictedTableFunctions are the only table functions a restricted
// session may call (besides the catalog emulation's): they generate rows
// and read no catalog, file or setting.
var restrictedTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true,
}

// checkScope walks a statement's tree, after checkTree, and refuses what
// the session's scope does not reach (see Scope):
//   - every session: the schemas of scopes it lacks (an analyst's
//     audit.audit_log) and the loaded audit records themselves;
//   - a restricted session (no views): anything but its own relations
//     (audit_log; the de-identified views, qualified deid. or not),
//     the statement's WITH names and the catalog emulation, so no view,
//     no DuckDB metadata relation (duckdb_tables, sqlite_master, DuckDB's
//     own pg_catalog and information_schema), no metadata table function
//     (duckdb_*(), pragma_*()) and no SHOW TABLES.
func (s *session) checkScope(stmt any, sql string, offset int) error {
	ctes := cteNames(stmt)
	var walk func(any) error
	walk = func(node any) error {
		switch n := node.(type) {
		case []any:
			for _, c := range n {
				if err := walk(c); err != nil {
					return err
				}
			}
		case map[string]any:
			if err := s.checkScopeNode(n, ctes, sql, offset); err != nil {
				return err
			}
			for _, c := range n {
				if err := walk(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(stmt)
}

func (s *session) checkScopeNode(n map[string]any, ctes map[string]bool, sql string, offset int) error {
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return strings.ToLower(v) }
	pos := func() int {
		if loc, ok := number(n["query_location"]); ok && loc >= 0 && int(loc)+offset <= len(sql) {
			return charPosition(sql, int(loc)+offset)
		}
		return 0
	}
	switch {
	case n["type"] == "BASE_TABLE":
		return s.scopeTable(str(n, "catalog_name"), str(n, "schema_name"), str(n, "table_name"), ctes, pos())
	case n["type"] == "TABLE_FUNCTION" && s.scope.restricted():
		f, _ := n["function"].(map[string]any)
		name := str(f, "function_name")
		if str(f, "catalog") == "memory" && str(f, "schema") == "fhirlake_pg" ||
			str(f, "catalog") == "" && str(f, "schema") == "" && restrictedTableFunctions[name] {
			return nil
		}
		return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos(),
			Message: fmt.Sprintf("permission denied for function %s", name), Hint: s.scopeHint()}
	case n["type"] == "SHOW_REF" && n["show_type"] == "SHOW_UNQUALIFIED" && s.scope.restricted():
		return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos(),
			Message: "permission denied: SHOW is not allowed in this session", Hint: s.scopeHint()}
	}
	return nil
}

// scopeTable checks one table reference, written catalog.schema.table
// (lower case, empty parts left out), against the session's scope.
func (s *session) scopeTable(catalog, schema, table string, ctes map[string]bool, pos int) error {
	if catalog == "memory" && schema == "fhirlake_pg" {
		return nil // the catalog emulation, filtered by scope itself
	}
	if schema == internalAuditSchema || catalog == internalAuditSchema {
		return s.noRelation(strings.Join(nonEmpty(catalog, schema, table), "."), pos)
	}
	// The schema of the session's database the reference names, if any:
	// db.s.t and s.t name schema s; db.t names db's main schema.
	target := ""
	switch {
	case catalog == strings.ToLower(s.db):
		target = schema
	case catalog == "" && schema == strings.ToLower(s.db):
		target = mainSchema
	case catalog == "":
		target = schema
	default: // system, temp (others were refused by checkTree)
		if s.scope.restricted() {
			return s.noRelation(strings.Join(nonEmpty(catalog, schema, table), "."), pos)
		}
		return nil
	}
	if target != "" && scopedSchemas[target] && !s.scope.allowsSchema(target) {
		return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos,
			Message: fmt.Sprintf("permission denied for schema %s", target), Hint: s.scopeHint()}
	}
	if !s.scope.restricted() {
		return nil
	}
	switch {
	case target == "" && ctes[table]:
		return nil
	case (target == "" || s.scope.allowsSchema(target)) && s.scope.relations()[table]:
		return nil
	case (target == "" || target == deidSchema) && s.scope.Deid && s.e.hasDeidRelation(s.db, table):
		return nil
	}
	return s.noRelation(strings.Join(nonEmpty(schema, table), "."), pos)
}

// noRelation is the error for a relation outside a restricted session's
// scope: the one Postgres gives for a missing relation, so that it tells
// nothing about what exists.
func (s *session) noRelation(name string, pos int) error {
	return &sqlstate.Error{Code: sqlstate.UndefinedTable, Position: pos,
		Message: fmt.Sprintf("relation %q does not exist", name), Hint: s.scopeHint()}
}

// scopeHint says what the session may read.
func (s *session) scopeHint() string {
	switch {
	case s.scope.restricted() && s.scope.Deid && s.scope.Audit:
		return "this session reads the de-identified views (schema deid) and the audit log only"
	case s.scope.restricted() && s.scope.Deid:
		return "this session reads the de-identified views only (schema deid)"
	case s.scope.restricted() && s.scope.Audit:
		return "this session reads the audit log only: query audit_log"
	case !s.scope.Audit:
		return "the audit log (audit_log) needs the role auditor or admin"
	}
	return ""
}

// cteNames returns the WITH names defined anywhere in a statement's
// json_serialize_sql tree, in lower case.
func cteNames(tree any) map[string]bool {
	out := map[string]bool{}
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case []any:
			for _, c := range n {
				walk(c)
			}
		case map[string]any:
			if m, ok := n["cte_map"].(map[string]any); ok {
				entries, _ := m["map"].([]any)
				for _, e := range entries {
					if kv, ok := e.(map[string]any); ok {
						if k, ok := kv["key"].(string); ok {
							out[strings.ToLower(k)] = true
						}
					}
				}
			}
			for _, c := range n {
				walk(c)
			}
		}
	}
	walk(tree)
	return out
}
