#!/usr/bin/env python3
"""Benchmarks: terraform apply / no-change plan / destroy of N qualys_deployment_job resources
against the local simulator, next to the same N `terraform_data` resources (terraform's
built-in baseline, no plugin at all).

    python3 bench/run.py                 # N = 10, 100, 1000
    python3 bench/run.py --sizes 10 100  # a subset
    python3 bench/run.py --controls 300/60 2 --controls-only --sizes 100
                                         # only a run under the API controls (rate window
                                         # CALLS/SECONDS, K at once): refused calls per phase

Writes bench/results/results.md and bench/results/results.json. Needs cargo, terraform and
openssl; uses only the Python standard library. Nothing leaves 127.0.0.1.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def log(msg):
    print(f"[bench] {msg}", flush=True)


def build(debug=False):
    profile = [] if debug else ["--release"]
    log(f"cargo build {' '.join(profile)} --bins")
    subprocess.run(["cargo", "build", *profile, "--bins"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / ("debug" if debug else "release")
    return target / "terraform-provider-qualys", target / "qualys-pm-simulator"


def descends_from_us(pid, depth=4):
    """Whether process `pid` was started by this script (through terraform): other provider
    processes on the machine (another checkout's tests) must not count."""
    for _ in range(depth):
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = f.read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            return False
        if int(pid) == os.getpid():
            return True
    return False


class PeakRss:
    """Polls /proc for this run's provider processes and keeps the highest VmHWM seen (kB)."""

    def __init__(self, name="terraform-provider-qualys"):
        self.name = name
        self.peak_kb = 0
        self.processes = set()
        # CPU time last seen per provider process, in ns: the sum of its threads'
        # /proc/<pid>/task/<tid>/schedstat, the kernel's own clock (utime + stime count 10 ms
        # ticks); polled, so what a process spends in its last 10 ms is not seen
        self.cpu_ns = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self):
        return sum(self.cpu_ns.values()) / 1e9

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/status") as f:
                        status = f.read()
                except OSError:
                    continue
                m = re.search(r"^Name:\s+(\S+)", status, re.M)
                if not m or not m.group(1).startswith(self.name[:15]):
                    continue
                if pid not in self.processes and not descends_from_us(pid):
                    continue
                self.processes.add(pid)
                try:
                    ns = 0
                    for task in os.listdir(f"/proc/{pid}/task"):
                        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                            ns += int(f.read().split()[0])
                    self.cpu_ns[pid] = max(self.cpu_ns.get(pid, 0), ns)
                except (OSError, IndexError, ValueError):
                    pass
                hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
                if hwm:
                    self.peak_kb = max(self.peak_kb, int(hwm.group(1)))
            time.sleep(0.01)


