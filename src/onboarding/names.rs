//! Terraform resource names for existing jobs: from the job's own name, lower-case
//! `[a-z0-9_]` starting with a letter, unique, and the same on every run for the same tenant.
//!
//! - Letters are transliterated to ASCII (`Café` -> `cafe`, `Привет` -> `privet`), every run
//!   of other characters becomes one `_`, leading and trailing `_` go, at most [`MAX_LEN`]
//!   characters are kept.
//! - An empty result becomes `job`; one starting with a digit gets a `job_` prefix; a word
//!   terraform or HCL gives a meaning (`count`, `module`, `true`...) gets a `_job` suffix.
//! - Jobs whose names end up the same ("Patch Tuesday", "patch-tuesday ", "Patch Tuesday!")
//!   are ordered by job ID: the first keeps the name, each other one gets the first 8
//!   characters of its own job ID as a suffix (`patch_tuesday_3f2a9c1b`), more if that is
//!   still taken. So a job's name depends on its own name and ID and on whether it has the
//!   smallest ID among the jobs of that name, never on the order the API lists jobs in.

use std::collections::{BTreeMap, BTreeSet};

/// The longest name kept from a job name (before a collision suffix).
pub(crate) const MAX_LEN: usize = 64;

/// Names that mean something in terraform or HCL expressions: a `_job` suffix keeps
/// references such as `qualys_deployment_job.count` from reading like meta-arguments.
pub(crate) const RESERVED: &[&str] = &[
    "check",
    "connection",
    "count",
    "data",
    "depends_on",
    "each",
    "else",
    "endfor",
    "endif",
    "false",
    "for",
    "for_each",
    "if",
    "import",
    "in",
    "lifecycle",
    "local",
    "locals",
    "module",
    "moved",
    "null",
    "output",
    "path",
    "provider",
    "providers",
    "provisioner",
    "removed",
    "resource",
    "self",
    "source",
    "terraform",
    "true",
    "var",
    "variable",
    "version",
];

/// The name one job would get if no other job had the same: see the module documentation.
pub fn base_name(job_name: &str) -> String {
    let ascii = deunicode::deunicode(job_name);
    let mut name = String::with_capacity(ascii.len());
    let mut separator = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if separator && !name.is_empty() {
                name.push('_');
            }
            separator = false;
            name.push(c.to_ascii_lowercase());
        } else {
            separator = true;
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "job_");
    }
    name.truncate(MAX_LEN);
    while name.ends_with('_') {
        name.pop();
    }
    if name.is_empty() {
        return "job".to_owned();
    }
    if RESERVED.contains(&name.as_str()) {
        name.push_str("_job");
    }
    name
}

/// A unique resource name for every job `(id, job name)`, none of them in `taken` (names
/// already used by resources in the configuration or state). Keyed by job ID.
pub(crate) fn assign<'a>(
    jobs: impl IntoIterator<Item = (&'a str, &'a str)>,
    taken: &BTreeSet<String>,
) -> BTreeMap<String, String> {
    // base name -> the IDs of the jobs that have it, sorted
    let mut groups: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (id, name) in jobs {
        groups.entry(base_name(name)).or_default().insert(id);
    }
    let mut used = taken.clone();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // The job with the smallest ID of each group keeps the plain name, if it is free...
    for (base, ids) in &groups {
        if let Some(first) = ids.first() {
            if used.insert(base.clone()) {
                names.insert((*first).to_owned(), base.clone());
            }
        }
    }
    // ... and every other job gets a suffix from its own ID.
    for (base, ids) in &groups {
        for id in ids {
            if names.contains_key(*id) {
                continue;
            }
            let name = suffixed(base, id, &used);
            used.insert(name.clone());
            names.insert((*id).to_owned(), name);
        }
    }
    names
}

