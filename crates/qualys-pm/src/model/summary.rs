//! The job listing's summary of a job, compared with a job's read stamp to tell an unchanged job.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::job::{AuditStamp, ReadStamp};
use super::lenient;
use crate::Error;

/// One entry of `GET /pm/v1/deploymentjobs/summary` (a different shape from the full job).
#[serde_with::apply(Option => #[serde(default, deserialize_with = "lenient::opt")])]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    #[serde(default, deserialize_with = "lenient::opt_string_or_default")]
    pub id: String,
    pub name: Option<String>,
    pub platform: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub job_type: Option<String>,
    pub schedule_type: Option<String>,
    pub description: Option<String>,
    pub is_recurring: Option<bool>,
    /// `{"user": {...}, "date": epoch-ms}`.
    pub created: Option<AuditStamp>,
    pub updated: Option<AuditStamp>,
    /// Tag IDs, listed as IDs or as `{id, name}` objects (real tenants: objects).
    pub tags: Option<Vec<String>>,
    /// Tag IDs, listed as IDs (real tenants) or objects.
    pub exclusion_tags: Option<Vec<String>>,
    pub match_all_tags: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl JobSummary {
    /// A soft-deleted job (`deleted: true`, or `deletedBy.date` or `deleted.date` set), should
    /// a tenant list one.
    pub fn is_deleted(&self) -> bool {
        self.extra.get("deleted").and_then(Value::as_bool) == Some(true)
            || ["deletedBy", "deleted"].iter().any(|k| {
                self.extra
                    .get(*k)
                    .and_then(|d| d.get("date"))
                    .is_some_and(|d| !d.is_null())
            })
    }

    /// True when this summary shows the job as it was when `last` was recorded from a full
    /// read: the same creation date, the same last-update date and the same status, and not
    /// deleted. An `updated` that is null, absent or `{date: null}` means "not updated since
    /// creation" (a never-edited job's record on real tenants, as `qualysdk` reads them). A
    /// record without its creation date or its status proves nothing. This rests on one
    /// undocumented reading (`docs/api-readings.md`): `updated.date` moves on every change.
    pub fn unchanged_since(&self, last: &ReadStamp) -> bool {
        let Some(created) = &self.created else {
            return false;
        };
        let updated = self.updated.as_ref().and_then(|u| u.date);
        let same_status = match (&self.status, &last.status) {
            (Some(now), Some(then)) => now.eq_ignore_ascii_case(then),
            _ => false,
        };
        !self.is_deleted()
            && created.date.is_some()
            && created.date == last.created
            && updated == last.updated
            && same_status
    }

    pub fn from_json(v: Value) -> Result<Self, Error> {
        serde_json::from_value(v).map_err(|e| Error::Decode {
            what: "job summary".into(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Job;
    use serde_json::json;

    #[test]
    fn a_summary_shows_a_job_unchanged_only_when_dates_and_status_match_its_last_read() {
        let job = Job::from_json(json!({
            "id": "j", "status": "Enabled",
            "createdBy": {"user": null, "date": 1000},
            "updatedBy": {"user": null, "date": null},
        }))
        .unwrap();
        let last = job.read_stamp();
        let summary = |v: Value| JobSummary::from_json(v).unwrap();
        let base = json!({
            "id": "j", "status": "Enabled",
            "created": {"date": 1000, "user": {"id": "u"}},
            "updated": {"date": null, "user": null},
        });
        assert!(
            summary(base.clone()).unchanged_since(&last),
            "never updated, same status"
        );
        let mut status_case = base.clone();
        status_case["status"] = json!("ENABLED");
        assert!(
            summary(status_case).unchanged_since(&last),
            "a status in another case"
        );
        let mut updated = base.clone();
        updated["updated"]["date"] = json!(2000);
        assert!(
            !summary(updated).unchanged_since(&last),
            "the update date moved"
        );
        let mut disabled = base.clone();
        disabled["status"] = json!("Disabled");
        assert!(
            !summary(disabled).unchanged_since(&last),
            "the status moved"
        );
        for key in ["created", "status"] {
            let mut without = base.clone();
            without.as_object_mut().unwrap().remove(key);
            assert!(!summary(without).unchanged_since(&last), "no {key}");
        }
        // never updated, in each form a tenant may list it: `updated` null, absent, or
        // `{date: null}`: unchanged, no GET needed
        for never_updated in [json!(null), json!({"date": null}), json!("absent")] {
            let mut record = base.clone();
            if never_updated == "absent" {
                record.as_object_mut().unwrap().remove("updated");
            } else {
                record["updated"] = never_updated.clone();
            }
            assert!(
                summary(record).unchanged_since(&last),
                "updated: {never_updated}"
            );
        }
        // ... but once the last full read saw an update, a record without one is a change
        let mut no_update = base.clone();
        no_update["updated"] = json!(null);
        no_update["status"] = json!("Disabled");
        let edited_last = ReadStamp {
            updated: Some(3000),
            status: Some("Disabled".into()),
            ..last.clone()
        };
        assert!(!summary(no_update).unchanged_since(&edited_last));
        let mut recreated = base.clone();
        recreated["created"]["date"] = json!(1001);
        assert!(
            !summary(recreated).unchanged_since(&last),
            "another creation date"
        );
        for deleted in [json!({"deleted": true}), json!({"deletedBy": {"date": 5}})] {
            let mut marked = base.clone();
            marked
                .as_object_mut()
                .unwrap()
                .extend(deleted.as_object().unwrap().clone());
            assert!(
                !summary(marked).unchanged_since(&last),
                "marked deleted: {deleted}"
            );
        }
        // a job read in full after its first update matches the summary's update date
        let edited = Job::from_json(json!({
            "id": "j", "status": "Disabled",
            "createdBy": {"date": 1000}, "updatedBy": {"date": 3000},
        }))
        .unwrap();
        let mut later = base;
        later["status"] = json!("Disabled");
        later["updated"]["date"] = json!(3000);
        assert!(summary(later.clone()).unchanged_since(&edited.read_stamp()));
        // a job whose last read recorded no creation date is never taken as unchanged
        assert!(!summary(later).unchanged_since(&ReadStamp::default()));
    }

    #[test]
    fn tags_are_read_as_ids_or_as_id_name_objects() {
        let summary = JobSummary::from_json(json!({
            "id": "j",
            "tags": [{"id": "t1", "name": "Web"}, {"id": 7, "name": null}],
            "exclusionTags": ["t2"],
            "matchAllTags": null,
        }))
        .unwrap();
        assert_eq!(summary.tags, Some(vec!["t1".into(), "7".into()]));
        assert_eq!(summary.exclusion_tags, Some(vec!["t2".into()]));
        let job = Job::from_json(json!({
            "assetTagIds": [{"id": "t1", "name": "Web"}, "t3"],
            "exclusionTagIds": ["t2"],
        }))
        .unwrap();
        assert_eq!(job.asset_tag_ids, Some(vec!["t1".into(), "t3".into()]));
        assert_eq!(job.to_json()["assetTagIds"], json!(["t1", "t3"]));
        let nameless = JobSummary::from_json(json!({"tags": [{"name": "Web"}]}));
        assert!(
            nameless.is_err(),
            "a tag object without an id is a decode error"
        );
    }
}
