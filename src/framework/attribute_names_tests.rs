//! Every attribute name written as a string literal where code reads or points at an
//! attribute (`.get("…")`, `.get_mut("…")`, `AttributePath::attr("…")`, `.then_attr("…")`,
//! `find(TABLE, "…")`) in `src/resources` and `src/data_sources` is one that some
//! declaration has. Typed handles (`Attr::declared`) are checked when the crate compiles;
//! this catches the literals that remain (data sources, tests, reads of the API's JSON under
//! an attribute's name).

use std::collections::BTreeSet;
use std::path::Path;

use tfplugin::{Attribute, AttributeType};

/// Every attribute name, at every depth, of every resource, list resource and data source
/// (their schemas derive from their declarations).
fn declared_names() -> BTreeSet<String> {
    fn walk(attrs: &[Attribute], out: &mut BTreeSet<String>) {
        for a in attrs {
            out.insert(a.name.clone());
            if let AttributeType::Nested { attributes, .. } = &a.ty {
                walk(attributes, out);
            }
        }
    }
    let slot = std::sync::Arc::new(crate::client_slot::ClientSlot::default());
    let mut out = BTreeSet::new();
    for r in crate::resources::resources(slot.clone()) {
        walk(&r.schema().block.attributes, &mut out);
    }
    for l in crate::resources::list_resources(slot.clone()) {
        walk(&l.schema().block.attributes, &mut out);
    }
    for d in crate::data_sources::data_sources(slot) {
        walk(&d.schema().block.attributes, &mut out);
    }
    out
}

/// The attribute-like literals (lowercase snake_case; API JSON keys are camelCase) that
/// `source` names an attribute with.
fn named_attributes(source: &str) -> Vec<String> {
    let pattern = regex::Regex::new(
        r#"(?:\.get|\.get_mut|AttributePath::attr|\.then_attr)\("([a-z][a-z0-9_]*)"\)|find\([A-Za-z_:]+, "([a-z][a-z0-9_]*)"\)"#,
    )
    .expect("the pattern compiles");
    pattern
        .captures_iter(source)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_owned())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_attribute_name_in_the_code_is_declared() {
    let declared = declared_names();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["resources", "data_sources"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 10, "the scan found too few files: {files:?}");
    let mut undeclared = Vec::new();
    let mut seen = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a source file");
        for name in named_attributes(&source) {
            seen += 1;
            if !declared.contains(&name) {
                undeclared.push(format!("{}: {name:?}", file.display()));
            }
        }
    }
    // the scan sees the literals that are there (tests read values by name)
    assert!(
        seen > 50,
        "only {seen} attribute literals found: is the pattern stale?"
    );
    assert!(
        undeclared.is_empty(),
        "attribute names no declaration has (declare them, or use a typed handle):\n{}",
        undeclared.join("\n")
    );
}

#[test]
fn the_scan_recognises_each_way_of_naming_an_attribute() {
    let source = r#"v.get("a_1") v.get_mut("b") AttributePath::attr("c") p.then_attr("d")
        find(JOB_FIELDS, "e") j.get("scheduleType") client.get("job-1")"#;
    assert_eq!(named_attributes(source), ["a_1", "b", "c", "d", "e"]);
}
