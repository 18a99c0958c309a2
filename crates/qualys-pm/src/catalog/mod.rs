//! The patch catalog and the PM asset inventory: typed, leniently decoded records and the
//! cursor paging both listings share. Knows nothing of Terraform.
//!
//! What is known of the two endpoints (labels as in `qualys-pm-api.md`: DOC = docs.qualys.com,
//! SDK = the `qualysdk` Python client, git `226ff592`, SRC = other public client code,
//! INF = inferred):
//!
//! - Patches: `POST /pm/v2/patches?platform=Windows|Linux&pageSize=N` with a JSON body
//!   `{"query", "havingQuery", "attributes"}` (all optional), answering a flat JSON array
//!   (SDK `pm/base/assets_patches_threading_backend.py`; SRC: a catalog sync tool that pages
//!   live tenants with pageSize 1000). The next page is asked for by sending the
//!   `searchAfter` response header back as a `searchAfter` request header (SDK, SRC). The
//!   total comes in a response header (SRC, unnamed; INF `X-Total-Count`, the simulator's).
//! - Assets: `POST /pm/v1/assets?platform=..&pageSize=N` with `{"query", "havingQuery"}`
//!   (SDK `pm/assets.py`; DOC release 3.9 shows the answer's shape, through a `GET` form).
//!   Its cursor: the SDK pages assets with the same loop as patches, i.e. the `searchAfter`
//!   **request header**; one machine-written MCP module sends it as a `searchAfter` query
//!   parameter instead, marked unverified by its own author. We send the header (SDK: a
//!   client used on real tenants). The SDK documents 400 as the default and largest asset
//!   page size ("Default (and max) is 400").
//! - Stopping: no `searchAfter` in the answer, an empty page, or as many records as the total
//!   says. A short page alone does not stop the loop while a cursor comes with it (SDK and SRC
//!   stop there, which would lose records if a server served smaller pages than asked).
//! - PM serves at most 10,000 records of any listing (DOC get_started); past that it answers
//!   400 with `_error.errorCode` `2501` (SDK). SRC's comment says the `searchAfter` cursor of
//!   `/pm/v2/patches` has "no 10K cap"; if so, `max_results` (at most 10,000) is the only
//!   bound, and the cap handling simply never triggers.
//! - A refused search is 400 with `_error.message` (the simulator adds `_error.field`, the
//!   parameter at fault; INF for the real service).
//! - We do not send `attributes`: the wire names of some fields are known only from client
//!   code, and asking for an attribute the service does not know may be refused (INF).
//! - Field names: SDK `Patch` / `Asset` classes and the DOC samples: `cve` and `qid` (not
//!   plural; QIDs as numbers or strings), `vendorlink`, dates as epoch milliseconds,
//!   `assetStatus` (DOC) or `status` (SDK), tags as `{"id"}` objects (DOC) or IDs (SDK).
//!
//! The parts: `records` (the patch and asset records), `search` (the two searches and their
//! wire details), `paging` (the cursor loop both share).

mod paging;
mod records;
mod search;

pub use paging::{Completeness, LeftOut, Listing};
pub use records::{Asset, AssetInterface, AssetTag, Hardware, PackageDetail, Patch, Record};
pub use search::Search;

/// Largest patch page (SDK default, SRC live use).
pub const PATCH_PAGE_SIZE: usize = 1_000;
/// Largest asset page (SDK: "Default (and max) is 400").
pub const ASSET_PAGE_SIZE: usize = 400;
/// Request and response header carrying the paging cursor (SDK, SRC).
const CURSOR_HEADER: &str = "searchAfter";
