//! The two searches, patches and assets: their requests, the answer of each page, and the
//! paging cursor and total read from its headers.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Map, Value};

use super::paging::{collect_pages, Listing, PageAnswer};
use super::records::{Asset, Patch, Record};
use super::{ASSET_PAGE_SIZE, CURSOR_HEADER, PATCH_PAGE_SIZE};
use crate::client::{parse_json, Call};
use crate::error::{Operation, RECORD_CAP, RECORD_CAP_ERROR_CODE};
use crate::model::lenient;
use crate::{Client, Error};

/// Response headers that may carry the total number of matches (SRC says "a response
/// header" without naming it; INF: `X-Total-Count`, as the simulator sends it, or a
/// `totalCount`-style name).
const TOTAL_HEADERS: &[&str] = &["x-total-count", "totalCount", "total-count"];

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct Search<'a> {
    /// `Windows` or `Linux`; required for patches, optional for assets.
    pub platform: Option<&'a str>,
    /// QQL on the listed records (`vendorSeverity:Critical`).
    pub query: Option<&'a str>,
    /// QQL on the other side (patches: on the assets missing them; assets: on their patches).
    pub having_query: Option<&'a str>,
    /// Stop after this many records (at most [`RECORD_CAP`]).
    pub max_results: usize,
}

/// One of the two searchable listings.
struct Endpoint {
    op: Operation,
    path: [&'static str; 3],
    /// The largest page the API serves.
    largest_page: usize,
    /// What the answer is, as errors name it.
    what: &'static str,
}

const PATCHES: Endpoint = Endpoint {
    op: Operation::SearchPatches,
    path: ["pm", "v2", "patches"],
    largest_page: PATCH_PAGE_SIZE,
    what: "the patch list",
};

const ASSETS: Endpoint = Endpoint {
    op: Operation::SearchAssets,
    path: ["pm", "v1", "assets"],
    largest_page: ASSET_PAGE_SIZE,
    what: "the asset list",
};

impl Client {
    /// Searches the patch catalog of one platform (`POST /pm/v2/patches`), all pages up to
    /// `max_results`. A QQL error is `Error::Api` with status 400 and the server's message.
    pub async fn search_patches(&self, search: &Search<'_>) -> Result<Listing<Patch>, Error> {
        self.search(&PATCHES, search).await
    }

    /// Searches the PM assets (`POST /pm/v1/assets`), of one platform or all, all pages up to
    /// `max_results`.
    pub async fn search_assets(&self, search: &Search<'_>) -> Result<Listing<Asset>, Error> {
        self.search(&ASSETS, search).await
    }

    async fn search<T: Record>(
        &self,
        endpoint: &Endpoint,
        search: &Search<'_>,
    ) -> Result<Listing<T>, Error> {
        let limit = search.max_results.clamp(1, RECORD_CAP);
        // one page size for the whole listing: the largest, or less when fewer are wanted
        let page_size = endpoint.largest_page.min(limit);
        let mut url = self.url(&endpoint.path);
        {
            let mut q = url.query_pairs_mut();
            if let Some(p) = search.platform {
                q.append_pair("platform", p);
            }
            q.append_pair("pageSize", &page_size.to_string());
        }
        let body = search_body(search);
        collect_pages(endpoint.op, limit, T::id, |cursor| {
            let call = Call {
                op: endpoint.op,
                job_id: None,
                method: Method::POST,
                url: url.clone(),
                body: Some(body.clone()),
                headers: cursor.map(|c| vec![(CURSOR_HEADER, c)]).unwrap_or_default(),
            };
            async move { self.search_page(&call, endpoint.what).await }
        })
        .await
    }

    /// One page: its records, the cursor of the next and the API's total; or the record cap.
    async fn search_page<T: Record>(
        &self,
        call: &Call<'_>,
        what: &str,
    ) -> Result<PageAnswer<T>, Error> {
        let reply = self.execute(call).await?;
        if reply.status != 200 {
            return match self.api_error(call, &reply) {
                Error::Api { code: Some(c), .. } if c == RECORD_CAP_ERROR_CODE => {
                    Ok(PageAnswer::Cap)
                }
                Error::Api {
                    status: 400,
                    message,
                    ..
                } => Err(Error::InvalidSearch {
                    operation: call.op,
                    parameter: rejected_parameter(&reply.text),
                    message,
                }),
                other => Err(other),
            };
        }
        let items = match parse_json(&reply.text, what)? {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => {
                return Err(Error::Decode {
                    what: what.into(),
                    message: format!("expected an array, got {}", lenient::kind(&other)),
                })
            }
        };
        Ok(PageAnswer::Page {
            items: items
                .into_iter()
                .map(T::from_json)
                .collect::<Result<Vec<_>, _>>()?,
            cursor: next_cursor(&reply.headers),
            total: total_count(&reply.headers),
        })
    }
}

/// The request body: the QQL queries that are set (not blank).
fn search_body(search: &Search<'_>) -> Value {
    let mut body = Map::new();
    for (key, value) in [
        ("query", search.query),
        ("havingQuery", search.having_query),
    ] {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            body.insert(key.into(), json!(v));
        }
    }
    Value::Object(body)
}

/// The parameter a 400 answer names: `_error.field` (the simulator), or the first of our
/// parameters the message mentions (INF: the real error body's shape is not published).
fn rejected_parameter(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let error = value.get("_error").unwrap_or(&value);
    if let Some(f) = error.get("field").and_then(Value::as_str) {
        return Some(f.to_owned());
    }
    let message = error
        .get("message")
        .and_then(Value::as_str)?
        .to_ascii_lowercase();
    [
        "havingQuery",
        "query",
        "platform",
        "pageSize",
        CURSOR_HEADER,
    ]
    .into_iter()
    .find(|p| message.contains(&p.to_ascii_lowercase()))
    .map(str::to_owned)
}

/// The `searchAfter` response header, when it carries a cursor.
fn next_cursor(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CURSOR_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn total_count(headers: &HeaderMap) -> Option<u64> {
    TOTAL_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rejected_parameter_is_read_from_the_error_body() {
        let body = |v: Value| v.to_string();
        assert_eq!(
            rejected_parameter(&body(json!({"_error": {"errorCode": "INVALID_REQUEST",
                "message": "QQL syntax error at position 3", "field": "havingQuery"}}))),
            Some("havingQuery".into())
        );
        assert_eq!(
            rejected_parameter(&body(
                json!({"_error": {"message": "Invalid pageSize: 5000"}})
            )),
            Some("pageSize".into())
        );
        assert_eq!(
            rejected_parameter(&body(json!({"message": "unknown field in havingQuery"}))),
            Some("havingQuery".into())
        );
        assert_eq!(rejected_parameter("<html>"), None);
    }

    #[test]
    fn cursor_and_total_headers_are_read() {
        let mut h = HeaderMap::new();
        assert_eq!(next_cursor(&h), None);
        h.insert("searchafter", " ".parse().unwrap());
        assert_eq!(next_cursor(&h), None, "a blank cursor is no cursor");
        h.insert("searchAfter", "1704844800000,a1".parse().unwrap());
        assert_eq!(next_cursor(&h).as_deref(), Some("1704844800000,a1"));
        h.insert("x-total-count", "2417".parse().unwrap());
        assert_eq!(total_count(&h), Some(2417));
    }
}
