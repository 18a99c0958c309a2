//! The lookup data sources (`qualys_patches`, `qualys_assets`): a QQL search of the patch
//! catalog or of the PM assets, exported as `ids` (a set, what a job's `approved_patches` /
//! `asset_ids` take) and a list of records. Each one is a [`Lookup`] declaration; schema,
//! validation, reading and docs derive from it.

use std::sync::Arc;

use async_trait::async_trait;

use super::answer;
use crate::client_slot::ClientSlot;
use crate::framework::json::read_object;
use crate::framework::schema::fields_schema;
use crate::framework::validate::validate_fields;
use crate::framework::{field, Field, Kind};
use qualys_pm::catalog::Record;
use qualys_pm::{self, Completeness, Listing, Search};
use qualys_pm::{RECORD_CAP, RECORD_CAP_ERROR_CODE};
use tfplugin::{AttributePath, DataSource, Diagnostic, Diagnostics, Mode, Schema, Value};

/// `max_results` when the configuration leaves it null.
pub(crate) const DEFAULT_MAX_RESULTS: i64 = 1_000;

/// The `max_results` argument both lookups share.
pub(super) const MAX_RESULTS: Field = field(
    "max_results",
    Kind::Number,
    Mode::Optional,
    &[],
    "The most records to return, from 1 to 10000 (Qualys Patch Management serves at most 10,000 records of any listing). Default 1000. When more match, a warning says how many were left out.",
)
.range(1, RECORD_CAP as i64);

/// Which listing a lookup reads.
#[derive(Clone, Copy, Debug)]
pub(super) enum Source {
    Patches,
    Assets,
}

/// One lookup data source, declared once.
pub(super) struct Lookup {
    pub type_name: &'static str,
    pub description: &'static str,
    pub source: Source,
    /// Every attribute: the arguments (`platform`, `query`, `having_query` (optional),
    /// `max_results`), then `ids` (a set) and the list of records named `list_name`.
    pub fields: &'static [Field],
    /// The list attribute (`patches`, `assets`).
    pub list_name: &'static str,
    /// Plural noun for messages ("patches").
    pub noun: &'static str,
}

impl Lookup {
    pub(crate) fn schema(&self) -> Schema {
        fields_schema(0, self.fields, self.description)
    }

