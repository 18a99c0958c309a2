//! Security: nobody but terraform talks to the plugin, secrets never show, TLS certificates of
//! https gateways are verified, and no input makes the provider panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use qualys_pm::catalog::Record;
use qualys_pm::{Asset, Job, JobSummary, Patch};
use rand::{Rng, SeedableRng};
use terraform_provider_qualys::provider::QualysProvider;
use tfplugin::codec;
use tfplugin::proto::go_plugin as gp;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::{Provider, Type, Value};
use tonic::transport::Channel;

use crate::reliability::{block_on, password_credentials, server_jobs, state_jobs, workspace_for};
use crate::support::plugin::{connect, get_schema, unary, ClientIdentity, PluginProcess};
use crate::support::simulator::Simulator;
use crate::support::terraform::{require_terraform, Output};

// ---------- the plugin only talks to terraform ----------

#[tokio::test]
async fn a_plaintext_client_is_refused_by_the_mtls_provider() {
    let identity = ClientIdentity::generate();
    let plugin = PluginProcess::start(Some(&identity), &[]);
    assert!(
        !plugin.handshake.server_cert_b64.is_empty(),
        "AutoMTLS must be on"
    );
    // the same address, without TLS at all
    let mut plaintext = plugin.handshake.clone();
    plaintext.server_cert_b64.clear();
    let refused = match connect(&plaintext, None).await {
        Ok(channel) => get_schema(&channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a plaintext client must be refused");
    // terraform itself is still served
    let channel = plugin.channel(Some(&identity)).await.expect("connect");
    get_schema(&channel).await.expect("schema over mTLS");
    let _: Result<gp::Empty, _> =
        unary(&channel, "/plugin.GRPCController/Shutdown", gp::Empty {}).await;
}

// ---------- secrets never show ----------

/// Every place a secret could leak to, by name: outputs, TF_LOG_PATH files, state files.
fn everything_written(outputs: &[Output], dirs: &[&std::path::Path]) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        all.push((format!("command {i} stdout"), out.stdout.clone()));
        all.push((format!("command {i} stderr"), out.stderr.clone()));
    }
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            // the configuration holds the secrets by design; everything else must not
            let is_config = path.extension().is_some_and(|e| e == "tf" || e == "tfrc");
            if path.is_file() && !is_config {
                let text =
                    String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
                all.push((path.display().to_string(), text));
            }
        }
    }
    all
}

