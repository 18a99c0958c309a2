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
    let names: BTreeSet<String> = CRATES.iter().map(|k| package_name(k)).collect();
    let mut out = BTreeSet::new();
    for (section, line) in manifest_lines(krate) {
        if section == "dependencies" || section == "build-dependencies" {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            if names.contains(name) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// A crate manifest's lines, trimmed, each with the `[section]` it is in.
fn manifest_lines(krate: &str) -> Vec<(String, String)> {
    let manifest =
        std::fs::read_to_string(root().join(krate).join("Cargo.toml")).expect("manifest");
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.trim_matches(|c| c == '[' || c == ']').to_owned();
        } else {
            out.push((section.clone(), line.to_owned()));
        }
    }
    out
}

/// The `[package]` name of the crate in directory `krate`.
fn package_name(krate: &str) -> String {
    manifest_lines(krate)
        .into_iter()
        .find_map(|(section, line)| {
            let value = line.strip_prefix("name")?.trim().strip_prefix('=')?;
            (section == "package").then(|| value.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| panic!("{krate}/Cargo.toml has no package name"))
}

/// The rows (cells, trimmed) of the README Layout section's table whose first header cell
/// is `header`: the crate table (`crate`) or the path table (`path`).
fn layout_table(header: &str) -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find("\n## Layout\n")
        .expect("README has a Layout section");
    let section = &readme[start + 1..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for line in section.lines() {
        let is_row = line.starts_with('|');
        if is_row && !in_table {
            tables.push(Vec::new());
        }
        in_table = is_row;
        if is_row {
            let cells = line.trim().trim_matches('|').split('|');
            let row = cells.map(|c| c.trim().to_owned()).collect();
            tables.last_mut().expect("a table").push(row);
        }
    }
    let table = tables
        .into_iter()
        .find(|t| t[0][0] == header)
        .unwrap_or_else(|| panic!("README Layout has no table headed `{header}`"));
    // past the header and the |---| line
    table.into_iter().skip(2).collect()
}

/// The `code spans` of a Markdown cell.
fn backticked(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

/// The crate table: each crate's package name and the workspace crates it may depend on.
fn allowed_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = CRATES.iter().map(|k| package_name(k)).collect();
    layout_table("crate")
        .iter()
        .map(|row| {
            let krate = backticked(&row[0])
                .first()
                .expect("a crate name")
                .to_string();
            let may: BTreeSet<String> = backticked(&row[2]).iter().map(|s| s.to_string()).collect();
            let unknown: Vec<_> = may.difference(&names).collect();
            assert!(
                unknown.is_empty(),
                "README Layout: {krate} may depend on {unknown:?}, not workspace crates"
            );
            (krate, may)
        })
        .collect()
}

#[test]
fn the_walls_between_layers_hold() {
    let allowed = allowed_dependencies();
    let names: BTreeSet<String> = CRATES.iter().map(|k| package_name(k)).collect();
    assert_eq!(
        allowed.keys().cloned().collect::<BTreeSet<_>>(),
        names,
        "README Layout's crate table has a row for each crate of the workspace"
    );
    let mut breaches = Vec::new();
    for krate in CRATES {
        let may = &allowed[&package_name(krate)];
        let deps = workspace_dependencies(krate);
        for dep in deps.difference(may) {
            breaches.push(format!(
                "{krate} depends on {dep}, which README Layout does not allow"
            ));
        }
        for dep in may.difference(&deps) {
            breaches.push(format!(
                "README Layout says {krate} depends on {dep}; its manifest does not"
            ));
        }
    }
    // the check sees real dependencies: the provider does stand on others
    assert!(!workspace_dependencies(".").is_empty());
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

/// A code span of a description that names a file or directory (not a crate, a type or a
/// command): a relative path ending in `/` or a file extension.
fn names_a_path(span: &str) -> bool {
    const EXTENSIONS: [&str; 8] = ["rs", "py", "sh", "md", "yml", "toml", "json", "tf"];
    let plain = !span.contains([' ', '{', '*', ':']) && !span.starts_with(['/', '.', '-']);
    let ext = span.rsplit_once('.').map(|(_, e)| e);
    plain && (span.ends_with('/') || ext.is_some_and(|e| EXTENSIONS.contains(&e)))
}

/// Whether `span` (named in the description of the row for `row_path`) exists: from the
/// repository's root, or somewhere under the row's directory.
fn exists_under(row_path: &str, span: &str) -> bool {
    fn walk(dir: &Path, rel: &str, span: &str) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        entries.flatten().any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.path().is_dir();
            let path = format!("{rel}{name}{}", if is_dir { "/" } else { "" });
            if path == span || path.ends_with(&format!("/{span}")) {
                return true;
            }
            is_dir && name != "target" && name != ".git" && walk(&entry.path(), &path, span)
        })
    }
    root().join(span).exists() || walk(&root().join(row_path), "", span) || ignored(span)
}

/// A build output the repository ignores (`/dist/`), which need not exist.
fn ignored(span: &str) -> bool {
    let gitignore = std::fs::read_to_string(root().join(".gitignore")).unwrap_or_default();
    gitignore
        .lines()
        .any(|line| line.trim_start_matches('/') == span)
}

#[test]
fn the_readme_layout_names_every_module_and_only_paths_that_exist() {
    let rows = layout_table("path");
    let mut problems = Vec::new();
    for row in &rows {
        let paths = backticked(&row[0]);
        for path in &paths {
            if !root().join(path).exists() {
                problems.push(format!("the row `{path}` names nothing that exists"));
            }
        }
        for span in backticked(&row[1]).into_iter().filter(|s| names_a_path(s)) {
            if !paths.iter().any(|p| exists_under(p, span)) {
                problems.push(format!("the row {} names `{span}`, found nowhere", row[0]));
            }
        }
    }
    for krate in CRATES {
        let crate_dir = if krate == "." {
            String::new()
        } else {
            format!("{krate}/")
        };
        let src = format!("{crate_dir}src/");
        // the crate's own row (`src/` for the root crate) may name its modules
        let crate_row = if krate == "." { src.clone() } else { crate_dir };
        for entry in std::fs::read_dir(root().join(&src))
            .expect("read src")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == "lib.rs" || name == "main.rs" {
                continue;
            }
            let short = if entry.path().is_dir() {
                format!("{name}/")
            } else {
                name
            };
            let path = format!("{src}{short}");
            let named = rows.iter().any(|row| {
                let paths = backticked(&row[0]);
                paths.iter().any(|p| p.starts_with(&path))
                    || (paths.contains(&crate_row.as_str())
                        && backticked(&row[1]).contains(&short.as_str()))
            });
            if !named {
                problems.push(format!("`{path}` is named by no row"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "README Layout's path table is out of date:\n{}",
        problems.join("\n")
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
