//! The provider binary at the protocol level, started exactly as terraform starts it:
//! handshake, AutoMTLS, the tfplugin6 and go-plugin services, shutdown, logs.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use terraform_provider_qualys::provider::QualysProvider;
use tfplugin::codec;
use tfplugin::proto::go_plugin as gp;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::{Provider, Value};
use tonic::transport::Channel;

use crate::support::plugin::{get_schema, unary, ClientIdentity, PluginProcess};
use crate::support::terraform::provider_binary;
use crate::support::PROVIDER_ATTRIBUTES;

async fn shutdown(channel: &Channel) {
    let _: Result<gp::Empty, _> =
        unary(channel, "/plugin.GRPCController/Shutdown", gp::Empty {}).await;
}

/// The provider block's msgpack, every attribute present (null unless given).
fn provider_config(set: &[(&str, Value)]) -> pb::DynamicValue {
    let mut attrs: BTreeMap<String, Value> = PROVIDER_ATTRIBUTES
        .iter()
        .map(|n| (n.to_string(), Value::Null))
        .collect();
    for (k, v) in set {
        attrs.insert(k.to_string(), v.clone());
    }
    let ty = QualysProvider::new().schema().value_type();
    pb::DynamicValue {
        msgpack: codec::encode_msgpack(&Value::Object(attrs), &ty).unwrap(),
        json: Vec::new(),
    }
}

