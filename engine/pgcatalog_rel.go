package engine

import (
	"fmt"
	"strings"
)

// catalogRelations are the pg_catalog relations with rows: the data
// store's views as tables, their columns with Postgres type OIDs (as
// resolveType, which RowDescription uses too), types, descriptions and
// the fixed rows of a one-database, one-role server.
func catalogRelations() []compatRelation {
	return []compatRelation{
		{"pg_namespace", fmt.Sprintf(`SELECT oid::BIGINT AS oid, nspname, %d::BIGINT AS nspowner, NULL::VARCHAR[] AS nspacl
			FROM (VALUES (%d, 'pg_catalog'), (%d, 'main'), (%d, 'information_schema'), (%d, 'audit'), (%d, 'deid')) t(oid, nspname)
			WHERE nspname NOT IN ('audit', 'deid') OR list_contains(%s, nspname)`, ownerOID, nspPGCatalog, nspMain, nspInfo, nspAudit, nspDeid, sessionSchemas)},
		{"pg_class", fmt.Sprintf(`SELECT view_oid AS oid, view_name AS relname, %s AS relnamespace,
			0::BIGINT AS reltype, 0::BIGINT AS reloftype, %d::BIGINT AS relowner, 2::BIGINT AS relam, 0::BIGINT AS relfilenode,
			0::BIGINT AS reltablespace, 0 AS relpages, -1::FLOAT AS reltuples, 0 AS relallvisible, 0::BIGINT AS reltoastrelid,
			false AS relhasindex, false AS relisshared, 'p' AS relpersistence, 'r' AS relkind, column_count::SMALLINT AS relnatts,
			0::SMALLINT AS relchecks, false AS relhasrules, false AS relhastriggers, false AS relhassubclass,
			false AS relrowsecurity, false AS relforcerowsecurity, true AS relispopulated, 'd' AS relreplident,
			false AS relispartition, 0::BIGINT AS relrewrite, 0::BIGINT AS relfrozenxid, 0::BIGINT AS relminmxid,
			NULL::VARCHAR[] AS relacl, NULL::VARCHAR[] AS reloptions, NULL::VARCHAR AS relpartbound
			FROM %s`, nspOIDSQL, ownerOID, userViews)},
		{"pg_attribute", fmt.Sprintf(`SELECT table_oid AS attrelid, column_name AS attname,
			%s AS atttypid, %s::SMALLINT AS attlen, column_index::SMALLINT AS attnum, 0 AS attndims, -1 AS attcacheoff,
			%s AS atttypmod, false AS attbyval, 'x' AS attalign, 'x' AS attstorage, '' AS attcompression,
			NOT is_nullable AS attnotnull, false AS atthasdef, false AS atthasmissing, '' AS attidentity, '' AS attgenerated,
			false AS attisdropped, true AS attislocal, 0 AS attinhcount, 0::BIGINT AS attcollation, -1 AS attstattarget,
			NULL::VARCHAR[] AS attacl, NULL::VARCHAR[] AS attoptions, NULL::VARCHAR[] AS attfdwoptions, NULL::VARCHAR AS attmissingval
			FROM %s`, typeOIDSQL("data_type"), typeLenSQL("data_type"), typeModSQL("data_type"), userColumns)},
		{"pg_type", pgTypeSQL()},
		{"pg_description", fmt.Sprintf(`SELECT view_oid AS objoid, %[1]d::BIGINT AS classoid, 0 AS objsubid, comment AS description
			FROM %[2]s AND comment IS NOT NULL AND comment <> ''
			UNION ALL SELECT table_oid, %[1]d::BIGINT, column_index, comment
			FROM %[3]s AND comment IS NOT NULL AND comment <> ''`, classPGClass, userViews, userColumns)},
		{"pg_database", fmt.Sprintf(`SELECT 16384::BIGINT AS oid, current_database() AS datname, %d::BIGINT AS datdba,
			6 AS encoding, 'c' AS datlocprovider, 'C' AS datcollate, 'C' AS datctype, NULL::VARCHAR AS daticulocale,
			NULL::VARCHAR AS daticurules, NULL::VARCHAR AS datcollversion, false AS datistemplate, true AS datallowconn,
			-1 AS datconnlimit, 0::BIGINT AS datfrozenxid, 0::BIGINT AS datminmxid, 1663::BIGINT AS dattablespace,
			NULL::VARCHAR[] AS datacl`, ownerOID)},
		{"pg_roles", fmt.Sprintf(`SELECT %d::BIGINT AS oid, %s AS rolname, true AS rolsuper, true AS rolinherit,
			false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
			'********' AS rolpassword, NULL::TIMESTAMPTZ AS rolvaliduntil, false AS rolbypassrls, NULL::VARCHAR[] AS rolconfig`,
			ownerOID, quoteLiteral(ownerName))},
		{"pg_user", fmt.Sprintf(`SELECT %s AS usename, %d::BIGINT AS usesysid, false AS usecreatedb, true AS usesuper,
			false AS userepl, false AS usebypassrls, '********' AS passwd, NULL::TIMESTAMPTZ AS valuntil, NULL::VARCHAR[] AS useconfig`,
			quoteLiteral(ownerName), ownerOID)},
		{"pg_tables", fmt.Sprintf(`SELECT schema_name AS schemaname, view_name AS tablename, %s AS tableowner,
			NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
			FROM %s`, quoteLiteral(ownerName), userViews)},
		{"pg_stat_user_tables", fmt.Sprintf(`SELECT view_oid AS relid, schema_name AS schemaname, view_name AS relname,
			0::BIGINT AS seq_scan, 0::BIGINT AS seq_tup_read, NULL::BIGINT AS idx_scan, NULL::BIGINT AS idx_tup_fetch,
			0::BIGINT AS n_tup_ins, 0::BIGINT AS n_tup_upd, 0::BIGINT AS n_tup_del, 0::BIGINT AS n_tup_hot_upd,
			0::BIGINT AS n_live_tup, 0::BIGINT AS n_dead_tup, NULL::TIMESTAMPTZ AS last_vacuum, NULL::TIMESTAMPTZ AS last_autovacuum,
			NULL::TIMESTAMPTZ AS last_analyze, NULL::TIMESTAMPTZ AS last_autoanalyze
			FROM %s`, userViews)},
		{"pg_am", `SELECT oid::BIGINT AS oid, amname, amhandler, amtype
			FROM (VALUES (2, 'heap', 'heap_tableam_handler', 't'), (403, 'btree', 'bthandler', 'i'),
			(405, 'hash', 'hashhandler', 'i')) t(oid, amname, amhandler, amtype)`},
		{"pg_proc", fmt.Sprintf(`SELECT (100000 + row_number() OVER (ORDER BY function_name))::BIGINT AS oid, function_name AS proname,
			%d::BIGINT AS pronamespace, %d::BIGINT AS proowner, 12::BIGINT AS prolang, 1::FLOAT AS procost, 0::FLOAT AS prorows,
			0::BIGINT AS provariadic, '-' AS prosupport, kind AS prokind, false AS prosecdef, false AS proleakproof,
			false AS proisstrict, kind = 't' AS proretset, 'i' AS provolatile, 's' AS proparallel, 0::SMALLINT AS pronargs,
			0::SMALLINT AS pronargdefaults, 25::BIGINT AS prorettype, '' AS proargtypes, NULL::BIGINT[] AS proallargtypes,
			NULL::VARCHAR[] AS proargmodes, NULL::VARCHAR[] AS proargnames, NULL::VARCHAR AS proargdefaults,
			NULL::BIGINT[] AS protrftypes, function_name AS prosrc, NULL::VARCHAR AS probin, NULL::VARCHAR AS prosqlbody,
			NULL::VARCHAR[] AS proconfig, NULL::VARCHAR[] AS proacl
			FROM (SELECT function_name, CASE WHEN bool_or(function_type = 'aggregate') THEN 'a' ELSE 'f' END AS kind
			FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro') AND NOT starts_with(function_name, '__')
			GROUP BY function_name)`, nspPGCatalog, ownerOID)},
		{"pg_settings", settingsSQL()},
	}
}

