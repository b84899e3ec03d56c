// Package bench is fhirlake's end-to-end benchmark harness: it generates
// synthetic FHIR data deterministically (package synth), starts the baselines
// itself, runs fhirlake and each baseline on the same data in the same run,
// and reports every figure with its median, minimum, maximum and its ratio
// against each baseline.
//
// The main types are:
//   - Suite, one workload that measures fhirlake and its baselines and
//     returns Results: ingest (vs PostgreSQL COPY into jsonb), flatten (vs
//     DuckDB SQL over the NDJSON), analytics (vs plain DuckDB over the same
//     Parquet and PostgreSQL over jsonb), fhir (vs a bare Go HTTP server) and
//     wire (vs PostgreSQL streaming the same rows);
//   - Alternate, the runner: warm-up rounds, then repeated rounds that
//     rotate the order of the systems so no system always runs first;
//   - Postgres, a throw-away PostgreSQL 15 server in a temporary data
//     directory on a free loopback port;
//   - Report, written as results.json, RESULTS.md (WriteMarkdown) and SVG
//     scale-curve plots (WritePlots, with gonum.org/v1/plot).
//
// Rules the harness enforces: no figure is hard-coded or estimated, a
// baseline that cannot start fails the run, and analytic answers that differ
// between systems fail the suite (and so do differing flatten outputs,
// FHIR reads and streamed rows). The SQL of the analytics suite is kept in
// queries/*.sql (fhirlake's views, run over the Postgres wire protocol and by
// plain DuckDB over the same Parquet files) and queries/pg/*.sql (the
// equivalent SQL over PostgreSQL jsonb tables); the flatten suite's
// ViewDefinitions are views/*.json, with their DuckDB SQL in
// views/duckdb/*.sql.
//
// Build with -tags duckdb_arrow to query the DuckDB baseline through its
// Arrow interface (duckdb_arrow.go) rather than database/sql.
//
// The issue that specifies the harness is fhirlake issue 3; the command is
// `fhirlake bench`.
package bench
