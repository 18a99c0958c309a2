//! API error bodies of any shape (JSON of several forms, HTML, text): never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qualys_pm::client::parse_error_body;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (_code, message) = parse_error_body(&text);
    // an error always says something
    assert!(!message.trim().is_empty(), "blank message for {text:?}");
});
