//! A job's recorded runs (kept with the stored job) and its schedule: which run is the
//! latest, and when a Once or recurring job runs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{parse_start, StoredJob};

/// What became of one asset in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    Succeeded,
    /// Every patch failed.
    Failed,
    /// Still executing: no end time yet.
    Pending,
    /// The patches installed but a pre- or post-action failed.
    FailedAction,
    /// Succeeded, waiting for a reboot.
    PendingReboot,
}

/// One run of a job, as recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Run {
    pub job_instance_id: u64,
    pub scheduled_ms: u64,
    /// Per asset, in the job's order.
    pub assets: Vec<(String, Outcome)>,
}

/// Which run a result summary asks for: `jobInstanceId`, else the latest.
pub(crate) fn find_run(stored: &StoredJob, instance: Option<u64>) -> Option<&Run> {
    match instance {
        Some(id) => stored.runs.iter().find(|r| r.job_instance_id == id),
        None => stored
            .runs
            .iter()
            .max_by_key(|r| (r.scheduled_ms, r.job_instance_id)),
    }
}

const DAY_MS: u64 = 86_400_000;

/// The job's scheduled times in `(after_ms, until_ms]`, reading its start time as UTC (the
/// simulator knows no time zones). Once: the start; Daily: every day at its time; Weekly:
/// on the flagged weekdays; Monthly: on `dayOfMonth`. Other monthly rules never run here.
pub(crate) fn occurrences(job: &Value, after_ms: u64, until_ms: u64) -> Vec<u64> {
    let Some(start) = job
        .get("startDateTime")
        .and_then(Value::as_str)
        .and_then(parse_start)
    else {
        return Vec::new();
    };
    let start_ms = (start.assume_utc().unix_timestamp().max(0) as u64) * 1000;
    let schedule = job
        .get("scheduleType")
        .and_then(Value::as_str)
        .unwrap_or("");
    if schedule == "Once" {
        return [start_ms]
            .into_iter()
            .filter(|t| *t > after_ms && *t <= until_ms)
            .collect();
    }
    if !matches!(schedule, "Daily" | "Weekly" | "Monthly") || until_ms <= after_ms {
        return Vec::new();
    }
    let first_day = after_ms.max(start_ms) / DAY_MS;
    // a long gap (a state file from months ago) runs each time at most a year back
    let first_day = first_day.max((until_ms / DAY_MS).saturating_sub(366));
    (first_day..=until_ms / DAY_MS)
        .map(|day| day * DAY_MS + start_ms % DAY_MS)
        .filter(|t| *t >= start_ms && *t > after_ms && *t <= until_ms)
        .filter(|t| runs_on_day(job, schedule, *t))
        .collect()
}

fn runs_on_day(job: &Value, schedule: &str, t_ms: u64) -> bool {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp((t_ms / 1000) as i64) else {
        return false;
    };
    match schedule {
        "Daily" => true,
        "Weekly" => job
            .get("recurringWeekDays")
            .and_then(Value::as_str)
            .and_then(|flags| {
                flags
                    .split(',')
                    .nth(t.weekday().number_days_from_sunday() as usize)
            })
            .is_some_and(|f| f.trim() == "1"),
        "Monthly" => job
            .get("dayOfMonth")
            .and_then(Value::as_u64)
            .is_some_and(|d| d == u64::from(t.day())),
        _ => false,
    }
}

/// The first scheduled time after `now_ms`, looking a year ahead.
pub(crate) fn next_occurrence(job: &Value, now_ms: u64) -> Option<u64> {
    occurrences(job, now_ms, now_ms + 366 * DAY_MS)
        .into_iter()
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schedules_run_at_their_times_read_as_utc() {
        // 2026-12-07 is a Monday
        let day = |d: u64| 1_796_601_600_000 + d * DAY_MS; // 2026-12-07T00:00Z
        let once = json!({"scheduleType": "Once", "startDateTime": "2026-12-07 10:30:00 AM"});
        assert_eq!(occurrences(&once, day(0), day(1)), [day(0) + 37_800_000]);
        assert!(occurrences(&once, day(0) + 37_800_000, day(9)).is_empty());
        let daily = json!({"scheduleType": "Daily", "startDateTime": "2026-12-07 01:00:00 AM"});
        assert_eq!(occurrences(&daily, day(0), day(3)).len(), 3);
        let weekly = json!({"scheduleType": "Weekly", "startDateTime": "2026-12-07 01:00:00 AM", "recurringWeekDays": "0,0,1,0,0,0,0"});
        assert_eq!(
            occurrences(&weekly, day(0), day(14)),
            [day(1) + 3_600_000, day(8) + 3_600_000]
        );
        let monthly = json!({"scheduleType": "Monthly", "startDateTime": "2026-12-07 01:00:00 AM", "dayOfMonth": 9});
        assert_eq!(occurrences(&monthly, day(0), day(30)), [day(2) + 3_600_000]);
    }
}