/// `base_<first 8 characters of the ID>`, longer if taken, or a counter as a last resort.
fn suffixed(base: &str, id: &str, used: &BTreeSet<String>) -> String {
    let tag: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let lengths = (8..tag.len()).step_by(4).chain([tag.len()]);
    for len in lengths.filter(|&len| len > 0) {
        let name = format!("{base}_{}", &tag[..len.min(tag.len())]);
        if !used.contains(&name) {
            return name;
        }
    }
    let prefix = if tag.is_empty() {
        base.to_owned()
    } else {
        format!("{base}_{tag}")
    };
    (2..)
        .map(|n| format!("{prefix}_{n}"))
        .find(|name| !used.contains(name))
        .unwrap_or(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    #[test]
    fn job_names_become_lower_case_identifiers() {
        for (job, expected) in [
            ("Patch Tuesday - Servers", "patch_tuesday_servers"),
            ("  Weekly   Linux (prod)  ", "weekly_linux_prod"),
            (
                "Public API on demand Window job",
                "public_api_on_demand_window_job",
            ),
            ("already_snake_case", "already_snake_case"),
            ("__under__scores__", "under_scores"),
            ("Café crème", "cafe_creme"),
            ("Größe", "grosse"),
            ("Привет мир", "privet_mir"),
            ("日本のサーバー", "ri_ben_nosaba"),
            ("2024 patches", "job_2024_patches"),
            ("007", "job_007"),
        ] {
            assert_eq!(base_name(job), expected, "{job:?}");
            assert!(valid(&base_name(job)), "{job:?}");
        }
    }

    #[test]
    fn empty_and_symbol_only_names_become_job() {
        for job in ["", "   ", "!!!", "---", "_", "\t\n"] {
            assert_eq!(base_name(job), "job", "{job:?}");
        }
    }

    #[test]
    fn reserved_words_get_a_suffix() {
        for word in RESERVED {
            let name = base_name(word);
            assert_eq!(name, format!("{word}_job"));
            assert!(valid(&name));
        }
        assert_eq!(base_name("Count"), "count_job");
        assert_eq!(base_name("for each"), "for_each_job");
        assert_eq!(base_name("counting"), "counting");
    }

    #[test]
    fn long_names_are_cut_without_a_trailing_underscore() {
        let name = base_name(&format!("{} tail", "a".repeat(MAX_LEN - 1)));
        assert_eq!(name, "a".repeat(MAX_LEN - 1));
        assert!(base_name(&"x".repeat(500)).len() == MAX_LEN);
    }

    #[test]
    fn colliding_names_are_resolved_by_job_id_whatever_the_listing_order() {
        let jobs = [
            ("c3000000-0000-0000-0000-000000000000", "Patch Tuesday"),
            ("a1000000-0000-0000-0000-000000000000", "patch tuesday"),
            ("b2000000-0000-0000-0000-000000000000", "Patch-Tuesday "),
            ("d4000000-0000-0000-0000-000000000000", "Pätch Tuesday"),
            ("e5000000-0000-0000-0000-000000000000", "Other"),
        ];
        let names = assign(jobs, &BTreeSet::new());
        assert_eq!(names[jobs[1].0], "patch_tuesday");
        assert_eq!(names[jobs[2].0], "patch_tuesday_b2000000");
        assert_eq!(names[jobs[0].0], "patch_tuesday_c3000000");
        assert_eq!(names[jobs[3].0], "patch_tuesday_d4000000");
        assert_eq!(names[jobs[4].0], "other");
        let mut reversed = jobs;
        reversed.reverse();
        assert_eq!(assign(reversed, &BTreeSet::new()), names);
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), jobs.len());
    }

    #[test]
    fn names_already_taken_are_not_reused() {
        let jobs = [
            ("a1000000-0000-0000-0000-000000000000", "Nightly"),
            ("b2000000-0000-0000-0000-000000000000", "Nightly"),
        ];
        let taken: BTreeSet<String> = ["nightly".to_owned(), "nightly_b2000000".to_owned()].into();
        let names = assign(jobs, &taken);
        assert_eq!(names[jobs[0].0], "nightly_a1000000");
        assert_eq!(names[jobs[1].0], "nightly_b20000000000");
        for name in names.values() {
            assert!(!taken.contains(name));
        }
    }

    #[test]
    fn a_suffixed_name_never_clashes_with_another_jobs_plain_name() {
        // "x a1000000" sanitises to what the suffix of the second "x" would be.
        let jobs = [
            ("00000000-0000-0000-0000-000000000001", "x"),
            ("a1000000-0000-0000-0000-000000000000", "x"),
            ("ffffffff-0000-0000-0000-000000000000", "x a1000000"),
        ];
        let names = assign(jobs, &BTreeSet::new());
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), 3, "{names:?}");
        assert_eq!(names[jobs[2].0], "x_a1000000");
        assert_eq!(names[jobs[1].0], "x_a10000000000");
        assert!(names.values().all(|n| valid(n)));
    }

    #[test]
    fn ids_without_letters_or_digits_still_get_unique_names() {
        let names = assign(
            [("--", "same"), ("-", "same"), ("", "same")],
            &BTreeSet::new(),
        );
        let unique: BTreeSet<&String> = names.values().collect();
        assert_eq!(unique.len(), 3, "{names:?}");
    }
}
