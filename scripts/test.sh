#!/usr/bin/env bash
# Runs the whole fhirlake test suite, installing what the tests need.
# Usage: bash scripts/test.sh        (CI=true makes a missing client fatal)
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/deps.sh
need_build_tools
# The end-to-end tests drive the real psql client. Without it they skip,
# except under CI=true, where a missing client fails the run.
if ! command -v psql >/dev/null 2>&1; then
  apt_install postgresql-client || [ "${CI:-}" != true ] || exit 1
fi
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
go test -count=1 ./...

echo "== bench with DuckDB's Arrow interface (the configuration results are published with)"
go test -count=1 -tags duckdb_arrow ./bench/

echo "== fhirlake bench --quick (smoke run of the harness; no thresholds)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags duckdb_arrow -o "$tmp/fhirlake" ./cmd/fhirlake
"$tmp/fhirlake" bench --quick --out "$tmp/bench" >"$tmp/bench.log" 2>&1 || { cat "$tmp/bench.log"; exit 1; }
tail -n 3 "$tmp/bench.log"

echo "== go test -race (concurrent packages)"
go test -count=1 -race ./catalog/ ./store/ ./ingest/ ./wire/ ./api/ ./engine/ ./cmd/fhirlake/

echo "test.sh: all tests passed"