// typeOIDSQL is a CASE expression mapping a DuckDB type name column to
// the Postgres OID, following resolveType for every name it knows.
func typeOIDSQL(col string) string {
	return typeCaseSQL(col, func(t colType) string { return fmt.Sprint(t.OID) })
}

// typeLenSQL maps a DuckDB type name column to typlen.
func typeLenSQL(col string) string {
	return typeCaseSQL(col, func(t colType) string { return fmt.Sprint(t.Size) })
}

// typeModSQL maps a DuckDB type name column to the typmod resolveType
// gives: numeric(p,s) carries its precision and scale.
func typeModSQL(col string) string {
	return fmt.Sprintf(`CASE WHEN %[1]s LIKE 'DECIMAL(%%)' THEN
		((TRY_CAST(regexp_extract(%[1]s, 'DECIMAL\((\d+),', 1) AS INTEGER) << 16)
		| TRY_CAST(regexp_extract(%[1]s, ',(\d+)\)', 1) AS INTEGER)) + 4 ELSE -1 END`, col)
}

// typeCaseSQL is a CASE expression on a DuckDB type name column giving
// f of the name's resolveType, for every name duckToPG knows, their
// lists, decimals, and text for the rest.
func typeCaseSQL(col string, f func(colType) string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, n := range sortedKeys(duckToPG) {
		fmt.Fprintf(&b, " WHEN %s = %s THEN %s", col, quoteLiteral(n), f(resolveType(n)))
		fmt.Fprintf(&b, " WHEN %s = %s THEN %s", col, quoteLiteral(n+"[]"), f(resolveType(n+"[]")))
	}
	fmt.Fprintf(&b, " WHEN %s LIKE 'DECIMAL%%]' THEN %s", col, f(resolveType("DECIMAL(18,3)[]")))
	fmt.Fprintf(&b, " WHEN %s LIKE 'DECIMAL%%' THEN %s", col, f(resolveType("DECIMAL(18,3)")))
	fmt.Fprintf(&b, " WHEN %s LIKE '%%]' THEN %s", col, f(resolveType("VARCHAR[]")))
	fmt.Fprintf(&b, " ELSE %s END", f(resolveType("VARCHAR")))
	return b.String()
}

