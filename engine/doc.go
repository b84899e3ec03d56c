// Package engine runs read-only SQL over the data stores' view tables with
// an in-process DuckDB database and serves it to the Postgres wire server
// through wire.Engine, wire.Session and wire.Rows.
//
// # Layout
//
// One in-memory DuckDB database serves the whole process. Each data store
// is an attached in-memory database of the same name whose main schema
// holds one DuckDB VIEW per fhirlake view, reading the view's current
// Parquet files (Refresh rebuilds them from the catalog). A session opened
// on a database gets its own DuckDB connection with USE <datastore>, so
// sessions share no state.
//
// # Safety
//
// Three layers keep user SQL read-only and inside its data store:
//
//  1. Classification (guard.go): every statement is parsed by DuckDB's own
//     parser through json_serialize_sql. Only statements that serialise (the
//     SELECT family: SELECT, WITH, VALUES, TABLE, FROM-first, DESCRIBE,
//     SHOW TABLES, SUMMARIZE), EXPLAIN of those, transaction control and a
//     few harmless Postgres SET parameters run. Everything else is refused
//     with 42501 (writes, DDL, COPY, ATTACH, INSTALL, LOAD, SET of DuckDB
//     settings, CALL, PRAGMA, USE) or 0A000 (statements DuckDB has that
//     fhirlake does not serve).
//  2. The syntax tree is walked: table functions and scalar functions that
//     read files or run SQL text (read_csv, read_parquet, read_json*,
//     read_text, read_blob, glob, parquet_*, sniff_csv, query, query_table,
//     json_execute_serialized_sql, checkpoint, logging and profiling
//     switches ...), table names that look like file paths (replacement
//     scans such as FROM 'x.parquet') and references to another database
//     (other.main.t, other.t, memory.*) are refused with 42501 or 0A000.
//  3. DuckDB itself is locked down after start-up: extensions cannot be
//     installed or loaded, file access is limited to the data folder
//     (allowed_directories + enable_external_access=false) and the
//     configuration is locked, so a bypass of 1 and 2 can at worst read
//     inside the data folder.
//
// Known leaks: in sessions that see the views, metadata functions such as
// duckdb_databases(), duckdb_tables() and information_schema list the
// names (not the data) of other data stores.
//
// # Scopes
//
// A session sees what its Scope (scope.go) allows; Options.Scope picks it
// per user and database when the wire server opens a session, and
// OpenScoped takes it directly. Each part of a scope is a schema of the
// data store's database: Views is main (the views, the session's current
// schema) and search (the index tables); Audit is audit, whose one view
// audit_log reads the audit records loaded into memory.fhirlake_audit
// (auditlog.go); Deid is deid, one view per de-identified twin of a view
// (catalog.KindDeid), named like the view. A session's search path holds
// every schema of its scope, its current one first (main when it has
// Views), so audit_log needs no qualification and, in a session of Deid
// alone (switched to schema deid, like a session of Audit alone to
// audit), patient is deid.patient. Such a session reads only the twins
// that exist: an unqualified or deid-qualified name that is not one is
// 42P01.
//
// checkScope (scopeguard.go) runs after the checks above: no session
// reaches a schema of its data store outside its scope (an analyst's
// audit.audit_log is 42501) nor the loaded records. A restricted session
// (no Views) reads only its own relations, its WITH names and the
// pg_catalog emulation: any other name, qualified or not, is 42P01 (so
// DuckDB's "did you mean" suggestions cannot name a view), table
// functions other than range, generate_series and unnest are 42501 (no
// duckdb_*() or pragma_*()), and so is SHOW TABLES. The pg_catalog emulation lists the schemas of the scope only
// (variable fhirlake_schemas): psql's \d in an auditor's session shows
// audit_log in schema audit and nothing else. Statement templates are
// cached per scope.
//
// audit_log holds the records of the session's data store, or every
// record when the scope has AuditAll (variable fhirlake_audit_all, which
// user SQL cannot SET). Records are read through an AuditSource
// (AuditFiles tails the plain NDJSON segments; an encrypted log plugs in
// there) and appended to the in-memory table before every statement of a
// session whose scope has Audit, so a statement sees every record
// appended before it started. The table holds the whole log in memory
// and is loaded on the first such statement.
//
// # Postgres compatibility
//
// Result columns are mapped to Postgres type OIDs (types.go) and values to
// the wire.Rows contract (values.go).
//
// Clients' catalog queries are served by a small fhirlake-owned schema,
// memory.fhirlake_pg (pgcatalog.go): Postgres-shaped pg_class,
// pg_namespace, pg_attribute, pg_type, pg_database, pg_tables and pg_roles
// limited to the current data store (every view appears as an ordinary
// table, relkind 'r', owner fhirlake, in schema main); empty pg_policy,
// pg_statistic_ext, pg_publication*, pg_inherits; and the functions
// version(), pg_get_userbyid(), format_type(), pg_get_expr(),
// pg_encoding_to_char(), array_upper(), current_user and session_user.
// DuckDB's parser cannot be asked to rewrite, so rewrite.go edits the
// query text with a small tokenizer that respects strings, quoted
// identifiers and comments: references to those relations and functions,
// qualified with pg_catalog or not, point to memory.fhirlake_pg; other
// pg_catalog.f( calls lose the qualification; ::pg_catalog.regtype style
// casts become DuckDB types; OPERATOR(pg_catalog.~) becomes ~ and
// COLLATE pg_catalog.default disappears; and ~ / !~ / ~* / !~* against a
// string literal get Postgres' search semantics (regex.go; in DuckDB ~ is
// a full match). The read-only check parses the rewritten text. This is
// enough for psql's \dt, \d, \d <table>, \dn and \l (tested with the
// real psql when it is installed); a later catalog layer replaces it.
//
// DuckDB errors are mapped to SQLSTATEs (errors.go); parse errors carry the
// 1-based character position.
package engine
