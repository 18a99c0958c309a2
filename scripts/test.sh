#!/usr/bin/env bash
# The repository's test command: every cargo test (unit, protocol, simulator, end-to-end with
# the real terraform CLI), then the code gates (`cargo fmt --check`, `cargo clippy -D warnings`),
# then the quickstart in both simulator variants (scripts/quickstart.sh:
# build, simulator, terraform init / apply / empty plan / destroy), then a short fuzzing run of
# each target (scripts/fuzz.sh short; `scripts/fuzz.sh long` is the long one).
# Every part runs even when an earlier one fails, so that the closing line
#   tests: N passed, M failed, K skipped
# counts everything: each cargo test (an ignored one is skipped), each quickstart variant, each
# fuzz target, and each part that could not run (its tool missing) as skipped, with the reason.
# Exits non-zero when anything failed, and when anything was skipped unless whoever runs it
# allows that explicitly with QUALYS_TESTS_ALLOW_SKIPS=1 (CI does not).
#
# A new part is one line:
#   part NAME COMMAND...              passed when COMMAND exits 0, skipped when it exits 77
#                                     (its last line starting `skipped: ` gives the reason),
#                                     failed otherwise
#   part_needing TOOL NAME COMMAND... the same, skipped when TOOL is not on PATH
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log="$(mktemp "${TMPDIR:-/tmp}/qualys-test.XXXXXX")"
trap 'rm -f "$log"' EXIT

# the exit status with which a part says it could not test anything (as automake's tests do)
SKIP_STATUS=77
passed=0
failed=0
skipped=0
failures=()
skips=()

skip() {
    local name="$1" reason="$2"
    printf '=== SKIPPED %s: %s ===\n' "$name" "$reason"
    skipped=$((skipped + 1))
    skips+=("$name: $reason")
}

# one non-cargo part: counted as one test
part() {
    local name="$1"
    shift
    printf '\n==> %s\n' "$name"
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    elif [ "$rc" -eq "$SKIP_STATUS" ]; then
        local reason
        reason="$(sed -n 's/^skipped: //p' "$log" | tail -1)"
        skip "$name" "${reason:-it exited $SKIP_STATUS (skipped) without a reason}"
    else
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

part_needing() {
    local tool="$1" name="$2"
    shift 2
    if command -v "$tool" >/dev/null 2>&1; then
        part "$name" "$@"
    else
        printf '\n==> %s\n' "$name"
        skip "$name" "$tool is not installed (not on PATH)"
    fi
}

printf '\n==> cargo test --all-targets\n'
cargo test --all-targets --no-fail-fast 2>&1 | tee "$log"
cargo_rc=${PIPESTATUS[0]}
sum_of() {
    sed -n "s/^test result: .* \([0-9]*\) $1.*/\1/p" "$log" | awk '{s+=$1} END {print s+0}'
}
cargo_passed="$(sum_of passed)"
cargo_failed="$(sum_of failed)"
passed=$((passed + cargo_passed))
failed=$((failed + cargo_failed))
if [ "$cargo_rc" -ne 0 ]; then
    failures+=("cargo test")
    # a build failure runs no test at all: count it, so the line never reads "0 failed"
    [ "$cargo_failed" -gt 0 ] || failed=$((failed + 1))
fi
# every ignored test is a skip, named with the reason cargo gives (`ignored, needs terraform`)
while IFS= read -r line; do
    test_name="${line#test }"
    test_name="${test_name%% ... ignored*}"
    reason="${line#* ... ignored}"
    reason="${reason#, }"
    skip "cargo test $test_name" "ignored${reason:+ ($reason)}"
done < <(grep -E '^test .* \.\.\. ignored' "$log")

# the code gates: formatting, and clippy with warnings as errors (each counted as one test)
part "cargo fmt --all -- --check" cargo fmt --all -- --check
part "cargo clippy --workspace --all-targets -- -D warnings" \
    cargo clippy --workspace --all-targets -- -D warnings

part_needing terraform "scripts/quickstart.sh" scripts/quickstart.sh
part_needing terraform "VARIANT=lenient scripts/quickstart.sh (the other readings of the undocumented API behaviours)" \
    env VARIANT=lenient scripts/quickstart.sh

part "scripts/conformance-qualysdk.sh (qualysdk 0.4.0, a third-party client, against the strict simulator)" scripts/conformance-qualysdk.sh

for target in $(scripts/fuzz.sh list); do
    part "scripts/fuzz.sh short $target (~20 s)" scripts/fuzz.sh short "$target"
done
part "scripts/actionlint.sh (the GitHub workflows, which run only on GitHub)" scripts/actionlint.sh

echo
if [ "${#failures[@]}" -gt 0 ]; then
    printf '==> FAILED: %s\n' "${failures[@]}"
fi
if [ "${#skips[@]}" -gt 0 ]; then
    printf '==> SKIPPED: %s\n' "${skips[@]}"
    if [ "${QUALYS_TESTS_ALLOW_SKIPS:-}" = 1 ]; then
        echo "==> skips allowed by QUALYS_TESTS_ALLOW_SKIPS=1"
    else
        echo "==> ${skipped} skipped: not a full run (set QUALYS_TESTS_ALLOW_SKIPS=1 to accept skips)"
    fi
fi
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ] && { [ "$skipped" -eq 0 ] || [ "${QUALYS_TESTS_ALLOW_SKIPS:-}" = 1 ]; }
