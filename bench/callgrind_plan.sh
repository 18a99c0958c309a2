#!/usr/bin/env bash
# Instructions the provider spends on a no-change plan of N jobs, counted by callgrind
# (stable under load, unlike CPU time). Applies N jobs against the simulator with the plain
# binary, then runs `terraform plan` with the provider started under valgrind.
#
#     bench/callgrind_plan.sh [BIN_DIR (default target/release)] [N (default 300)]
#
# Prints the instructions of each provider process the plan started; the callgrind files are
# kept in the printed work directory (`callgrind_annotate` them; an unstripped build, e.g.
# CARGO_PROFILE_RELEASE_STRIP=false, names the functions). Needs terraform and valgrind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$root/target/release}" && pwd)
n=${2:-300}
for tool in terraform valgrind; do
  command -v "$tool" >/dev/null || { echo "callgrind_plan.sh: $tool not found" >&2; exit 1; }
done
work=$(mktemp -d /tmp/qualys-callgrind-XXXXXX)
mkdir "$work/plain" "$work/profiled" "$work/tf"
ln -s "$bin/terraform-provider-qualys" "$work/plain/terraform-provider-qualys"
cat >"$work/profiled/terraform-provider-qualys" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$work/callgrind.out.%p "$bin/terraform-provider-qualys" "\$@" 2>>$work/valgrind.log
EOF
chmod +x "$work/profiled/terraform-provider-qualys"
rc() {
  printf 'provider_installation {\n  dev_overrides { "terraform.local/qualys/qualys" = "%s" }\n  direct {}\n}\n' "$1" >"$work/terraformrc"
}
"$bin/qualys-pm-simulator" --listen 127.0.0.1:0 --username bench --password bench-secret \
  --request-log "$work/requests.jsonl" >"$work/simulator.out" 2>"$work/simulator.log" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$work/simulator.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/simulator.out")
cat >"$work/tf/main.tf" <<EOF
terraform {
  required_providers {
    qualys = { source = "terraform.local/qualys/qualys" }
  }
}
provider "qualys" {}
resource "qualys_deployment_job" "job" {
  count               = $n
  name                = "bench job \${count.index}"
  description         = "benchmark"
  platform            = "Windows"
  schedule_type       = "Weekly"
  start_date_time     = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  asset_ids           = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches    = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  timeout             = 6
  timeout_unit        = "HOURS"
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 \
  QUALYS_GATEWAY_URL="$url" QUALYS_USERNAME=bench QUALYS_PASSWORD=bench-secret
unset TF_LOG
cd "$work/tf"
rc "$work/plain"
terraform apply -auto-approve -no-color -input=false >"$work/apply.log" 2>&1
rc "$work/profiled"
before=$(wc -l <"$work/requests.jsonl")
set +e
terraform plan -detailed-exitcode -no-color -input=false >"$work/plan.log" 2>&1
status=$?
set -e
[ "$status" = 0 ] || { echo "the plan was not empty or failed ($status): $work/plan.log" >&2; exit 1; }
echo "work directory: $work"
echo "API calls during the plan: $(($(wc -l <"$work/requests.jsonl") - before))"
for f in "$work"/callgrind.out.*; do
  echo "$(basename "$f"): $(sed -n 's/^summary: //p' "$f") instructions"
done