/// Where `secret` shows, with some context (the secret itself masked).
fn leaks(all: &[(String, String)], secret: &str) -> Vec<String> {
    all.iter()
        .filter_map(|(source, text)| {
            let at = text.find(secret)?;
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(300)
                .map_or(0, |(i, _)| i);
            let to = (at + secret.len() + 200).min(text.len());
            let to = (to..=text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            Some(format!(
                "{source}: ...{}...",
                text[from..to].replace(secret, "<SECRET>")
            ))
        })
        .collect()
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn password_token_and_jwt_never_appear_in_any_output_log_or_state() {
    require_terraform("password_token_and_jwt_never_appear_in_any_output_log_or_state");
    let password = format!("Pw-{}-secret", uuid::Uuid::new_v4().simple());
    let wrong_password = format!("Wrong-{}-secret", uuid::Uuid::new_v4().simple());
    let sim = Simulator::start_with(&["--username", "secops", "--password", &password]);
    let mut outputs = Vec::new();
    let trace = |ws: &crate::support::terraform::Workspace, args: &[&str], log: &str| {
        let log_path = ws.path().join(log);
        ws.run_with_env(
            args,
            &[
                ("TF_LOG", "trace"),
                ("TF_LOG_PATH", log_path.to_str().unwrap_or_default()),
            ],
        )
    };

    // apply, plan, import, destroy with username and password
    let ws = workspace_for(&sim.url, &password_credentials("secops", &password), "");
    let job = "resource \"qualys_deployment_job\" \"job\" {\n  count = 2\n  name = \"secret test ${count.index}\"\n  schedule_type = \"On-demand\"\n  asset_ids = [\"38aa48ca-a53f-4591-af01-8bce75de4ce7\"]\n}\n";
    let imported = "resource \"qualys_deployment_job\" \"imported\" {\n  name = \"made elsewhere\"\n  schedule_type = \"On-demand\"\n}\n";
    ws.write("main.tf", &format!("{job}{imported}"));
    let mut config = sim.config();
    config.credentials = qualys_pm::Credentials::Password {
        username: "secops".into(),
        password: password.clone(),
    };
    let client = qualys_pm::Client::new(config).expect("client");
    let made = block_on(client.create_job(
        &Job::from_json(serde_json::json!({"name": "made elsewhere", "scheduleType": "On-demand", "platform": "Windows", "type": "Install", "status": "Disabled"}))
            .expect("job"),
    ))
    .expect("create a job to import");
    let made_id = made.id.clone().expect("job id");
    outputs.push(trace(
        &ws,
        &[
            "import",
            "-no-color",
            "-input=false",
            "qualys_deployment_job.imported",
            &made_id,
        ],
        "import.log",
    ));
    outputs.push(trace(
        &ws,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        "apply.log",
    ));
    outputs.push(trace(
        &ws,
        &["plan", "-no-color", "-input=false"],
        "plan.log",
    ));
    outputs.push(trace(&ws, &["show", "-json"], "show.log"));
    for (i, out) in outputs.iter().enumerate() {
        out.expect_success(&format!("command {i}"));
    }
    assert_eq!(state_jobs(&ws).len(), 3);
    // an error case: the gateway refuses a request mid-apply (a revoked token, then a 400)
    ws.write("main.tf", &format!("{job}{imported}resource \"qualys_deployment_job\" \"refused\" {{\n  name = \"refused\"\n  schedule_type = \"On-demand\"\n}}\n"));
    block_on(sim.expire_tokens());
    // the plan's provider (/auth, the listing's two pages), then the apply's (/auth, the create)
    block_on(sim.fail_next(&[0, 0, 0, 0, 400]));
    let failed = trace(
        &ws,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        "apply-failed.log",
    );
    assert!(!failed.success(), "{}", failed.combined());
    outputs.push(failed);
    outputs.push(trace(
        &ws,
        &["destroy", "-auto-approve", "-no-color", "-input=false"],
        "destroy.log",
    ));
    outputs.last().expect("destroy").expect_success("destroy");
    assert!(server_jobs(&sim).is_empty());

    // wrong password: the error says so without echoing it
    let bad = workspace_for(
        &sim.url,
        &password_credentials("secops", &wrong_password),
        "",
    );
    bad.write("main.tf", job);
    let refused = trace(
        &bad,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        "wrong-password.log",
    );
    assert!(!refused.success());
    let said = refused.squeezed();
    assert!(said.contains("rejected the username or password"), "{said}");
    outputs.push(refused);

    // a token in the provider block
    let token = block_on(async {
        reqwest::Client::new()
            .post(format!("{}/auth", sim.url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "username=secops&password={password}&token=true&permissions=true"
            ))
            .send()
            .await
            .expect("auth")
            .text()
            .await
            .expect("token")
    });
    let with_token = workspace_for(&sim.url, &format!("  token = \"{token}\""), "");
    with_token.write("main.tf", job);
    outputs.push(trace(
        &with_token,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        "token-apply.log",
    ));
    outputs
        .last()
        .expect("token apply")
        .expect_success("apply with a token");
    outputs.push(trace(
        &with_token,
        &["destroy", "-auto-approve", "-no-color", "-input=false"],
        "token-destroy.log",
    ));

    let jwts: Vec<String> = match block_on(sim.admin_get("/_simulator/tokens")) {
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        other => panic!("unexpected /_simulator/tokens answer {other}"),
    };
    assert!(
        jwts.len() >= 3,
        "expected several JWTs to look for, got {}",
        jwts.len()
    );
    let sources = everything_written(&outputs, &[ws.path(), bad.path(), with_token.path()]);
    let all: String = sources.iter().map(|(_, t)| t.as_str()).collect();
    // the logs really are there: trace logs of terraform and of the provider
    assert!(
        all.len() > 100_000,
        "too little output captured ({} bytes)",
        all.len()
    );
    assert!(
        all.contains("secops"),
        "the user name should be logged somewhere"
    );
    assert!(
        all.contains("@module=provider") || all.contains("provider.terraform-provider-qualys"),
        "no provider logs captured"
    );
    for (what, secret) in [
        ("password", password.as_str()),
        ("wrong password", wrong_password.as_str()),
    ]
    .into_iter()
    .chain(jwts.iter().map(|j| ("JWT", j.as_str())))
    {
        let found = leaks(&sources, secret);
        assert!(
            found.is_empty(),
            "the {what} appears in the output, logs or state:\n{}",
            found.join("\n\n")
        );
        // a JWT's signature alone would be enough to misuse it
        if let Some(signature) = secret
            .rsplit('.')
            .next()
            .filter(|s| s.len() > 20 && what == "JWT")
        {
            let found = leaks(&sources, signature);
            assert!(
                found.is_empty(),
                "a JWT signature appears:\n{}",
                found.join("\n\n")
            );
        }
    }
    println!(
        "secrets: {} bytes of output, TF_LOG=trace logs and state searched for the password, a wrong password and {} JWTs: none found",
        all.len(),
        jwts.len()
    );
}

// ---------- TLS verification for https gateways ----------

/// A local https server with a certificate for 127.0.0.1 signed by its own CA, answering
/// `/auth` and the job summary list. Counts the requests it served.
struct HttpsGateway {
    url: String,
    ca_pem: String,
    served: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

impl HttpsGateway {
    fn start() -> HttpsGateway {
        let ca = crate::support::https::TestCa::new();
        let mut config = ca.server_config();
        // this gateway speaks HTTP/1.1 only
        config.alpn_protocols.clear();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let served = Arc::new(AtomicUsize::new(0));
        let counter = served.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        continue;
                    };
                    let acceptor = acceptor.clone();
                    let counter = counter.clone();
                    tokio::spawn(async move {
                        // a refused handshake ends here, before any HTTP
                        if let Ok(tls) = acceptor.accept(tcp).await {
                            serve_http(tls, &counter).await;
                        }
                    });
                }
            });
        });
        HttpsGateway {
            url: format!("https://127.0.0.1:{port}"),
            ca_pem: ca.ca_pem.clone(),
            served,
            _thread: thread,
        }
    }
}

