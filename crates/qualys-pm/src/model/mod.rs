//! The deployment job as the PM API sends and accepts it, and the shapes around it.
//!
//! - `job`: the full job (`GET /pm/v1/deploymentjob/{id}`), its audit and read stamps and
//!   linked-job views; `messages` and `actions`: its nested user messages and actions;
//! - `summary`: a job as the job listing summarises it;
//! - `vocabulary`: platform, job type, schedule type and status, spelled once;
//! - `ids`, `dates`: what IDs, script references and start times look like;
//! - `lenient`: the decoders that accept the API's loose spellings, the one place where they
//!   are read.

mod actions;
mod dates;
mod ids;
mod job;
pub mod lenient;
mod messages;
mod summary;
mod vocabulary;

pub use actions::{Action, ActionParams};
pub use dates::{format_start_date_time, parse_start_date_time};
pub use ids::{is_qualys_id, is_script_reference, ID_SHAPE};
pub use job::{
    AuditStamp, AuditUser, ChainedJobRule, Job, JobHeader, LinkedToJob, ReadStamp,
    ReattemptFailedPatches,
};
pub use messages::{
    Deferment, DeploymentMessage, Notification, NotificationConfigs, NotificationEvents,
    NotificationTypes, OnComplete, PostDeployment, PreDeployment, RebootCountdown, RebootOption,
};
pub use summary::JobSummary;
pub use vocabulary::{JobStatus, JobType, Platform, ScheduleType};
