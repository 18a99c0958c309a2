//! `qualys_patches` data source: the patches of the catalog that a QQL query selects, as
//! `ids` (what `approved_patches` takes) and `patches` (their facts).

use super::lookup::{Lookup, Source, MAX_RESULTS};
use crate::framework::field::{assert_well_formed, field, Field, Kind::*};
use crate::resources::deployment_job::fields::PLATFORMS;
use tfplugin::Mode::{Computed as C, Optional as O, Required as R};

pub(crate) const TYPE_NAME: &str = "qualys_patches";
pub(crate) const DESCRIPTION: &str = "Looks up patches in the Qualys Patch Management catalog with a QQL query, for a deployment job's `approved_patches`: `ids` holds the matching patch IDs, `patches` their facts (title, vendor, severity, KB or advisory, CVEs, QIDs, supersedence...).";

/// The arguments, then the answer: `ids` and the records.
const FIELDS: &[Field] = &[
    field(
        "platform",
        String,
        R,
        &[],
        "The catalog to search: `Windows` or `Linux`.",
    )
    .one_of(PLATFORMS),
    field(
        "query",
        String,
        O,
        &[],
        "A patch QQL query, e.g. ``vendorSeverity:`Critical` and isSuperseded:false`` or `kb:KB5034441`. Unset: every patch of the platform. An invalid query fails the plan with the API's message.",
    ),
    field(
        "having_query",
        String,
        O,
        &[],
        "An asset QQL query: only patches relevant to the assets it selects (the API's `havingQuery`).",
    ),
    MAX_RESULTS,
    field("ids", StringSet, C, &[], "The IDs of the matching patches: what a job's `approved_patches` takes."),
    field("patches", List(PATCH_FIELDS), C, &[], "The matching patches, in the API's order."),
];

const _: () = assert_well_formed(FIELDS);

const PACKAGE_FIELDS: &[Field] = &[
    field(
        "name",
        String,
        C,
        &["packageName"],
        "Package name (e.g. `openssl-libs`).",
    ),
    field(
        "architecture",
        String,
        C,
        &["architecture"],
        "Package architecture (e.g. `x86_64`).",
    ),
];

/// One patch, as `POST /pm/v2/patches` reports it (API names snake_cased).
const PATCH_FIELDS: &[Field] = &[
    field("id", String, C, &["id"], "The patch ID (UUID): what `approved_patches` takes."),
    field("title", String, C, &["title"], "Title of the patch."),
    field("platform", String, C, &["platform"], "`Windows` or `Linux`."),
    field("vendor", String, C, &["vendor"], "The vendor (e.g. `Microsoft`, `Red Hat`)."),
    field(
        "vendor_severity",
        String,
        C,
        &["vendorSeverity"],
        "The vendor's severity rating (e.g. `Critical`, `Important`, `Moderate`, `Low`).",
    ),
    field("kb", String, C, &["kb"], "Windows: the knowledge-base article (e.g. `KB5034441`)."),
    field(
        "advisory",
        String,
        C,
        &["advisory"],
        "Linux: the vendor advisory (e.g. `RHSA-2024:1234`).",
    ),
    field("bulletin", String, C, &["bulletin"], "The vendor bulletin, if any."),
    field("type", String, C, &["type"], "The patch type the API reports (e.g. `Security Update`)."),
    field("category", String, C, &["category"], "The patch category the API reports."),
    field("app_families", StringSet, C, &["appFamily"], "The application families (e.g. `Windows`, `Office`)."),
    field("products", StringSet, C, &["product"], "The products the patch applies to."),
    field("architectures", StringSet, C, &["architecture"], "The architectures (e.g. `x64`)."),
    field("cves", StringSet, C, &["cve"], "The CVEs the patch fixes."),
    field("qids", StringSet, C, &["qid"], "The Qualys QIDs (vulnerability detections) the patch fixes, as text."),
    field(
        "packages",
        List(PACKAGE_FIELDS),
        C,
        &["packageDetails"],
        "Linux: the packages the patch updates.",
    ),
    field("is_security", Bool, C, &["isSecurity"], "Whether it is a security patch."),
    field(
        "is_superseded",
        Bool,
        C,
        &["isSuperseded"],
        "Whether a newer patch supersedes it (null on Linux, where the API does not report it).",
    ),
    field("superseded_by", StringSet, C, &["supersededBy"], "IDs of the patches that supersede it."),
    field("supersedes", StringSet, C, &["supersedes"], "IDs of the patches it supersedes."),
    field("reboot_required", Bool, C, &["rebootRequired"], "Whether installing it needs a reboot."),
    field("is_rollback", Bool, C, &["isRollback"], "Whether it can be rolled back."),
    field("enabled", Bool, C, &["enabled"], "Whether the patch is enabled for deployment."),
    field(
        "download_method",
        String,
        C,
        &["downloadMethod"],
        "How the agent obtains it (e.g. `Automatic`, `AcquireFromVendor`: patches the vendor does not let Qualys download).",
    ),
    field(
        "is_customized_download_url",
        Bool,
        C,
        &["isCustomizedDownloadUrl"],
        "Whether a custom download URL is configured for it.",
    ),
    field("published_at", EpochMs, C, &["publishedDate"], "When the vendor published it (RFC 3339)."),
    field("modified_at", EpochMs, C, &["modifiedDate"], "When its catalog entry last changed (RFC 3339)."),
    field("vendor_link", String, C, &["vendorlink"], "Link to the vendor's page about it."),
    field("missing_count", Number, C, &["missingCount"], "On how many assets it is missing."),
    field("installed_count", Number, C, &["installedCount"], "On how many assets it is installed."),
];

pub(super) static LOOKUP: Lookup = Lookup {
    type_name: TYPE_NAME,
    description: DESCRIPTION,
    source: Source::Patches,
    fields: FIELDS,
    list_name: "patches",
    noun: "patches",
};
