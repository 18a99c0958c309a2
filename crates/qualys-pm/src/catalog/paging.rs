//! The cursor paging both listings share: the loop that asks for pages until the listing
//! is complete, cut at `max_results`, or stopped by the API's record cap, and what it says
//! of what it left out.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;

use super::CURSOR_HEADER;
use crate::error::{Operation, RECORD_CAP};
use crate::Error;

/// How many records a listing left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeftOut {
    /// The API reported its total.
    Exactly(u64),
    /// Records seen on the last page but not taken; the API reported no total.
    AtLeast(u64),
    /// The API offered another page; how many more it holds is unknown.
    Unknown,
}

/// Whether a listing returned every match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// Stopped at `max_results`.
    MaxResults {
        limit: usize,
        left_out: LeftOut,
    },
    /// The API refused to go past its 10,000-record cap (errorCode 2501).
    Cap {
        left_out: LeftOut,
    },
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeftOut::Exactly(n) => write!(f, "{n} more match and were left out"),
            LeftOut::AtLeast(n) => write!(f, "at least {n} more match and were left out"),
            LeftOut::Unknown => f.write_str("the API has more matches, how many it did not say"),
        }
    }
}

/// A listing: every record taken, in the API's order, each once.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub completeness: Completeness,
    /// Total matches, when the API reported it.
    pub total: Option<u64>,
    /// Requests made.
    pub pages: u32,
}

/// One page as the API answered it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PageAnswer<T> {
    Page {
        items: Vec<T>,
        /// The cursor of the next page; `None` ends the listing.
        cursor: Option<String>,
        total: Option<u64>,
    },
    /// The 10,000-record cap was hit (HTTP 400, errorCode 2501).
    Cap,
}

/// The paging loop: asks for pages (`fetch(cursor)`, `None` for the first) until the API
/// sends no cursor, an empty page, or `max_results` records are taken, or as many as the
/// API's total says match (which saves the empty request after a full last page); the
/// 10,000-record cap ends it too. Records already taken (same ID) are skipped. A cursor sent
/// twice, or a page of nothing but records already taken, is an error: the loop never spins
/// forever.
pub(crate) async fn collect_pages<T, F, Fut>(
    op: Operation,
    max_results: usize,
    key: fn(&T) -> &str,
    mut fetch: F,
) -> Result<Listing<T>, Error>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<PageAnswer<T>, Error>>,
{
    let mut taken = Taken::new(max_results.clamp(1, RECORD_CAP), key);
    let mut seen_cursors: HashSet<String> = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        taken.pages += 1;
        let (page, next, page_total) = match fetch(cursor.clone()).await? {
            PageAnswer::Cap => return Ok(taken.capped()),
            PageAnswer::Page {
                items,
                cursor,
                total,
            } => (items, cursor, total),
        };
        taken.total = page_total.or(taken.total);
        if page.is_empty() {
            break;
        }
        let not_taken = taken.take(page).ok_or_else(|| taken.only_repeats(op))?;
        if taken.is_full() {
            return Ok(taken.at_limit(not_taken, next.is_some()));
        }
        // every match the API counted is here: the next page could only be empty
        if taken.holds_total() {
            break;
        }
        let Some(next) = next else { break };
        if !seen_cursors.insert(next.clone()) {
            return Err(taken.repeated_cursor(op));
        }
        cursor = Some(next);
    }
    Ok(taken.listing(Completeness::Complete))
}

/// What the paging loop has taken so far.
struct Taken<T> {
    items: Vec<T>,
    /// The IDs of every record seen, taken or not.
    seen_ids: HashSet<String>,
    limit: usize,
    key: fn(&T) -> &str,
    /// The API's latest total of matches.
    total: Option<u64>,
    pages: u32,
}

impl<T> Taken<T> {
    fn new(limit: usize, key: fn(&T) -> &str) -> Self {
        Taken {
            items: Vec::new(),
            seen_ids: HashSet::new(),
            limit,
            key,
            total: None,
            pages: 0,
        }
    }

    /// Takes a page's records not seen before, up to the limit; returns how many new records
    /// did not fit, or `None` when the page held no new record.
    fn take(&mut self, page: Vec<T>) -> Option<u64> {
        let mut fresh = 0usize;
        let mut not_taken = 0u64;
        for item in page {
            if !self.seen_ids.insert((self.key)(&item).to_owned()) {
                continue;
            }
            fresh += 1;
            if self.items.len() < self.limit {
                self.items.push(item);
            } else {
                not_taken += 1;
            }
        }
        (fresh > 0).then_some(not_taken)
    }