def start_simulator(simulator, work, extra=(), name="requests"):
    request_log = work / f"{name}.jsonl"
    proc = subprocess.Popen(
        [str(simulator), "--listen", "127.0.0.1:0", "--username", "bench", "--password",
         "bench-secret", "--request-log", str(request_log), *extra],
        stdout=subprocess.PIPE, stderr=open(work / f"{name}.simulator.log", "w"), text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"simulator did not start: {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, line[len("listening on "):], request_log


def request_count(request_log):
    if not request_log.exists():
        return []
    with open(request_log) as f:
        return [json.loads(l) for l in f if l.strip()]


def classify(entry):
    method, path = entry.get("method", "?"), entry.get("path", "?")
    if path.startswith("/auth"):
        return "auth"
    if method == "GET" and path.endswith("/summary"):
        return "list"
    if method == "GET":
        return "GET"
    if method == "POST" and "/status/" in path:
        return "status"
    return method


# The settings of each benchmarked job (HCL attribute lines), shared by the provider config
# and the baseline so that both carry the same values.
JOB_SETTINGS = """  name          = "bench job ${count.index}"
  description   = "benchmark"
  platform      = "Windows"
  schedule_type = "Weekly"
  start_date_time = "2026-12-05 11:30:00 PM"
  recurring_week_days = ["Saturday"]
  asset_ids     = ["38aa48ca-a53f-4591-af01-8bce75de4ce7"]
  approved_patches = ["444ba31a-0f94-3199-870e-ef8ab1a5a477"]
  timeout       = 6
  timeout_unit  = "HOURS"
"""


def qualys_config(n):
    return f"""
terraform {{
  required_providers {{
    qualys = {{ source = "terraform.local/qualys/qualys", version = "{VERSION}" }}
  }}
}}
provider "qualys" {{}}
resource "qualys_deployment_job" "job" {{
  count         = {n}
{JOB_SETTINGS}}}
"""


def baseline_config(n):
    # Comparable inputs: the same values, as an object, in terraform's built-in resource.
    settings = "".join(f"  {line}\n" for line in JOB_SETTINGS.splitlines())
    return f"""
resource "terraform_data" "job" {{
  count = {n}
  input = {{
{settings}  }}
}}
"""


def hcl_value(v, indent=4):
    """A JSON value as an HCL expression (for the state-sized baseline)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        return json.dumps(v).replace("${", "$${").replace("%{", "%%{")
    if isinstance(v, list):
        return "[" + ", ".join(hcl_value(x, indent) for x in v) + "]"
    pad = " " * indent
    inner = "".join(f"{pad}{k} = {hcl_value(x, indent + 2)}\n" for k, x in v.items())
    return "{\n" + inner + " " * (indent - 2) + "}"


def state_sized_baseline_config(n, job_attributes):
    # The same volume of data as a job carries in state: one applied job's attributes as the
    # input object (terraform_data echoes it as its output, as a provider echoes its config).
    attrs = dict(job_attributes, name="NAME_PLACEHOLDER")
    body = hcl_value(attrs).replace('"NAME_PLACEHOLDER"', '"bench job ${count.index}"')
    return f"resource \"terraform_data\" \"job\" {{\n  count = {n}\n  input = {body}\n}}\n"


def terraform(args, cwd, env, check=True):
    t0 = time.perf_counter()
    r = subprocess.run(["terraform", *args, "-no-color", "-input=false"], cwd=cwd, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dt = time.perf_counter() - t0
    if check and r.returncode not in (0, 2 if "-detailed-exitcode" in args else 0):
        sys.stdout.write(r.stdout[-4000:])
        raise SystemExit(f"terraform {' '.join(args)} failed with {r.returncode}")
    return dt, r


def run_suite(kind, n, work, env, request_log=None, job_attributes=None):
    d = work / f"{kind}-{n}"
    d.mkdir()
    config = {"qualys": lambda: qualys_config(n),
              "qualys_controlled": lambda: qualys_config(n),
              "baseline": lambda: baseline_config(n),
              "baseline_state_sized": lambda: state_sized_baseline_config(n, job_attributes)}[kind]()
    (d / "main.tf").write_text(config)
    terraform(["init"], d, env)
    result = {"kind": kind, "n": n, "phases": {}}
    for phase, args in [("apply", ["apply", "-auto-approve"]),
                        ("plan", ["plan", "-detailed-exitcode"]),
                        ("destroy", ["destroy", "-auto-approve"])]:
        before = len(request_count(request_log)) if request_log else 0
        before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        with PeakRss() as rss:
            dt, r = terraform(args, d, env)
        after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        # terraform and every plugin it started (reaped by terraform, so counted here)
        all_cpu = (after_cpu.ru_utime + after_cpu.ru_stime) - (before_cpu.ru_utime + before_cpu.ru_stime)
        if phase == "plan" and r.returncode != 0:
            log(f"WARNING: the no-change plan of {kind} N={n} was not empty")
        entry = {"seconds": round(dt, 3)}
        if kind.startswith("qualys"):
            calls = request_count(request_log)[before:]
            # calls the API controls refused (the goal under them: 0)
            entry["refused"] = sum(1 for c in calls if c.get("status") in (429, 409))
            by_kind = Counter(classify(c) for c in calls)
            entry["api_calls"] = dict(by_kind)
            entry["api_calls_per_resource"] = {k: round(v / n, 3) for k, v in by_kind.items()}
            entry["api_calls_total"] = sum(v for k, v in by_kind.items() if k != "auth")
            provider_cpu = rss.cpu_seconds()
            entry["provider_cpu_s"] = round(provider_cpu, 3)
            entry["terraform_cpu_s"] = round(all_cpu - provider_cpu, 3)
            entry["provider_cpu_share"] = round(provider_cpu / max(all_cpu - provider_cpu, 1e-9), 3)
            entry["provider_peak_rss_mb"] = round(rss.peak_kb / 1024, 1)
            entry["provider_processes"] = len(rss.processes)
        result["phases"][phase] = entry
        log(f"{kind:8} N={n:5} {phase:8} {dt:7.2f}s {entry.get('api_calls', '')}")
        if phase == "apply" and kind.startswith("qualys"):
            state = json.loads((d / "terraform.tfstate").read_text())
            result["job_attributes"] = state["resources"][0]["instances"][0]["attributes"]
            result["state_bytes_per_job"] = round((d / "terraform.tfstate").stat().st_size / n)
    return result


def handshake_times(provider, runs=20):
    with tempfile.TemporaryDirectory() as tmp:
        key, cert = Path(tmp) / "k.pem", Path(tmp) / "c.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-521", "-sha512", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "1", "-subj", "/O=HashiCorp/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost"],
                       check=True, capture_output=True)
        env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6",
                   PLUGIN_MIN_PORT="10000", PLUGIN_MAX_PORT="25000",
                   PLUGIN_CLIENT_CERT=cert.read_text())
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.Popen([str(provider)], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
            p.stdout.readline()
            times.append((time.perf_counter() - t0) * 1000)
            p.kill()
            p.wait()
        return times


def write_results(results, meta):
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"meta": meta, "runs": results}, indent=2) + "\n")
    by = {(r["kind"], r["n"]): r for r in results}
    lines = [
        "# Benchmark results", "",
        f"Machine: {meta['machine']}. terraform {meta['terraform']}. Generated by `python3 bench/run.py`.",
        "",
        f"- Release binary (stripped): {meta['binary_mb']} MB",
        f"- Handshake line after process start: median {meta['handshake_ms_median']} ms "
        f"(min {meta['handshake_ms_min']}, max {meta['handshake_ms_max']}, {meta['handshake_runs']} runs, AutoMTLS included)",
        "",
        "Two baselines, both terraform's built-in `terraform_data` (no plugin, no API):",
        "*A* carries the same configured values as each job (a small object); *B* carries as much",
        "data as a job holds in state (one applied job's attributes as its input object).",
        "",
        "API calls: all the phase sent, `/auth` aside, by kind (`list`: summary pages). Provider CPU:",
        "the provider process's CPU time as a share of terraform's own in the same phase.",
        "",
        "| N | phase | qualys_deployment_job (s) | baseline A (s) | ratio to A | baseline B (s) | ratio to B | provider peak RSS (MB) | provider CPU / terraform CPU | API calls |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]

    def ratio(a, b):
        return f"{a / b:.2f}" if a and b else "-"

    for n in sorted({r["n"] for r in results}):
        q, a, b = by.get(("qualys", n)), by.get(("baseline", n)), by.get(("baseline_state_sized", n))
        for phase in ("apply", "plan", "destroy"):
            qs = q["phases"][phase] if q else {}
            as_ = a["phases"][phase] if a else {}
            bs = b["phases"][phase] if b else {}
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(qs.get("api_calls", {}).items()) if k != "auth")
            calls = f"{qs.get('api_calls_total', '-')} ({kinds or 'none'})"
            share = qs.get("provider_cpu_share")
            share = f"{share:.0%}" if share is not None else "-"
            lines.append(f"| {n} | {phase} | {qs.get('seconds', '-')} | {as_.get('seconds', '-')} | "
                         f"{ratio(qs.get('seconds'), as_.get('seconds'))} | {bs.get('seconds', '-')} | "
                         f"{ratio(qs.get('seconds'), bs.get('seconds'))} | "
                         f"{qs.get('provider_peak_rss_mb', '-')} | {share} | {calls} |")
    (out / "results.md").write_text("\n".join(lines) + "\n")
    log(f"wrote {out / 'results.md'} and results.json")
    print("\n".join(lines))


def write_controls(results):
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "controls.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Under the API controls", "",
             "The provider against a simulator enforcing a rolling window and a concurrency limit "
             "(`python3 bench/run.py --controls ...`). Refused: calls answered 429/409 (goal 0).", "",
             "| N | controls | phase | seconds | API calls | refused |", "|---:|---|---|---:|---:|---:|"]
    for r in results:
        c = r["controls"]
        for phase, e in r["phases"].items():
            lines.append(f"| {r['n']} | {c['rate_limit']}, {c['concurrency_limit']} at once | {phase} | "
                         f"{e['seconds']} | {sum(e.get('api_calls', {}).values())} | {e['refused']} |")
    (out / "controls.md").write_text("\n".join(lines) + "\n")
    log(f"wrote {out / 'controls.md'}")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    ap.add_argument("--skip-state-sized", action="store_true",
                    help="skip the second baseline (terraform_data carrying a job's full state)")
    ap.add_argument("--controls", nargs=2, metavar=("CALLS/SECONDS", "K"),
                    help="also run the provider against a simulator enforcing these API controls")
    ap.add_argument("--controls-only", action="store_true",
                    help="with --controls: only that run (results in bench/results/controls.*)")
    ap.add_argument("--debug", action="store_true",
                    help="debug binaries (no release build; for a quick run, not for timings)")
    ap.add_argument("--binaries", type=Path, metavar="DIR",
                    help="measure the provider and simulator already built in DIR (e.g. another "
                         "commit's release build) instead of building")
    args = ap.parse_args()

    if args.binaries:
        provider = args.binaries / "terraform-provider-qualys"
        simulator = args.binaries / "qualys-pm-simulator"
    else:
        provider, simulator = build(args.debug)
    work = Path(tempfile.mkdtemp(prefix="qualys-bench-"))
    sim = None
    try:
        mirror = work / "mirror" / "terraform.local" / "qualys" / "qualys" / VERSION / "linux_amd64"
        mirror.mkdir(parents=True)
        shutil.copy(provider, mirror / f"terraform-provider-qualys_v{VERSION}")
        (work / "terraformrc").write_text(f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{work / 'mirror'}"
    include = ["terraform.local/*/*"]
  }}
  direct {{ exclude = ["terraform.local/*/*"] }}
}}
""")
        if args.controls:
            rate, k = args.controls
            csim, curl, clog = start_simulator(
                simulator, work, ["--rate-limit", rate, "--concurrency-limit", k], "controlled")
            try:
                cenv = dict(os.environ, TF_CLI_CONFIG_FILE=str(work / "terraformrc"),
                            TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                            QUALYS_GATEWAY_URL=curl, QUALYS_USERNAME="bench",
                            QUALYS_PASSWORD="bench-secret", QUALYS_MAX_RATE_LIMIT_WAIT="2h")
                cenv.pop("TF_LOG", None)
                controlled = []
                for n in args.sizes:
                    r = run_suite("qualys_controlled", n, work, cenv, clog)
                    r.pop("job_attributes", None)
                    r["controls"] = {"rate_limit": rate, "concurrency_limit": int(k)}
                    controlled.append(r)
                write_controls(controlled)
            finally:
                csim.kill()
            if args.controls_only:
                return
        sim, url, request_log = start_simulator(simulator, work)
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(work / "terraformrc"), TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1", QUALYS_GATEWAY_URL=url, QUALYS_USERNAME="bench",
                   QUALYS_PASSWORD="bench-secret")
        env.pop("TF_LOG", None)
        results = []
        for n in args.sizes:
            q = run_suite("qualys", n, work, env, request_log)
            attributes = q.pop("job_attributes")
            results.append(q)
            results.append(run_suite("baseline", n, work, env))
            if not args.skip_state_sized:
                results.append(run_suite("baseline_state_sized", n, work, env,
                                         job_attributes=attributes))
        hs = handshake_times(provider)
        tf_version = subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True)
        meta = {
            "machine": f"{os.cpu_count()} cores",
            "terraform": json.loads(tf_version.stdout).get("terraform_version", "?"),
            "binary_mb": round(provider.stat().st_size / 1e6, 2),
            "handshake_ms_median": round(statistics.median(hs), 2),
            "handshake_ms_min": round(min(hs), 2),
            "handshake_ms_max": round(max(hs), 2),
            "handshake_runs": len(hs),
        }
        write_results(results, meta)
    finally:
        if sim:
            sim.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