/// Minimal HTTP/1.1: one request per connection, answered and closed.
async fn serve_http<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut stream: S,
    served: &AtomicUsize,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    served.fetch_add(1, Ordering::SeqCst);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = if path.starts_with("/auth") {
        (
            "201 Created",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0bHMifQ.c2lnbmF0dXJl".to_owned(),
        )
    } else if path.starts_with("/pm/v1/deploymentjobs/summary") {
        ("200 OK", "[]".to_owned())
    } else {
        ("404 Not Found", "{\"message\":\"not found\"}".to_owned())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg_attr(tests_without_terraform, ignore = "needs terraform")]
#[test]
fn an_https_gateway_with_an_unknown_ca_is_refused_unless_ca_cert_file_names_it() {
    require_terraform(
        "an_https_gateway_with_an_unknown_ca_is_refused_unless_ca_cert_file_names_it",
    );
    let gateway = HttpsGateway::start();
    let listing = "data \"qualys_deployment_jobs\" \"all\" {\n  platform = \"Windows\"\n}\n";

    let untrusted = workspace_for(
        &gateway.url,
        &password_credentials("tls", "tls-password"),
        "  max_retries = 0",
    );
    untrusted.write("main.tf", listing);
    let out = untrusted.run(&["plan", "-no-color", "-input=false"]);
    assert!(
        !out.success(),
        "a gateway with an unknown CA must be refused:\n{}",
        out.combined()
    );
    assert!(
        out.combined().to_lowercase().contains("certificate"),
        "the error must say why: {}",
        out.combined()
    );
    assert_eq!(
        gateway.served.load(Ordering::SeqCst),
        0,
        "no request may reach an unverified gateway"
    );

    let ca_file = untrusted.path().join("ca.pem");
    std::fs::write(&ca_file, &gateway.ca_pem).expect("write CA");
    let trusted = workspace_for(
        &gateway.url,
        &password_credentials("tls", "tls-password"),
        &format!(
            "  max_retries = 0\n  ca_cert_file = \"{}\"",
            ca_file.display()
        ),
    );
    trusted.write("main.tf", listing);
    trusted
        .run(&["plan", "-no-color", "-input=false"])
        .expect_success("plan against the gateway whose CA is in ca_cert_file");
    assert!(
        gateway.served.load(Ordering::SeqCst) >= 2,
        "auth and the list must have been served"
    );
}

// ---------- no input makes the provider panic ----------

