#!/usr/bin/env bash
# The repository's test command: every cargo test (unit, protocol, simulator, end-to-end with
# the real terraform CLI), then the quickstart in both simulator variants (scripts/quickstart.sh:
# build, simulator, terraform init / apply / empty plan / destroy), then a short fuzzing run of
# each target (scripts/fuzz.sh short; `scripts/fuzz.sh long` is the long one).
# Every part runs even when an earlier one fails, so that the closing line
#   tests: N passed, M failed
# counts everything: each cargo test, each quickstart variant, each fuzz target. Exits non-zero
# when anything failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log="$(mktemp "${TMPDIR:-/tmp}/qualys-test.XXXXXX")"
trap 'rm -f "$log"' EXIT

passed=0
failed=0
failures=()
# one non-cargo part: counted as one test
part() {
    local name="$1"
    shift
    printf '\n==> %s\n' "$name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

printf '\n==> cargo test --all-targets\n'
cargo test --all-targets --no-fail-fast 2>&1 | tee "$log"
cargo_rc=${PIPESTATUS[0]}
cargo_passed="$(sed -n 's/^test result: .*\. \([0-9]*\) passed;.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')"
cargo_failed="$(sed -n 's/^test result: .*; \([0-9]*\) failed;.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')"
passed=$((passed + cargo_passed))
failed=$((failed + cargo_failed))
if [ "$cargo_rc" -ne 0 ]; then
    failures+=("cargo test")
    # a build failure runs no test at all: count it, so the line never reads "0 failed"
    [ "$cargo_failed" -gt 0 ] || failed=$((failed + 1))
fi

if command -v terraform >/dev/null 2>&1; then
    part "scripts/quickstart.sh" scripts/quickstart.sh
    part "VARIANT=lenient scripts/quickstart.sh (the other readings of the undocumented API behaviours)" \
        env VARIANT=lenient scripts/quickstart.sh
else
    echo
    echo "=== SKIPPED scripts/quickstart.sh: terraform is not installed (not on PATH) ==="
fi

part "scripts/conformance-qualysdk.sh (qualysdk 0.4.0, a third-party client, against the strict simulator)" scripts/conformance-qualysdk.sh

for target in $(scripts/fuzz.sh list); do
    part "scripts/fuzz.sh short $target (~20 s)" scripts/fuzz.sh short "$target"
done

echo
if [ "${#failures[@]}" -gt 0 ]; then
    printf '==> FAILED: %s\n' "${failures[@]}"
fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
