#!/usr/bin/env bash
# Builds bin/fhirlake and runs it on the embedded default: a data store
# "demo" in ./fhirlake-data with generated patients, the Postgres wire
# server on 127.0.0.1:5433 and FHIR HTTP on 127.0.0.1:8080.
# Extra arguments go to `fhirlake serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
need_build_tools
echo "demo.sh: building bin/fhirlake (the first build compiles DuckDB bindings: about a minute)"
# duckdb_arrow: results stream from DuckDB as Arrow batches (see engine/arrow.go).
go build -tags duckdb_arrow -o bin/fhirlake ./cmd/fhirlake
exec ./bin/fhirlake serve --demo "$@"