fn attribute_path_names(d: &pb::Diagnostic) -> Vec<String> {
    use pb::attribute_path::step::Selector;
    d.attribute
        .iter()
        .flat_map(|p| &p.steps)
        .filter_map(|s| match &s.selector {
            Some(Selector::AttributeName(n)) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn handshake_mtls_schema_and_prompt_shutdown() {
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(Some(&identity), &[]);
    let hs = plugin.handshake.clone();
    assert_eq!(
        (hs.core_version.as_str(), hs.protocol_version.as_str()),
        ("1", "6"),
        "{}",
        hs.line
    );
    assert_eq!(
        (hs.network.as_str(), hs.protocol.as_str()),
        ("unix", "grpc"),
        "{}",
        hs.line
    );
    assert!(
        std::path::Path::new(&hs.address).exists(),
        "socket {} must exist",
        hs.address
    );
    assert!(
        hs.address.len() < 100,
        "socket path too long for sun_path: {}",
        hs.address
    );
    assert!(
        hs.server_cert_b64.len() > 50 && !hs.server_cert_b64.contains('='),
        "{}",
        hs.line
    );
    assert!(hs.server_cert_der().is_some());

    let channel = plugin
        .channel(Some(&identity))
        .await
        .expect("mTLS connection with terraform's certificate");
    let schema = get_schema(&channel).await.expect("GetProviderSchema");
    let block = schema
        .provider
        .expect("provider schema")
        .block
        .expect("provider block");
    let mut names: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    assert_eq!(names, PROVIDER_ATTRIBUTES);
    for a in &block.attributes {
        assert!(!a.description.is_empty(), "{} has no description", a.name);
        assert!(a.optional && !a.required && !a.computed, "{}", a.name);
        assert_eq!(
            a.sensitive,
            a.name == "password" || a.name == "token",
            "{}",
            a.name
        );
    }
    let caps = schema.server_capabilities.expect("server capabilities");
    assert!(caps.get_provider_schema_optional && !caps.plan_destroy && !caps.move_resource_state);

    // go-plugin's health service reports "plugin" as SERVING.
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let status = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner()
        .status;
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // Terraform keeps StreamStdio and StartStream open; they must end at shutdown.
    let mut stdio = crate::support::plugin::server_streaming::<(), gp::StdioData>(
        &channel,
        "/plugin.GRPCStdio/StreamStdio",
        (),
    )
    .await
    .expect("StreamStdio");
    let mut broker = crate::support::plugin::streaming::<gp::ConnInfo, gp::ConnInfo>(
        &channel,
        "/plugin.GRPCBroker/StartStream",
        futures::stream::pending(),
    )
    .await
    .expect("StartStream");

    shutdown(&channel).await;
    let status = plugin
        .wait_exit(Duration::from_secs(2))
        .expect("the provider must exit promptly after Shutdown");
    // (how fast it exits is bench/'s business; the bound above only keeps a hang from stalling)
    assert!(status.success(), "{status:?}\n{}", plugin.stderr());
    let stdio_end = tokio::time::timeout(Duration::from_secs(2), stdio.next())
        .await
        .expect("StreamStdio ends");
    assert!(!matches!(stdio_end, Some(Ok(_))), "no stdio data expected");
    let broker_end = tokio::time::timeout(Duration::from_secs(2), broker.next())
        .await
        .expect("StartStream ends");
    assert!(
        !matches!(broker_end, Some(Ok(_))),
        "no broker data expected"
    );
    assert!(
        !std::path::Path::new(&hs.address).exists(),
        "the socket file must be removed"
    );
    assert_eq!(
        plugin.stdout_rest(),
        "",
        "nothing but the handshake on stdout"
    );
}

#[tokio::test]
async fn connections_without_terraforms_certificate_are_refused() {
    let identity = ClientIdentity::generate();
    let plugin = PluginProcess::start(Some(&identity), &[]);

    // No client certificate at all. (TLS 1.3 lets the client finish its side of the
    // handshake first, so the refusal shows on the first call.)
    let refused = match plugin.channel(None).await {
        Ok(channel) => get_schema(&channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a client without a certificate must be refused");

    // A certificate of the right shape, but not the one terraform announced.
    let impostor = ClientIdentity::generate();
    let refused = match plugin.channel(Some(&impostor)).await {
        Ok(channel) => get_schema(&channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a client with another certificate must be refused");

    // The provider is still serving terraform.
    let channel = plugin.channel(Some(&identity)).await.expect("connect");
    get_schema(&channel)
        .await
        .expect("GetProviderSchema with the right certificate");
    shutdown(&channel).await;
}

#[test]
fn running_by_hand_exits_1_with_an_explanation() {
    let out = std::process::Command::new(provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the provider");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is a Terraform provider plugin"),
        "{stderr}"
    );
    assert!(stderr.contains("not meant to be run directly"), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout");
}

#[test]
fn terraform_without_protocol_6_is_told_why() {
    let out = std::process::Command::new(provider_binary())
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            crate::support::plugin::MAGIC_COOKIE,
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the provider");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("protocol 6 only") && stderr.contains("4,5"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn provider_config_is_validated_with_attribute_paths() {
    let identity = ClientIdentity::generate();
    let plugin = PluginProcess::start(Some(&identity), &[]);
    let channel = plugin.channel(Some(&identity)).await.expect("connect");

    let bad = provider_config(&[
        ("gateway_url", Value::string("gateway.example.com")),
        ("token", Value::string("secret-token-value")),
        ("password", Value::string("secret-password-value")),
        ("request_timeout", Value::string("a while")),
    ]);
    let resp: pb::validate_provider_config::Response = unary(
        &channel,
        "/tfplugin6.Provider/ValidateProviderConfig",
        pb::validate_provider_config::Request { config: Some(bad) },
    )
    .await
    .expect("ValidateProviderConfig");
    let mut paths: Vec<Vec<String>> = resp.diagnostics.iter().map(attribute_path_names).collect();
    paths.sort();
    assert_eq!(
        paths,
        [vec!["gateway_url"], vec!["request_timeout"], vec!["token"]],
        "{:#?}",
        resp.diagnostics
    );
    for d in &resp.diagnostics {
        assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
        assert!(
            !format!("{} {}", d.summary, d.detail).contains("secret-"),
            "secrets must not be echoed: {d:?}"
        );
    }

    // Unknown values (a provider block fed by resources not created yet) are fine.
    let unknown = provider_config(&[("gateway_url", Value::Unknown), ("token", Value::Unknown)]);
    let resp: pb::validate_provider_config::Response = unary(
        &channel,
        "/tfplugin6.Provider/ValidateProviderConfig",
        pb::validate_provider_config::Request {
            config: Some(unknown.clone()),
        },
    )
    .await
    .unwrap();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let resp: pb::configure_provider::Response = unary(
        &channel,
        "/tfplugin6.Provider/ConfigureProvider",
        pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(unknown),
            client_capabilities: None,
        },
    )
    .await
    .unwrap();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    // Configure without credentials anywhere: an error, and no network call.
    let resp: pb::configure_provider::Response = unary(
        &channel,
        "/tfplugin6.Provider/ConfigureProvider",
        pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: Some(provider_config(&[(
                "gateway_url",
                Value::string("https://gateway.example"),
            )])),
            client_capabilities: None,
        },
    )
    .await
    .unwrap();
    assert!(
        resp.diagnostics
            .iter()
            .any(|d| d.summary == "Missing credentials"),
        "{:?}",
        resp.diagnostics
    );

    // Malformed msgpack is an error diagnostic, not a crash.
    let resp: pb::validate_provider_config::Response = unary(
        &channel,
        "/tfplugin6.Provider/ValidateProviderConfig",
        pb::validate_provider_config::Request {
            config: Some(pb::DynamicValue {
                msgpack: vec![0x87, 0xa1],
                json: vec![],
            }),
        },
    )
    .await
    .unwrap();
    assert!(
        resp.diagnostics[0].detail.contains("malformed msgpack"),
        "{:?}",
        resp.diagnostics
    );
    shutdown(&channel).await;
}

#[tokio::test]
async fn every_other_rpc_answers_cleanly() {
    let identity = ClientIdentity::generate();
    let plugin = PluginProcess::start(Some(&identity), &[]);
    let ch = plugin.channel(Some(&identity)).await.expect("connect");

    let meta: pb::get_metadata::Response = unary(
        &ch,
        "/tfplugin6.Provider/GetMetadata",
        pb::get_metadata::Request {},
    )
    .await
    .unwrap();
    assert!(
        meta.server_capabilities
            .unwrap()
            .get_provider_schema_optional
    );

    let functions: pb::get_functions::Response = unary(
        &ch,
        "/tfplugin6.Provider/GetFunctions",
        pb::get_functions::Request {},
    )
    .await
    .unwrap();
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());

    let call: pb::call_function::Response = unary(
        &ch,
        "/tfplugin6.Provider/CallFunction",
        pb::call_function::Request {
            name: "nope".into(),
            arguments: vec![],
        },
    )
    .await
    .unwrap();
    assert!(call.error.unwrap().text.contains("no function \"nope\""));

    let eph: pb::validate_ephemeral_resource_config::Response = unary(
        &ch,
        "/tfplugin6.Provider/ValidateEphemeralResourceConfig",
        pb::validate_ephemeral_resource_config::Request {
            type_name: "qualys_x".into(),
            config: None,
        },
    )
    .await
    .unwrap();
    assert!(eph.diagnostics[0].summary.contains("not supported"));

    let mv: pb::move_resource_state::Response = unary(
        &ch,
        "/tfplugin6.Provider/MoveResourceState",
        pb::move_resource_state::Request {
            target_type_name: "qualys_x".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        mv.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );

    // A resource type the provider does not have.
    let read: pb::read_resource::Response = unary(
        &ch,
        "/tfplugin6.Provider/ReadResource",
        pb::read_resource::Request {
            type_name: "qualys_nothing".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        read.diagnostics[0]
            .detail
            .contains("no resource type \"qualys_nothing\""),
        "{:?}",
        read.diagnostics
    );
    assert!(read.deferred.is_none());

    let stop: pb::stop_provider::Response = unary(
        &ch,
        "/tfplugin6.Provider/StopProvider",
        pb::stop_provider::Request {},
    )
    .await
    .unwrap();
    assert_eq!(stop.error, "");
    shutdown(&ch).await;
}

#[tokio::test]
async fn logs_are_hclog_json_on_stderr_only_when_asked() {
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(Some(&identity), &[("TF_LOG_PROVIDER", "debug")]);
    let ch = plugin.channel(Some(&identity)).await.expect("connect");
    get_schema(&ch).await.unwrap();
    shutdown(&ch).await;
    plugin.wait_exit(Duration::from_secs(2)).expect("exit");
    let stderr = plugin.stderr();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}"))
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["@message"] == "GetProviderSchema" && l["@level"] == "debug"),
        "{stderr}"
    );
    for line in &lines {
        let ts = line["@timestamp"].as_str().expect("@timestamp");
        let frac = ts.split_once('.').expect("fraction").1;
        assert_eq!(
            frac.trim_end_matches('Z').len(),
            6,
            "go-plugin needs exactly 6 fractional digits: {ts}"
        );
        assert!(
            line["@module"]
                .as_str()
                .is_some_and(|m| m.starts_with("provider.")),
            "{line}"
        );
    }

    // TF_LOG unset: terraform shows nothing, so nothing is written.
    let mut quiet = PluginProcess::start(Some(&identity), &[]);
    let ch = quiet.channel(Some(&identity)).await.expect("connect");
    get_schema(&ch).await.unwrap();
    shutdown(&ch).await;
    quiet.wait_exit(Duration::from_secs(2)).expect("exit");
    assert_eq!(quiet.stderr(), "");
}

#[tokio::test]
async fn sigint_is_ignored_because_terraform_sends_stop_provider() {
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(Some(&identity), &[]);
    plugin.signal("INT");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        plugin.wait_exit(Duration::ZERO).is_none(),
        "SIGINT must not stop the provider"
    );
    let ch = plugin
        .channel(Some(&identity))
        .await
        .expect("connect after SIGINT");
    get_schema(&ch).await.expect("still serving");
    shutdown(&ch).await;
}

#[tokio::test]
async fn falls_back_to_tcp_with_nodelay_when_no_socket_can_be_made() {
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(
        Some(&identity),
        &[
            ("PLUGIN_UNIX_SOCKET_DIR", "/nonexistent/socket/dir"),
            ("PLUGIN_MIN_PORT", "20000"),
            ("PLUGIN_MAX_PORT", "21000"),
        ],
    );
    let hs = plugin.handshake.clone();
    assert_eq!(hs.network, "tcp", "{}", hs.line);
    let port: u16 = hs
        .address
        .strip_prefix("127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .expect("127.0.0.1:PORT");
    assert!((20000..=21000).contains(&port), "{}", hs.line);
    let ch = plugin
        .channel(Some(&identity))
        .await
        .expect("mTLS over TCP");
    get_schema(&ch).await.expect("GetProviderSchema over TCP");
    shutdown(&ch).await;
    assert!(plugin.wait_exit(Duration::from_secs(2)).is_some());
}

#[tokio::test]
async fn plaintext_when_terraform_disables_tls() {
    // TF_DISABLE_PLUGIN_TLS: terraform sends no client certificate and expects plaintext.
    let plugin = PluginProcess::start(None, &[]);
    assert_eq!(
        plugin.handshake.server_cert_b64, "",
        "{}",
        plugin.handshake.line
    );
    let ch = plugin.channel(None).await.expect("plaintext connection");
    get_schema(&ch).await.expect("GetProviderSchema");
    shutdown(&ch).await;
}
