//! The server's error message from a body of any shape (`_error`, `{status,error,message}`,
//! plain text, a gateway's HTML page as a short excerpt), with anything like a JWT masked.

use serde_json::Value;

/// The (error code, message) of an API error body of any shape (the fuzz targets' entry).
pub fn parse_error_body(text: &str) -> (Option<String>, String) {
    server_message(text)
}

/// The server's error message however it is shaped: `_error.{errorCode,message}`,
/// `{status,error,message}`, a JSON string, plain text, or a gateway's HTML page (a short
/// text excerpt of it).
pub(crate) fn server_message(text: &str) -> (Option<String>, String) {
    let raw = || {
        let t = text.trim();
        if t.is_empty() {
            "(empty body)".to_owned()
        } else if looks_like_html(t) {
            html_excerpt(t)
        } else {
            truncate(t, 300)
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return (None, raw()),
    };
    let str_of = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    match &value {
        Value::Object(obj) => {
            if let Some(inner) = obj.get("_error").filter(|e| e.is_object()) {
                let code = str_of(inner.get("errorCode"));
                let message = str_of(inner.get("message"))
                    .or_else(|| str_of(inner.get("errorMessage")))
                    .or_else(|| code.as_ref().map(|c| format!("error code {c}")))
                    .unwrap_or_else(raw);
                return (code, message);
            }
            let error = str_of(obj.get("error"));
            let message = str_of(obj.get("message")).or_else(|| str_of(obj.get("errorMessage")));
            let code = str_of(obj.get("errorCode"));
            match (error, message) {
                (Some(e), Some(m)) if e != m => (code, format!("{e}: {m}")),
                (_, Some(m)) => (code, m),
                (Some(e), None) => (code, e),
                (None, None) => (code, raw()),
            }
        }
        Value::String(s) if !s.trim().is_empty() => (None, s.clone()),
        _ => (None, raw()),
    }
}

/// Longest excerpt of an HTML error page shown in a message.
pub(super) const HTML_EXCERPT_CHARS: usize = 160;

pub(super) fn looks_like_html(t: &str) -> bool {
    let head: String = t.chars().take(300).collect::<String>().to_ascii_lowercase();
    head.starts_with('<')
        && ["<html", "<!doctype html", "<head", "<body", "<title", "<h1"]
            .iter()
            .any(|tag| head.contains(tag))
}

/// The text of an HTML page, short: its `<title>`, and the body's text when it says more.
pub(super) fn html_excerpt(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let title = lower.find("<title").and_then(|start| {
        let open_end = start + lower[start..].find('>')? + 1;
        let close = open_end + lower[open_end..].find("</title")?;
        Some(html_text(&html[open_end..close]))
    });
    let body_start = lower.find("<body").unwrap_or(0);
    let mut body = html_text(&html[body_start..]);
    if let Some(t) = title.as_deref().filter(|t| !t.is_empty()) {
        // "503 Service Unavailable" in both title and <h1>: say it once
        if let Some(rest) = body.strip_prefix(t) {
            body = rest.trim().to_owned();
        }
        body = if body.is_empty() {
            t.to_owned()
        } else {
            format!("{t}: {body}")
        };
    }
    if body.is_empty() {
        body = "an HTML page with no text".into();
    }
    format!("{} (HTML page)", truncate(&body, HTML_EXCERPT_CHARS))
}

/// Text content of an HTML fragment: tags, comments, scripts and styles dropped, the common
/// entities decoded, whitespace collapsed.
pub(super) fn html_text(fragment: &str) -> String {
    let mut out = String::new();
    let mut rest = fragment;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let after = &rest[lt..];
        let lower: String = after
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if after.starts_with("<!--") {
            after.find("-->").map(|i| i + 3)
        } else if lower.starts_with("<script") || lower.starts_with("<style") {
            let close = if lower.starts_with("<script") {
                "</script"
            } else {
                "</style"
            };
            after
                .to_ascii_lowercase()
                .find(close)
                .and_then(|i| after[i..].find('>').map(|j| i + j + 1))
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => rest = &after[n..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Masks anything shaped like a JWT (`eyJ….….…`) in text that came from the server.
pub(super) fn redact(text: &str) -> String {
    text.split_inclusive(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .map(|piece| {
            let word = piece
                .trim_end_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',');
            if word.starts_with("eyJ") && word.matches('.').count() == 2 {
                piece.replacen(word, "***", 1)
            } else {
                piece.to_owned()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_of_every_shape() {
        assert_eq!(
            server_message(r#"{"_error":{"errorCode":"2501","message":"too many"}}"#),
            (Some("2501".into()), "too many".into())
        );
        assert_eq!(
            server_message(r#"{"status":401,"error":"Unauthorized","message":"JWT expired"}"#).1,
            "Unauthorized: JWT expired"
        );
        assert_eq!(server_message(r#"{"message":"bad"}"#).1, "bad");
        assert_eq!(
            server_message("<html>Bad Gateway</html>").1,
            "Bad Gateway (HTML page)"
        );
        assert_eq!(
            server_message("Service busy, try later").1,
            "Service busy, try later"
        );
        assert_eq!(server_message("").1, "(empty body)");
        // the error_body fuzz target's invariant: blank messages left "HTTP 500: " with nothing after it
        for blank in [
            r#""""#,
            r#"" ""#,
            r#"{"message":" "}"#,
            r#"{"_error":{"message":""}}"#,
        ] {
            assert!(!server_message(blank).1.trim().is_empty(), "{blank}");
        }
    }

    #[test]
    fn gateway_html_pages_become_a_short_excerpt() {
        let nginx = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
        assert_eq!(
            server_message(nginx).1,
            "503 Service Temporarily Unavailable: nginx (HTML page)"
        );
        let big = format!(
            "<!DOCTYPE html><html><head><style>body {{ color: red }}</style><script>var x = '<b>';</script></head><body><!-- hidden --><p>Gateway &amp; proxy error</p>{}</body></html>",
            "<div>filler text</div>".repeat(500)
        );
        let m = server_message(&big).1;
        assert!(m.starts_with("Gateway & proxy error filler text"), "{m}");
        assert!(m.chars().count() <= HTML_EXCERPT_CHARS + 20, "{m}");
        assert!(
            !m.contains('<') && !m.contains("color") && !m.contains("hidden"),
            "{m}"
        );
        assert!(server_message("<html><body></body></html>")
            .1
            .contains("no text"));
    }

    #[test]
    fn jwts_in_server_text_are_masked() {
        let out = redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln is bad");
        assert_eq!(out, "token *** is bad");
    }
}