/// Payloads that are not what the schema says: random bytes, truncated or hostile msgpack,
/// wrong types, deep nesting, huge lengths, JSON garbage.
fn garbage_payloads() -> Vec<Vec<u8>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let mut payloads: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xc1],                                  // never-used msgpack byte
        vec![0x81],                                  // a map missing its entry
        vec![0xdf, 0xff, 0xff, 0xff, 0xff],          // a map claiming 4 billion entries
        vec![0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01],    // an array claiming 2 billion items
        vec![0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],    // a string claiming 4 GiB
        vec![0xa3, b'a', b'b', b'c'],                // a string where an object belongs
        vec![0xd4, 0x00, 0x00],                      // an unknown value at the root
        vec![0xc0],                                  // null
        vec![0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],    // NaN
        vec![0x91; 100_000],                         // 100 000 nested arrays
        vec![0x81, 0xa4, b'n', b'a', b'm', b'e', 0x81, 0xa4, b'n', b'a', b'm', b'e', 0xc3],
        b"{\"name\": ".to_vec(),
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec(),
        "[".repeat(100_000).into_bytes(),
        b"{\"id\": 1e999999}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x80],
    ];
    for len in [1, 7, 64, 512, 4096] {
        for _ in 0..4 {
            payloads.push((0..len).map(|_| rng.random()).collect());
        }
    }
    // valid provider-config msgpack, then truncated at every length
    let ty = QualysProvider::new().schema().value_type();
    let valid = codec::encode_msgpack(&Value::Null, &ty).unwrap_or_default();
    payloads.push(valid);
    payloads
}

fn dv(bytes: &[u8], as_json: bool) -> Option<pb::DynamicValue> {
    Some(if as_json {
        pb::DynamicValue {
            msgpack: vec![],
            json: bytes.to_vec(),
        }
    } else {
        pb::DynamicValue {
            msgpack: bytes.to_vec(),
            json: vec![],
        }
    })
}

/// After a barrage of bad input: the provider still answers, has not exited, and never
/// panicked.
async fn assert_still_serving(plugin: &mut PluginProcess, ch: &Channel) {
    get_schema(ch)
        .await
        .expect("GetProviderSchema after the garbage");
    assert!(
        plugin.wait_exit(Duration::from_millis(10)).is_none(),
        "the provider exited"
    );
    let stderr = plugin.stderr();
    assert!(
        !stderr.contains("panicked"),
        "the provider panicked:\n{stderr}"
    );
}

