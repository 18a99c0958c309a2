//! The simulator's patch catalog and PM asset endpoints on the wire (raw HTTP): paging by
//! `searchAfter`, the 10,000-record cap, QQL errors naming the position, and results checked
//! against the catalog as `/_simulator/catalog` shows it (not against the simulator's own
//! QQL evaluator).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::support::simulator::Simulator;

struct Answer {
    status: u16,
    cursor: Option<String>,
    total: Option<usize>,
    body: Value,
}

struct Raw {
    http: reqwest::Client,
    url: String,
    token: String,
}

enum Cursor<'a> {
    None,
    Header(&'a str),
    Param(&'a str),
}

impl Raw {
    async fn new(sim: &Simulator) -> Raw {
        Raw {
            http: reqwest::Client::new(),
            url: sim.url.clone(),
            token: sim.token().await,
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("ASCII header").to_owned())
        };
        let cursor = header("searchAfter");
        let total = header("X-Total-Count").map(|t| t.parse().expect("a number"));
        let text = response.text().await.expect("body");
        Answer {
            status,
            cursor,
            total,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    async fn post(&self, path_and_query: &str, body: &Value, cursor: Cursor<'_>) -> Answer {
        let mut url = format!("{}{path_and_query}", self.url);
        let mut request = self.http.post(&url).bearer_auth(&self.token).json(body);
        match cursor {
            Cursor::None => {}
            Cursor::Header(c) => request = request.header("searchAfter", c),
            Cursor::Param(c) => {
                url.push_str(&format!("&searchAfter={c}"));
                request = self.http.post(&url).bearer_auth(&self.token).json(body);
            }
        }
        Self::answer(request.send().await.expect("request")).await
    }

    async fn get(&self, path_and_query: &str) -> Answer {
        let request = self
            .http
            .get(format!("{}{path_and_query}", self.url))
            .bearer_auth(&self.token);
        Self::answer(request.send().await.expect("request")).await
    }

    /// Every page of a search, following the header (or query parameter) cursor; also
    /// returns how many requests it took.
    async fn walk(
        &self,
        path_and_query: &str,
        body: &Value,
        as_param: bool,
    ) -> (Vec<Value>, usize) {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        let mut requests = 0;
        loop {
            let c = match (&cursor, as_param) {
                (None, _) => Cursor::None,
                (Some(c), false) => Cursor::Header(c),
                (Some(c), true) => Cursor::Param(c),
            };
            let answer = self.post(path_and_query, body, c).await;
            requests += 1;
            assert_eq!(answer.status, 200, "{}", answer.body);
            let page = answer.body.as_array().expect("a flat array").clone();
            assert!(requests < 100, "paging does not end");
            all.extend(page);
            match answer.cursor {
                Some(next) => {
                    assert_ne!(cursor.as_deref(), Some(next.as_str()), "cursor repeated");
                    cursor = Some(next);
                }
                None => return (all, requests),
            }
        }
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

fn error_of(answer: &Answer) -> (&str, &str, &str) {
    let e = &answer.body["_error"];
    (
        e["errorCode"].as_str().unwrap_or_default(),
        e["message"].as_str().unwrap_or_default(),
        e["field"].as_str().unwrap_or_default(),
    )
}

async fn catalog(sim: &Simulator) -> Value {
    sim.admin_get("/_simulator/catalog").await
}

#[tokio::test]
async fn a_query_over_several_pages_returns_every_match_once() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let all = catalog(&sim).await;
    let expected: HashSet<String> = all["patches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["platform"] == "Windows" && p["vendor"] == "Microsoft")
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        expected.len() > 1000,
        "the query spans pages: {}",
        expected.len()
    );

    let path = "/pm/v2/patches?platform=Windows&pageSize=1000";
    let body = json!({"query": "vendor:Microsoft"});
    let first = raw.post(path, &body, Cursor::None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.total, Some(expected.len()), "x-total-count");
    assert!(first.cursor.is_some(), "a full page carries a cursor");

    let (items, requests) = raw.walk(path, &body, false).await;
    let got = ids(&items);
    let unique: HashSet<String> = got.iter().cloned().collect();
    assert_eq!(unique.len(), got.len(), "no patch twice");
    assert_eq!(unique, expected, "every match, nothing else");
    assert_eq!(
        requests,
        expected.len() / 1000 + 1,
        "a full last page is followed by an empty one"
    );
    // newest first
    let dates: Vec<i64> = items
        .iter()
        .map(|p| p["publishedDate"].as_i64().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn assets_take_the_cursor_as_header_or_query_parameter() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let all = catalog(&sim).await;
    let mut expected: Vec<(String, String)> = all["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"].as_str().unwrap().starts_with("web-"))
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    expected.sort();
    assert!(expected.len() > 10);
    let body = json!({"query": "name:web-*"});
    let (by_header, requests) = raw.walk("/pm/v1/assets?pageSize=7", &body, false).await;
    let (by_param, _) = raw.walk("/pm/v1/assets?pageSize=7", &body, true).await;
    assert_eq!(ids(&by_header), ids(&by_param));
    assert_eq!(
        ids(&by_header),
        expected
            .iter()
            .map(|(_, id)| id.clone())
            .collect::<Vec<_>>(),
        "sorted by name, every web- asset once"
    );
    assert_eq!(requests, expected.len() / 7 + 1);
    // tags are {id} only; counts as the links say
    for a in &by_header {
        for t in a["tags"].as_array().unwrap() {
            assert_eq!(t.as_object().unwrap().len(), 1, "{t}");
            assert!(t["id"].is_string());
        }
        assert_eq!(
            a["missingPatchCount"].as_u64().unwrap() as usize,
            a["missingPatches"].as_array().unwrap().len()
        );
    }
    // platform narrows
    let windows = raw
        .post(
            "/pm/v1/assets?platform=Windows&pageSize=400",
            &body,
            Cursor::None,
        )
        .await;
    let windows = windows.body.as_array().unwrap().clone();
    assert!(!windows.is_empty() && windows.len() < by_header.len());
    assert!(windows.iter().all(|a| a["platform"] == "Windows"));
    // the GET form of the documented sample
    let get = raw
        .get("/pm/v1/assets?pageSize=400&query=name%3Aweb-*")
        .await;
    assert_eq!(get.status, 200, "{}", get.body);
    assert_eq!(ids(get.body.as_array().unwrap()), ids(&by_header));
    // header and parameter must agree
    let first = raw
        .post("/pm/v1/assets?pageSize=7", &body, Cursor::None)
        .await;
    let c = first.cursor.unwrap();
    let response = raw
        .http
        .post(format!(
            "{}/pm/v1/assets?pageSize=7&searchAfter=x{c}",
            raw.url
        ))
        .bearer_auth(&raw.token)
        .header("searchAfter", &c)
        .json(&body)
        .send()
        .await
        .unwrap();
    let disagree = Raw::answer(response).await;
    assert_eq!(disagree.status, 400);
    assert_eq!(error_of(&disagree).2, "searchAfter");
}

#[tokio::test]
async fn qql_errors_are_400_naming_the_position() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let path = "/pm/v2/patches?platform=Windows&pageSize=10";
    let a = raw
        .post(
            path,
            &json!({"query": "isSuperseded:false and vendor:"}),
            Cursor::None,
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        error_of(&a),
        (
            "INVALID_REQUEST",
            "QQL syntax error at position 30: expected a value after ':', found the end of the query",
            "query"
        )
    );
    let a = raw
        .post(path, &json!({"query": "vendr:Microsoft"}), Cursor::None)
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        error_of(&a).1,
        "unknown field 'vendr' at position 0 (did you mean 'vendor'?)"
    );
    // havingQuery is asset QQL for patches
    let a = raw
        .post(
            path,
            &json!({"havingQuery": "name:web-* and vendor:Google"}),
            Cursor::None,
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(error_of(&a).2, "havingQuery");
    assert!(
        error_of(&a)
            .1
            .contains("unknown field 'vendor' at position 15"),
        "{}",
        a.body
    );
    // and patch QQL for assets
    let a = raw
        .post(
            "/pm/v1/assets?pageSize=10",
            &json!({"havingQuery": "vendorSeverity:Critical and"}),
            Cursor::None,
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(error_of(&a).2, "havingQuery");
    assert!(
        error_of(&a)
            .1
            .starts_with("QQL syntax error at position 27"),
        "{}",
        a.body
    );
    // hostile nesting is a 400, not a crash
    let deep = format!("{}vendor:x{}", "(".repeat(200_000), ")".repeat(200_000));
    let a = raw.post(path, &json!({"query": deep}), Cursor::None).await;
    assert_eq!(a.status, 400);
    let deep = format!("{}vendor:x{}", "(".repeat(10_000), ")".repeat(10_000));
    let a = raw.post(path, &json!({"query": deep}), Cursor::None).await;
    assert_eq!(a.status, 400);
    assert!(error_of(&a).1.contains("nest deeper than 64"), "{}", a.body);
    // the count endpoint too
    let a = raw
        .get("/pm/v1/patches/count?platform=Linux&query=qid%3Aabc")
        .await;
    assert_eq!(a.status, 400);
    assert!(error_of(&a).1.contains("at position 4"), "{}", a.body);
}

#[tokio::test]
async fn page_size_platform_body_and_cursor_are_checked() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let none = json!({});
    for (path, field, wanted) in [
        (
            "/pm/v2/patches?platform=Windows&pageSize=1001",
            "pageSize",
            "between 1 and 1000",
        ),
        (
            "/pm/v2/patches?platform=Windows&pageSize=0",
            "pageSize",
            "between 1 and 1000",
        ),
        (
            "/pm/v2/patches?platform=Windows&pageSize=ten",
            "pageSize",
            "between 1 and 1000",
        ),
        (
            "/pm/v1/assets?pageSize=401",
            "pageSize",
            "between 1 and 400",
        ),
        ("/pm/v2/patches?pageSize=10", "platform", "Windows, Linux"),
        (
            "/pm/v2/patches?platform=windows",
            "platform",
            "Windows, Linux",
        ),
        ("/pm/v1/assets?platform=Mac", "platform", "Windows, Linux"),
    ] {
        let a = raw.post(path, &none, Cursor::None).await;
        assert_eq!(a.status, 400, "{path}");
        let (code, message, f) = error_of(&a);
        assert_eq!((code, f), ("INVALID_REQUEST", field), "{path}: {}", a.body);
        assert!(message.contains(wanted), "{path}: {message}");
    }
    let ok = raw
        .post("/pm/v1/assets?pageSize=400", &none, Cursor::None)
        .await;
    assert_eq!(ok.status, 200);
    let path = "/pm/v2/patches?platform=Linux&pageSize=5";
    let a = raw
        .post(path, &json!({"having_query": "x"}), Cursor::None)
        .await;
    assert_eq!((a.status, error_of(&a).2), (400, "having_query"));
    let a = raw
        .post(path, &json!({"attributes": ["id", "cves"]}), Cursor::None)
        .await;
    assert_eq!((a.status, error_of(&a).2), (400, "attributes"));
    assert!(error_of(&a).1.contains("\"cves\""), "{}", a.body);
    let a = raw.post(path, &none, Cursor::Header("garbage")).await;
    assert_eq!((a.status, error_of(&a).2), (400, "searchAfter"));
    // an asset cursor is not a patch cursor
    let assets = raw
        .post("/pm/v1/assets?pageSize=1", &none, Cursor::None)
        .await;
    let a = raw
        .post(
            path,
            &none,
            Cursor::Header(assets.cursor.as_deref().unwrap()),
        )
        .await;
    assert_eq!((a.status, error_of(&a).2), (400, "searchAfter"));
    // no token
    let response = raw
        .http
        .post(format!("{}{path}", raw.url))
        .json(&none)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // an empty body is no filter
    let response = raw
        .http
        .post(format!("{}{path}", raw.url))
        .bearer_auth(&raw.token)
        .send()
        .await
        .unwrap();
    let a = Raw::answer(response).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body.as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn attributes_limit_the_keys_and_the_count_agrees_with_the_search() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let query = "vendorSeverity:`Critical` and isSuperseded:false";
    let a = raw
        .post(
            "/pm/v2/patches?platform=Windows&pageSize=1000",
            &json!({"query": query, "attributes": ["id", "vendorSeverity"]}),
            Cursor::None,
        )
        .await;
    assert_eq!(a.status, 200);
    let items = a.body.as_array().unwrap();
    assert!(!items.is_empty());
    for p in items {
        let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "vendorSeverity"]);
        assert_eq!(p["vendorSeverity"], "Critical");
    }
    let count = raw
        .get(&format!(
            "/pm/v1/patches/count?platform=Windows&query={}",
            url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
        ))
        .await;
    assert_eq!(count.status, 200);
    assert_eq!(count.body["count"], json!(items.len()));
    assert_eq!(count.body["patches"]["count"], json!(items.len()));
    assert_eq!(a.total, Some(items.len()));
    // Linux patches report isSuperseded null: the same query finds none there.
    let linux = raw
        .post(
            "/pm/v2/patches?platform=Linux&pageSize=10",
            &json!({"query": query}),
            Cursor::None,
        )
        .await;
    assert_eq!(linux.body, json!([]));
    assert_eq!(linux.total, Some(0));
    assert_eq!(linux.cursor, None);
}

