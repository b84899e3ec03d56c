package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fhirlake/fhirlake/internal/sqlstate"
)

// checkTree walks a statement's json_serialize_sql tree and refuses
// references that leave the session's data store or touch files: see
// fileFunctions, pathLike and crossDatabase. sql is the text that runs
// (after rewriteCompat); offset is the byte offset of the serialised text
// within it, for error positions.
func (s *session) checkTree(node any, sql string, offset int) error {
	switch n := node.(type) {
	case []any:
		for _, c := range n {
			if err := s.checkTree(c, sql, offset); err != nil {
				return err
			}
		}
	case map[string]any:
		if err := s.checkNode(n, sql, offset); err != nil {
			return err
		}
		for _, c := range n {
			if err := s.checkTree(c, sql, offset); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) checkNode(n map[string]any, sql string, offset int) error {
	str := func(k string) string { v, _ := n[k].(string); return v }
	pos := func() int {
		if loc, ok := number(n["query_location"]); ok && loc >= 0 && int(loc)+offset <= len(sql) {
			return charPosition(sql, int(loc)+offset)
		}
		return 0
	}
	switch {
	case n["type"] == "BASE_TABLE":
		name := strings.Join(nonEmpty(str("catalog_name"), str("schema_name"), str("table_name")), ".")
		if pathLike(str("table_name")) {
			return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos(),
				Message: fmt.Sprintf("permission denied: cannot read file %q", str("table_name")),
				Hint:    "query the data store's tables; file access is not allowed"}
		}
		if s.crossDatabase(str("catalog_name"), str("schema_name")) {
			return crossDatabaseError(name, pos())
		}
	case n["class"] == "FUNCTION":
		name := strings.ToLower(str("function_name"))
		if fileFunctions[name] {
			return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos(),
				Message: fmt.Sprintf("permission denied for function %s", name)}
		}
		if s.crossDatabase(str("catalog"), str("schema")) {
			return crossDatabaseError(strings.Join(nonEmpty(str("catalog"), str("schema"), name), "."), pos())
		}
	case n["type"] == "SHOW_REF" && n["show_type"] == "SHOW_UNQUALIFIED":
		if t := strings.Trim(str("table_name"), `"`); t == "databases" || t == "__show_tables_expanded" {
			return &sqlstate.Error{Code: sqlstate.InsufficientPrivilege, Position: pos(),
				Message: "permission denied: only the current database's tables can be listed", Hint: "use SHOW TABLES"}
		}
	}
	return nil
}

// crossDatabase reports whether a catalog.schema qualification names a
// database other than the session's. DuckDB resolves a two-part name
// "x.t" to database x when the current database has no schema x, so the
// schema is checked too.
func (s *session) crossDatabase(catalog, schema string) bool {
	if catalog == "memory" && schema == "fhirlake_pg" {
		return false // the pg_catalog emulation, see rewriteCompat
	}
	switch catalog {
	case "", s.db, "system", "temp":
	default:
		return true
	}
	return catalog == "" && s.e.isOtherDatabase(schema, s.db)
}

func crossDatabaseError(name string, pos int) error {
	return &sqlstate.Error{Code: sqlstate.FeatureNotSupported, Position: pos,
		Message: fmt.Sprintf("cross-database references are not implemented: %s", name)}
}

// pathLike reports whether a table name would be read as a file by a
// DuckDB replacement scan (FROM 'x.parquet').
func pathLike(name string) bool {
	return strings.ContainsAny(name, `/\.:*?`)
}

func nonEmpty(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tablesRead lists the tables and views a statement's json_serialize_sql
// tree reads, as written (schema.table), sorted and without repeats or
// the statement's own WITH names: for its audit record (wire's
// TableReporter).
func tablesRead(tree any) []string {
	seen, ctes := map[string]bool{}, map[string]bool{}
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case []any:
			for _, c := range n {
				walk(c)
			}
		case map[string]any:
			if n["type"] == "BASE_TABLE" {
				str := func(k string) string { v, _ := n[k].(string); return v }
				seen[strings.Join(nonEmpty(str("catalog_name"), str("schema_name"), str("table_name")), ".")] = true
			}
			if m, ok := n["cte_map"].(map[string]any); ok {
				entries, _ := m["map"].([]any)
				for _, e := range entries {
					if kv, ok := e.(map[string]any); ok {
						if k, ok := kv["key"].(string); ok {
							ctes[k] = true
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
	out := make([]string, 0, len(seen))
	for t := range seen {
		if !ctes[t] {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}
