//! Routes of the patch catalog and PM assets: `POST /pm/v2/patches`,
//! `GET /pm/v1/patches/count`, `POST /pm/v1/assets`, and the `/_simulator/catalog` admin
//! endpoint. The wire contract is in "Patch catalog and assets" of `docs/simulator.md`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query as QueryParams, State as AxState};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::{authorize, json_response, parse_body, ApiError};
use crate::catalog::{
    self, Catalog, Key, PagingError, ASSET_ATTRIBUTES, ASSET_FIELDS, ASSET_PAGE_MAX,
    DEFAULT_PAGE_SIZE, PATCH_ATTRIBUTES, PATCH_FIELDS, PATCH_PAGE_MAX,
};
use crate::qql::{FieldSpec, QqlError, Query};
use crate::{now_ms, State};

/// The paging cursor: a response header, sent back as a request header (or, for assets,
/// also as a query parameter). HTTP header names are case-insensitive.
const CURSOR_HEADER: &str = "searchafter";
/// Total number of matching records (before the 10,000 cap), on every search answer.
const TOTAL_COUNT_HEADER: &str = "x-total-count";

pub(super) fn routes() -> Router<State> {
    Router::new()
        .route("/pm/v2/patches", post(search_patches))
        .route("/pm/v1/patches/count", get(count_patches))
        .route("/pm/v1/assets", post(search_assets).get(list_assets))
        .route(
            "/_simulator/catalog",
            get(admin_get_catalog).post(admin_set_catalog),
        )
}

fn qql_error(field: &str, e: QqlError) -> ApiError {
    ApiError::app(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e.message).on_field(field)
}

fn platform_param(q: &HashMap<String, String>, required: bool) -> Result<Option<String>, ApiError> {
    match q.get("platform").map(String::as_str) {
        None | Some("") if required => Err(ApiError::invalid(
            "platform",
            "required: one of Windows, Linux",
        )),
        None | Some("") => Ok(None),
        Some(p @ ("Windows" | "Linux")) => Ok(Some(p.to_owned())),
        Some(other) => Err(ApiError::invalid(
            "platform",
            format!("must be one of Windows, Linux, got {other:?}"),
        )),
    }
}

fn page_size(q: &HashMap<String, String>, max: usize) -> Result<usize, ApiError> {
    match q.get("pageSize").map(|s| s.trim().parse::<usize>()) {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(Ok(n)) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "pageSize",
            format!(
                "must be a whole number between 1 and {max}, got {:?}",
                q.get("pageSize").map(String::as_str).unwrap_or_default()
            ),
        )),
    }
}

/// The body of a search: `{"query", "havingQuery", "attributes"}`, all optional.
struct SearchBody {
    query: String,
    having: String,
    attributes: Option<Vec<String>>,
}

