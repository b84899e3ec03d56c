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
