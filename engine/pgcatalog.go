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
	ownerOID     = 10
	ownerName    = "fhirlake"
)

// sqlTypeNames are format_type's names for the emulated types.
var sqlTypeNames = map[uint32]string{
	oidBool: "boolean", oidInt8: "bigint", oidInt2: "smallint", oidInt4: "integer",
	oidFloat4: "real", oidFloat8: "double precision",
	oidTime: "time without time zone", oidTimeTZ: "time with time zone",
	oidTimestamp: "timestamp without time zone", oidTimestampTZ: "timestamp with time zone",
}

// createCompatSchema creates memory.fhirlake_pg: Postgres-shaped catalog
// relations over the current data store's views, and a few functions.
// rewriteCompat points client queries at them.
func (e *Engine) createCompatSchema(ctx context.Context) error {
	var duck string
	if err := e.admin.QueryRowContext(ctx, "SELECT library_version FROM pragma_version()").Scan(&duck); err != nil {
		return fmt.Errorf("engine: duckdb version: %w", err)
	}
	version := fmt.Sprintf("PostgreSQL 15.0 (fhirlake, DuckDB %s) on %s-linux, compiled by %s, 64-bit", duck, runtime.GOARCH, runtime.Version())
	s := compatSchema
	stmts := []string{
		"CREATE SCHEMA " + s,
		fmt.Sprintf("CREATE MACRO %s.version() AS %s", s, quoteLiteral(version)),
		fmt.Sprintf("CREATE MACRO %s.pg_get_userbyid(id) AS %s", s, quoteLiteral(ownerName)),
		fmt.Sprintf(`CREATE MACRO %s."current_user"() AS getvariable('fhirlake_user')`, s),
		fmt.Sprintf(`CREATE MACRO %s."session_user"() AS getvariable('fhirlake_user')`, s),
		fmt.Sprintf("CREATE MACRO %s.format_type(oid, typmod) AS %s", s, formatTypeSQL()),
		// fhirlake tables have no column defaults or constraints: the
		// expression text is returned as stored.
		// pg_database.encoding is always 6, UTF8.
		fmt.Sprintf("CREATE MACRO %s.pg_encoding_to_char(enc) AS CASE WHEN enc = 6 THEN 'UTF8' ELSE '' END", s),
		// One-dimensional lists: upper bound of dimension 1 is the length.
		fmt.Sprintf("CREATE MACRO %s.array_upper(arr, dim) AS CASE WHEN dim = 1 AND len(arr) > 0 THEN len(arr) END", s),
		// Views over Parquet files cannot be published (replicated).
		fmt.Sprintf("CREATE MACRO %s.pg_relation_is_publishable(id) AS false", s),
		// Extended statistics do not exist (pg_statistic_ext is empty).
		fmt.Sprintf("CREATE MACRO %s.pg_get_statisticsobjdef_columns(id) AS NULL::VARCHAR", s),
		fmt.Sprintf("CREATE MACRO %s.pg_get_expr(expr, relid) AS CAST(expr AS VARCHAR), (expr, relid, pretty) AS CAST(expr AS VARCHAR)", s),
		fmt.Sprintf(`CREATE VIEW %s.pg_namespace AS SELECT oid::BIGINT AS oid, nspname, %d::BIGINT AS nspowner, NULL::VARCHAR[] AS nspacl
			FROM (VALUES (%d, 'pg_catalog'), (%d, 'main'), (%d, 'information_schema')) t(oid, nspname)`, s, ownerOID, nspPGCatalog, nspMain, nspInfo),
		fmt.Sprintf(`CREATE VIEW %s.pg_class AS SELECT view_oid AS oid, view_name AS relname, %d::BIGINT AS relnamespace,
			0::BIGINT AS reltype, 0::BIGINT AS reloftype, %d::BIGINT AS relowner, 0::BIGINT AS relam, 0::BIGINT AS relfilenode,
			0::BIGINT AS reltablespace, 0 AS relpages, -1::FLOAT AS reltuples, 0 AS relallvisible, 0::BIGINT AS reltoastrelid,
			false AS relhasindex, false AS relisshared, 'p' AS relpersistence, 'r' AS relkind, column_count::SMALLINT AS relnatts,
			0::SMALLINT AS relchecks, false AS relhasrules, false AS relhastriggers, false AS relhassubclass,
			false AS relrowsecurity, false AS relforcerowsecurity, true AS relispopulated, 'd' AS relreplident,
			false AS relispartition, 0::BIGINT AS relrewrite, NULL::VARCHAR[] AS relacl, NULL::VARCHAR[] AS reloptions,
			NULL::VARCHAR AS relpartbound
			FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`, s, nspMain, ownerOID),
		fmt.Sprintf(`CREATE VIEW %s.pg_attribute AS SELECT table_oid AS attrelid, column_name AS attname,
			%s AS atttypid, %s AS attlen, column_index::SMALLINT AS attnum, 0 AS attndims, -1 AS attcacheoff,
			CASE WHEN data_type LIKE 'DECIMAL(%%' THEN ((numeric_precision << 16) | numeric_scale) + 4 ELSE -1 END AS atttypmod,
			NOT is_nullable AS attnotnull, false AS atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated,
			false AS attisdropped, true AS attislocal, 0 AS attinhcount, 0::BIGINT AS attcollation, -1 AS attstattarget,
			NULL::VARCHAR[] AS attacl, NULL::VARCHAR[] AS attoptions, NULL::VARCHAR[] AS attfdwoptions
			FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`,
			s, typeOIDSQL("data_type"), typeLenSQL("data_type")),
		fmt.Sprintf(`CREATE VIEW %s.pg_type AS SELECT oid::BIGINT AS oid, typname, %d::BIGINT AS typnamespace, %d::BIGINT AS typowner,
			typlen::SMALLINT AS typlen, typlen > 0 AS typbyval, 'b' AS typtype, typcategory, false AS typispreferred, true AS typisdefined,
			',' AS typdelim, 0::BIGINT AS typrelid, typelem::BIGINT AS typelem, typarray::BIGINT AS typarray, false AS typnotnull,
			0::BIGINT AS typbasetype, -1 AS typtypmod, 0 AS typndims, 0::BIGINT AS typcollation, NULL::VARCHAR AS typdefault
			FROM (VALUES %s) t(oid, typname, typlen, typcategory, typelem, typarray)`, s, nspPGCatalog, ownerOID, pgTypeRows()),
		fmt.Sprintf(`CREATE VIEW %s.pg_database AS SELECT 16384::BIGINT AS oid, current_database() AS datname, %d::BIGINT AS datdba,
			6 AS encoding, 'c' AS datlocprovider, 'C' AS datcollate, 'C' AS datctype, NULL::VARCHAR AS daticulocale, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
			NULL::VARCHAR[] AS datacl`, s, ownerOID),
		fmt.Sprintf(`CREATE VIEW %s.pg_roles AS SELECT %d::BIGINT AS oid, %s AS rolname, true AS rolsuper, false AS rolinherit,
			false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
			NULL::TIMESTAMPTZ AS rolvaliduntil, false AS rolbypassrls, NULL::VARCHAR[] AS rolconfig`, s, ownerOID, quoteLiteral(ownerName)),
		fmt.Sprintf(`CREATE VIEW %s.pg_tables AS SELECT 'main' AS schemaname, view_name AS tablename, %s AS tableowner,
			NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
			FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`, s, quoteLiteral(ownerName)),
	}
	stmts = append(stmts, emptyRelations()...)
	return e.execAll(ctx, "create pg_catalog emulation", stmts)
}