fn search_body(body: &Bytes, known_attributes: &[&str]) -> Result<SearchBody, ApiError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse_body(body)?
    };
    let Value::Object(m) = value else {
        return Err(ApiError::malformed(
            "The request body must be a JSON object {\"query\", \"havingQuery\", \"attributes\"}",
        ));
    };
    if let Some(k) = m
        .keys()
        .find(|k| !["query", "havingQuery", "attributes"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            k,
            "unknown key in the request body (expected query, havingQuery, attributes)",
        ));
    }
    let text = |key: &str| match m.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(ApiError::invalid(
            key,
            format!("a QQL string expected, got {other}"),
        )),
    };
    let query = text("query")?;
    let having = text("havingQuery")?;
    let attributes = match m.get("attributes") {
        None | Some(Value::Null) => None,
        // qualysdk sends a list; the patch catalog endpoint takes "a,b" strings.
        Some(Value::String(s)) => Some(
            s.split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect::<Vec<_>>(),
        ),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|a| {
                    a.as_str().map(str::to_owned).ok_or_else(|| {
                        ApiError::invalid(
                            "attributes",
                            format!("attribute names are strings, got {a}"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(other) => {
            return Err(ApiError::invalid(
                "attributes",
                format!("a list of attribute names expected, got {other}"),
            ))
        }
    };
    if let Some(attrs) = &attributes {
        if let Some(unknown) = attrs
            .iter()
            .find(|a| !known_attributes.contains(&a.as_str()))
        {
            return Err(ApiError::invalid(
                "attributes",
                format!(
                    "unknown attribute {unknown:?} (known: {})",
                    known_attributes.join(", ")
                ),
            ));
        }
    }
    Ok(SearchBody {
        query,
        having,
        attributes,
    })
}

fn parse_qql(field: &str, text: &str, schema: &[FieldSpec]) -> Result<Query, ApiError> {
    Query::parse(text, schema, now_ms() as i64).map_err(|e| qql_error(field, e))
}

fn cursor_of(
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    query_param_too: bool,
) -> Result<Option<String>, ApiError> {
    let header = match headers.get(CURSOR_HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| {
                    ApiError::invalid("searchAfter", "the cursor header is not visible ASCII")
                })?
                .to_owned(),
        ),
    };
    let param = if query_param_too {
        q.get("searchAfter").cloned()
    } else {
        None
    };
    match (header, param) {
        (Some(h), Some(p)) if h != p => Err(ApiError::invalid(
            "searchAfter",
            "the searchAfter header and query parameter disagree",
        )),
        (h, p) => Ok(h.or(p).filter(|c| !c.is_empty())),
    }
}

fn decode_cursor(cursor: Option<String>, patches: bool) -> Result<Option<Key>, ApiError> {
    let Some(c) = cursor else { return Ok(None) };
    match Key::from_cursor(&c) {
        Some(k @ Key::Newest(..)) if patches => Ok(Some(k)),
        Some(k @ Key::Name(..)) if !patches => Ok(Some(k)),
        _ => Err(ApiError::invalid(
            "searchAfter",
            "not a cursor this listing returned (send back the searchAfter response header unchanged)",
        )),
    }
}

/// A page of a search answer: the array, the cursor header when more may follow, the total.
fn page_answer(
    cap: usize,
    hits: &[usize],
    key: impl Fn(usize) -> Key,
    size: usize,
    after: Option<Key>,
    render: impl Fn(usize) -> Value,
) -> Result<Response, ApiError> {
    let keys: Vec<Key> = hits.iter().map(|&i| key(i)).collect();
    let span = catalog::page(&keys, size, after.as_ref(), cap)
        .map_err(|PagingError::Cap| ApiError::record_cap(cap))?;
    let items: Vec<Value> = hits[span.start..span.end]
        .iter()
        .map(|&i| render(i))
        .collect();
    let mut response = json_response(StatusCode::OK, Value::Array(items));
    let h = response.headers_mut();
    if span.more {
        if let Ok(v) = HeaderValue::from_str(&keys[span.end - 1].cursor()) {
            h.insert(HeaderName::from_static(CURSOR_HEADER), v);
        }
    }
    h.insert(
        HeaderName::from_static(TOTAL_COUNT_HEADER),
        HeaderValue::from(hits.len()),
    );
    Ok(response)
}

async fn search_patches(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let platform = platform_param(&q, true)?.unwrap_or_default();
    let size = page_size(&q, PATCH_PAGE_MAX)?;
    let body = search_body(&body, PATCH_ATTRIBUTES)?;
    let query = parse_qql("query", &body.query, PATCH_FIELDS)?;
    let having = parse_qql("havingQuery", &body.having, ASSET_FIELDS)?;
    let after = decode_cursor(cursor_of(&headers, &q, false)?, true)?;
    let catalog = state.catalog();
    let hits = catalog.search_patches(&platform, &query, &having);
    let attrs = body.attributes.as_deref();
    page_answer(
        state.options.list_record_cap,
        &hits,
        |i| catalog.patch_key(i).clone(),
        size,
        after,
        |i| catalog.render_patch(i, attrs),
    )
}

async fn count_patches(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let platform = platform_param(&q, true)?.unwrap_or_default();
    let empty = String::new();
    let query = parse_qql("query", q.get("query").unwrap_or(&empty), PATCH_FIELDS)?;
    let having = parse_qql(
        "havingQuery",
        q.get("havingQuery").unwrap_or(&empty),
        ASSET_FIELDS,
    )?;
    let n = state
        .catalog()
        .search_patches(&platform, &query, &having)
        .len();
    // `count` (the brief's reading) and `patches.count` (what qualysdk reads).
    Ok(json_response(
        StatusCode::OK,
        json!({"count": n, "patches": {"count": n}}),
    ))
}

async fn search_assets(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let body = search_body(&body, ASSET_ATTRIBUTES)?;
    assets_page(&state, &headers, &q, body)
}

/// `GET /pm/v1/assets?platform=..` (the PM 3.9 release notes' sample): the same search,
/// `query`, `havingQuery` and `attributes` (comma-separated) as query parameters.
async fn list_assets(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let mut body = serde_json::Map::new();
    for key in ["query", "havingQuery", "attributes"] {
        if let Some(v) = q.get(key) {
            body.insert(key.to_owned(), json!(v));
        }
    }
    let bytes = Bytes::from(Value::Object(body).to_string());
    let body = search_body(&bytes, ASSET_ATTRIBUTES)?;
    assets_page(&state, &headers, &q, body)
}

fn assets_page(
    state: &State,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    body: SearchBody,
) -> Result<Response, ApiError> {
    let platform = platform_param(q, false)?;
    let size = page_size(q, ASSET_PAGE_MAX)?;
    let query = parse_qql("query", &body.query, ASSET_FIELDS)?;
    let having = parse_qql("havingQuery", &body.having, PATCH_FIELDS)?;
    let after = decode_cursor(cursor_of(headers, q, true)?, false)?;
    let lenient = state.shaping.lenient_shapes(headers);
    let catalog = state.catalog();
    let hits = catalog.search_assets(platform.as_deref(), &query, &having);
    let attrs = body.attributes.as_deref();
    page_answer(
        state.options.list_record_cap,
        &hits,
        |i| catalog.asset_key(i).clone(),
        size,
        after,
        |i| catalog.render_asset(i, attrs, lenient),
    )
}

// ---------- admin ----------

/// The whole catalog, in the form `--catalog` and `POST /_simulator/catalog` take (asset
/// tags with their names).
async fn admin_get_catalog(AxState(state): AxState<State>) -> Response {
    json_response(StatusCode::OK, state.catalog().to_json())
}

/// Replaces the catalog: `{"patches": [...], "assets": [...]}`, or `{"builtin": true}` for
/// the built-in one (`"anchor": "YYYY-MM-DD" | "today"` to move its newest day). Answers a
/// summary (counts per platform).
async fn admin_set_catalog(
    AxState(state): AxState<State>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let value = parse_body(&body)?;
    let invalid = |e| ApiError::app(StatusCode::BAD_REQUEST, "INVALID_CATALOG", e);
    let catalog = if value.get("builtin") == Some(&json!(true)) {
        let anchor = match value.get("anchor").and_then(Value::as_str) {
            None => state.catalog_anchor(),
            Some(text) => catalog::parse_anchor(text).map_err(invalid)?,
        };
        Catalog::builtin_at(anchor)
    } else {
        Catalog::from_json(value).map_err(invalid)?
    };
    let summary = catalog.summary();
    state.set_catalog(Arc::new(catalog));
    Ok(json_response(StatusCode::OK, summary))
}