#[tokio::test]
async fn garbage_dynamic_values_to_every_rpc_never_crash_the_provider() {
    let sim = Simulator::start();
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(Some(&identity), &[]);
    let ch = plugin.channel(Some(&identity)).await.expect("connect");
    const RES: &str = "qualys_deployment_job";
    const DS: &str = "qualys_deployment_job";
    let mut calls = 0usize;
    let mut errors = 0usize;
    macro_rules! call {
        ($path:expr, $req:expr, $resp:ty) => {{
            calls += 1;
            let r: Result<$resp, tonic::Status> = unary(&ch, $path, $req).await;
            match r {
                Err(status) => {
                    assert_ne!(
                        status.code(),
                        tonic::Code::Unavailable,
                        "{}: the provider went away: {status}",
                        $path
                    );
                    errors += 1;
                }
                Ok(resp) => {
                    if !resp.diagnostics.is_empty() {
                        errors += 1;
                    }
                }
            }
        }};
    }
    // configure the provider for real first, so that resource RPCs get past "not configured"
    let mut attrs = std::collections::BTreeMap::new();
    for name in ["ca_cert_file", "max_retries", "request_timeout", "token"] {
        attrs.insert(name.to_owned(), Value::Null);
    }
    attrs.insert("gateway_url".to_owned(), Value::String(sim.url.clone()));
    attrs.insert("username".to_owned(), Value::String("qualys".into()));
    attrs.insert("password".to_owned(), Value::String("qualys".into()));
    let ty: Type = QualysProvider::new().schema().value_type();
    let config = codec::encode_msgpack(&Value::Object(attrs), &ty).expect("config");
    let configured: pb::configure_provider::Response = unary(
        &ch,
        "/tfplugin6.Provider/ConfigureProvider",
        pb::configure_provider::Request {
            terraform_version: "1.11.4".into(),
            config: dv(&config, false),
            client_capabilities: None,
        },
    )
    .await
    .expect("configure");
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );

    for payload in garbage_payloads() {
        for as_json in [false, true] {
            let g = || dv(&payload, as_json);
            call!(
                "/tfplugin6.Provider/ValidateProviderConfig",
                pb::validate_provider_config::Request { config: g() },
                pb::validate_provider_config::Response
            );
            call!(
                "/tfplugin6.Provider/ValidateResourceConfig",
                pb::validate_resource_config::Request {
                    type_name: RES.into(),
                    config: g(),
                    client_capabilities: None,
                },
                pb::validate_resource_config::Response
            );
            call!(
                "/tfplugin6.Provider/ValidateDataResourceConfig",
                pb::validate_data_resource_config::Request {
                    type_name: DS.into(),
                    config: g(),
                },
                pb::validate_data_resource_config::Response
            );
            call!(
                "/tfplugin6.Provider/UpgradeResourceState",
                pb::upgrade_resource_state::Request {
                    type_name: RES.into(),
                    version: 0,
                    raw_state: Some(pb::RawState {
                        json: payload.clone(),
                        flatmap: Default::default()
                    })
                },
                pb::upgrade_resource_state::Response
            );
            call!(
                "/tfplugin6.Provider/ReadResource",
                pb::read_resource::Request {
                    type_name: RES.into(),
                    current_state: g(),
                    private: payload.clone(),
                    ..Default::default()
                },
                pb::read_resource::Response
            );
            call!(
                "/tfplugin6.Provider/PlanResourceChange",
                pb::plan_resource_change::Request {
                    type_name: RES.into(),
                    prior_state: g(),
                    proposed_new_state: g(),
                    config: g(),
                    prior_private: payload.clone(),
                    ..Default::default()
                },
                pb::plan_resource_change::Response
            );
            call!(
                "/tfplugin6.Provider/ApplyResourceChange",
                pb::apply_resource_change::Request {
                    type_name: RES.into(),
                    prior_state: g(),
                    planned_state: g(),
                    config: g(),
                    planned_private: payload.clone(),
                    ..Default::default()
                },
                pb::apply_resource_change::Response
            );
            call!(
                "/tfplugin6.Provider/ReadDataSource",
                pb::read_data_source::Request {
                    type_name: DS.into(),
                    config: g(),
                    ..Default::default()
                },
                pb::read_data_source::Response
            );
        }
        let id = String::from_utf8_lossy(&payload)
            .chars()
            .take(200)
            .collect::<String>();
        call!(
            "/tfplugin6.Provider/ImportResourceState",
            pb::import_resource_state::Request {
                type_name: RES.into(),
                id,
                ..Default::default()
            },
            pb::import_resource_state::Response
        );
        // a garbage provider configuration last: it may leave the provider unconfigured
    }
    for payload in garbage_payloads() {
        call!(
            "/tfplugin6.Provider/ConfigureProvider",
            pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config: dv(&payload, false),
                client_capabilities: None
            },
            pb::configure_provider::Response
        );
    }
    // still alive and serving, and nothing panicked
    assert_still_serving(&mut plugin, &ch).await;
    assert!(
        sim.stored_jobs().await.is_empty(),
        "garbage must never create a job"
    );
    println!("malformed input: {calls} RPCs with garbage DynamicValues, {errors} refused with diagnostics or a status; no panic, provider alive");
    let _: Result<gp::Empty, _> = unary(&ch, "/plugin.GRPCController/Shutdown", gp::Empty {}).await;
}

/// The fuzz targets' guarantee without cargo-fuzz: random and mutated bytes into every
/// decoder of untrusted input never panic.
#[test]
fn decoders_never_panic_on_random_bytes() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xf022);
    let ty = QualysProvider::new().schema().value_type();
    let resource_ty = QualysProvider::new()
        .resources()
        .first()
        .map(|r| r.schema().value_type())
        .expect("a resource");
    let seeds: Vec<Vec<u8>> = vec![
        codec::encode_msgpack(&Value::Null, &resource_ty).unwrap_or_default(),
        crate::support::simulator::fixture_text("create-windows-with-actions.response.json")
            .into_bytes(),
        br#"{"_error":{"errorCode":"2501","message":"limit"}}"#.to_vec(),
        br#"{"id":"x","name":"n","platform":"Windows","created":{"date":"1"}}"#.to_vec(),
        include_bytes!("../../fuzz/corpus/catalog_from_json/patch.json").to_vec(),
        include_bytes!("../../fuzz/corpus/catalog_from_json/asset.json").to_vec(),
    ];
    let mut executions = 0usize;
    for i in 0..20_000 {
        let bytes: Vec<u8> = if i % 2 == 0 {
            let len = rng.random_range(0..256);
            (0..len).map(|_| rng.random()).collect()
        } else {
            // a seed with a few bytes flipped, inserted or cut
            let mut b = seeds[i % seeds.len()].clone();
            for _ in 0..rng.random_range(1..8) {
                if b.is_empty() {
                    break;
                }
                let at = rng.random_range(0..b.len());
                match rng.random_range(0..3) {
                    0 => b[at] = rng.random(),
                    1 => b.insert(at, rng.random()),
                    _ => b.truncate(at),
                }
            }
            b
        };
        let _ = codec::decode_msgpack(&bytes, &ty);
        let _ = codec::decode_msgpack(&bytes, &resource_ty);
        let _ = codec::decode_json(&bytes, &resource_ty);
        let _ = codec::decode_json(&bytes, &Type::Dynamic);
        if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            let _ = Job::from_json(json.clone()).map(|j| j.to_json());
            let _ = JobSummary::from_json(json.clone());
            if let Ok(p) = Patch::from_json(json.clone()) {
                assert_eq!(Patch::from_json(p.to_json()).ok(), Some(p));
            }
            if let Ok(a) = Asset::from_json(json) {
                assert_eq!(Asset::from_json(a.to_json()).ok(), Some(a));
            }
        }
        let _ = qualys_pm::client::parse_error_body(&String::from_utf8_lossy(&bytes));
        executions += 1;
    }
    println!("property test: {executions} random inputs through every decoder, no panic");
}