// typeOIDSQL is a CASE expression mapping a DuckDB type name column to
// the Postgres OID, following resolveType for every name it knows.
func typeOIDSQL(col string) string {
	return typeCaseSQL(col, func(t colType) int { return int(t.OID) })
}

func typeLenSQL(col string) string {
	return typeCaseSQL(col, func(t colType) int { return int(t.Size) })
}

func typeCaseSQL(col string, f func(colType) int) string {
	names := make([]string, 0, len(duckToPG))
	for n := range duckToPG {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("CASE")
	for _, n := range names {
		fmt.Fprintf(&b, " WHEN %s = %s THEN %d", col, quoteLiteral(n), f(resolveType(n)))
		fmt.Fprintf(&b, " WHEN %s = %s THEN %d", col, quoteLiteral(n+"[]"), f(resolveType(n+"[]")))
	}
	fmt.Fprintf(&b, " WHEN %s LIKE 'DECIMAL%%]' THEN %d", col, f(resolveType("DECIMAL(18,3)[]")))
	fmt.Fprintf(&b, " WHEN %s LIKE 'DECIMAL%%' THEN %d", col, f(resolveType("DECIMAL(18,3)")))
	fmt.Fprintf(&b, " WHEN %s LIKE '%%]' THEN %d", col, f(resolveType("VARCHAR[]")))
	fmt.Fprintf(&b, " ELSE %d END", f(resolveType("VARCHAR")))
	return b.String()
}

// pgTypeRows renders pgTypes and their array types as VALUES rows
// (oid, typname, typlen, typcategory, typelem, typarray).
func pgTypeRows() string {
	var rows []string
	for _, t := range pgTypes {
		rows = append(rows,
			fmt.Sprintf("(%d, %s, %d, %s, 0, %d)", t.OID, quoteLiteral(t.Name), t.Len, quoteLiteral(typeCategory(t.OID)), t.Array),
			fmt.Sprintf("(%d, %s, -1, 'A', %d, 0)", t.Array, quoteLiteral("_"+t.Name), t.OID))
	}
	return strings.Join(rows, ", ")
}

func typeCategory(oid uint32) string {
	switch oid {
	case oidBool:
		return "B"
	case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8, oidNumeric:
		return "N"
	case oidDate, oidTime, oidTimeTZ, oidTimestamp, oidTimestampTZ:
		return "D"
	case oidInterval:
		return "T"
	case oidText:
		return "S"
	}
	return "U"
}

// formatTypeSQL is the body of format_type(oid, typmod).
func formatTypeSQL() string {
	var b strings.Builder
	b.WriteString("CASE")
	b.WriteString(" WHEN oid = 1700 AND typmod > 4 THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')'")
	b.WriteString(" WHEN oid = 1231 AND typmod > 4 THEN 'numeric(' || ((typmod - 4) >> 16) || ',' || ((typmod - 4) & 65535) || ')[]'")
	for _, t := range pgTypes {
		name := t.Name
		if n, ok := sqlTypeNames[t.OID]; ok {
			name = n
		}
		fmt.Fprintf(&b, " WHEN oid = %d THEN %s WHEN oid = %d THEN %s", t.OID, quoteLiteral(name), t.Array, quoteLiteral(name+"[]"))
	}
	b.WriteString(" ELSE '???' END")
	return b.String()
}

// emptyRelations are catalog relations for features fhirlake tables never
// have (row security policies, extended statistics, publications,
// inheritance): they exist, with the columns clients read, and no rows.
var emptyRelations = func() []string {
	defs := map[string]string{
		"pg_policy":                "polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR",
		"pg_statistic_ext":         "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[], stxexprs VARCHAR",
		"pg_publication":           "oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN",
		"pg_publication_rel":       "oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]",
		"pg_publication_namespace": "oid BIGINT, pnpubid BIGINT, pnnspid BIGINT",
		"pg_inherits":              "inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN",
	}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		cols := strings.Split(defs[n], ", ")
		sel := make([]string, len(cols))
		for j, c := range cols {
			name, typ, _ := strings.Cut(c, " ")
			sel[j] = fmt.Sprintf("NULL::%s AS %s", typ, name)
		}
		out[i] = fmt.Sprintf("CREATE VIEW %s.%s AS SELECT %s WHERE false", compatSchema, n, strings.Join(sel, ", "))
	}
	return out
}
