#!/usr/bin/env bash
# Fuzzing with cargo-fuzz (libFuzzer) of everything that decodes untrusted bytes:
#   dynamic_value_msgpack  terraform's msgpack DynamicValues, against every schema type
#   dynamic_value_json     JSON DynamicValues (stored states)
#   job_from_json          the API's job and job-summary JSON (lenient decoding, round trip)
#   error_body             the API error-body parser
#
#   scripts/fuzz.sh short [target...]   ~20 s per target, unoptimised build (part of .ci/run)
#   scripts/fuzz.sh long  [target...]   10 min per target (FUZZ_SECONDS to change), optimised
#   scripts/fuzz.sh list                the targets
#
# Installs cargo-fuzz when it is missing. On the stable toolchain, RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz use the unstable compiler flags it needs. The committed seeds in fuzz/corpus/
# are read, never written: new inputs go to a temporary corpus. A crash leaves its input in
# fuzz/artifacts/<target>/ and fails the script: turn it into a regression unit test beside
# the code that crashed, then fix the code.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-short}"
shift || true
all_targets=(dynamic_value_msgpack dynamic_value_json job_from_json error_body catalog_from_json)
# `scripts/fuzz.sh list`: the targets, one a line (scripts/test.sh runs and counts each)
if [ "$mode" = list ]; then printf '%s\n' "${all_targets[@]}"; exit 0; fi
case "$mode" in
  short) seconds="${FUZZ_SECONDS:-20}"; build=(--dev) ;;
  long)  seconds="${FUZZ_SECONDS:-600}"; build=() ;;
  *) echo "usage: scripts/fuzz.sh short|long [target...]" >&2; exit 2 ;;
esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

cd "$root"
work="$(mktemp -d "${TMPDIR:-/tmp}/qualys-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Rust panics are the findings; AddressSanitizer adds little to a crate without unsafe code
# and makes every dependency slower to build.
common=(--sanitizer none "${build[@]}")
echo "==> building the fuzz targets (${mode})"
cargo fuzz build "${common[@]}"

total_runs=0
for target in "${targets[@]}"; do
  echo "==> fuzzing ${target} for ${seconds}s"
  mkdir -p "$work/$target"
  log="$work/$target.log"
  status=0
  cargo fuzz run "${common[@]}" "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)"
  runs="${runs:-0}"
  total_runs=$((total_runs + runs))
  if [ "$status" -ne 0 ]; then
    tail -60 "$log"
    echo "fuzz: ${target} FAILED after ${runs} executions; the input is in fuzz/artifacts/${target}/" >&2
    exit 1
  fi
  # a run that executed nothing (a target that failed to start, a zero time budget) tested
  # nothing: it fails rather than counting as passed
  if [ "$runs" -eq 0 ]; then
    tail -30 "$log"
    echo "fuzz: ${target} FAILED: 0 executions, nothing was tested" >&2
    exit 1
  fi
  echo "fuzz: ${target}: ${runs} executions, no crash"
done
echo "fuzz: ${total_runs} executions in total over ${#targets[@]} targets, no crash"