    /// The declarations of one record of the list.
    fn record_fields(&self) -> &'static [Field] {
        self.fields
            .iter()
            .find(|f| f.name == self.list_name)
            .and_then(Field::children)
            .unwrap_or(&[])
    }

    /// Records per request (the docs name it).
    #[cfg(test)]
    pub(crate) fn page_size(&self) -> usize {
        match self.source {
            Source::Patches => qualys_pm::catalog::PATCH_PAGE_SIZE,
            Source::Assets => qualys_pm::catalog::ASSET_PAGE_SIZE,
        }
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
    }

    /// The search the configuration asks for.
    fn search<'a>(&self, config: &'a Value) -> Search<'a> {
        let text = |name: &str| config.get(name).as_str().filter(|s| !s.trim().is_empty());
        let max = config
            .get("max_results")
            .as_i64()
            .unwrap_or(DEFAULT_MAX_RESULTS)
            .clamp(1, RECORD_CAP as i64);
        Search {
            platform: text("platform"),
            query: text("query"),
            having_query: if self.has("having_query") {
                text("having_query")
            } else {
                None
            },
            max_results: max as usize,
        }
    }

    /// The API's refusal of a search, at the attribute it is about: a QQL error at `query`
    /// or `having_query` (the one the server names; else the one that is set), a bad
    /// platform at `platform`.
    fn failure(&self, e: &qualys_pm::Error, search: &Search<'_>) -> Diagnostic {
        let qualys_pm::Error::InvalidSearch {
            parameter, message, ..
        } = e
        else {
            return Diagnostic::error(format!("Searching {} failed", self.noun), e.to_string());
        };
        let attr = match parameter.as_deref() {
            Some("query") => Some("query"),
            Some("havingQuery") if self.has("having_query") => Some("having_query"),
            Some("platform") => Some("platform"),
            Some(_) => None,
            None => match (search.query, search.having_query) {
                (Some(_), _) => Some("query"),
                (None, Some(_)) => Some("having_query"),
                (None, None) => None,
            },
        };
        let value = match attr {
            Some("query") => search.query,
            Some("having_query") => search.having_query,
            Some("platform") => search.platform,
            _ => None,
        };
        match (attr, value) {
            (Some(attr), Some(value)) => {
                let summary = if attr == "platform" {
                    "Invalid platform".to_owned()
                } else {
                    format!("Invalid QQL in {attr}")
                };
                Diagnostic::error(
                    summary,
                    format!("The Qualys API rejected {attr} {value:?}: {message}"),
                )
                .at(AttributePath::attr(attr))
            }
            _ => Diagnostic::error(format!("Searching {} failed", self.noun), e.to_string()),
        }
    }

    /// The data source's value: the configuration with `ids` and the records; a warning when
    /// the listing stopped before the last match.
    fn value(
        &self,
        config: &Value,
        records: &[(String, serde_json::Value)],
        completeness: Completeness,
    ) -> (Value, Diagnostics) {
        let ids = records
            .iter()
            .map(|(id, _)| Value::from(id.as_str()))
            .collect();
        let list = records
            .iter()
            .map(|(_, json)| read_object(self.record_fields(), json, &Value::Null, None))
            .collect();
        let mut out = config.clone();
        if let Value::Object(m) = &mut out {
            m.insert("ids".to_owned(), Value::Set(ids));
            m.insert(self.list_name.to_owned(), Value::List(list));
        }
        let mut diags = Diagnostics::new();
        if let Some((summary, detail)) = self.incomplete(records.len(), completeness) {
            diags.warning_at(AttributePath::attr("max_results"), summary, detail);
        }
        (out, diags)
    }

    fn incomplete(&self, returned: usize, completeness: Completeness) -> Option<(String, String)> {
        let noun = self.noun;
        match completeness {
            Completeness::Complete => None,
            Completeness::MaxResults { limit, left_out } => {
                let raise = if limit < RECORD_CAP {
                    format!("Raise max_results (at most {RECORD_CAP}) or narrow query to get them all.")
                } else {
                    format!("{RECORD_CAP} is also the most Qualys Patch Management serves of a listing: narrow query so that fewer match.")
                };
                Some((
                    format!("Only the first {limit} {noun} were returned"),
                    format!(
                        "max_results = {limit} stopped the listing: {left_out}. {} is incomplete. {raise}",
                        self.list_name
                    ),
                ))
            }
            Completeness::Cap { left_out } => Some((
                format!("The Qualys record cap cut the {noun} short"),
                format!(
                    "The API refused to list past its record cap (error code {RECORD_CAP_ERROR_CODE}; Qualys Patch Management serves at most {RECORD_CAP} records of a listing): {returned} {noun} were returned and {left_out}. {} is incomplete. Narrow query so that fewer match.",
                    self.list_name
                ),
            )),
        }
    }
}

/// A lookup data source served from its declaration.
pub(crate) struct LookupDataSource {
    slot: Arc<ClientSlot>,
    lookup: &'static Lookup,
}

impl LookupDataSource {
    pub(super) fn new(slot: Arc<ClientSlot>, lookup: &'static Lookup) -> Self {
        LookupDataSource { slot, lookup }
    }

    async fn fetch(&self, config: &Value) -> Result<(Value, Diagnostics), Diagnostics> {
        let client = self.slot.get()?;
        let search = self.lookup.search(config);
        let fail = |e: qualys_pm::Error| Diagnostics::from(self.lookup.failure(&e, &search));
        let (records, completeness) = match self.lookup.source {
            Source::Patches => rows(client.search_patches(&search).await.map_err(fail)?),
            Source::Assets => rows(client.search_assets(&search).await.map_err(fail)?),
        };
        tracing::debug!(
            data_source = self.lookup.type_name,
            records = records.len(),
            complete = matches!(completeness, Completeness::Complete),
            "lookup read"
        );
        Ok(self.lookup.value(config, &records, completeness))
    }
}

fn rows<T: Record>(listing: Listing<T>) -> (Vec<(String, serde_json::Value)>, Completeness) {
    let rows = listing
        .items
        .iter()
        .map(|r| (r.id().to_owned(), r.to_json()))
        .collect();
    (rows, listing.completeness)
}

