//! The provider block: its settings, and turning a configuration (plus environment variable
//! fallbacks) into a `qualys_pm::ClientConfig`, with every problem reported at its attribute.
//!
//! Each setting is declared once below (`setting::Setting`: name, type, environment variable,
//! default, parser, description); the schema, `validate`, the resolution and the docs derive
//! from the declarations.
//!
//! Two phases. `validate` (ValidateProviderConfig, also run by `terraform validate`) checks
//! only what the configuration itself says, since the environment at plan time may differ;
//! `client_config` (ConfigureProvider) applies the environment fallbacks and requires a
//! complete, consistent setup. Unknown values (a provider block fed by resources not yet
//! created) are never an error: they are checked once known.
//!
//! Secrets (password, token) never appear in a message; neither does the gateway URL, which
//! could carry credentials.

use std::path::Path;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use qualys_pm::{ClientConfig, Credentials};
use tfplugin::{AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::setting::{Declared, Env, Origin, Problem, Resolved, Setting};

pub(crate) const ENV_GATEWAY_URL: &str = "QUALYS_GATEWAY_URL";
pub(crate) const ENV_USERNAME: &str = "QUALYS_USERNAME";
pub(crate) const ENV_PASSWORD: &str = "QUALYS_PASSWORD";
pub(crate) const ENV_TOKEN: &str = "QUALYS_TOKEN";
const ENV_CA_CERT_FILE: &str = "QUALYS_CA_CERT_FILE";
/// The first retry delay (a duration such as `20ms`; default 500ms). Not in the provider
/// block: it exists so that tests and CI runs against the simulator need not wait.
const ENV_RETRY_BASE_DELAY: &str = "QUALYS_RETRY_BASE_DELAY";
const ENV_MAX_CONCURRENT_REQUESTS: &str = "QUALYS_MAX_CONCURRENT_REQUESTS";
const ENV_MAX_RATE_LIMIT_WAIT: &str = "QUALYS_MAX_RATE_LIMIT_WAIT";
const ENV_REFRESH: &str = "QUALYS_REFRESH";
/// The values of `refresh`: from the job listing (the default), or one GET per job.
const REFRESH_LISTING: &str = "listing";
const REFRESH_GET: &str = "get";
/// The most concurrent requests a configuration may ask for.
const MAX_CONCURRENT_REQUESTS_LIMIT: i64 = 64;

const DEFAULT_MAX_RETRIES: u32 = 5;
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The provider block's attributes, in the schema's (and the docs') order.
static SETTINGS: [&dyn Declared; 10] = [
    &GATEWAY_URL,
    &USERNAME,
    &PASSWORD,
    &TOKEN,
    &MAX_RETRIES,
    &REQUEST_TIMEOUT,
    &MAX_CONCURRENT_REQUESTS,
    &MAX_RATE_LIMIT_WAIT,
    &REFRESH,
    &CA_CERT_FILE,
];

static GATEWAY_URL: Setting<url::Url> = Setting {
    name: "gateway_url",
    ty: Type::String,
    sensitive: false,
    env: Some(ENV_GATEWAY_URL),
    description: "Base URL of the Qualys API gateway of your platform, e.g. \
        `https://gateway.qg2.apps.qualys.com`. `http://` is accepted only for this machine \
        (`localhost`, 127.0.0.0/8, `::1`: e.g. the `qualys-pm-simulator`), since it would \
        send the password and API tokens in clear text; any other `http://` gateway is \
        refused at plan.",
    default: None,
    parse: |value| parse_gateway_url(text(value)).map_err(Problem::invalid),
};

static USERNAME: Setting<String> = Setting {
    name: "username",
    ty: Type::String,
    sensitive: false,
    env: Some(ENV_USERNAME),
    description: "Qualys user name; with `password`, exchanged for an API token at \
        `{gateway_url}/auth`. Conflicts with `token`.",
    default: None,
    parse: |value| not_empty("username", value),
};

static PASSWORD: Setting<String> = Setting {
    name: "password",
    ty: Type::String,
    sensitive: true,
    env: Some(ENV_PASSWORD),
    description: "Password of `username`.",
    default: None,
    parse: |value| not_empty("password", value),
};

static TOKEN: Setting<String> = Setting {
    name: "token",
    ty: Type::String,
    sensitive: true,
    env: Some(ENV_TOKEN),
    description: "A Qualys API token (JWT) obtained elsewhere, used instead of `username` and \
        `password`.",
    default: None,
    parse: |value| not_empty("token", value),
};

static MAX_RETRIES: Setting<u32> = Setting {
    name: "max_retries",
    ty: Type::Number,
    sensitive: false,
    env: None,
    description: "How many times a request that failed transiently (HTTP 502, 503, 504, \
        connection errors) is retried, with capped exponential backoff. Default `5`; `0` \
        disables retries. Refusals under the subscription's API controls (HTTP 429, or 409 \
        with code 1965/1966/1960/1959) are not counted: they are waited out, up to \
        `max_rate_limit_wait`.",
    default: Some(DEFAULT_MAX_RETRIES),
    parse: parse_max_retries,
};

static REQUEST_TIMEOUT: Setting<Duration> = Setting {
    name: "request_timeout",
    ty: Type::String,
    sensitive: false,
    env: None,
    description: "Timeout of each API request, as a duration such as `\"60s\"`, `\"90s\"` or \
        `\"2m\"`. Default `\"60s\"`.",
    default: Some(DEFAULT_REQUEST_TIMEOUT),
    parse: parse_request_timeout,
};

static MAX_CONCURRENT_REQUESTS: Setting<usize> = Setting {
    name: "max_concurrent_requests",
    ty: Type::Number,
    sensitive: false,
    env: Some(ENV_MAX_CONCURRENT_REQUESTS),
    description: "The most API requests this provider sends at once (all resources, data \
        sources and lookups of one terraform run share it) until the server announces its \
        concurrency limit (`X-Concurrency-Limit-Limit`), which then wins. Default `2`, the \
        concurrency limit of a default Qualys subscription; other integrations share that \
        limit.",
    default: Some(ClientConfig::DEFAULT_MAX_CONCURRENT_REQUESTS),
    parse: parse_max_concurrent_requests,
};

static MAX_RATE_LIMIT_WAIT: Setting<Duration> = Setting {
    name: "max_rate_limit_wait",
    ty: Type::String,
    sensitive: false,
    env: Some(ENV_MAX_RATE_LIMIT_WAIT),
    description: "The longest the provider waits when the subscription's API rate or \
        concurrency limit is reached (the server's `X-RateLimit-ToWait-Sec` or a 429/409 \
        refusal), as a duration such as `\"5m\"` or `\"1h\"`. A longer wait fails every \
        pending operation at once with an error saying when to run again; nothing is sent \
        for them. Default `\"5m\"`.",
    default: Some(ClientConfig::DEFAULT_MAX_RATE_LIMIT_WAIT),
    parse: |value| {
        let text = text(value);
        humantime::parse_duration(text.trim()).map_err(|e| {
            Problem::invalid(format!(
                "\"{text}\" is not a duration ({e}); write e.g. \"0s\", \"5m\" or \"1h\"."
            ))
        })
    },
};

/// `true` for `"listing"`.
static REFRESH: Setting<bool> = Setting {
    name: "refresh",
    ty: Type::String,
    sensitive: false,
    env: Some(ENV_REFRESH),
    description: "How `terraform plan` refreshes the deployment jobs: `\"listing\"` (the \
        default) lists the job summaries of each platform the jobs use once per run (1 call \
        per 1,000 jobs, plus one per platform) and reads in full only the jobs whose summary \
        shows a change since they were last read; `\"get\"` reads every job with its own \
        call, as before. `\"listing\"` rests on one undocumented reading of the API: that a \
        job's `updated.date` moves on every change of its configuration (see the API readings \
        in the docs). With it, the server-computed counts (`patch_count`, \
        `applicable_asset_count`) are refreshed only when a job is read in full.",
    default: Some(true),
    parse: |value| match text(value).trim() {
        t if t.eq_ignore_ascii_case(REFRESH_LISTING) => Ok(true),
        t if t.eq_ignore_ascii_case(REFRESH_GET) => Ok(false),
        _ => Err(Problem::invalid(format!(
            "\"{}\" is not a refresh mode; allowed values: \"{REFRESH_LISTING}\" (the default), \
             \"{REFRESH_GET}\".",
            text(value)
        ))),
    },
};

/// The file's path; `client_config` reads it (`validate` does not: the file at plan time
/// may differ).
static CA_CERT_FILE: Setting<String> = Setting {
    name: "ca_cert_file",
    ty: Type::String,
    sensitive: false,
    env: Some(ENV_CA_CERT_FILE),
    description: "Path to a PEM file of additional CA certificates to trust for an `https://` \
        gateway (private cloud platforms, TLS-inspecting proxies).",
    default: None,
    parse: |value| not_empty("ca_cert_file", value),
};

pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: SETTINGS.iter().map(|s| s.attribute()).collect(),
            blocks: Vec::new(),
            description:
                "The Qualys provider manages Qualys Patch Management deployment jobs. Authenticate \
                          with `username` and `password`, or with `token`."
                    .to_owned(),
            deprecated: false,
        },
    }
}