    fn is_full(&self) -> bool {
        self.items.len() >= self.limit
    }

    fn holds_total(&self) -> bool {
        self.total.is_some_and(|t| self.items.len() as u64 >= t)
    }

    /// The records left out: exactly, when the API's total says more than were taken.
    fn left_out(&self, fallback: LeftOut) -> LeftOut {
        let taken = self.items.len() as u64;
        match self.total {
            Some(t) if t > taken => LeftOut::Exactly(t - taken),
            _ => fallback,
        }
    }

    /// The listing stopped by the API's record cap.
    fn capped(self) -> Listing<T> {
        let left_out = self.left_out(LeftOut::Unknown);
        self.listing(Completeness::Cap { left_out })
    }

    /// The listing stopped at the limit: complete unless records were left on the last page,
    /// or the API offered another page, and its total does not say that nothing is left.
    fn at_limit(self, not_taken: u64, another_page: bool) -> Listing<T> {
        let more = match (not_taken, another_page) {
            (0, false) => None,
            (0, true) => Some(LeftOut::Unknown),
            (n, _) => Some(LeftOut::AtLeast(n)),
        };
        let completeness = match (more, self.total) {
            // the API's total says nothing is left
            (_, Some(t)) if t <= self.items.len() as u64 => Completeness::Complete,
            (None, _) => Completeness::Complete,
            (Some(fallback), _) => Completeness::MaxResults {
                limit: self.limit,
                left_out: self.left_out(fallback),
            },
        };
        self.listing(completeness)
    }

    fn listing(self, completeness: Completeness) -> Listing<T> {
        Listing {
            items: self.items,
            completeness,
            total: self.total,
            pages: self.pages,
        }
    }

    fn only_repeats(&self, op: Operation) -> Error {
        Error::Paging {
            operation: op,
            message: format!(
                "page {} held only records already returned; stopped after {} records",
                self.pages,
                self.items.len()
            ),
        }
    }

