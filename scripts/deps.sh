# Shared by demo.sh and test.sh: install what building and testing need
# on Debian when it is missing (as root), or say what to install.

# apt_install installs Debian packages when root, else explains and fails.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $*"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing: $* (Debian: sudo apt-get install $*)" >&2
    return 1
  fi
}

# need_build_tools: DuckDB's Go bindings use cgo, which needs a C and C++ compiler.
need_build_tools() {
  local pkgs=()
  command -v gcc >/dev/null 2>&1 || pkgs+=(gcc)
  command -v g++ >/dev/null 2>&1 || pkgs+=(g++)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
}

# need_clients installs the real Postgres clients that
# cmd/fhirlake/clients_test.go drives (psql, psycopg2, psycopg 3,
# SQLAlchemy + pandas, pgjdbc + a JDK, psqlODBC + unixODBC, and the npm
# packages pg and postgres), when missing.
need_clients() {
  local pkgs=()
  command -v psql >/dev/null 2>&1 || pkgs+=(postgresql-client)
  /usr/bin/python3 -c 'import psycopg2' 2>/dev/null || pkgs+=(python3-psycopg2)
  /usr/bin/python3 -c 'import psycopg' 2>/dev/null || pkgs+=(python3-psycopg)
  /usr/bin/python3 -c 'import sqlalchemy' 2>/dev/null || pkgs+=(python3-sqlalchemy)
  /usr/bin/python3 -c 'import pandas' 2>/dev/null || pkgs+=(python3-pandas)
  [ -f /usr/share/java/postgresql.jar ] || pkgs+=(libpostgresql-jdbc-java)
  command -v javac >/dev/null 2>&1 || pkgs+=(default-jdk-headless)
  command -v isql >/dev/null 2>&1 || pkgs+=(unixodbc)
  [ -f /usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so ] || pkgs+=(odbc-postgresql)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
  if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}" || return 1; fi
  local node=cmd/fhirlake/testdata/clients/node
  [ -d "$node/node_modules/postgres" ] || (cd "$node" && npm ci --no-audit --no-fund >/dev/null)
  local fhirjs=cmd/fhirlake/testdata/clients/fhir
  [ -d "$fhirjs/node_modules/fhir-kit-client" ] || (cd "$fhirjs" && npm ci --no-audit --no-fund >/dev/null)
}

# need_versitygw installs Versity Gateway, the S3-compatible server that
# the S3 import tests (ingest/remote/s3test) run on loopback, when it is
# neither on PATH nor in $(go env GOPATH)/bin. Building it takes ~80 s.
need_versitygw() {
  command -v versitygw >/dev/null 2>&1 && return 0
  [ -x "$(go env GOPATH)/bin/versitygw" ] && return 0
  echo "installing versitygw (go install, about 80 s)"
  GOFLAGS= go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
}
