#!/usr/bin/env bash
# Runs the whole fhirlake test suite, installing what the tests need.
# Usage: bash scripts/test.sh        (CI=true makes a missing client fatal)
set -euo pipefail
cd "$(dirname "$0")/.."
# Results stream from DuckDB as Arrow batches (engine/arrow.go); the
# product is built this way, so it is tested this way. The engine is also
# tested once without the tag, the database/sql fallback.
export GOFLAGS="-tags=duckdb_arrow"

source scripts/deps.sh
need_build_tools
# The end-to-end tests drive the real psql client. Without it they skip,
# except under CI=true, where a missing client fails the run.
if ! command -v psql >/dev/null 2>&1; then
  apt_install postgresql-client || [ "${CI:-}" != true ] || exit 1
fi
# The client matrix (cmd/fhirlake/clients_test.go) drives real clients.
need_clients || [ "${CI:-}" != true ] || exit 1
# The S3 import tests run against a real S3-compatible server on loopback.
need_versitygw || [ "${CI:-}" != true ] || exit 1
# The benchmark harness's smoke test starts a throw-away PostgreSQL 15 server.
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql || [ "${CI:-}" != true ] || exit 1
fi

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

echo "== go test"
go test -count=1 -timeout 30m ./...

echo "== engine without the duckdb_arrow tag (the database/sql fallback)"
GOFLAGS= go test -count=1 ./engine/

echo "== fhirlake bench --quick (smoke run of the harness; no thresholds)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/fhirlake" ./cmd/fhirlake
"$tmp/fhirlake" bench --quick --out "$tmp/bench" >"$tmp/bench.log" 2>&1 || { cat "$tmp/bench.log"; exit 1; }
tail -n 3 "$tmp/bench.log"

echo "== go test -race (concurrent packages)"
go test -count=1 -timeout 30m -race ./catalog/ ./store/ ./ingest/ ./ingest/remote/ ./ingest/resolve/ ./jobs/ ./wire/ ./api/ ./export/ ./engine/ ./audit/ ./auth/lockout/ ./auth/backend/ ./cmd/fhirlake/

echo "test.sh: all tests passed"
