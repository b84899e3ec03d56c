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
// Known leaks: metadata functions such as duckdb_databases(),
// duckdb_tables() and information_schema list the names (not the data) of
// other data stores.
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
