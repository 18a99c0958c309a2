//! The architecture, checked from the code's own imports: the walls between layers hold,
//! and no two modules import each other (directly or around a circle). A module importing
//! its own ancestors (`super::`, where the parent declares it) is not a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file under `src/`, as (module path, source without its `mod tests` block).
fn modules() -> BTreeMap<Module, String> {
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
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter(|f| !f.starts_with(src.join("bin")) && f != &src.join("main.rs"))
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
            // unit tests may reach anywhere; only the code proper counts
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            (module, code)
        })
        .collect()
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

fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let all = modules();
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
    let graph = graph();
    // a module is on a circle when one of its imports leads back to it
    let circles: Vec<String> = graph
        .iter()
        .filter_map(|(m, deps)| {
            let through: Vec<String> = deps
                .iter()
                .filter(|d| reaches(&graph, d, m))
                .map(name)
                .collect();
            (!through.is_empty()).then(|| format!("{} (through {})", name(m), through.join(", ")))
        })
        .collect();
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

#[test]
fn the_walls_between_layers_hold() {
    let graph = graph();
    // (layer, the layers it must never import)
    let walls: [(&str, &[&str]); 3] = [
        (
            "plugin",
            &[
                "qualys",
                "provider",
                "resources",
                "data_sources",
                "onboarding",
                "simulator",
            ],
        ),
        (
            "qualys",
            &[
                "plugin",
                "provider",
                "resources",
                "data_sources",
                "onboarding",
                "simulator",
            ],
        ),
        (
            "simulator",
            &[
                "plugin",
                "qualys",
                "provider",
                "resources",
                "data_sources",
                "onboarding",
            ],
        ),
    ];
    let mut breaches = Vec::new();
    for (layer, forbidden) in walls {
        for (m, deps) in graph
            .iter()
            .filter(|(m, _)| m.first().map(String::as_str) == Some(layer))
        {
            for d in deps {
                if forbidden.contains(&d.first().map(String::as_str).unwrap_or("crate")) {
                    breaches.push(format!("{} imports {}", name(m), name(d)));
                }
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "walls breached:\n{}",
        breaches.join("\n")
    );
    // the check sees real imports: the resource does use both layers
    let resource = &graph[&vec![
        "resources".to_string(),
        "deployment_job".to_string(),
        "apply".to_string(),
    ]];
    assert!(resource.iter().any(|d| d[0] == "plugin"), "{resource:?}");
}
