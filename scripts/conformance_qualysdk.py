"""qualysdk 0.4.0 against qualys-pm-simulator (strict variant): its PM calls, unchanged.

Run by scripts/conformance-qualysdk.sh with the venv's Python 3.12 and the simulator's URL as
the only argument. The one adaptation: qualysdk forces `https://` on a custom platform URL,
and the simulator listens on plain http on 127.0.0.1, so the URL rewrite is undone after
qualysdk's own checks. Everything else is qualysdk's code and models, as a user runs them.

Where qualysdk and the Qualys documentation disagree, the documentation wins and the check
expects that outcome (each names the page). Exit status 0 when every check passes.
"""

import json
import sys
import threading
import urllib.request

import qualysdk
from qualysdk.auth.base import BaseAuthentication
from qualysdk.base.call_api import call_api
from qualysdk.exceptions.Exceptions import QualysAPIError
from qualysdk.pm import (
    change_job_status,
    create_job,
    delete_job,
    get_assets,
    get_job_results,
    get_job_runs,
    get_patches,
    list_jobs,
)
from qualysdk.pm.data_classes.JobResultSummary import JobResultSummary
from qualysdk.pm.data_classes.PMAsset import PMAssetJobView
from qualysdk.pm.data_classes.PMRun import PMRun
from qualysdk.pm.data_classes.Job import PMJob
from qualysdk.pm.data_classes.PMAsset import Asset, PMInterface

URL = sys.argv[1].rstrip("/")
USERNAME, PASSWORD = "qualys", "qualys"

# ---- the one adaptation: keep the simulator's http:// URL ----------------------------------
_post_init = BaseAuthentication.__post_init__


def _post_init_keeping_http(self):
    _post_init(self)
    if self.override_platform:
        for key, value in self.override_platform.items():
            self.override_platform[key] = value.replace("https://", "http://", 1)


BaseAuthentication.__post_init__ = _post_init_keeping_http

# qualysdk runs listings in threads: an exception there is printed and lost, and the call
# returns what it had. Keep them, so that a model refusing an answer fails the check.
THREAD_ERRORS = []
threading.excepthook = lambda args: THREAD_ERRORS.append(args.exc_value)

results = []


def check(name):
    def run(fn):
        THREAD_ERRORS.clear()
        try:
            fn()
            results.append((name, None))
            print(f"ok      {name}")
        except Exception as e:  # noqa: BLE001 - every failure is reported by name
            results.append((name, e))
            print(f"FAILED  {name}: {type(e).__name__}: {e}")
        return fn

    return run


def no_thread_errors(call):
    assert not THREAD_ERRORS, f"{call} failed in its thread: {THREAD_ERRORS!r}"


def admin(path):
    """The simulator's admin API (test setup only, not a Qualys call)."""
    with urllib.request.urlopen(f"{URL}{path}", timeout=30) as answer:
        return json.load(answer)


