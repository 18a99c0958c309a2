#!/usr/bin/env bash
# Conformance with a third-party client used on real tenants: qualysdk 0.4.0 (PyPI), its PM
# calls unchanged, against qualys-pm-simulator --variant strict on 127.0.0.1 (a free port).
# The checks are in scripts/conformance_qualysdk.py (docs/api-readings.md, "Third-party
# clients"). Needs cargo, a Python >= 3.12 (qualysdk 0.4.0 declares Requires-Python
# ">=3.12,<4.0") and PyPI, once: the virtual environment is cached outside the repository,
# keyed by the qualysdk and Python versions, so later runs install nothing.
#
#   scripts/conformance-qualysdk.sh
#   QUALYSDK_PYTHON=/path/to/python3.12 scripts/conformance-qualysdk.sh
#
# Python: $QUALYSDK_PYTHON, else the first of python3.12, python3.13, python3 on PATH, else a
# pyenv-installed 3.12+ (pyenv's shims answer only for the active version), that is >= 3.12.
# When no such Python exists or PyPI cannot be reached, this FAILS saying so; it exits 77
# ("skipped: <reason>", as scripts/test.sh counts skips) only when whoever runs it allowed
# skips with QUALYS_TESTS_ALLOW_SKIPS=1.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
qualysdk_version="0.4.0"

cannot_run() {
  if [ "${QUALYS_TESTS_ALLOW_SKIPS:-}" = 1 ]; then
    echo "skipped: $1"
    exit 77
  fi
  echo "conformance-qualysdk: FAILED: $1 (QUALYS_TESTS_ALLOW_SKIPS=1 counts this as skipped)" >&2
  exit 1
}

is_python_312() {
  [ -n "$1" ] && "$1" -c 'import sys; sys.exit(not ((3, 12) <= sys.version_info[:2] < (4, 0)))' 2>/dev/null
}

find_python() {
  local candidate
  for candidate in "${QUALYSDK_PYTHON:-}" python3.12 python3.13 python3; do
    if is_python_312 "$candidate"; then
      command -v "$candidate"
      return
    fi
  done
  if command -v pyenv >/dev/null; then
    for candidate in "$(pyenv root)"/versions/3.1[2-9]*/bin/python3; do
      if is_python_312 "$candidate"; then
        echo "$candidate"
        return
      fi
    done
  fi
  return 1
}

python="$(find_python)" ||
  cannot_run "no Python >= 3.12 found (qualysdk $qualysdk_version requires it); set QUALYSDK_PYTHON"
python_version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
echo "conformance-qualysdk: Python $python_version ($python)"

venv="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-qualys/qualysdk-$qualysdk_version-py$python_version"
has_qualysdk() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('qualysdk') != '$qualysdk_version')" 2>/dev/null
}
if ! has_qualysdk; then
  index="${PIP_INDEX_URL:-$("$python" -m pip config get global.index-url 2>/dev/null || echo https://pypi.org/simple)}"
  if ! why="$("$python" - "$index" 2>&1 <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1].rstrip("/") + "/qualysdk/", timeout=30).read(1)
except Exception as e:
    sys.exit(str(e))
PY
  )"; then
    cannot_run "PyPI ($index) cannot be reached to install qualysdk==$qualysdk_version: $why"
  fi
  echo "conformance-qualysdk: installing qualysdk==$qualysdk_version into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "qualysdk==$qualysdk_version"
  has_qualysdk || { echo "conformance-qualysdk: qualysdk $qualysdk_version did not install" >&2; exit 1; }
fi

cargo build --quiet --manifest-path "$root/Cargo.toml" -p qualys-pm-simulator
simulator="${CARGO_TARGET_DIR:-$root/target}/debug/qualys-pm-simulator"

work="$(mktemp -d "${TMPDIR:-/tmp}/qualys-conformance.XXXXXX")"
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/sim.out"
"$simulator" --listen 127.0.0.1:0 --variant strict --username qualys --password qualys \
  >"$work/sim.out" 2>"$work/simulator.log" &
sim_pid=$!
read -r first_line <"$work/sim.out"
url="${first_line#listening on }"
cat "$work/sim.out" >/dev/null &
echo "conformance-qualysdk: simulator (strict) at $url"

"$venv/bin/python" "$root/scripts/conformance_qualysdk.py" "$url"