    fn repeated_cursor(&self, op: Operation) -> Error {
        Error::Paging {
            operation: op,
            message: format!(
                "the API sent the same {CURSOR_HEADER} cursor twice (after page {}); stopped after {} records rather than loop",
                self.pages,
                self.items.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Clone, Debug, PartialEq)]
    struct Item(String);

    fn key(i: &Item) -> &str {
        &i.0
    }

    fn items(range: std::ops::Range<usize>) -> Vec<Item> {
        range.map(|i| Item(format!("p{i}"))).collect()
    }

    fn page(
        range: std::ops::Range<usize>,
        cursor: Option<&str>,
        total: Option<u64>,
    ) -> PageAnswer<Item> {
        PageAnswer::Page {
            items: items(range),
            cursor: cursor.map(str::to_owned),
            total,
        }
    }

    /// Runs the loop over scripted answers; gives back the listing and the cursors sent.
    fn run(
        max: usize,
        answers: Vec<PageAnswer<Item>>,
    ) -> (Result<Listing<Item>, Error>, Vec<Option<String>>) {
        let sent = RefCell::new(Vec::new());
        let answers = RefCell::new(answers.into_iter());
        let result = futures::executor::block_on(collect_pages(
            Operation::SearchPatches,
            max,
            key,
            |cursor| {
                sent.borrow_mut().push(cursor);
                let next = answers.borrow_mut().next();
                async move {
                    next.ok_or_else(|| Error::Paging {
                        operation: Operation::SearchPatches,
                        message: "asked for a page too many".into(),
                    })
                }
            },
        ));
        (result, sent.into_inner())
    }

    #[test]
    fn an_absent_cursor_ends_the_listing_and_cursors_are_sent_back() {
        let (r, sent) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(3..5, None, None)],
        );
        let l = r.unwrap();
        assert_eq!(l.items, items(0..5));
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(l.pages, 2);
        assert_eq!(sent, vec![None, Some("c1".to_owned())]);
    }

    #[test]
    fn an_empty_page_ends_the_listing_even_with_a_cursor() {
        let (r, sent) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(0..0, Some("c2"), None)],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 3);
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(sent.len(), 2);
    }

    #[test]
    fn holding_the_reported_total_ends_the_listing_without_an_empty_request() {
        let (r, sent) = run(
            100,
            vec![
                page(0..3, Some("c1"), Some(6)),
                page(3..6, Some("c2"), Some(6)),
            ],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 6);
        assert_eq!(l.completeness, Completeness::Complete);
        assert_eq!(sent.len(), 2, "no third request");
    }

    #[test]
    fn a_repeated_cursor_is_an_error_not_a_loop() {
        let (r, sent) = run(
            100,
            vec![
                page(0..3, Some("c1"), None),
                page(3..6, Some("c2"), None),
                page(6..9, Some("c1"), None),
            ],
        );
        let e = r.unwrap_err();
        assert!(matches!(e, Error::Paging { .. }), "{e:?}");
        assert!(
            e.to_string().contains("same searchAfter cursor twice"),
            "{e}"
        );
        assert_eq!(sent.len(), 3);
    }

    #[test]
    fn a_page_of_records_already_returned_is_an_error() {
        // a server ignoring the cursor but minting new ones would otherwise loop forever
        let (r, _) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(0..3, Some("c2"), None)],
        );
        assert!(matches!(r.unwrap_err(), Error::Paging { .. }));
    }

    #[test]
    fn duplicates_across_pages_are_returned_once() {
        let (r, _) = run(
            100,
            vec![page(0..3, Some("c1"), None), page(2..5, None, None)],
        );
        assert_eq!(r.unwrap().items, items(0..5));
    }

    #[test]
    fn max_results_stops_and_says_how_many_were_left_out() {
        // the API's total makes the count exact
        let (r, sent) = run(
            4,
            vec![
                page(0..3, Some("c1"), Some(10)),
                page(3..6, Some("c2"), Some(10)),
            ],
        );
        let l = r.unwrap();
        assert_eq!(l.items, items(0..4));
        assert_eq!(
            l.completeness,
            Completeness::MaxResults {
                limit: 4,
                left_out: LeftOut::Exactly(6)
            }
        );
        assert_eq!(sent.len(), 2, "no request after max_results is reached");
        // without a total: what was seen but not taken
        let (r, _) = run(
            4,
            vec![page(0..3, Some("c1"), None), page(3..6, Some("c2"), None)],
        );
        assert_eq!(
            r.unwrap().completeness,
            Completeness::MaxResults {
                limit: 4,
                left_out: LeftOut::AtLeast(2)
            }
        );
        // a full last page with a cursor: more may follow
        let (r, _) = run(3, vec![page(0..3, Some("c1"), None)]);
        assert_eq!(
            r.unwrap().completeness,
            Completeness::MaxResults {
                limit: 3,
                left_out: LeftOut::Unknown
            }
        );
    }

    #[test]
    fn exactly_max_results_matches_is_complete() {
        let (r, _) = run(3, vec![page(0..3, None, None)]);
        assert_eq!(r.unwrap().completeness, Completeness::Complete);
        // a cursor, but the API's total says there is nothing more
        let (r, _) = run(3, vec![page(0..3, Some("c1"), Some(3))]);
        assert_eq!(r.unwrap().completeness, Completeness::Complete);
    }

    #[test]
    fn the_cap_ends_the_listing_and_is_reported() {
        let (r, _) = run(
            10_000,
            vec![page(0..3, Some("c1"), Some(12_000)), PageAnswer::Cap],
        );
        let l = r.unwrap();
        assert_eq!(l.items.len(), 3);
        assert_eq!(
            l.completeness,
            Completeness::Cap {
                left_out: LeftOut::Exactly(11_997)
            }
        );
        let (r, _) = run(10_000, vec![PageAnswer::Cap]);
        assert_eq!(
            r.unwrap().completeness,
            Completeness::Cap {
                left_out: LeftOut::Unknown
            }
        );
    }

    #[test]
    fn max_results_is_clamped_to_the_cap() {
        let (r, _) = run(50_000, vec![page(0..3, None, None)]);
        assert_eq!(r.unwrap().items.len(), 3);
        let (r, _) = run(0, vec![page(0..3, Some("c"), None)]);
        assert_eq!(
            r.unwrap().items.len(),
            1,
            "at least one record is asked for"
        );
    }

    #[test]
    fn errors_of_a_page_end_the_listing() {
        let (r, _) = run(100, vec![page(0..3, Some("c1"), None)]);
        // the scripted server has no second page: its error comes back as is
        assert!(
            matches!(&r.unwrap_err(), Error::Paging { message, .. } if message == "asked for a page too many")
        );
    }
}