#[tokio::test]
async fn having_query_finds_assets_missing_a_critical_patch() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let all = catalog(&sim).await;
    let critical: HashSet<&str> = all["patches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["vendorSeverity"] == "Critical")
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let expected: HashSet<String> = all["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["platform"] == "Linux"
                && a["missingPatches"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| critical.contains(m["id"].as_str().unwrap()))
        })
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!expected.is_empty());
    let (items, _) = raw
        .walk(
            "/pm/v1/assets?platform=Linux&pageSize=400",
            &json!({"havingQuery": "patchStatus:Missing and vendorSeverity:Critical"}),
            false,
        )
        .await;
    let got: HashSet<String> = ids(&items).into_iter().collect();
    assert_eq!(got, expected);
}

/// `n` minimal Linux patches with distinct ids and dates.
fn synthetic(n: usize) -> Value {
    let patches: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("p-{i:05}"), "platform": "Linux", "title": format!("patch {i}"), "publishedDate": i as i64 * 1000}))
        .collect();
    json!({"patches": patches, "assets": []})
}

#[tokio::test]
async fn listing_past_the_10000th_record_is_error_2501() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    let summary = sim
        .admin_post("/_simulator/catalog", synthetic(10_050))
        .await;
    assert_eq!(summary["patches"]["Linux"], 10_050, "{summary}");
    let path = "/pm/v2/patches?platform=Linux&pageSize=1000";
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    for page in 1..=10 {
        let c = cursor.as_deref().map_or(Cursor::None, Cursor::Header);
        let a = raw.post(path, &json!({}), c).await;
        assert_eq!(a.status, 200, "page {page}: {}", a.body);
        assert_eq!(a.total, Some(10_050));
        seen += a.body.as_array().unwrap().len();
        cursor = Some(a.cursor.expect("more records follow"));
    }
    assert_eq!(seen, 10_000);
    let past = raw
        .post(path, &json!({}), Cursor::Header(cursor.as_deref().unwrap()))
        .await;
    assert_eq!(past.status, 400);
    let (code, message, _) = error_of(&past);
    assert_eq!(code, "2501");
    assert!(message.contains("10000"), "{message}");
    // A smaller page size meets the cap inside a page: it stops there, with a cursor.
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let c = cursor.as_deref().map_or(Cursor::None, Cursor::Header);
        let a = raw
            .post("/pm/v2/patches?platform=Linux&pageSize=999", &json!({}), c)
            .await;
        if a.status == 400 {
            assert_eq!(error_of(&a).0, "2501");
            break;
        }
        seen += a.body.as_array().unwrap().len();
        cursor = Some(a.cursor.expect("a cursor until the cap"));
    }
    assert_eq!(seen, 10_000);
    let count = raw.get("/pm/v1/patches/count?platform=Linux").await;
    assert_eq!(count.body["count"], 10_050);

    // Exactly 10,000: the page after the tenth is empty, no error.
    sim.admin_post("/_simulator/catalog", synthetic(10_000))
        .await;
    let (items, requests) = raw.walk(path, &json!({}), false).await;
    assert_eq!((items.len(), requests), (10_000, 11));
}

