#!/usr/bin/env bash
# The quickstart, end to end: build the provider and the simulator, start the simulator on a
# free local port, then terraform init / apply / plan (must show no changes) / destroy on
# examples/quickstart. Needs only cargo and terraform; nothing leaves this machine.
#
#   scripts/quickstart.sh            debug build (fast to compile)
#   PROFILE=release scripts/quickstart.sh
#   VARIANT=lenient scripts/quickstart.sh   the simulator serves the other readings of the
#                                           API's undocumented behaviours (docs/api-readings.md)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
profile="${PROFILE:-debug}"
variant="${VARIANT:-strict}"
version="0.1.0"

step() { printf '\n==> %s\n' "$*"; }

command -v terraform >/dev/null || { echo "quickstart: terraform is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "quickstart: curl is not installed: the state of the simulator after destroy cannot be checked" >&2; exit 1; }

step "Building terraform-provider-qualys and qualys-pm-simulator ($profile)"
if [ "$profile" = release ]; then
  cargo build --manifest-path "$root/Cargo.toml" --release --bins
else
  cargo build --manifest-path "$root/Cargo.toml" --bins
fi
bin_dir="${CARGO_TARGET_DIR:-$root/target}/$profile"

work="$(mktemp -d "${TMPDIR:-/tmp}/qualys-quickstart.XXXXXX")"
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step "Installing the provider into a local filesystem mirror ($work/mirror)"
plugin_dir="$work/mirror/terraform.local/qualys/qualys/$version/linux_amd64"
mkdir -p "$plugin_dir"
cp "$bin_dir/terraform-provider-qualys" "$plugin_dir/terraform-provider-qualys_v$version"
cat > "$work/terraformrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["terraform.local/*/*"]
  }
  direct {
    exclude = ["terraform.local/*/*"]
  }
}
HCL
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1

step "Starting qualys-pm-simulator on a free local port (--variant $variant)"
mkfifo "$work/sim.out"
"$bin_dir/qualys-pm-simulator" --listen 127.0.0.1:0 --variant "$variant" --username quickstart --password quickstart-secret \
  >"$work/sim.out" 2>"$work/simulator.log" &
sim_pid=$!
read -r first_line <"$work/sim.out"
url="${first_line#listening on }"
echo "simulator: $url"
# keep draining the simulator's stdout so it never blocks
cat "$work/sim.out" >/dev/null &

export QUALYS_GATEWAY_URL="$url"
export QUALYS_USERNAME=quickstart
export QUALYS_PASSWORD=quickstart-secret

cp -r "$root/examples/quickstart" "$work/quickstart"
cd "$work/quickstart"

step "terraform init"
terraform init -input=false -no-color
echo "quickstart: the \"Incomplete lock file information\" warning above is expected: a filesystem mirror records the checksum of this one platform only; for a team, record every platform with \`terraform providers lock\` (README, Install > Network mirror)."

step "terraform apply"
terraform apply -input=false -auto-approve -no-color

step "What the lookups found for the Linux job"
targets="$(terraform output -json linux_weekly_targets)"
echo "$targets"
case "$targets" in
  *'"patches":[]'*|*'"assets":[]'*)
    echo "quickstart: FAILED: a lookup of the Linux job found nothing" >&2
    exit 1 ;;
esac

step "terraform plan (expecting no changes)"
set +e
terraform plan -input=false -detailed-exitcode -no-color
plan_rc=$?
set -e
if [ "$plan_rc" -ne 0 ]; then
  echo "quickstart: FAILED: the plan after apply was not empty (exit code $plan_rc)" >&2
  exit 1
fi

step "terraform destroy"
terraform destroy -input=false -auto-approve -no-color

# a check that cannot be made is a failure, never a pass: without the simulator's answer,
# nothing says that destroy left no job behind
if ! left="$(curl -sf "$url/_simulator/jobs")"; then
  echo "quickstart: FAILED: cannot ask the simulator which jobs are left ($url/_simulator/jobs), so destroy is unverified" >&2
  exit 1
fi
echo "jobs left on the simulator: $left"
if [ "$left" != "[]" ]; then
  echo "quickstart: FAILED: terraform destroy left jobs on the simulator" >&2
  exit 1
fi
step "quickstart passed"
