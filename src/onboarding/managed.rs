//! What is already managed, so that a second run writes no block that conflicts with it:
//! job IDs to leave out, and resource names not to give to another job.
//!
//! Two sources, both optional and repeatable:
//! - state (`--skip-state FILE`): the output of `terraform show -json`, or a state file
//!   (`terraform.tfstate`, `terraform state pull`). Every managed `qualys_deployment_job`
//!   in any module is skipped; the names of those in the root module are taken.
//! - configuration (`--skip-config PATH`, a `.tf` file or a directory of them): the job IDs
//!   of `import` blocks into `qualys_deployment_job` are skipped, and the names of their
//!   targets and of `resource "qualys_deployment_job"` blocks are taken. The scan reads the
//!   layout `terraform fmt` keeps (`to = ...` and `id = "..."` on lines of their own), which
//!   is what `generate-imports` and `-generate-config-out` write.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::render::RESOURCE_TYPE;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Managed {
    /// Job IDs already managed (or already in an import block).
    pub ids: BTreeSet<String>,
    /// Root-module resource names of the type already in use.
    pub names: BTreeSet<String>,
}

impl Managed {
    /// Adds a `terraform show -json` document or a state file.
    pub(crate) fn add_state_json(&mut self, text: &str) -> Result<(), String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| {
            format!("not JSON ({e}); expected `terraform show -json` output or a state file")
        })?;
        if let Some(root) = doc.pointer("/values/root_module") {
            self.add_show_module(root, true);
            Ok(())
        } else if let Some(resources) = doc.get("resources").and_then(Value::as_array) {
            for r in resources {
                if r["mode"] != "managed" || r["type"] != RESOURCE_TYPE {
                    continue;
                }
                if r.get("module").is_none() {
                    if let Some(name) = r["name"].as_str() {
                        self.names.insert(name.to_owned());
                    }
                }
                for instance in r["instances"].as_array().into_iter().flatten() {
                    if let Some(id) = instance.pointer("/attributes/id").and_then(Value::as_str) {
                        self.ids.insert(id.to_owned());
                    }
                }
            }
            Ok(())
        } else if doc.get("format_version").is_some() {
            // `terraform show -json` of an empty state: nothing managed yet.
            Ok(())
        } else {
            Err("neither `terraform show -json` output (no values.root_module) nor a state file (no resources)".to_owned())
        }
    }

    fn add_show_module(&mut self, module: &Value, root: bool) {
        for r in module["resources"].as_array().into_iter().flatten() {
            if r["mode"] != "managed" || r["type"] != RESOURCE_TYPE {
                continue;
            }
            if root {
                if let Some(name) = r["name"].as_str() {
                    self.names.insert(name.to_owned());
                }
            }
            if let Some(id) = r.pointer("/values/id").and_then(Value::as_str) {
                self.ids.insert(id.to_owned());
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            self.add_show_module(child, false);
        }
    }

    /// Adds the import blocks and resource blocks of one `.tf` file's text.
    pub(crate) fn add_config(&mut self, text: &str) {
        let resource_prefix = format!("resource \"{RESOURCE_TYPE}\" \"");
        let target_prefix = format!("{RESOURCE_TYPE}.");
        let mut in_import = false;
        let mut target: Option<String> = None;
        let mut id: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if !in_import {
                if let Some(rest) = line.strip_prefix(&resource_prefix) {
                    if let Some((name, _)) = rest.split_once('"') {
                        self.names.insert(name.to_owned());
                    }
                } else if line.starts_with("import") && line[6..].trim_start().starts_with('{') {
                    in_import = true;
                    target = None;
                    id = None;
                }
                continue;
            }
            if line.starts_with('}') {
                in_import = false;
                if let Some(name) = target.take() {
                    self.names.insert(name);
                    if let Some(id) = id.take() {
                        self.ids.insert(id);
                    }
                }
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.split('#').next().unwrap_or_default().trim();
            match key.trim() {
                "to" => {
                    target = value
                        .strip_prefix(&target_prefix)
                        .filter(|n| !n.is_empty())
                        .map(str::to_owned);
                }
                "id" => {
                    id = serde_json::from_str::<String>(value).ok();
                }
                _ => {}
            }
        }
    }

    /// Adds a `.tf` file, or every `.tf` file of a directory (not its subdirectories).
    pub(crate) fn add_config_path(&mut self, path: &Path) -> Result<(), String> {
        let read = |file: &Path| {
            std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))
        };
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read the directory {}: {e}", path.display()))?;
            let mut files: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file())
                .collect();
            files.sort();
            for file in files {
                self.add_config(&read(&file)?);
            }
            Ok(())
        } else {
            self.add_config(&read(path)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn show_json_gives_managed_ids_and_root_names_but_not_data_sources() {
        let doc = json!({"format_version": "1.0", "values": {"root_module": {
            "resources": [
                {"address": "qualys_deployment_job.a", "mode": "managed", "type": "qualys_deployment_job", "name": "a", "values": {"id": "id-a"}},
                {"address": "data.qualys_deployment_job.d", "mode": "data", "type": "qualys_deployment_job", "name": "d", "values": {"id": "id-d"}},
                {"address": "terraform_data.t", "mode": "managed", "type": "terraform_data", "name": "t", "values": {"id": "id-t"}}
            ],
            "child_modules": [{"resources": [
                {"address": "module.m.qualys_deployment_job.b", "mode": "managed", "type": "qualys_deployment_job", "name": "b", "values": {"id": "id-b"}}
            ]}]
        }}});
        let mut m = Managed::default();
        m.add_state_json(&doc.to_string()).unwrap();
        assert_eq!(m.ids, ["id-a".to_owned(), "id-b".to_owned()].into());
        assert_eq!(m.names, ["a".to_owned()].into());
        // An empty state's `show -json`.
        let mut empty = Managed::default();
        empty.add_state_json(r#"{"format_version":"1.0"}"#).unwrap();
        assert_eq!(empty, Managed::default());
        assert!(Managed::default().add_state_json("[]").is_err());
        assert!(Managed::default().add_state_json("not json").is_err());
    }

    #[test]
    fn a_state_file_gives_managed_ids_and_root_names() {
        let state = json!({"version": 4, "resources": [
            {"mode": "managed", "type": "qualys_deployment_job", "name": "a", "instances": [{"attributes": {"id": "id-a"}}]},
            {"module": "module.m", "mode": "managed", "type": "qualys_deployment_job", "name": "b", "instances": [{"attributes": {"id": "id-b"}}]},
            {"mode": "data", "type": "qualys_deployment_job", "name": "d", "instances": [{"attributes": {"id": "id-d"}}]}
        ]});
        let mut m = Managed::default();
        m.add_state_json(&state.to_string()).unwrap();
        assert_eq!(m.ids, ["id-a".to_owned(), "id-b".to_owned()].into());
        assert_eq!(m.names, ["a".to_owned()].into());
    }

    #[test]
    fn configuration_gives_import_ids_and_resource_names() {
        let text = r#"
# "Weekly" (Windows)
import {
  to = qualys_deployment_job.weekly
  id = "id-1" # a comment
}
import {
  id = "id-2"
  to = qualys_deployment_job.other
}
import {
  to = terraform_data.x
  id = "id-3"
}
resource "qualys_deployment_job" "handmade" {
  name = "x"
}
resource "terraform_data" "y" {}
"#;
        let mut m = Managed::default();
        m.add_config(text);
        assert_eq!(m.ids, ["id-1".to_owned(), "id-2".to_owned()].into());
        assert_eq!(
            m.names,
            [
                "handmade".to_owned(),
                "other".to_owned(),
                "weekly".to_owned()
            ]
            .into()
        );
    }
}