#[tokio::test]
async fn list_record_cap_applies_to_the_catalog_listings() {
    let sim = Simulator::start_with(&["--list-record-cap", "25"]);
    let raw = Raw::new(&sim).await;
    let path = "/pm/v2/patches?platform=Linux&pageSize=10";
    let mut cursor: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let c = cursor.as_deref().map_or(Cursor::None, Cursor::Header);
        let a = raw.post(path, &json!({}), c).await;
        if a.status != 200 {
            assert_eq!(a.status, 400);
            assert_eq!(
                error_of(&a).1,
                "Patch Management APIs support fetching a maximum of 25 records only"
            );
            assert_eq!(error_of(&a).0, "2501");
            break;
        }
        sizes.push(a.body.as_array().unwrap().len());
        cursor = Some(
            a.cursor
                .expect("a cursor up to the cap, even on the short page"),
        );
    }
    assert_eq!(sizes, [10, 10, 5]);
    // assets too
    let a = raw
        .post("/pm/v1/assets?pageSize=25", &json!({}), Cursor::None)
        .await;
    let c = a.cursor.expect("more assets than the cap");
    let past = raw
        .post("/pm/v1/assets?pageSize=25", &json!({}), Cursor::Param(&c))
        .await;
    assert_eq!((past.status, error_of(&past).0), (400, "2501"));
}

