package engine

import "fmt"

// catalogFunctions are the Postgres functions the emulation serves, as
// DuckDB macros; version is version()'s text. Arguments are named p_x so
// that they cannot be confused with catalog columns in subqueries.
func catalogFunctions(version string) []compatFunction {
	s := compatSchema
	yes := func(name string, arities ...int) compatFunction {
		f := compatFunction{Name: name}
		for _, n := range arities {
			f.Overloads = append(f.Overloads, fmt.Sprintf("(%s) AS true", params(n)))
		}
		return f
	}
	return []compatFunction{
		{Name: "version", Overloads: []string{"() AS " + quoteLiteral(version)}},
		// Postgres raises 22012 where DuckDB gives NULL or Infinity; the
		// rewrite turns a / b and a % b into these (see rewriter.operator).
		{Name: "pg_div", Overloads: []string{"(p_a, p_b) AS CASE WHEN p_b = 0 THEN error('" + divisionByZero + "') ELSE p_a / p_b END"}},
		{Name: "pg_mod", Overloads: []string{"(p_a, p_b) AS CASE WHEN p_b = 0 THEN error('" + divisionByZero + "') ELSE p_a % p_b END"}},
		{Name: "pg_get_userbyid", Overloads: []string{fmt.Sprintf("(p_a) AS CASE WHEN p_a = %d THEN %s ELSE 'unknown (OID=' || p_a || ')' END", ownerOID, quoteLiteral(ownerName))}},
		{Name: "current_user", Overloads: []string{"() AS getvariable('fhirlake_user')"}},
		{Name: "session_user", Overloads: []string{"() AS getvariable('fhirlake_user')"}},
		{Name: "current_schema", Overloads: []string{"() AS " + sessionSchemas + "[1]"}},
		{Name: "current_schemas", Overloads: []string{"(p_a) AS CASE WHEN p_a THEN list_prepend('pg_catalog', " + sessionSchemas + ") ELSE " + sessionSchemas + " END"}},
		{Name: "current_setting", Overloads: []string{
			fmt.Sprintf("(p_a) AS (SELECT setting FROM %s.pg_settings WHERE lower(name) = lower(p_a))", s),
			fmt.Sprintf("(p_a, p_b) AS (SELECT setting FROM %s.pg_settings WHERE lower(name) = lower(p_a))", s)}},
		// Settings cannot change in a read-only session; the value is
		// returned as Postgres does, and not kept.
		{Name: "set_config", Overloads: []string{"(p_a, p_b, p_c) AS p_b"}},
		{Name: "format_type", Overloads: []string{"(oid, typmod) AS " + formatTypeSQL()}},
		// fhirlake tables have no defaults, indexes or constraints: the
		// expression text is returned as stored, the rest is NULL.
		{Name: "pg_get_expr", Overloads: []string{"(p_a, p_b) AS CAST(p_a AS VARCHAR)", "(p_a, p_b, p_c) AS CAST(p_a AS VARCHAR)"}},
		{Name: "pg_get_indexdef", Overloads: []string{"(p_a) AS NULL::VARCHAR", "(p_a, p_b, p_c) AS NULL::VARCHAR"}},
		{Name: "pg_get_constraintdef", Overloads: []string{"(p_a) AS NULL::VARCHAR", "(p_a, p_b) AS NULL::VARCHAR"}},
		{Name: "pg_get_viewdef", Overloads: []string{"(p_a) AS NULL::VARCHAR", "(p_a, p_b) AS NULL::VARCHAR"}},
		{Name: "pg_get_statisticsobjdef_columns", Overloads: []string{"(p_a) AS NULL::VARCHAR"}},
		{Name: "pg_relation_is_publishable", Overloads: []string{"(p_a) AS false"}},
		// Views over Parquet files have no Postgres storage or sequences.
		{Name: "pg_get_serial_sequence", Overloads: []string{"(p_a, p_b) AS NULL::VARCHAR"}},
		{Name: "pg_table_size", Overloads: []string{"(p_a) AS 0::BIGINT"}},
		{Name: "pg_relation_size", Overloads: []string{"(p_a) AS 0::BIGINT", "(p_a, p_b) AS 0::BIGINT"}},
		{Name: "pg_total_relation_size", Overloads: []string{"(p_a) AS 0::BIGINT"}},
		{Name: "pg_indexes_size", Overloads: []string{"(p_a) AS 0::BIGINT"}},
		{Name: "pg_size_pretty", Overloads: []string{"(p_a) AS CAST(p_a AS VARCHAR) || ' bytes'"}},
		{Name: "pg_is_in_recovery", Overloads: []string{"() AS false"}},
		{Name: "pg_backend_pid", Overloads: []string{"() AS 0"}},
		yes("pg_table_is_visible", 1),
		yes("pg_type_is_visible", 1),
		yes("pg_function_is_visible", 1),
		yes("has_table_privilege", 2, 3),
		yes("has_schema_privilege", 2, 3),
		yes("has_database_privilege", 2, 3),
		yes("has_column_privilege", 3, 4),
		yes("has_any_column_privilege", 2, 3),
		yes("has_function_privilege", 2, 3),
		yes("has_sequence_privilege", 2, 3),
		{Name: "quote_ident", Overloads: []string{`(p_a) AS CASE WHEN regexp_full_match(p_a, '[a-z_][a-z0-9_$]*')
			AND p_a NOT IN (SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category <> 'unreserved')
			THEN p_a ELSE '"' || replace(p_a, '"', '""') || '"' END`}},
		// Names are split at every dot, also inside double quotes.
		{Name: "parse_ident", Overloads: []string{
			`(p_a) AS list_transform(string_split(p_a, '.'), x -> CASE WHEN x LIKE '"%"' THEN replace(x[2:-2], '""', '"') ELSE lower(x) END)`,
			`(p_a, p_b) AS list_transform(string_split(p_a, '.'), x -> CASE WHEN x LIKE '"%"' THEN replace(x[2:-2], '""', '"') ELSE lower(x) END)`}},
		// fhirlake arrays are one-dimensional and start at 1.
		{Name: "array_upper", Overloads: []string{"(p_a, p_b) AS CASE WHEN p_b = 1 AND len(p_a) > 0 THEN len(p_a) END"}},
		{Name: "array_lower", Overloads: []string{"(p_a, p_b) AS CASE WHEN p_b = 1 AND len(p_a) > 0 THEN 1 END"}},
		// pg_database.encoding is always 6, UTF8.
		{Name: "pg_encoding_to_char", Overloads: []string{"(p_a) AS CASE WHEN p_a = 6 THEN 'UTF8' ELSE '' END"}},
		{Name: "obj_description", Overloads: []string{
			fmt.Sprintf("(p_a) AS (SELECT first(description) FROM %s.pg_description WHERE objoid = p_a AND objsubid = 0)", s),
			fmt.Sprintf("(p_a, p_b) AS (SELECT first(description) FROM %s.pg_description WHERE objoid = p_a AND objsubid = 0 AND p_b = 'pg_class')", s)}},
		{Name: "col_description", Overloads: []string{
			fmt.Sprintf("(p_a, p_b) AS (SELECT first(description) FROM %s.pg_description WHERE objoid = p_a AND objsubid = p_b)", s)}},
		{Name: "shobj_description", Overloads: []string{"(p_a, p_b) AS NULL::VARCHAR"}},
		{Name: "pg_get_keywords", Table: true, Overloads: []string{`() AS SELECT keyword_name AS word,
			CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'unreserved' THEN 'U' WHEN 'type_function' THEN 'T' ELSE 'C' END AS catcode,
			true AS barelabel, CASE keyword_category WHEN 'reserved' THEN 'reserved' WHEN 'unreserved' THEN 'unreserved'
			WHEN 'type_function' THEN 'reserved (can be function or type name)' ELSE 'unreserved (cannot be function or type name)' END AS catdesc,
			'can be bare label' AS baredesc FROM duckdb_keywords()`}},
		// The reg* casts (see regCast): name to OID, OID to name. regproc
		// values are function names throughout.
		{Name: "regclass_oid", Overloads: []string{fmt.Sprintf(`(p_a) AS COALESCE((SELECT first(oid) FROM %s.pg_class
			WHERE relname = list_last(%s.parse_ident(p_a))), %s)`, s, s, catalogOIDSQL("list_last("+s+".parse_ident(p_a))"))}},
		{Name: "regclass_name", Overloads: []string{fmt.Sprintf("(p_a) AS COALESCE((SELECT first(relname) FROM %s.pg_class WHERE oid = p_a), CAST(p_a AS VARCHAR))", s)}},
		{Name: "regtype_oid", Overloads: []string{fmt.Sprintf(`(p_a) AS (SELECT first(oid) FROM %s.pg_type
			WHERE typname = list_last(%s.parse_ident(p_a)) OR %s.format_type(oid, NULL) = lower(p_a))`, s, s, s)}},
		{Name: "regtype_name", Overloads: []string{fmt.Sprintf("(p_a) AS %s.format_type(p_a, NULL)", s)}},
		{Name: "regproc_oid", Overloads: []string{fmt.Sprintf("(p_a) AS list_last(%s.parse_ident(p_a))", s)}},
		{Name: "regproc_name", Overloads: []string{"(p_a) AS CAST(p_a AS VARCHAR)"}},
		{Name: "regnamespace_oid", Overloads: []string{fmt.Sprintf("(p_a) AS (SELECT first(oid) FROM %s.pg_namespace WHERE nspname = p_a)", s)}},
		{Name: "regnamespace_name", Overloads: []string{fmt.Sprintf("(p_a) AS (SELECT first(nspname) FROM %s.pg_namespace WHERE oid = p_a)", s)}},
		{Name: "regrole_oid", Overloads: []string{fmt.Sprintf("(p_a) AS %d", ownerOID)}},
		{Name: "regrole_name", Overloads: []string{fmt.Sprintf("(p_a) AS %s.pg_get_userbyid(p_a)", s)}},
	}
}

// params is "p_a, p_b, ..." for n parameters.
func params(n int) string {
	out := ""
	for i := 0; i < n; i++ {
		if i > 0 {
			out += ", "
		}
		out += "p_" + string(rune('a'+i))
	}
	return out
}

// catalogOIDs are Postgres' OIDs of its own catalogs, which clients
// write as 'pg_class'::regclass (pg_description.classoid).
var catalogOIDs = map[string]int{
	"pg_type": 1247, "pg_attribute": 1249, "pg_proc": 1255, "pg_class": classPGClass, "pg_namespace": 2615,
	"pg_constraint": 2606, "pg_description": 2609, "pg_database": 1262, "pg_am": 2601, "pg_index": 2610,
	"pg_attrdef": 2604, "pg_trigger": 2620, "pg_rewrite": 2618, "pg_authid": 1260, "pg_collation": 3456,
}

// catalogOIDSQL maps a relation name expression to catalogOIDs.
func catalogOIDSQL(name string) string {
	out := "CASE " + name
	for _, k := range sortedKeys(catalogOIDs) {
		out += fmt.Sprintf(" WHEN %s THEN %d", quoteLiteral(k), catalogOIDs[k])
	}
	return out + " END"
}
