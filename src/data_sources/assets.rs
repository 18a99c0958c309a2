//! `qualys_assets` data source: the PM assets that a QQL query selects, as `ids` (what
//! `asset_ids` takes) and `assets` (their facts).

use super::lookup::{Lookup, Source, MAX_RESULTS};
use crate::framework::field::{assert_well_formed, field, Field, Kind::*};
use crate::resources::deployment_job::fields::PLATFORMS;
use tfplugin::Mode::{Computed as C, Optional as O};

pub(crate) const TYPE_NAME: &str = "qualys_assets";
pub(crate) const DESCRIPTION: &str = "Looks up the assets Qualys Patch Management manages with a QQL query, for a deployment job's `asset_ids`: `ids` holds the matching asset IDs, `assets` their facts (name, operating system, tags, last check-in, missing and installed patch counts...).";

/// The arguments, then the answer: `ids` and the records.
const FIELDS: &[Field] = &[
    field(
        "platform",
        String,
        O,
        &[],
        "Only assets of this platform: `Windows` or `Linux`. Unset: both.",
    )
    .one_of(PLATFORMS),
    field(
        "query",
        String,
        O,
        &[],
        "An asset QQL query, e.g. `name:web-*` or `tags.name:Production`. Unset: every asset. An invalid query fails the plan with the API's message.",
    ),
    field(
        "having_query",
        String,
        O,
        &[],
        "A patch QQL query: only assets with a matching patch, missing or installed (the API's `havingQuery`; e.g. `patchStatus:Missing and vendorSeverity:Critical`).",
    ),
    MAX_RESULTS,
    field("ids", StringSet, C, &[], "The IDs of the matching assets: what a job's `asset_ids` takes."),
    field("assets", List(ASSET_FIELDS), C, &[], "The matching assets, in the API's order."),
];

const _: () = assert_well_formed(FIELDS);

const TAG_FIELDS: &[Field] = &[
    field(
        "id",
        String,
        C,
        &["id"],
        "The tag ID: what a job's `asset_tag_ids` takes.",
    ),
    field(
        "name",
        String,
        C,
        &["name"],
        "The tag name, when the API reports it.",
    ),
];

const INTERFACE_FIELDS: &[Field] = &[
    field(
        "name",
        String,
        C,
        &["interfaceName"],
        "Interface name (e.g. `ens192`).",
    ),
    field("address", String, C, &["address"], "IPv4 address."),
    field("ipv6_address", String, C, &["ipv6Address"], "IPv6 address."),
    field("mac_address", String, C, &["macAddress"], "MAC address."),
    field(
        "gateway_address",
        String,
        C,
        &["gatewayAddress"],
        "Gateway address.",
    ),
];

/// One asset, as `POST /pm/v1/assets` reports it (API names snake_cased).
const ASSET_FIELDS: &[Field] = &[
    field(
        "id",
        String,
        C,
        &["id"],
        "The asset ID (UUID): what `asset_ids` takes.",
    ),
    field(
        "name",
        String,
        C,
        &["name"],
        "The asset's name (host name).",
    ),
    field(
        "platform",
        String,
        C,
        &["platform"],
        "`Windows` or `Linux`.",
    ),
    field(
        "operating_system",
        String,
        C,
        &["operatingSystem"],
        "The operating system (e.g. `Red Hat Enterprise Linux 8.6`).",
    ),
    field(
        "version",
        String,
        C,
        &["version"],
        "The operating system version.",
    ),
    field(
        "architecture",
        String,
        C,
        &["architecture"],
        "The architecture (e.g. `x64`).",
    ),
    field(
        "os_identifier",
        String,
        C,
        &["osIdentifier"],
        "The API's operating system identifier.",
    ),
    field("tags", List(TAG_FIELDS), C, &["tags"], "The asset's tags."),
    field(
        "last_checked_in_at",
        EpochMs,
        C,
        &["statusDateTime"],
        "When the agent last reported its status (RFC 3339): its last check-in.",
    ),
    field(
        "last_scanned_at",
        EpochMs,
        C,
        &["scanDateTime"],
        "When the agent last scanned for patches (RFC 3339).",
    ),
    field(
        "status",
        String,
        C,
        &["status"],
        "The asset's status in Patch Management.",
    ),
    field(
        "status_code",
        String,
        C,
        &["statusCode"],
        "The code behind the status.",
    ),
    field(
        "scan_status",
        String,
        C,
        &["scanStatus"],
        "The patch scan status (e.g. `Scanned`).",
    ),
    field(
        "missing_patch_count",
        Number,
        C,
        &["missingPatchCount"],
        "How many patches it is missing.",
    ),
    field(
        "non_superseded_missing_patch_count",
        Number,
        C,
        &["nonSupersededMissingPatchCount"],
        "How many of its missing patches no other patch supersedes.",
    ),
    field(
        "installed_patch_count",
        Number,
        C,
        &["installedPatchCount"],
        "How many patches are installed.",
    ),
    field(
        "last_logged_on_user",
        String,
        C,
        &["lastLoggedOnUser"],
        "The last user logged on.",
    ),
    field(
        "activated_modules",
        StringSet,
        C,
        &["activatedModules"],
        "The Qualys agent modules activated on it.",
    ),
    field(
        "interfaces",
        List(INTERFACE_FIELDS),
        C,
        &["interfaces"],
        "Its network interfaces.",
    ),
    field(
        "hardware_model",
        String,
        C,
        &["hardware", "model"],
        "Hardware model (e.g. `VMware7,1`).",
    ),
    field(
        "hardware_manufacturer",
        String,
        C,
        &["hardware", "manufacturer"],
        "Hardware manufacturer.",
    ),
];

pub(super) static LOOKUP: Lookup = Lookup {
    type_name: TYPE_NAME,
    description: DESCRIPTION,
    source: Source::Assets,
    fields: FIELDS,
    list_name: "assets",
    noun: "assets",
};