/// Sends request bodies as raw bytes, whatever the RPC expects; answers are read as bytes.
#[derive(Clone, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(
        &mut self,
        item: Vec<u8>,
        dst: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        prost::bytes::BufMut::put_slice(dst, &item);
        Ok(())
    }
}

impl tonic::codec::Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn decode(
        &mut self,
        src: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Vec<u8>>, tonic::Status> {
        let n = prost::bytes::Buf::remaining(src);
        Ok(Some(prost::bytes::Buf::copy_to_bytes(src, n).to_vec()))
    }
}

impl tonic::codec::Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

#[tokio::test]
async fn garbage_protobuf_messages_to_every_rpc_never_crash_the_provider() {
    const RPCS: &[&str] = &[
        "/tfplugin6.Provider/GetMetadata",
        "/tfplugin6.Provider/GetProviderSchema",
        "/tfplugin6.Provider/ValidateProviderConfig",
        "/tfplugin6.Provider/ConfigureProvider",
        "/tfplugin6.Provider/ValidateResourceConfig",
        "/tfplugin6.Provider/ValidateDataResourceConfig",
        "/tfplugin6.Provider/UpgradeResourceState",
        "/tfplugin6.Provider/ReadResource",
        "/tfplugin6.Provider/PlanResourceChange",
        "/tfplugin6.Provider/ApplyResourceChange",
        "/tfplugin6.Provider/ImportResourceState",
        "/tfplugin6.Provider/MoveResourceState",
        "/tfplugin6.Provider/ReadDataSource",
        "/tfplugin6.Provider/GetFunctions",
        "/tfplugin6.Provider/CallFunction",
        "/tfplugin6.Provider/StopProvider",
    ];
    let identity = ClientIdentity::generate();
    let mut plugin = PluginProcess::start(Some(&identity), &[]);
    let ch = plugin.channel(Some(&identity)).await.expect("connect");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xb0b);
    let mut bodies: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], // a field claiming 4 GiB
        vec![0x0a, 0x05, b'a'],                   // a truncated field
        vec![0x12, 0x02, 0x0a, 0xff],             // a nested message cut short
        vec![0xff; 64],
        vec![0x0b; 1000], // start-group markers
    ];
    for len in [1, 3, 16, 200, 5000] {
        for _ in 0..6 {
            bodies.push((0..len).map(|_| rng.random()).collect());
        }
    }
    let mut calls = 0;
    for path in RPCS {
        for body in &bodies {
            let mut grpc = tonic::client::Grpc::new(ch.clone());
            grpc.ready().await.expect("the provider is ready");
            let rpc = tonic::codegen::http::uri::PathAndQuery::from_static(path);
            let result = tokio::time::timeout(
                Duration::from_secs(10),
                grpc.unary(tonic::Request::new(body.clone()), rpc, RawCodec),
            )
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "{path} hung past 10 s on a garbage body of {} bytes",
                    body.len()
                )
            });
            calls += 1;
            if let Err(status) = &result {
                assert_ne!(
                    status.code(),
                    tonic::Code::Unavailable,
                    "the provider went away: {status}"
                );
            }
        }
    }
    assert_still_serving(&mut plugin, &ch).await;
    println!(
        "malformed protobuf: {calls} RPCs with garbage request bodies; no panic, provider alive"
    );
    let _: Result<gp::Empty, _> = unary(&ch, "/plugin.GRPCController/Shutdown", gp::Empty {}).await;
}