// settings are the values current_setting and pg_settings report; they
// agree with the defaults the wire layer reports at start-up.
var settings = map[string]string{
	"server_version": "15.0", "server_version_num": "150000", "server_encoding": "UTF8",
	"client_encoding": "UTF8", "DateStyle": "ISO, MDY", "IntervalStyle": "postgres", "TimeZone": "UTC",
	"integer_datetimes": "on", "standard_conforming_strings": "on", "search_path": `"$user", public`,
	"max_identifier_length": "63", "default_transaction_read_only": "on", "transaction_read_only": "on",
	"lc_collate": "C", "lc_ctype": "C", "max_index_keys": "32", "block_size": "8192", "is_superuser": "off",
	"default_transaction_isolation": "read committed", "transaction_isolation": "read committed",
	"bytea_output": "hex", "extra_float_digits": "1", "application_name": "", "statement_timeout": "0",
}

// settingsSQL is pg_settings' body.
func settingsSQL() string {
	rows := make([]string, 0, len(settings))
	for _, k := range sortedKeys(settings) {
		rows = append(rows, fmt.Sprintf("(%s, %s)", quoteLiteral(k), quoteLiteral(settings[k])))
	}
	return fmt.Sprintf(`SELECT name, setting, NULL::VARCHAR AS unit, 'Preset Options' AS category, '' AS short_desc,
		NULL::VARCHAR AS extra_desc, 'internal' AS context, 'string' AS vartype, 'default' AS source,
		NULL::VARCHAR AS min_val, NULL::VARCHAR AS max_val, NULL::VARCHAR[] AS enumvals, setting AS boot_val,
		setting AS reset_val, NULL::VARCHAR AS sourcefile, NULL::INTEGER AS sourceline, false AS pending_restart
		FROM (VALUES %s) t(name, setting)`, strings.Join(rows, ", "))
}