#[tokio::test]
async fn catalog_file_and_admin_replace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    std::fs::write(
        &file,
        json!({
            "patches": [
                {"id": "p1", "platform": "Windows", "title": "One", "vendor": "Acme", "publishedDate": 2},
                {"id": "p2", "platform": "Windows", "title": "Two", "vendor": "Acme", "publishedDate": 1},
                {"id": "p3", "platform": "Linux", "title": "Three", "vendor": "Acme"},
            ],
            "assets": [{"id": "a1", "name": "only", "platform": "Windows", "tags": [{"id": "t1", "name": "Prod"}],
                        "missingPatches": [{"id": "p2"}], "installedPatches": []}],
        })
        .to_string(),
    )
    .unwrap();
    let sim = Simulator::start_with(&["--catalog", file.to_str().unwrap()]);
    let raw = Raw::new(&sim).await;
    let a = raw
        .post(
            "/pm/v2/patches?platform=Windows&pageSize=10",
            &json!({"query": "vendor:acme"}),
            Cursor::None,
        )
        .await;
    assert_eq!(ids(a.body.as_array().unwrap()), ["p1", "p2"]);
    assert_eq!(
        a.body[1]["missingCount"], 1,
        "derived from the asset's list"
    );
    let a = raw
        .post(
            "/pm/v1/assets?pageSize=10",
            &json!({"query": "tags.name:prod"}),
            Cursor::None,
        )
        .await;
    assert_eq!(ids(a.body.as_array().unwrap()), ["a1"]);
    assert_eq!(a.body[0]["tags"], json!([{"id": "t1"}]));
    assert_eq!(a.body[0]["missingPatchCount"], 1);

    // replace at runtime, refuse a bad one, go back to the built-in catalog
    let bad = sim
        .admin_post(
            "/_simulator/catalog",
            json!({"patches": [{"id": "x", "platform": "BeOS"}]}),
        )
        .await;
    assert!(
        bad["_error"]["message"]
            .as_str()
            .unwrap()
            .contains("patches[0].platform"),
        "{bad}"
    );
    let a = raw
        .post(
            "/pm/v2/patches?platform=Linux&pageSize=10",
            &json!({}),
            Cursor::None,
        )
        .await;
    assert_eq!(
        ids(a.body.as_array().unwrap()),
        ["p3"],
        "a refused catalog changes nothing"
    );
    let summary = sim
        .admin_post("/_simulator/catalog", json!({"builtin": true}))
        .await;
    assert!(
        summary["patches"]["Windows"].as_u64().unwrap() > 2000,
        "{summary}"
    );

    // a bad --catalog file stops the simulator at startup, naming the item
    std::fs::write(
        &file,
        json!({"patches": [{"id": "", "platform": "Linux"}]}).to_string(),
    )
    .unwrap();
    let out = std::process::Command::new(crate::support::terraform::simulator_binary())
        .args(["--listen", "127.0.0.1:0", "--catalog"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("patches[0].id"), "{stderr}");
}

#[tokio::test]
async fn searches_are_reads_for_fault_injection() {
    let sim = Simulator::start();
    let raw = Raw::new(&sim).await;
    sim.admin_post("/_simulator/faults", json!({"lose_next": 1}))
        .await;
    let a = raw
        .post(
            "/pm/v2/patches?platform=Linux&pageSize=1",
            &json!({}),
            Cursor::None,
        )
        .await;
    assert_eq!(
        a.status, 200,
        "a search is not a write whose answer gets lost"
    );
    let a = raw
        .post("/pm/v1/assets?pageSize=1", &json!({}), Cursor::None)
        .await;
    assert_eq!(a.status, 200);
    let create = raw
        .http
        .post(format!("{}/pm/v1/deploymentjob", raw.url))
        .bearer_auth(&raw.token)
        .json(&json!({"name": "j", "type": "Install", "scheduleType": "On-demand"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        create.status().as_u16(),
        504,
        "the pending loss still hits the next write"
    );
}
