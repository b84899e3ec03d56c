#!/usr/bin/env bash
# Runs the whole fhirlake test suite, installing what the tests need.
# Usage: bash scripts/test.sh        (CI=true makes a missing client fatal)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v psql >/dev/null 2>&1 || need_apt+=(postgresql-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need_apt[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "test.sh: missing ${need_apt[*]}: install them (Debian: sudo apt-get install ${need_apt[*]})" >&2
    [ "${CI:-}" = true ] && exit 1
  fi
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

echo "== go test -race (concurrent packages)"
go test -count=1 -race ./catalog/ ./store/ ./ingest/ ./wire/ ./api/ ./engine/ ./cmd/fhirlake/

echo "test.sh: all tests passed"
