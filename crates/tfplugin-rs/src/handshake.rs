//! The go-plugin handshake: the magic cookie that tells a plugin it was started by
//! terraform, protocol version negotiation, and the one line on stdout that tells
//! terraform where and how to connect. Also the `TF_REATTACH_PROVIDERS` value for debug mode.

use base64::Engine;

/// Set by terraform (`internal/plugin6/serve.go`) in the environment of every provider.
pub(crate) const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub(crate) const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's core protocol version, the handshake line's first field.
pub(crate) const CORE_PROTOCOL_VERSION: u32 = 1;

/// tfplugin6, the only application protocol this server speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// True when terraform started this process.
pub(crate) fn cookie_present() -> bool {
    std::env::var(MAGIC_COOKIE_KEY).is_ok_and(|v| v == MAGIC_COOKIE_VALUE)
}

/// The name this binary was started as, for messages.
pub(crate) fn binary_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(std::path::Path::new)
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "this provider".to_owned())
}

/// What someone running the binary by hand reads.
pub(crate) fn not_started_by_terraform_message(binary: &str) -> String {
    format!(
        "{binary} is a Terraform provider plugin. It is started by terraform and is not meant to be run directly.\n\
         \n\
         To use it, install it where terraform finds it (see the README's Install section: a network\n\
         or filesystem mirror, or dev_overrides in a CLI configuration file) and run terraform\n\
         commands as usual.\n\
         To debug it, run `{binary} --debug` and start terraform with the TF_REATTACH_PROVIDERS\n\
         value it prints.\n"
    )
}

/// Picks protocol 6 from terraform's `PLUGIN_PROTOCOL_VERSIONS` (e.g. `6,5` or `5,6`; the
/// order carries no meaning). Unset means the client takes what it is given.
pub(crate) fn negotiate(offered: Option<&str>) -> Result<u32, String> {
    let Some(offered) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let versions: Vec<u32> = offered
        .split(',')
        .filter_map(|v| v.trim().parse().ok())
        .collect();
    if versions.contains(&PROTOCOL_VERSION) {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(format!(
            "This provider speaks plugin protocol {PROTOCOL_VERSION} only, but the terraform that started it \
             offers protocol version(s) {offered}. Use Terraform 1.0 or later."
        ))
    }
}

/// `CORE|APP|NETWORK|ADDR|grpc|SERVERCERT`: the certificate's DER in standard base64
/// without padding (go's `RawStdEncoding`; padding or the URL alphabet fail to parse),
/// empty when TLS is off.
pub(crate) fn handshake_line(
    network: &str,
    address: &str,
    server_cert_der: Option<&[u8]>,
) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}")
}

/// The `TF_REATTACH_PROVIDERS` JSON for a provider serving in debug mode. `Test: true`
/// tells terraform not to stop the process after each command.
pub(crate) fn reattach_json(
    provider_address: &str,
    pid: u32,
    network: &str,
    address: &str,
) -> String {
    let mut providers = serde_json::Map::new();
    providers.insert(
        provider_address.to_owned(),
        serde_json::json!({
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }),
    );
    serde_json::Value::Object(providers).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_6_is_chosen_whatever_the_order() {
        assert_eq!(negotiate(Some("6,5")), Ok(6));
        assert_eq!(negotiate(Some("5, 6")), Ok(6));
        assert_eq!(negotiate(None), Ok(6));
        let err = negotiate(Some("4,5")).unwrap_err();
        assert!(
            err.contains("protocol 6 only") && err.contains("4,5"),
            "{err}"
        );
    }

    #[test]
    fn handshake_line_uses_unpadded_standard_base64() {
        // 4 bytes: padded base64 would end in "==", URL-safe would use '-' and '_'.
        let line = handshake_line("unix", "/tmp/plugin123", Some(&[0xfb, 0xff, 0xfe, 0x01]));
        assert_eq!(line, "1|6|unix|/tmp/plugin123|grpc|+//+AQ");
        assert_eq!(
            handshake_line("tcp", "127.0.0.1:10000", None),
            "1|6|tcp|127.0.0.1:10000|grpc|"
        );
    }

    #[test]
    fn reattach_json_has_terraforms_shape() {
        let json: serde_json::Value = serde_json::from_str(&reattach_json(
            "example.com/ns/demo",
            42,
            "unix",
            "/tmp/plugin1",
        ))
        .unwrap();
        let entry = &json["example.com/ns/demo"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/plugin1");
    }
}
