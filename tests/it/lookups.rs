//! The lookup data sources `qualys_patches` and `qualys_assets`: the client's search through
//! faults the simulator injects, then, end to end, the real terraform CLI against the
//! simulator's catalog. (The client's wire behaviour against a hand-made gateway is tested in
//! `crates/qualys-pm/tests/client/catalog_search.rs`.)

use qualys_pm::{Completeness, Search};
use serde_json::{json, Value};

fn search(query: Option<&'static str>, max_results: usize) -> Search<'static> {
    Search {
        platform: Some("Windows"),
        query,
        having_query: None,
        max_results,
    }
}

#[tokio::test]
async fn a_throttled_or_failing_page_is_retried_and_nothing_is_lost_or_repeated() {
    let sim = crate::support::simulator::Simulator::start();
    let client = sim.client();
    let all = client
        .search_patches(&search(None, 10_000))
        .await
        .expect("search");
    assert_eq!(all.completeness, Completeness::Complete);
    // the request for page 2 is answered 429, its retry 503 (before the server acts), the
    // next attempt succeeds
    sim.fail_next(&[0, 429, 503]).await;
    let again = client
        .search_patches(&search(None, 10_000))
        .await
        .expect("search through faults");
    assert_eq!(
        again.items, all.items,
        "the same records, in the same order"
    );
    assert_eq!(
        again.pages, all.pages,
        "the loop counts pages, not attempts"
    );
    let stats = sim.admin_get("/_simulator/stats").await;
    assert_eq!(stats["faults_injected"], 2, "{stats}");
}

// ---------------------------------------------------------------------------------------
// End to end: terraform, the provider and the simulator's built-in catalog. Expectations
// come from the catalog as the simulator's admin endpoint lists it, filtered here in Rust:
// neither the provider nor the simulator's QQL evaluator computes them.

use std::collections::BTreeSet;

use crate::resource_e2e::{block_on, E2e};

fn example(path: &str) -> String {
    let full = format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

/// The simulator's catalog: (patches, assets), raw.
fn catalog(e: &E2e) -> (Vec<Value>, Vec<Value>) {
    let c = block_on(e.sim.admin_get("/_simulator/catalog"));
    let list = |k: &str| {
        c[k].as_array()
            .unwrap_or_else(|| panic!("/_simulator/catalog has no {k}: {c}"))
            .clone()
    };
    (list("patches"), list("assets"))
}

fn ids<'a>(items: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    items
        .into_iter()
        .map(|v| v["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

/// The search requests of `path` logged after `mark`.
fn searches(e: &E2e, mark: usize, path: &str) -> Vec<Value> {
    e.job_requests_since(mark)
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == path)
        .collect()
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_job_fed_by_both_lookups_gets_exactly_the_catalogs_ids_and_plans_clean() {
    let e = E2e::start("a_job_fed_by_both_lookups_gets_exactly_the_catalogs_ids_and_plans_clean");
    // the documented example: vendorSeverity:`Critical` and isSuperseded:false on Windows,
    // name:web-* among the Windows assets
    e.config(&example("resources/qualys_deployment_job/lookups.tf"));
    let (patches, assets) = catalog(&e);
    let want_patches = ids(patches.iter().filter(|p| {
        p["platform"] == "Windows"
            && p["vendorSeverity"] == "Critical"
            && p["isSuperseded"] == false
    }));
    let want_assets = ids(assets.iter().filter(|a| {
        a["platform"] == "Windows"
            && a["name"]
                .as_str()
                .is_some_and(|n| n.to_ascii_lowercase().starts_with("web-"))
    }));
    assert!(
        !want_patches.is_empty() && !want_assets.is_empty(),
        "the built-in catalog should have critical Windows patches and Windows web servers"
    );

    let mark = e.mark();
    e.apply(&[]);
    let create = e.only_body(mark, "POST", "/pm/v1/deploymentjob");
    assert_eq!(
        string_set(&create["approvedPatches"]),
        want_patches,
        "approvedPatches"
    );
    assert_eq!(string_set(&create["assetIds"]), want_assets, "assetIds");
    assert_eq!(
        create["approvedPatches"].as_array().unwrap().len(),
        want_patches.len()
    );

    // what the data sources hold: each record once, with the catalog's facts
    let state = e.state();
    let critical = &state["data.qualys_patches.critical"];
    assert_eq!(string_set(&critical["ids"]), want_patches);
    let listed = critical["patches"].as_array().expect("patches");
    assert_eq!(listed.len(), want_patches.len());
    for p in listed {
        let source = patches
            .iter()
            .find(|c| c["id"] == p["id"])
            .expect("a catalog patch");
        assert_eq!(p["title"], source["title"]);
        assert_eq!(p["kb"], source["kb"]);
        assert_eq!(p["vendor_severity"], "Critical");
        assert_eq!(p["is_superseded"], false);
        assert_eq!(string_set(&p["cves"]), string_set(&source["cve"]));
        assert!(
            p["published_at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{p}"
        );
    }
    let web = &state["data.qualys_assets.web"];
    for a in web["assets"].as_array().expect("assets") {
        let source = assets
            .iter()
            .find(|c| c["id"] == a["id"])
            .expect("a catalog asset");
        assert_eq!(a["name"], source["name"]);
        assert_eq!(a["operating_system"], source["operatingSystem"]);
        assert_eq!(a["missing_patch_count"], source["missingPatchCount"]);
        assert_eq!(
            ids(a["tags"].as_array().unwrap()),
            ids(source["tags"].as_array().unwrap())
        );
    }
    e.assert_plan_clean(&[], "a job fed by lookups");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_query_matching_several_pages_returns_every_match_once() {
    let e = E2e::start("a_query_matching_several_pages_returns_every_match_once");
    e.config(
        r#"data "qualys_patches" "linux" {
  platform    = "Linux"
  max_results = 10000
}

output "ids" {
  value = data.qualys_patches.linux.ids
}

output "listed" {
  value = [for p in data.qualys_patches.linux.patches : p.id]
}
"#,
    );
    let (patches, _) = catalog(&e);
    let want = ids(patches.iter().filter(|p| p["platform"] == "Linux"));
    assert!(
        want.len() > 2_000,
        "the test needs more than two pages: {}",
        want.len()
    );
    let mark = e.mark();
    let out = e.apply(&[]);
    let text = out.squeezed();
    assert!(
        !text.contains("were returned") && !text.contains("cap"),
        "no listing warning: {text}"
    );
    let outputs = e.tf(&["output", "-json"]);
    outputs.expect_success("terraform output -json");
    let outputs: Value = serde_json::from_str(&outputs.stdout).expect("output JSON");
    let listed: Vec<String> = outputs["listed"]["value"]
        .as_array()
        .expect("listed")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed.len(), want.len(), "every match, none twice");
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), want);
    assert_eq!(string_set(&outputs["ids"]["value"]), want);
    // one read (terraform reads a data source once per apply), one request per page of 1000
    let pages = searches(&e, mark, "/pm/v2/patches");
    assert_eq!(
        pages.len(),
        want.len().div_ceil(1000),
        "requests for {} patches: {pages:#?}",
        want.len()
    );
    for r in &pages {
        assert!(
            r["query"]
                .as_str()
                .is_some_and(|q| q.contains("pageSize=1000")),
            "{r}"
        );
    }
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_qql_syntax_error_fails_the_plan_at_query_with_the_simulators_message() {
    qql_syntax_error_at_query("strict");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn a_qql_syntax_error_fails_the_plan_at_query_under_the_lenient_error_shapes() {
    qql_syntax_error_at_query("lenient");
}

fn qql_syntax_error_at_query(variant: &str) {
    let e = E2e::start_with(
        &format!("a_qql_syntax_error_fails_the_plan_at_query ({variant})"),
        &["--variant", variant],
        crate::support::simulator::PASSWORD,
    );
    e.config(
        r#"data "qualys_patches" "bad" {
  platform = "Windows"
  query = "vendorSeverity:`Critical` and"
}
"#,
    );
    // the simulator's own answer to the same query says this, in whichever of the variant's
    // error shapes
    let message =
        "QQL syntax error at position 29: expected a field name, found the end of the query";
    let (status, answer) = e.api(
        reqwest::Method::POST,
        "/pm/v2/patches?platform=Windows&pageSize=10",
        Some(json!({"query": "vendorSeverity:`Critical` and"})),
    );
    assert_eq!(status, 400, "{answer}");
    let body = match &answer {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    assert!(body.contains(message), "{body}");
    let out = e.plan(&[]);
    assert_eq!(out.code, Some(1), "{}", out.combined());
    let text = out.squeezed();
    assert!(text.contains("Invalid QQL in query"), "{text}");
    assert!(
        text.contains(message),
        "the simulator's message {message:?} in: {text}"
    );
    // terraform points at the attribute's line
    assert!(
        text.contains(r#"query = "vendorSeverity:`Critical` and""#),
        "{text}"
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn max_results_smaller_than_the_matches_warns_how_many_were_left_out() {
    let e = E2e::start("max_results_smaller_than_the_matches_warns_how_many_were_left_out");
    e.config(
        r#"data "qualys_patches" "some" {
  platform    = "Windows"
  query       = "isSecurity:true"
  max_results = 5
}

output "ids" {
  value = data.qualys_patches.some.ids
}
"#,
    );
    let (patches, _) = catalog(&e);
    let all = ids(patches
        .iter()
        .filter(|p| p["platform"] == "Windows" && p["isSecurity"] == true));
    assert!(all.len() > 5);
    let out = e.apply(&[]);
    let text = out.squeezed();
    assert!(
        text.contains("Warning: Only the first 5 patches were returned"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} more match and were left out", all.len() - 5)),
        "{text}"
    );
    let outputs = e.tf(&["output", "-json"]);
    let outputs: Value = serde_json::from_str(&outputs.stdout).expect("output JSON");
    let got = string_set(&outputs["ids"]["value"]);
    assert_eq!(got.len(), 5);
    assert!(got.is_subset(&all), "{got:?}");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn documented_lookup_examples_read_and_plan_clean() {
    let e = E2e::start("documented_lookup_examples_read_and_plan_clean");
    e.config(&format!(
        "{}\n{}",
        example("data-sources/qualys_patches/data-source.tf"),
        example("data-sources/qualys_assets/data-source.tf")
    ));
    let out = e.apply(&[]);
    let outputs = e.tf(&["output", "-json"]);
    let outputs: Value = serde_json::from_str(&outputs.stdout).expect("output JSON");
    assert!(
        !outputs["critical_kbs"]["value"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{}",
        out.combined()
    );
    assert!(!outputs["web_asset_names"]["value"]
        .as_array()
        .unwrap()
        .is_empty());
    e.assert_plan_clean(&[], "the data-source examples");
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn finding_ids_guide_examples_read_and_find_something() {
    let e = E2e::start("finding_ids_guide_examples_read_and_find_something");
    let guide = std::fs::read_to_string(format!(
        "{}/docs/guides/finding-ids.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("read the guide");
    let blocks: Vec<&str> = guide
        .split("```terraform\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .collect();
    assert!(blocks.len() >= 5, "{} terraform blocks", blocks.len());
    e.config(&blocks.join("\n"));
    let out = e.apply(&[]);
    let text = out.squeezed();
    assert!(!text.contains("were returned"), "{text}");
    let lookups: Vec<(String, Value)> = e
        .state()
        .into_iter()
        .filter(|(address, _)| address.starts_with("data."))
        .collect();
    assert!(lookups.len() >= 8, "{lookups:?}");
    for (address, values) in &lookups {
        let query = values["query"].as_str().unwrap_or_default();
        // relative dates depend on today's date; the built-in catalog does not move
        if query.contains("now") {
            continue;
        }
        assert!(
            values["ids"].as_array().is_some_and(|ids| !ids.is_empty()),
            "{address} ({query:?}) found nothing"
        );
    }
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn having_query_selects_by_the_other_side() {
    let e = E2e::start("having_query_selects_by_the_other_side");
    e.config(
        r#"data "qualys_patches" "missing_on_iis_01" {
  platform     = "Windows"
  query        = "patchStatus:Missing"
  having_query = "name:web-iis-01"
}

data "qualys_assets" "missing_critical" {
  platform     = "Windows"
  having_query = "patchStatus:Missing and vendorSeverity:Critical"
}
"#,
    );
    let (patches, assets) = catalog(&e);
    let missing_ids = |a: &Value| ids(a["missingPatches"].as_array().expect("missingPatches"));
    let iis_01 = assets
        .iter()
        .find(|a| a["name"] == "web-iis-01")
        .expect("web-iis-01 in the catalog");
    // the simulator's reading (docs/simulator.md): having_query keeps the patches missing on
    // or installed on a matching asset; patchStatus:Missing, that some asset misses them
    let installed = ids(iis_01["installedPatches"]
        .as_array()
        .expect("installedPatches"));
    let on_iis_01: BTreeSet<String> = missing_ids(iis_01).union(&installed).cloned().collect();
    let want_patches = ids(patches.iter().filter(|p| {
        on_iis_01.contains(p["id"].as_str().unwrap_or_default())
            && p["missingCount"].as_i64().is_some_and(|n| n > 0)
    }));
    let critical: BTreeSet<String> = ids(patches
        .iter()
        .filter(|p| p["platform"] == "Windows" && p["vendorSeverity"] == "Critical"));
    let want_assets = ids(assets
        .iter()
        .filter(|a| a["platform"] == "Windows" && !missing_ids(a).is_disjoint(&critical)));
    assert!(!want_patches.is_empty() && !want_assets.is_empty());
    e.apply(&[]);
    let state = e.state();
    assert_eq!(
        string_set(&state["data.qualys_patches.missing_on_iis_01"]["ids"]),
        want_patches
    );
    assert_eq!(
        string_set(&state["data.qualys_assets.missing_critical"]["ids"]),
        want_assets
    );
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn the_record_cap_warns_and_keeps_what_was_returned() {
    // the simulator's cap lowered from 10,000 so that the built-in catalog reaches it
    let e = E2e::start_with(
        "the_record_cap_warns_and_keeps_what_was_returned",
        &["--list-record-cap", "1500"],
        crate::support::simulator::PASSWORD,
    );
    e.config(
        r#"data "qualys_patches" "linux" {
  platform    = "Linux"
  max_results = 10000
}

output "count" {
  value = length(data.qualys_patches.linux.ids)
}
"#,
    );
    let (patches, _) = catalog(&e);
    let all = patches.iter().filter(|p| p["platform"] == "Linux").count();
    let out = e.apply(&[]);
    let text = out.squeezed();
    assert!(
        text.contains("Warning: The Qualys record cap cut the patches short"),
        "{text}"
    );
    let outputs = e.tf(&["output", "-json"]);
    let outputs: Value = serde_json::from_str(&outputs.stdout).expect("output JSON");
    let returned = outputs["count"]["value"].as_u64().expect("count") as usize;
    assert!((1..all).contains(&returned), "{returned} of {all}");
    assert!(
        text.contains(&format!(
            "{returned} patches were returned and {} more match and were left out",
            all - returned
        )),
        "{text}"
    );
}
