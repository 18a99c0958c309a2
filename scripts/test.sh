#!/usr/bin/env bash
# The repository's test command: every cargo test (unit, protocol, simulator, end-to-end with
# the real terraform CLI), then the quickstart (scripts/quickstart.sh: build, simulator,
# terraform init / apply / empty plan / destroy), then a short fuzzing run (scripts/fuzz.sh
# short; `scripts/fuzz.sh long` is the long one). Exits non-zero if any fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log="$(mktemp "${TMPDIR:-/tmp}/qualys-test.XXXXXX")"
trap 'rm -f "$log"' EXIT

printf '\n==> cargo test --all-targets\n'
cargo test --all-targets 2>&1 | tee "$log"

if command -v terraform >/dev/null 2>&1; then
    printf '\n==> scripts/quickstart.sh\n'
    scripts/quickstart.sh
    printf '\n==> VARIANT=lenient scripts/quickstart.sh (the other readings of the undocumented API behaviours)\n'
    VARIANT=lenient scripts/quickstart.sh
else
    echo
    echo "=== SKIPPED scripts/quickstart.sh: terraform is not installed (not on PATH) ==="
fi
printf '\n==> scripts/fuzz.sh short (every decoder of untrusted bytes, ~20 s each)\n'
scripts/fuzz.sh short
# One closing line with the cargo test counts (the quickstart and fuzzing passed if we got here).
passed="$(sed -n 's/^test result: .*\. \([0-9]*\) passed;.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')"
failed="$(sed -n 's/^test result: .*; \([0-9]*\) failed;.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')"
printf '\n==> all tests passed (cargo test, quickstart, fuzzing)\n'
echo "tests: ${passed} passed, ${failed} failed"
