//! The architecture, checked where cargo cannot see it. The walls between the layers are
//! crates (a layer that may not use another does not depend on it: checked here from the
//! manifests, so that nobody adds the dependency by mistake); inside each crate no two
//! modules import each other (directly or around a circle), a module importing its own
//! ancestors (`super::`, where the parent declares it) is not a circle, and no code outside
//! tests imports with `use super::*` (a name's origin stays visible).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// The workspace's crates, by the directory of their `src/`.
const CRATES: [&str; 4] = [
    ".",
    "crates/tfplugin-rs",
    "crates/qualys-pm",
    "crates/qualys-pm-simulator",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under a crate's `src/` but its binary's `main.rs`, as (module path, source
/// without its `mod tests` block).
fn modules(krate: &str) -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = root().join(krate).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter(|f| f != &src.join("main.rs"))
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&f).expect("read source");
            (module, code_proper(&text).to_owned())
        })
        .collect()
}

/// A source without its unit tests (which may reach anywhere): only the code proper counts.
fn code_proper(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// The modules `code` (of `module`) refers to by `crate::`, `super::` or `self::` paths,
/// each resolved to the longest prefix that is a module file.
fn imports(module: &Module, code: &str, all: &BTreeMap<Module, String>) -> BTreeSet<Module> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let path: Vec<&str> = code[at..]
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut base: Module = match path[0] {
                "crate" => Vec::new(),
                _ => module.clone(),
            };
            let mut rest = &path[1..];
            if path[0] == "super" {
                base.pop();
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            let target = (0..=rest.len()).rev().find_map(|n| {
                let mut m = base.clone();
                m.extend(rest[..n].iter().map(|s| s.to_string()));
                all.contains_key(&m).then_some(m)
            });
            if let Some(t) = target {
                let is_ancestor = t.len() < module.len() && module.starts_with(&t);
                if &t != module && !is_ancestor {
                    out.insert(t);
                }
            }
        }
    }
    out
}

fn graph(krate: &str) -> BTreeMap<Module, BTreeSet<Module>> {
    let all = modules(krate);
    all.iter()
        .map(|(m, code)| (m.clone(), imports(m, code, &all)))
        .collect()
}

fn name(m: &Module) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut circles = Vec::new();
    for krate in CRATES {
        let graph = graph(krate);
        // a module is on a circle when one of its imports leads back to it
        circles.extend(graph.iter().filter_map(|(m, deps)| {
            let through: Vec<String> = deps
                .iter()
                .filter(|d| reaches(&graph, d, m))
                .map(name)
                .collect();
            (!through.is_empty())
                .then(|| format!("{krate}: {} (through {})", name(m), through.join(", ")))
        }));
    }
    assert!(
        circles.is_empty(),
        "modules on an import circle:\n{}",
        circles.join("\n")
    );
}

fn reaches(graph: &BTreeMap<Module, BTreeSet<Module>>, from: &Module, to: &Module) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from];
    while let Some(m) = todo.pop() {
        if m == to {
            return true;
        }
        if seen.insert(m) {
            todo.extend(graph.get(m).into_iter().flatten());
        }
    }
    false
}

/// The workspace crates a crate's manifest depends on (normal and build dependencies).
fn workspace_dependencies(krate: &str) -> BTreeSet<String> {
    let manifest =
        std::fs::read_to_string(root().join(krate).join("Cargo.toml")).expect("manifest");
    let mut section = String::new();
    let mut out = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_owned();
        } else if section == "dependencies" || section == "build-dependencies" {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            if CRATE_NAMES.contains(&name) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

const CRATE_NAMES: [&str; 4] = [
    "terraform-provider-qualys",
    "tfplugin-rs",
    "qualys-pm",
    "qualys-pm-simulator",
];

#[test]
fn the_walls_between_layers_hold() {
    // (crate, the workspace crates it may depend on)
    let allowed: [(&str, &[&str]); 4] = [
        (".", &["tfplugin-rs", "qualys-pm"]),
        ("crates/tfplugin-rs", &[]),
        ("crates/qualys-pm", &[]),
        ("crates/qualys-pm-simulator", &[]),
    ];
    let mut breaches = Vec::new();
    for (krate, may) in allowed {
        for dep in workspace_dependencies(krate) {
            if !may.contains(&dep.as_str()) {
                breaches.push(format!("{krate} depends on {dep}"));
            }
        }
    }
    // the check sees real dependencies: the provider does stand on both
    assert_eq!(
        workspace_dependencies("."),
        BTreeSet::from(["tfplugin-rs".to_owned(), "qualys-pm".to_owned()])
    );
    // inside the provider: onboarding (a command line tool) never uses the protocol's types
    for (m, code) in modules(".") {
        if m.first().map(String::as_str) == Some("onboarding") && code.contains("tfplugin::") {
            breaches.push(format!("provider: {} uses tfplugin", name(&m)));
        }
    }
    assert!(
        breaches.is_empty(),
        "walls breached:\n{}",
        breaches.join("\n")
    );
}

#[test]
fn no_code_imports_all_of_its_parent_or_child() {
    // (`pub use child::*` re-exports are a crate's public face, not an import)
    let mut globs = Vec::new();
    for krate in CRATES {
        // test modules (`tests.rs`, and nested ones: indented) may take all of what they test
        for (m, code) in modules(krate)
            .into_iter()
            .filter(|(m, _)| !m.ends_with(&["tests".to_owned()]))
        {
            for line in code.lines() {
                let Some(path) = line
                    .strip_prefix("use ")
                    .and_then(|p| p.strip_suffix("::*;"))
                else {
                    continue;
                };
                let first = path.split("::").next().unwrap_or_default();
                let is_child = code.contains(&format!("mod {first};"));
                if first == "super" || first == "self" || first == "crate" || is_child {
                    globs.push(format!("{krate}: {}: {line}", name(&m)));
                }
            }
        }
    }
    assert!(
        globs.is_empty(),
        "glob imports between modules of a crate (name what is used):\n{}",
        globs.join("\n")
    );
}
