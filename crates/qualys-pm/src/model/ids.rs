//! What Qualys IDs and script storage references look like.

/// How a Qualys ID looks, for messages and docs.
pub const ID_SHAPE: &str =
    "36 hexadecimal characters as 8-4-4-4-12, like 38aa48ca-a53f-4591-af01-8bce75de4ce7";

/// Whether `s` has the shape of a Qualys ID (job, asset, tag, patch, user, action): a
/// 8-4-4-4-12 hexadecimal UUID, either case. No version or variant nibble is required, since
/// the service hands out IDs that are not RFC 4122 (a user ID with version nibble 7).
pub fn is_qualys_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A script value that is a server storage reference rather than content:
/// `<uuid>/<uuid>/Script`, `<uuid>/<uuid>/DetectionScript`, or `default/<type>/<name>`.
/// Sending such a reference back keeps the stored script.
pub fn is_script_reference(script: &str) -> bool {
    let parts: Vec<&str> = script.split('/').collect();
    match parts.as_slice() {
        ["default", kind, name] => !kind.is_empty() && !name.is_empty(),
        // Customer and action IDs are UUIDs on the real service; any plain segment is
        // accepted so that a reference is never mistaken for (and re-uploaded as) content.
        [customer, action, "Script" | "DetectionScript"] => {
            is_plain_segment(customer) && is_plain_segment(action)
        }
        _ => false,
    }
}

fn is_plain_segment(s: &str) -> bool {
    !s.is_empty() && !s.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualys_ids_are_8_4_4_4_12_hex_in_either_case() {
        for good in [
            "38aa48ca-a53f-4591-af01-8bce75de4ce7",
            "38AA48CA-A53F-4591-AF01-8BCE75DE4CE7",
            // not RFC 4122 (version nibble 7 in the third group's first digit is fine too)
            "2e5bc89e-4670-d067-83f2-b873a00f4531",
        ] {
            assert!(is_qualys_id(good), "{good}");
        }
        for bad in [
            "not-a-uuid",
            "x",
            "",
            "38aa48caa53f4591af018bce75de4ce7",
            "{38aa48ca-a53f-4591-af01-8bce75de4ce7}",
            "38aa48ca-a53f-4591-af01-8bce75de4ce",
            "38aa48ca-a53f-4591-af01-8bce75de4ce7 ",
            "g8aa48ca-a53f-4591-af01-8bce75de4ce7",
            "38aa48ca-a53f4-591-af01-8bce75de4ce7",
        ] {
            assert!(!is_qualys_id(bad), "{bad}");
        }
    }

    #[test]
    fn script_references_are_storage_paths_not_content() {
        assert!(is_script_reference(
            "2e5bc89e-4670-d067-83f2-b873a00f4531/e4fac150-804b-4857-ae9b-606d1b136b20/Script"
        ));
        assert!(is_script_reference("bc023fd7-4290-f28f-8181-95a46f519f52/fbef9851-2703-4ae7-b179-910f203796ac/DetectionScript"));
        assert!(is_script_reference("default/MakeCache/makecache"));
        assert!(!is_script_reference("bHM="));
        assert!(!is_script_reference("cat a/b/Script"));
        assert!(!is_script_reference("a//Script"));
    }
}