def admin_post(path, body):
    """A POST to the simulator's admin API (test setup only)."""
    request = urllib.request.Request(
        f"{URL}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read().decode()


auth = qualysdk.TokenAuth(
    USERNAME,
    PASSWORD,
    override_platform={"api_url": URL, "gateway_url": URL, "qualysguard_url": URL},
)
catalog = admin("/_simulator/catalog")
windows_asset = next(a for a in catalog["assets"] if a["platform"] == "Windows")
tag = windows_asset["tags"][0]
created = {}


@check("list_jobs of both platforms on an empty tenant")
def _():
    for platform in ["windows", "linux", "all"]:
        jobs = list_jobs(auth, platform)
        no_thread_errors(f"list_jobs({platform!r})")
        assert len(jobs) == 0, f"{platform}: {jobs!r}"


@check("create_job on both platforms returns the new job's id")
def _():
    created["windows"] = create_job(
        auth,
        "Windows",
        "conformance windows",
        "Install",
        "On-demand",
        assetIds=[windows_asset["id"]],
        assetTagIds=[tag["id"]],
        exclusionTagIds=[tag["id"]],
        approvedPatches=[catalog["patches"][0]["id"]],
    )
    created["linux"] = create_job(
        auth,
        "Linux",
        "conformance linux",
        "Install",
        "Daily",
        startDateTime="2031-01-15 09:30:00 AM",
        timezoneType="SPECIFIC_TZ",
        timezone="America/New_York",
        assetIds=[windows_asset["id"]],
    )
    for platform, job_id in created.items():
        assert isinstance(job_id, str) and len(job_id) == 36, f"{platform}: {job_id!r}"


def listed(platform, job_id):
    jobs = list_jobs(auth, platform)
    no_thread_errors(f"list_jobs({platform!r})")
    assert all(isinstance(j, PMJob) for j in jobs)
    found = [j for j in jobs if j.id == job_id]
    assert len(found) == 1, f"{job_id} listed {len(found)} times in {platform}"
    return found[0], jobs


@check("list_jobs of each platform: PMJob accepts every summary record")
def _():
    windows, all_windows = listed("windows", created["windows"])
    linux, all_linux = listed("linux", created["linux"])
    everything = list_jobs(auth, "all")
    no_thread_errors("list_jobs('all')")
    assert len(everything) == len(all_windows) + len(all_linux) == 2, everything
    assert windows.name == "conformance windows" and windows.platform == "Windows"
    assert windows.status == "Disabled" and windows.scheduleType == "On-demand"
    assert windows.created_user_name == USERNAME, windows.created_user_name
    assert windows.created_date is not None
    # never edited: `updated` is null on real tenants, so qualysdk leaves it empty
    assert windows.updated is None and windows.updated_date is None, windows.updated
    assert [(t.id, t.name) for t in windows.tags] == [(tag["id"], tag["name"])], windows.tags
    assert [t.id for t in windows.exclusionTags] == [tag["id"]], windows.exclusionTags
    # the run facts of a job that never ran
    assert windows.completionPercent == 0 and windows.assetResultReceivedCount == 0
    assert windows.lastScheduleDateTime is None and windows.triggerStatus == 0
    assert windows.totalAssetCount == 1
    assert linux.isRecurring is True and linux.scheduleType == "Daily"
    assert linux.startDateTime.year == 2031, linux.startDateTime


@check("change_job_status Enabled / Disabled, and the listing follows")
def _():
    answer = change_job_status(auth, "Enabled", created["windows"])
    assert answer == [
        {"id": created["windows"], "name": "conformance windows", "status": "success"}
    ], answer
    windows, _ = listed("windows", created["windows"])
    assert windows.status in ("Enabled", "Prepared"), windows.status
    answer = change_job_status(auth, "Disabled", [created["linux"]])
    assert answer[0]["status"] == "success", answer


@check("change_job_status with the path word 'Enable' is refused (docs: Enabled)")
def _():
    # qualysdk puts the action word into the path as given (`action.title()`: `Enable` for a
    # user who writes "enable"); the documented words are `Enabled` and `Disabled` only
    # (https://docs.qualys.com/en/pm/api/deployment_job_resource/change_the_status_of_deployment_jobs.htm,
    # as qualys-cli cites it). The documentation wins: `Enable` is refused, naming the words.
    try:
        change_job_status(auth, "Enable", created["linux"])
    except QualysAPIError as e:
        assert "Enabled or Disabled" in str(e), e
    else:
        raise AssertionError("'Enable' was accepted")


@check("get_patches of each platform: Patch accepts every record")
def _():
    for platform in ["windows", "linux"]:
        patches = get_patches(auth, platform, page_count=1)
        no_thread_errors(f"get_patches({platform!r})")
        assert len(patches) > 0, f"no {platform} patches"
        assert all(p.id for p in patches)


# The PM 3.9 documentation's asset sample (release notes
# https://docs.qualys.com/en/pm/release-notes/patch_management/release_3_9_api.htm, "Get
# Assets") has keys qualysdk 0.4.0's `Asset` predates: the documentation wins, the
# simulator serves them, and qualysdk's strict constructor refuses them.
DOCUMENTED_ASSET_KEYS_QUALYSDK_LACKS = {"assetStatus", "installedPatches", "missingPatches"}
DOCUMENTED_INTERFACE_KEYS_QUALYSDK_LACKS = {"ipv6Address"}


@check("get_assets: qualysdk's Asset refuses the PM 3.9 sample's keys, accepts the rest")
def _():
    assets = get_assets(auth, "windows", page_count=1)
    assert len(assets) == 0, "qualysdk's Asset accepted the documented keys"
    assert THREAD_ERRORS, "get_assets returned nothing without an error"
    refused = str(THREAD_ERRORS[0])
    assert any(k in refused for k in DOCUMENTED_ASSET_KEYS_QUALYSDK_LACKS), refused
    # the same call through qualysdk's own call_api, without the documented extras
    answer = call_api(
        auth=auth,
        module="pm",
        endpoint="get_assets",
        params={"pageSize": 400, "platform": "Windows"},
        jsonbody={},
    )
    assert answer.status_code == 200, answer.text
    records = answer.json()
    assert len(records) > 0
    for record in records:
        for key in DOCUMENTED_ASSET_KEYS_QUALYSDK_LACKS:
            record.pop(key, None)
        for interface in record.get("interfaces") or []:
            for key in DOCUMENTED_INTERFACE_KEYS_QUALYSDK_LACKS:
                interface.pop(key, None)
        record["platform"] = "Windows"
        asset = Asset(**record)
        assert all(isinstance(i, PMInterface) for i in asset.interfaces), asset.interfaces
        assert isinstance(asset.statusCode, int) and asset.status, record
        assert asset.osIdentifier and asset.version, record
        # asset tags: the 3.9 sample shows `{"id": ...}` objects, qualysdk reads IDs and
        # wraps the object whole as the tag's id (no error, the documentation's shape kept)
        assert all(t.id == {"id": t.id["id"]} for t in asset.tags), asset.tags


@check("get_job_runs / get_job_results: PMRun and JobResultSummary accept the answers")
def _():
    # enabling the On-demand job (above) ran it; a second run, with its asset failing
    second = json.loads(admin_post(f"/_simulator/jobs/{created['windows']}/run", {"failed": 1}))
    runs = get_job_runs(auth, created["windows"])
    assert all(isinstance(r, PMRun) for r in runs) and len(runs) == 2, runs
    assert all(isinstance(r.jobInstanceId, int) for r in runs), runs
    ids = [r.jobInstanceId for r in runs]
    assert second["job_instance_id"] in ids, (second, ids)
    assert all(r.scheduledDateTime.tzinfo is not None for r in runs), runs
    # qualysdk sends no parameter on its POST: the answer is the latest run
    summary = get_job_results(auth, created["windows"])
    no_thread_errors("get_job_results")
    assert isinstance(summary, JobResultSummary), summary
    # without pageSize, a page of 10 assets (the job targets its tag's assets too)
    assert summary.id == created["windows"], summary.id
    assert len(summary.assets) == min(10, summary.assetCount), (summary.assetCount, len(summary.assets))
    assert all(isinstance(a, PMAssetJobView) for a in summary.assets), summary.assets
    first = summary.assets[0]
    assert first.id == windows_asset["id"] and first.name == windows_asset["name"], first
    assert first.failedPatches >= 1, first
    assert first.jobInstanceId == str(second["job_instance_id"]), (first.jobInstanceId, second)
    listed_job, _ = listed("windows", created["windows"])
    assert listed_job.lastScheduleDateTime is not None, listed_job


@check("delete_job of both jobs answers per job, and the listings are empty again")
def _():
    answer = delete_job(auth, list(created.values()))
    assert sorted(a["status"] for a in answer) == ["success", "success"], answer
    assert sorted(a["id"] for a in answer) == sorted(created.values()), answer
    assert len(list_jobs(auth, "all")) == 0
    no_thread_errors("list_jobs('all')")


failed = [name for name, error in results if error is not None]
print(f"qualysdk {qualysdk.__version__ if hasattr(qualysdk, '__version__') else '0.4.0'}: "
      f"{len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
