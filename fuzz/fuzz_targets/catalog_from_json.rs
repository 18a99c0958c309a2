//! The API's patch and asset JSON (the lookups' records), decoded leniently: never a panic,
//! and a decoded record decodes again, to the same record, from its own canonical JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_pm::catalog::Record;
use qualys_pm::{Asset, Patch};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(patch) = Patch::from_json(json.clone()) {
        let again = Patch::from_json(patch.to_json());
        assert!(
            again.as_ref().is_ok_and(|p| *p == patch),
            "a patch's canonical JSON does not decode to it: {again:?}"
        );
    }
    if let Ok(asset) = Asset::from_json(json) {
        let again = Asset::from_json(asset.to_json());
        assert!(
            again.as_ref().is_ok_and(|a| *a == asset),
            "an asset's canonical JSON does not decode to it: {again:?}"
        );
    }
});
