//! The JWT: the configured token, or one fetched from `/auth` and shared by concurrent
//! callers, renewed before its `exp` or when a request answers 401.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::Value;

use crate::{Credentials, Error};

use super::error_body::{redact, server_message};
use super::http::describe_transport;
use super::Client;

/// Renew a JWT this long before its `exp`.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(60);
/// Documented JWT lifetime, used when the token carries no readable `exp`.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(4 * 3600);

/// A secret string that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Secret(pub(super) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Debug)]
pub(super) struct CachedToken {
    jwt: Secret,
    renew_at: Instant,
}

impl Client {
    /// The JWT to send: the configured token, or the cached one, fetched when missing or
    /// about to expire. The lock is held during the fetch so that concurrent callers share it.
    pub(super) async fn bearer(&self) -> Result<Secret, Error> {
        let (username, password) = match &self.credentials {
            Credentials::Token(t) => return Ok(Secret(t.trim().to_owned())),
            Credentials::Password { username, password } => (username, password),
        };
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref() {
            if Instant::now() < token.renew_at {
                return Ok(token.jwt.clone());
            }
        }
        let fresh = self.fetch_token(username, password).await?;
        let jwt = fresh.jwt.clone();
        *cached = Some(fresh);
        Ok(jwt)
    }

    /// Drops the cached token if it is the one the server rejected (another caller may
    /// already have replaced it).
    pub(super) async fn forget_token(&self, rejected: &Secret) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| &t.jwt == rejected) {
            *cached = None;
        }
    }

    pub(super) async fn fetch_token(
        &self,
        username: &str,
        password: &str,
    ) -> Result<CachedToken, Error> {
        let url = self.url(&["auth"]);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("username", username),
                ("password", password),
                ("token", "true"),
                ("permissions", "true"),
            ])
            .finish();
        let mut attempt = 0;
        loop {
            match self.post_auth(&url, &form).await {
                Err(_) if attempt < self.max_retries => self.pause(attempt, None).await,
                Err(failure) => return Err(failure),
                Ok((429 | 502..=504, headers, _)) if attempt < self.max_retries => {
                    self.pause(attempt, Some(&headers)).await;
                }
                Ok((status, _, text)) => {
                    return token_from_answer(status, &text, username, password, &url);
                }
            }
            attempt += 1;
        }
    }

    /// One POST to /auth: the status, headers and body, or why there is no answer to read.
    async fn post_auth(
        &self,
        url: &reqwest::Url,
        form: &str,
    ) -> Result<(u16, reqwest::header::HeaderMap, String), Error> {
        let started = Instant::now();
        let result = self
            .http
            .post(url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form.to_owned())
            .send()
            .await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let response = result.map_err(|e| {
            tracing::debug!(method = "POST", path = url.path(), elapsed_ms, error = %describe_transport(&e), "Qualys auth request failed");
            Error::Auth {
                status: None,
                message: format!("could not reach {}: {}", url, describe_transport(&e)),
            }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|e| Error::Auth {
            status: Some(status),
            message: format!("the answer could not be read: {}", describe_transport(&e)),
        })?;
        tracing::debug!(
            method = "POST",
            path = url.path(),
            status,
            elapsed_ms,
            "Qualys auth request"
        );
        Ok((status, headers, text))
    }
}

/// The token in a final /auth answer, or the gateway's refusal in words a user can act on
/// (the password never appears in them).
fn token_from_answer(
    status: u16,
    text: &str,
    username: &str,
    password: &str,
    url: &reqwest::Url,
) -> Result<CachedToken, Error> {
    if matches!(status, 200 | 201) {
        let jwt = text.trim().trim_matches('"').to_owned();
        if jwt.is_empty() || jwt.contains(char::is_whitespace) {
            return Err(Error::Auth {
                status: Some(status),
                message: "the gateway answered without a token".into(),
            });
        }
        let renew_at = renew_instant(&jwt);
        return Ok(CachedToken {
            jwt: Secret(jwt),
            renew_at,
        });
    }
    let (_, server) = server_message(text);
    let server = redact(&server.replace(password, "***"));
    let cause = match status {
        401 => format!("the gateway rejected the username or password of user {username:?} ({server})"),
        403 => format!("user {username:?} may not use the API; it needs the PM.API.ACCESS permission and a non-free licence ({server})"),
        404 => format!("no /auth endpoint at {url}; check the gateway URL ({server})"),
        _ => server,
    };
    Err(Error::Auth {
        status: Some(status),
        message: cause,
    })
}

/// When to fetch a new token: a minute before the JWT's `exp`, or before the documented
/// 4-hour lifetime when the token carries none.
pub(super) fn renew_instant(jwt: &str) -> Instant {
    let now = Instant::now();
    let lifetime = jwt_exp(jwt)
        .map(|exp| {
            let now_unix = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0);
            Duration::from_secs_f64((exp - now_unix).max(0.0))
        })
        .unwrap_or(DEFAULT_TOKEN_LIFETIME);
    let margin = TOKEN_RENEW_MARGIN.min(lifetime / 4);
    now + lifetime.saturating_sub(margin)
}

pub(super) fn jwt_exp(jwt: &str) -> Option<f64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renew_time_follows_jwt_exp() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"exp":{}}}"#, now + 600));
        let jwt = format!("eyJhbGciOiJIUzI1NiJ9.{claims}.sig");
        let renew = renew_instant(&jwt);
        let left = renew.saturating_duration_since(Instant::now());
        assert!(
            left > Duration::from_secs(500) && left <= Duration::from_secs(541),
            "{left:?}"
        );
        assert!(
            renew_instant("opaque").saturating_duration_since(Instant::now())
                > Duration::from_secs(3 * 3600)
        );
    }
}