/// Static checks of the provider block alone; see the module documentation.
pub(crate) fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for setting in SETTINGS {
        if setting.name() == USERNAME.name {
            // ahead of the credentials' own checks: it says which of them to drop
            check_credential_conflict(config, &mut diags);
        }
        setting.check(config, &mut diags);
    }
    diags
}

/// The client configuration for a provider block, with the environment variable fallbacks
/// applied. `Ok(None)`: some value is not known yet (only during planning).
pub(crate) fn client_config(
    config: &Value,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ClientConfig>, Diagnostics> {
    let mut diags = validate(config);
    // A value from the environment, ignoring empty variables.
    let env: Env<'_> = &|name: &str| env(name).filter(|v| !v.is_empty());
    let gateway_url = gateway_url(config, env, &mut diags);
    let credentials = credentials(config, env, &mut diags);
    let max_retries = MAX_RETRIES.resolve(config, env, &mut diags);
    let request_timeout = REQUEST_TIMEOUT.resolve(config, env, &mut diags);
    let max_concurrent_requests = MAX_CONCURRENT_REQUESTS.resolve(config, env, &mut diags);
    let max_rate_limit_wait = MAX_RATE_LIMIT_WAIT.resolve(config, env, &mut diags);
    let list_for_refresh = REFRESH.resolve(config, env, &mut diags);
    let retry_base_delay = retry_base_delay(env, &mut diags);
    let ca_cert_pem = ca_cert_pem(config, env, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    // Every setting neither known nor reported is unknown.
    Ok((|| {
        Some(ClientConfig {
            gateway_url: gateway_url.known()?,
            credentials: credentials.known()?,
            max_retries: max_retries.known()?,
            request_timeout: request_timeout.known()?,
            ca_cert_pem: ca_cert_pem.optional()?,
            retry_base_delay,
            max_concurrent_requests: max_concurrent_requests.known()?,
            max_rate_limit_wait: max_rate_limit_wait.known()?,
            list_for_refresh: list_for_refresh.known()?,
        })
    })())
}

/// The client configuration from the environment alone, as an empty provider block would
/// get it (for tools outside terraform, e.g. `generate-imports`). The errors are the
/// provider's, one `summary: detail` line each; none carries a secret.
pub(crate) fn client_config_from_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientConfig, Vec<String>> {
    let empty_block = Value::Object(
        schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect(),
    );
    let lines = |diags: Diagnostics| {
        diags
            .iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect::<Vec<_>>()
    };
    match client_config(&empty_block, env) {
        Ok(Some(config)) => Ok(config),
        Err(diags) => Err(lines(diags)),
        // Nothing is unknown in an empty block.
        Ok(None) => Err(vec![
            "Incomplete configuration: the Qualys client settings are not all known.".to_owned(),
        ]),
    }
}

/// A string setting's text; a value of another type (the schema rules it out) reads as "".
fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// `http://` or `https://` with a host, and no credentials inside the URL.
fn parse_gateway_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("The gateway URL is not a valid URL ({e}); expected e.g. https://gateway.qg2.apps.qualys.com."))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(format!(
            "The gateway URL must start with https:// (or http:// for this machine only), not {}://.",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The gateway URL has no host name.".to_owned());
    }
    if url.scheme() == "http" && !qualys_pm::plaintext_allowed(&url) {
        return Err("The gateway URL must start with https://: http:// would send the password and every API token in clear text across the network. http:// is accepted only for this machine (localhost, 127.0.0.0/8, ::1), e.g. the qualys-pm-simulator.".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "The gateway URL must not contain credentials; use username and password, or token."
                .to_owned(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("The gateway URL must not have a query string or fragment.".to_owned());
    }
    Ok(url)
}

/// A string that is not empty (its text is never quoted: it may be a secret).
fn not_empty(name: &str, value: &Value) -> Result<String, Problem> {
    match value.as_str() {
        Some("") => Err(Problem {
            word: "Empty",
            detail: format!("{name} must not be empty; leave it out instead."),
        }),
        Some(text) => Ok(text.to_owned()),
        None => Err(Problem::invalid(format!("{name} must be a string."))),
    }
}

fn parse_max_retries(value: &Value) -> Result<u32, Problem> {
    let n = value
        .as_i64()
        .ok_or_else(|| Problem::invalid("max_retries must be a whole number."))?;
    u32::try_from(n).map_err(|_| {
        Problem::invalid(if n < 0 {
            format!("max_retries must not be negative (got {n}).")
        } else {
            format!("max_retries is too large (got {n}).")
        })
    })
}

fn parse_request_timeout(value: &Value) -> Result<Duration, Problem> {
    let text = text(value);
    match humantime::parse_duration(text.trim()) {
        Ok(d) if d.is_zero() => Err(Problem::invalid(
            "request_timeout must be longer than zero.",
        )),
        Ok(d) => Ok(d),
        Err(e) => Err(Problem::invalid(format!(
            "\"{text}\" is not a duration ({e}); write e.g. \"60s\", \"90s\" or \"2m\"."
        ))),
    }
}

fn parse_max_concurrent_requests(value: &Value) -> Result<usize, Problem> {
    let problem = match value.as_i64() {
        None => "must be a whole number".to_owned(),
        Some(n) if n < 1 => format!("must be at least 1 (got {n})"),
        Some(n) if n > MAX_CONCURRENT_REQUESTS_LIMIT => {
            format!("must be at most {MAX_CONCURRENT_REQUESTS_LIMIT} (got {n})")
        }
        Some(n) => return Ok(n as usize),
    };
    Err(Problem::invalid(format!(
        "max_concurrent_requests {problem}."
    )))
}

/// The gateway URL is the one setting required: the block's, else the environment's.
fn gateway_url(config: &Value, env: Env<'_>, diags: &mut Diagnostics) -> Resolved<url::Url> {
    let resolved = GATEWAY_URL.resolve(config, env, diags);
    if let Resolved::Absent = resolved {
        diags.error_at(
            AttributePath::attr(GATEWAY_URL.name),
            "Missing gateway URL",
            "Set gateway_url in the provider block, or the QUALYS_GATEWAY_URL environment variable.",
        );
        return Resolved::Invalid;
    }
    resolved
}

fn is_set(config: &Value, setting: &Setting<String>) -> bool {
    !config.get(setting.name).is_null()
}

fn check_credential_conflict(config: &Value, diags: &mut Diagnostics) {
    if is_set(config, &TOKEN) && (is_set(config, &USERNAME) || is_set(config, &PASSWORD)) {
        diags.error_at(
            AttributePath::attr(TOKEN.name),
            "Conflicting credentials",
            "Set either token, or username and password, not both.",
        );
    }
}

/// Credentials from the provider block, else from the environment; the block wins as a
/// whole so that a token in the environment does not clash with a username in the block.
fn credentials(config: &Value, env: Env<'_>, diags: &mut Diagnostics) -> Resolved<Credentials> {
    let (token, username, password) = (
        is_set(config, &TOKEN),
        is_set(config, &USERNAME),
        is_set(config, &PASSWORD),
    );
    if token {
        if username || password {
            return Resolved::Invalid; // reported by `validate`
        }
        return TOKEN.resolve(config, env, diags).map(Credentials::Token);
    }
    if !username && !password {
        if let Some(from_env) = token_from_env(env, diags) {
            return from_env;
        }
    }
    password_credentials(
        USERNAME.resolve(config, env, diags),
        PASSWORD.resolve(config, env, diags),
        diags,
    )
}

/// With no credentials in the block: the environment's token, or `None` when it holds
/// a username or password only (to be paired as in the block).
fn token_from_env(env: Env<'_>, diags: &mut Diagnostics) -> Option<Resolved<Credentials>> {
    match (env(ENV_TOKEN), env(ENV_USERNAME), env(ENV_PASSWORD)) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            diags.error(
                "Conflicting credentials in the environment",
                "Both QUALYS_TOKEN and QUALYS_USERNAME/QUALYS_PASSWORD are set. Unset one of them, or set \
                 the credentials in the provider block.",
            );
            Some(Resolved::Invalid)
        }
        (Some(token), None, None) => Some(Resolved::Known(
            Credentials::Token(token),
            Origin::Env(ENV_TOKEN),
        )),
        (None, None, None) => {
            diags.error(
                "Missing credentials",
                "Set token (or the QUALYS_TOKEN environment variable), or username and password (or \
                 QUALYS_USERNAME and QUALYS_PASSWORD) in the qualys provider block.",
            );
            Some(Resolved::Invalid)
        }
        (None, _, _) => None,
    }
}

/// A username with its password; one without the other is reported at the missing one (an
/// empty one was reported by `validate`).
fn password_credentials(
    username: Resolved<String>,
    password: Resolved<String>,
    diags: &mut Diagnostics,
) -> Resolved<Credentials> {
    let mut missing = |setting: &Setting<String>, other: &Setting<String>| {
        let (name, other) = (setting.name, other.name);
        let env_name = setting.env.unwrap_or_default();
        diags.error_at(
            AttributePath::attr(name),
            format!("Missing {name}"),
            format!("{other} is set, so {name} is required too: set {name} in the provider block or the {env_name} environment variable."),
        );
        Resolved::Invalid
    };
    match (username, password) {
        (Resolved::Unknown, _) | (_, Resolved::Unknown) => Resolved::Unknown,
        (Resolved::Known(username, origin), Resolved::Known(password, _)) => {
            Resolved::Known(Credentials::Password { username, password }, origin)
        }
        (_, Resolved::Known(..)) => missing(&USERNAME, &PASSWORD),
        (Resolved::Known(..), _) => missing(&PASSWORD, &USERNAME),
        _ => Resolved::Invalid, // both empty or absent: reported by `validate`
    }
}

/// `QUALYS_RETRY_BASE_DELAY`, an environment variable only (see `ENV_RETRY_BASE_DELAY`).
fn retry_base_delay(env: Env<'_>, diags: &mut Diagnostics) -> Duration {
    let Some(text) = env(ENV_RETRY_BASE_DELAY) else {
        return ClientConfig::DEFAULT_RETRY_BASE_DELAY;
    };
    match humantime::parse_duration(text.trim()) {
        Ok(delay) if delay <= qualys_pm::client::MAX_RETRY_DELAY => delay,
        _ => {
            diags.error(
                "Invalid QUALYS_RETRY_BASE_DELAY",
                format!("The QUALYS_RETRY_BASE_DELAY environment variable must be a duration of at most 60s such as \"20ms\" or \"1s\", got {text:?}."),
            );
            ClientConfig::DEFAULT_RETRY_BASE_DELAY
        }
    }
}

/// The CA file's contents, read from the path of the block or the environment.
fn ca_cert_pem(config: &Value, env: Env<'_>, diags: &mut Diagnostics) -> Resolved<Vec<u8>> {
    match CA_CERT_FILE.resolve(config, env, diags) {
        Resolved::Known(file, origin) => match read_ca_certs(Path::new(&file)) {
            Ok(pem) => Resolved::Known(pem, origin),
            Err(detail) => {
                let word = "Unusable";
                CA_CERT_FILE.report(origin, Problem { word, detail }, diags);
                Resolved::Invalid
            }
        },
        Resolved::Absent => Resolved::Absent,
        Resolved::Unknown => Resolved::Unknown,
        Resolved::Invalid => Resolved::Invalid,
    }
}

/// The file's bytes, if it holds at least one PEM certificate.
fn read_ca_certs(file: &Path) -> Result<Vec<u8>, String> {
    let pem = std::fs::read(file).map_err(|e| format!("Cannot read {}: {e}.", file.display()))?;
    let mut certs = CertificateDer::pem_slice_iter(&pem);
    match certs.next() {
        Some(Ok(_)) => {}
        Some(Err(e)) => return Err(format!("{} is not a valid PEM file: {e}.", file.display())),
        None => {
            return Err(format!(
                "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----).",
                file.display()
            ))
        }
    }
    if let Some(Err(e)) = certs.find(Result::is_err) {
        return Err(format!("{} is not a valid PEM file: {e}.", file.display()));
    }
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use tfplugin::{Diagnostic, Mode, PathStep};

    /// A provider block as terraform sends it: every attribute present, null when unset.
    fn block(set: &[(&str, Value)]) -> Value {
        let mut attrs: BTreeMap<String, Value> = SETTINGS
            .iter()
            .map(|s| (s.name().to_owned(), Value::Null))
            .collect();
        for (k, v) in set {
            attrs.insert(k.to_string(), v.clone());
        }
        Value::Object(attrs)
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn paths(diags: &Diagnostics) -> Vec<String> {
        diags
            .iter()
            .map(|d: &Diagnostic| {
                d.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn all_text(diags: &Diagnostics) -> String {
        diags
            .iter()
            .map(|d| format!("{} {} ", d.summary, d.detail))
            .collect()
    }

    #[test]
    fn schema_has_every_attribute_described_and_secrets_sensitive() {
        let s = schema();
        let names: Vec<&str> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "gateway_url",
                "username",
                "password",
                "token",
                "max_retries",
                "request_timeout",
                "max_concurrent_requests",
                "max_rate_limit_wait",
                "refresh",
                "ca_cert_file"
            ]
        );
        for a in &s.block.attributes {
            assert!(a.description.len() > 20, "{} needs a description", a.name);
            assert_eq!(
                a.sensitive,
                a.name == "password" || a.name == "token",
                "{}",
                a.name
            );
            assert_eq!(a.mode, Mode::Optional);
        }
    }

    #[test]
    fn bad_values_are_reported_at_their_attribute() {
        let config = block(&[
            ("gateway_url", Value::string("not a url")),
            ("max_retries", Value::int(-1)),
            ("request_timeout", Value::string("soon")),
            ("token", Value::string("t0ken-secret")),
            ("username", Value::string("u")),
        ]);
        let diags = validate(&config);
        assert_eq!(
            paths(&diags),
            ["gateway_url", "token", "max_retries", "request_timeout"]
        );
        assert!(!all_text(&diags).contains("t0ken-secret"));
        let ftp = validate(&block(&[(
            "gateway_url",
            Value::string("ftp://gateway.example"),
        )]));
        assert!(all_text(&ftp).contains("not ftp://"), "{ftp:?}");
        for remote in ["http://gateway.qg2.apps.qualys.com", "http://10.1.2.3:8080"] {
            let plain = validate(&block(&[("gateway_url", Value::string(remote))]));
            assert_eq!(paths(&plain), ["gateway_url"], "{remote}");
            assert!(all_text(&plain).contains("clear text"), "{plain:?}");
            assert!(all_text(&plain).contains("https://"), "{plain:?}");
        }
        for local in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:2",
        ] {
            let plain = validate(&block(&[("gateway_url", Value::string(local))]));
            assert!(paths(&plain).is_empty(), "{local}: {plain:?}");
        }
        let creds_in_url = validate(&block(&[(
            "gateway_url",
            Value::string("https://me:s3cret@gateway.example"),
        )]));
        assert_eq!(paths(&creds_in_url), ["gateway_url"]);
        assert!(!all_text(&creds_in_url).contains("s3cret"));
        let fraction = validate(&block(&[(
            "max_retries",
            Value::Number(tfplugin::Number::Float(1.5)),
        )]));
        assert!(all_text(&fraction).contains("whole number"));
        let zero = validate(&block(&[("request_timeout", Value::string("0s"))]));
        assert_eq!(paths(&zero), ["request_timeout"]);
    }

    #[test]
    fn an_unusable_environment_variable_is_reported_at_its_attribute() {
        let cases = [
            (
                ENV_GATEWAY_URL,
                "ftp://gateway.example",
                "gateway_url",
                "Invalid",
            ),
            (
                ENV_MAX_CONCURRENT_REQUESTS,
                "many",
                "max_concurrent_requests",
                "Invalid",
            ),
            (
                ENV_MAX_RATE_LIMIT_WAIT,
                "soon",
                "max_rate_limit_wait",
                "Invalid",
            ),
            (ENV_REFRESH, "never", "refresh", "Invalid"),
            (
                ENV_CA_CERT_FILE,
                "/nonexistent/ca.pem",
                "ca_cert_file",
                "Unusable",
            ),
        ];
        for (var, bad, attribute, word) in cases {
            let env = |name: &str| match name {
                _ if name == var => Some(bad.to_owned()),
                ENV_GATEWAY_URL => Some("https://env.example".to_owned()),
                ENV_TOKEN => Some("s3cret-jwt".to_owned()),
                _ => None,
            };
            let diags = client_config(&block(&[]), &env).unwrap_err();
            assert_eq!(paths(&diags), [attribute], "{var}: {diags:?}");
            assert_eq!(diags[0].summary, format!("{word} {var}"));
            let usable = format!("The {var} environment variable is not usable: ");
            assert!(diags[0].detail.starts_with(&usable), "{diags:?}");
            assert!(!all_text(&diags).contains("s3cret"), "{diags:?}");
        }
    }

    #[test]
    fn a_bad_value_in_the_block_is_reported_once() {
        let config = block(&[
            ("gateway_url", Value::string("https://g")),
            ("token", Value::string("t")),
            ("max_retries", Value::int(-1)),
            ("request_timeout", Value::string("soon")),
            ("max_concurrent_requests", Value::int(0)),
        ]);
        let diags = client_config(&config, &no_env).unwrap_err();
        assert_eq!(
            paths(&diags),
            ["max_retries", "request_timeout", "max_concurrent_requests"]
        );
    }

    #[test]
    fn unknown_values_never_fail() {
        let config = block(&[
            ("gateway_url", Value::Unknown),
            ("token", Value::Unknown),
            ("max_retries", Value::Unknown),
            ("request_timeout", Value::Unknown),
            ("ca_cert_file", Value::Unknown),
        ]);
        assert!(validate(&config).is_empty());
        assert!(matches!(client_config(&config, &no_env), Ok(None)));
        // Unknown password with a known username: still not an error.
        let partial = block(&[
            ("gateway_url", Value::string("https://g")),
            ("username", Value::string("u")),
            ("password", Value::Unknown),
        ]);
        assert!(matches!(client_config(&partial, &no_env), Ok(None)));
    }

    #[test]
    fn the_retry_base_delay_comes_from_the_environment() {
        let config = block(&[
            ("gateway_url", Value::string("http://127.0.0.1:1")),
            ("token", Value::string("jwt")),
        ]);
        let c = client_config(&config, &no_env).unwrap().unwrap();
        assert_eq!(c.retry_base_delay, ClientConfig::DEFAULT_RETRY_BASE_DELAY);
        let fast = |name: &str| (name == ENV_RETRY_BASE_DELAY).then(|| "20ms".to_owned());
        let c = client_config(&config, &fast).unwrap().unwrap();
        assert_eq!(c.retry_base_delay, Duration::from_millis(20));
        for bad in ["soon", "2h", "-1s"] {
            let env = |name: &str| (name == ENV_RETRY_BASE_DELAY).then(|| bad.to_owned());
            let diags = client_config(&config, &env).unwrap_err();
            assert!(
                all_text(&diags).contains("QUALYS_RETRY_BASE_DELAY"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_api_budget_settings_come_from_the_block_or_the_environment() {
        let config = block(&[
            ("gateway_url", Value::string("http://127.0.0.1:1")),
            ("token", Value::string("jwt")),
        ]);
        let c = client_config(&config, &no_env).unwrap().unwrap();
        assert_eq!(c.max_concurrent_requests, 2);
        assert_eq!(c.max_rate_limit_wait, Duration::from_secs(300));
        let env = |name: &str| match name {
            ENV_MAX_CONCURRENT_REQUESTS => Some("5".to_owned()),
            ENV_MAX_RATE_LIMIT_WAIT => Some("1h".to_owned()),
            _ => None,
        };
        let c = client_config(&config, &env).unwrap().unwrap();
        assert_eq!(c.max_concurrent_requests, 5);
        assert_eq!(c.max_rate_limit_wait, Duration::from_secs(3600));
        let mut set = vec![
            ("gateway_url", Value::string("http://127.0.0.1:1")),
            ("token", Value::string("jwt")),
            ("max_concurrent_requests", Value::int(1)),
            ("max_rate_limit_wait", Value::string("0s")),
        ];
        let c = client_config(&block(&set), &env).unwrap().unwrap();
        assert_eq!(
            (c.max_concurrent_requests, c.max_rate_limit_wait),
            (1, Duration::ZERO),
            "the block wins"
        );
        set[2].1 = Value::int(0);
        set[3].1 = Value::string("a while");
        let diags = client_config(&block(&set), &env).unwrap_err();
        assert_eq!(
            paths(&diags),
            ["max_concurrent_requests", "max_rate_limit_wait"]
        );
        let bad = |name: &str| match name {
            ENV_MAX_CONCURRENT_REQUESTS => Some("many".to_owned()),
            ENV_MAX_RATE_LIMIT_WAIT => Some("soon".to_owned()),
            _ => None,
        };
        let text = all_text(&client_config(&config, &bad).unwrap_err());
        assert!(
            text.contains("QUALYS_MAX_CONCURRENT_REQUESTS")
                && text.contains("QUALYS_MAX_RATE_LIMIT_WAIT"),
            "{text}"
        );
    }

    #[test]
    fn configure_builds_the_client_config() {
        let config = block(&[
            (
                "gateway_url",
                Value::string("https://gateway.qg2.apps.qualys.com"),
            ),
            ("username", Value::string("alice")),
            ("password", Value::string("pw")),
            ("max_retries", Value::int(2)),
            ("request_timeout", Value::string("1m30s")),
        ]);
        let c = client_config(&config, &no_env).unwrap().unwrap();
        assert_eq!(
            c.gateway_url.as_str(),
            "https://gateway.qg2.apps.qualys.com/"
        );
        assert!(
            matches!(&c.credentials, Credentials::Password { username, password } if username == "alice" && password == "pw")
        );
        assert_eq!(c.max_retries, 2);
        assert_eq!(c.request_timeout, Duration::from_secs(90));
        assert!(c.ca_cert_pem.is_none());
        // Defaults.
        let c = client_config(
            &block(&[
                ("gateway_url", Value::string("http://127.0.0.1:1")),
                ("token", Value::string("jwt")),
            ]),
            &no_env,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (c.max_retries, c.request_timeout),
            (DEFAULT_MAX_RETRIES, DEFAULT_REQUEST_TIMEOUT)
        );
        assert!(
            !format!("{c:?}").contains("jwt"),
            "Debug must hide the token"
        );
    }

    #[test]
    fn environment_fills_what_the_block_leaves_out() {
        let env = |name: &str| match name {
            ENV_GATEWAY_URL => Some("https://env.example".to_owned()),
            ENV_USERNAME => Some("env-user".to_owned()),
            ENV_PASSWORD => Some("env-pw".to_owned()),
            _ => None,
        };
        let c = client_config(&block(&[]), &env).unwrap().unwrap();
        assert_eq!(c.gateway_url.host_str(), Some("env.example"));
        assert!(
            matches!(&c.credentials, Credentials::Password { username, .. } if username == "env-user")
        );
        // A username in the block pairs with the password from the environment.
        let c = client_config(&block(&[("username", Value::string("block-user"))]), &env)
            .unwrap()
            .unwrap();
        assert!(
            matches!(&c.credentials, Credentials::Password { username, password } if username == "block-user" && password == "env-pw")
        );
        // A token in the block wins over the environment's username and password.
        let c = client_config(&block(&[("token", Value::string("jwt"))]), &env)
            .unwrap()
            .unwrap();
        assert!(matches!(c.credentials, Credentials::Token(_)));
        // Token and username both in the environment: ambiguous.
        let both = |name: &str| match name {
            ENV_TOKEN | ENV_USERNAME | ENV_GATEWAY_URL => Some("https://x".to_owned()),
            _ => None,
        };
        let e = client_config(&block(&[]), &both).unwrap_err();
        assert!(all_text(&e).contains("QUALYS_TOKEN"), "{e:?}");
    }

    #[test]
    fn configure_requires_a_complete_setup() {
        let e = client_config(&block(&[]), &no_env).unwrap_err();
        assert_eq!(paths(&e), ["gateway_url", ""]);
        assert!(all_text(&e).contains("Missing credentials"));
        let e = client_config(
            &block(&[
                ("gateway_url", Value::string("https://g")),
                ("username", Value::string("u")),
            ]),
            &no_env,
        )
        .unwrap_err();
        assert_eq!(paths(&e), ["password"]);
        assert!(all_text(&e).contains("QUALYS_PASSWORD"));
        let e = client_config(
            &block(&[
                ("gateway_url", Value::string("https://g")),
                ("password", Value::string("p")),
            ]),
            &no_env,
        )
        .unwrap_err();
        assert_eq!(
            e[0].attribute.as_ref().map(|p| p.0.clone()),
            Some(vec![PathStep::Attribute("username".into())])
        );
        let bad_env = |name: &str| (name == ENV_GATEWAY_URL).then(|| "gateway.example".to_owned());
        let e = client_config(&block(&[("token", Value::string("t"))]), &bad_env).unwrap_err();
        assert!(all_text(&e).contains("QUALYS_GATEWAY_URL"), "{e:?}");
    }

    #[test]
    fn refresh_is_listing_by_default_get_on_request_and_checked() {
        let base = [
            ("gateway_url", Value::string("https://g")),
            ("token", Value::string("t")),
        ];
        assert!(
            client_config(&block(&base), &no_env)
                .unwrap()
                .unwrap()
                .list_for_refresh
        );
        let mut get = base.to_vec();
        get.push(("refresh", Value::string("get")));
        assert!(
            !client_config(&block(&get), &no_env)
                .unwrap()
                .unwrap()
                .list_for_refresh
        );
        let env_get = |name: &str| (name == ENV_REFRESH).then(|| "GET".to_owned());
        assert!(
            !client_config(&block(&base), &env_get)
                .unwrap()
                .unwrap()
                .list_for_refresh
        );
        // the block wins over the environment
        let mut listing = base.to_vec();
        listing.push(("refresh", Value::string("listing")));
        assert!(
            client_config(&block(&listing), &env_get)
                .unwrap()
                .unwrap()
                .list_for_refresh
        );

        let mut bad = base.to_vec();
        bad.push(("refresh", Value::string("sometimes")));
        let e = validate(&block(&bad));
        assert_eq!(paths(&e), ["refresh"]);
        assert!(
            all_text(&e).contains(r#""listing" (the default), "get""#),
            "{e:?}"
        );
        let env_bad = |name: &str| (name == ENV_REFRESH).then(|| "never".to_owned());
        let e = client_config(&block(&base), &env_bad).unwrap_err();
        assert!(all_text(&e).contains("QUALYS_REFRESH"), "{e:?}");
    }

    #[test]
    fn ca_cert_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("ca.pem");
        let cert = rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()]).unwrap();
        std::fs::write(&good, cert.cert.pem()).unwrap();
        let base = [
            ("gateway_url", Value::string("https://g")),
            ("token", Value::string("t")),
        ];
        let mut with = base.to_vec();
        with.push(("ca_cert_file", Value::string(good.to_str().unwrap())));
        let c = client_config(&block(&with), &no_env).unwrap().unwrap();
        assert_eq!(c.ca_cert_pem.as_deref(), Some(cert.cert.pem().as_bytes()));

        let not_pem = dir.path().join("junk.txt");
        std::fs::write(&not_pem, "hello").unwrap();
        for file in [not_pem, dir.path().join("missing.pem")] {
            let mut with = base.to_vec();
            with.push(("ca_cert_file", Value::string(file.to_str().unwrap())));
            let e = client_config(&block(&with), &no_env).unwrap_err();
            assert_eq!(paths(&e), ["ca_cert_file"]);
        }
    }

    #[test]
    fn the_environment_alone_configures_a_client_or_names_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let cert = rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()]).unwrap();
        std::fs::write(&ca, cert.cert.pem()).unwrap();
        let ca_path = ca.to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            ENV_GATEWAY_URL => Some("https://env.example".to_owned()),
            ENV_TOKEN => Some("s3cret-jwt".to_owned()),
            ENV_CA_CERT_FILE => Some(ca_path.clone()),
            _ => None,
        };
        let c = client_config_from_env(&env).unwrap();
        assert_eq!(c.gateway_url.host_str(), Some("env.example"));
        assert!(matches!(c.credentials, Credentials::Token(_)));
        assert_eq!(c.ca_cert_pem.as_deref(), Some(cert.cert.pem().as_bytes()));

        let errors = client_config_from_env(&no_env).unwrap_err().join("\n");
        for var in [ENV_GATEWAY_URL, ENV_TOKEN, ENV_USERNAME, ENV_PASSWORD] {
            assert!(errors.contains(var), "{var} in {errors}");
        }
        let bad_ca = |name: &str| match name {
            ENV_CA_CERT_FILE => Some("/nonexistent/ca.pem".to_owned()),
            ENV_PASSWORD => Some("s3cret-pw".to_owned()),
            _ => env(name).filter(|_| name != ENV_TOKEN),
        };
        let errors = client_config_from_env(&bad_ca).unwrap_err().join("\n");
        assert!(errors.contains(ENV_CA_CERT_FILE), "{errors}");
        assert!(errors.contains(ENV_USERNAME), "{errors}");
        assert!(!errors.contains("s3cret"), "{errors}");
    }
}