#[async_trait]
impl DataSource for LookupDataSource {
    fn type_name(&self) -> &'static str {
        self.lookup.type_name
    }

    fn schema(&self) -> Schema {
        self.lookup.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_fields(self.lookup.fields, config)
    }

    async fn read(&self, config: &Value) -> (Value, Diagnostics) {
        match self.fetch(config).await {
            Ok(answer) => answer,
            Err(diags) => answer(Err(diags)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{assets, patches};
    use super::*;
    use qualys_pm::LeftOut;
    use serde_json::json;
    use std::collections::BTreeMap;
    use tfplugin::{Nesting, Type};

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut m = BTreeMap::new();
        for (k, v) in pairs {
            m.insert((*k).to_owned(), v.clone());
        }
        Value::Object(m)
    }

    fn source(lookup: &'static Lookup) -> LookupDataSource {
        LookupDataSource::new(Default::default(), lookup)
    }

    #[test]
    fn platform_and_max_results_are_checked_at_plan_time() {
        let d = source(&patches::LOOKUP).validate(&config(&[
            ("platform", Value::from("Mac")),
            ("max_results", Value::int(10_001)),
        ]));
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::attr("platform")));
        assert_eq!(
            d[0].detail,
            "\"Mac\" is not allowed; expected one of \"Windows\", \"Linux\"."
        );
        assert_eq!(d[1].attribute, Some(AttributePath::attr("max_results")));
        assert!(d[1].detail.contains("from 1 to 10000"), "{}", d[1].detail);
        let d = source(&assets::LOOKUP).validate(&config(&[("max_results", Value::int(0))]));
        assert_eq!(d[0].attribute, Some(AttributePath::attr("max_results")));
        // unknown values wait for apply
        let d = source(&assets::LOOKUP).validate(&config(&[("max_results", Value::Unknown)]));
        assert!(d.is_empty());
    }

    #[test]
    fn the_max_results_description_states_the_constants() {
        // a const &str cannot be formatted: this keeps the text and the numbers together
        let d = MAX_RESULTS.description;
        assert!(
            d.contains(&format!("Default {DEFAULT_MAX_RESULTS}.")),
            "{d}"
        );
        assert!(d.contains(&format!("from 1 to {RECORD_CAP}")), "{d}");
    }

    #[test]
    fn both_schemas_export_ids_as_a_set_and_the_records_as_a_list() {
        for (lookup, list) in [(&patches::LOOKUP, "patches"), (&assets::LOOKUP, "assets")] {
            let s = lookup.schema();
            let find = |n: &str| s.block.attributes.iter().find(|a| a.name == n).unwrap();
            assert_eq!(find("ids").value_type(), Type::set(Type::String));
            assert_eq!(find("ids").mode, Mode::Computed);
            assert!(matches!(
                &find(list).ty,
                tfplugin::AttributeType::Nested {
                    nesting: Nesting::List,
                    ..
                }
            ));
        }
        for lookup in [&patches::LOOKUP, &assets::LOOKUP] {
            assert!(lookup.has("having_query"), "{}", lookup.type_name);
        }
    }

    #[test]
    fn the_search_follows_the_configuration() {
        let cfg = config(&[
            ("platform", Value::from("Linux")),
            ("query", Value::from("isSecurity:true")),
            ("having_query", Value::from("  ")),
            ("max_results", Value::Null),
        ]);
        let s = patches::LOOKUP.search(&cfg);
        assert_eq!(s.platform, Some("Linux"));
        assert_eq!(s.query, Some("isSecurity:true"));
        assert_eq!(s.having_query, None, "a blank QQL is no QQL");
        assert_eq!(s.max_results, DEFAULT_MAX_RESULTS as usize);
    }

    fn rejected(parameter: Option<&str>, message: &str) -> qualys_pm::Error {
        qualys_pm::Error::InvalidSearch {
            operation: qualys_pm::error::Operation::SearchPatches,
            parameter: parameter.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    #[test]
    fn qql_errors_are_attached_to_the_query_they_are_about() {
        let search = Search {
            platform: Some("Windows"),
            query: Some("vendorSeverity:"),
            having_query: Some("name:web"),
            max_results: 10,
        };
        let d = patches::LOOKUP.failure(
            &rejected(
                Some("query"),
                "QQL syntax error at position 15: expected a value",
            ),
            &search,
        );
        assert_eq!(d.attribute, Some(AttributePath::attr("query")));
        assert_eq!(d.summary, "Invalid QQL in query");
        assert!(d.detail.contains("position 15"), "{}", d.detail);
        assert!(d.detail.contains("\"vendorSeverity:\""), "{}", d.detail);
        let d = patches::LOOKUP.failure(
            &rejected(Some("havingQuery"), "unknown field 'nmae' at position 0"),
            &search,
        );
        assert_eq!(d.attribute, Some(AttributePath::attr("having_query")));
        // the server named nothing: the query that is set
        let only_having = Search {
            query: None,
            ..search.clone()
        };
        let d = patches::LOOKUP.failure(&rejected(None, "bad"), &only_having);
        assert_eq!(d.attribute, Some(AttributePath::attr("having_query")));
        let d = patches::LOOKUP.failure(&rejected(Some("pageSize"), "too big"), &search);
        assert_eq!(d.attribute, None);
        // other failures are not QQL errors
        let e = qualys_pm::Error::Api {
            operation: qualys_pm::error::Operation::SearchPatches,
            job_id: None,
            status: 500,
            code: None,
            message: "boom".into(),
        };
        let d = patches::LOOKUP.failure(&e, &search);
        assert_eq!(d.attribute, None);
        assert_eq!(d.summary, "Searching patches failed");
        assert!(d.detail.contains("boom"));
    }

    #[test]
    fn records_become_ids_and_objects_and_incompleteness_warns() {
        let cfg = config(&[("platform", Value::from("Windows"))]);
        let records = vec![
            (
                "p1".to_owned(),
                json!({"id": "p1", "title": "KB1", "cve": ["CVE-1"], "qid": ["91234"],
                       "isSuperseded": false, "publishedDate": 1704844800000i64}),
            ),
            ("p2".to_owned(), json!({"id": "p2"})),
        ];
        let (v, d) = patches::LOOKUP.value(&cfg, &records, Completeness::Complete);
        assert!(d.is_empty());
        assert_eq!(
            v.get("ids"),
            &Value::Set(vec![Value::from("p2"), Value::from("p1")])
        );
        let list = v.get("patches").as_elements().unwrap();
        assert_eq!(list[0].get("title"), &Value::from("KB1"));
        assert_eq!(list[0].get("cves"), &Value::Set(vec![Value::from("CVE-1")]));
        assert_eq!(list[0].get("is_superseded"), &Value::Bool(false));
        assert_eq!(
            list[0].get("published_at"),
            &Value::from("2024-01-10T00:00:00Z")
        );
        assert_eq!(list[1].get("title"), &Value::Null);
        let (_, d) = patches::LOOKUP.value(
            &cfg,
            &records,
            Completeness::MaxResults {
                limit: 2,
                left_out: LeftOut::Exactly(40),
            },
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, tfplugin::Severity::Warning);
        assert_eq!(d[0].attribute, Some(AttributePath::attr("max_results")));
        assert_eq!(d[0].summary, "Only the first 2 patches were returned");
        assert!(d[0].detail.contains("40 more match"), "{}", d[0].detail);
        let (_, d) = assets::LOOKUP.value(
            &cfg,
            &records,
            Completeness::Cap {
                left_out: LeftOut::Unknown,
            },
        );
        assert!(d[0].summary.contains("record cap"), "{}", d[0].summary);
        assert!(d[0].detail.contains("2501"));
    }

    #[test]
    fn asset_tags_and_nested_facts_are_read() {
        let asset = qualys_pm::Asset::from_json(json!({
            "id": "a1", "name": "web-01", "operatingSystem": "Windows Server 2022",
            "tags": [{"id": "t1", "name": "Web"}, "t2"], "statusDateTime": 1753435366000i64,
            "missingPatchCount": "4", "hardware": {"model": "VMware7,1"},
            "interfaces": [{"interfaceName": "eth0", "address": "10.0.0.5"}]
        }))
        .unwrap();
        let rows = vec![(asset.id.clone(), asset.to_json())];
        let (v, _) = assets::LOOKUP.value(&config(&[]), &rows, Completeness::Complete);
        let a = &v.get("assets").as_elements().unwrap()[0];
        assert_eq!(
            a.get("operating_system"),
            &Value::from("Windows Server 2022")
        );
        let tags = a.get("tags").as_elements().unwrap();
        assert_eq!(tags[0].get("name"), &Value::from("Web"));
        assert_eq!(tags[1].get("id"), &Value::from("t2"));
        assert_eq!(tags[1].get("name"), &Value::Null);
        assert_eq!(a.get("missing_patch_count"), &Value::int(4));
        assert_eq!(a.get("hardware_model"), &Value::from("VMware7,1"));
        assert_eq!(
            a.get("last_checked_in_at"),
            &Value::from("2025-07-25T09:22:46Z")
        );
        assert_eq!(
            a.get("interfaces").as_elements().unwrap()[0].get("address"),
            &Value::from("10.0.0.5")
        );
        assert!(v.is_wholly_known());
    }
}
