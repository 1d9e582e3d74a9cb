//! HTTP for gv: one blocking client that honours HTTP(S)_PROXY / NO_PROXY (reqwest reads
//! them from the environment) and the system's CA store (rustls with native roots, so a
//! corporate TLS proxy whose CA is installed system-wide just works), with `.netrc`
//! credentials for the hosts it names (see [`super::netrc`]).

use std::time::Duration;

use thiserror::Error;

/// A connection that delivers nothing for this long is treated as dropped. reqwest's
/// blocking timeout applies to the response headers and to *each* body read, so slow but
/// steady downloads are never cut off.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("{url} was not found (HTTP 404)")]
    NotFound { url: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot reach {url}: {message}")]
    Network { url: String, message: String },
    /// The connection went to a proxy (HTTPS_PROXY and friends, or the system's), and
    /// failed there: the proxy, not the server, is what to look at.
    #[error("cannot reach {url} through the proxy {proxy}: {message}")]
    Proxy {
        url: String,
        proxy: String,
        message: String,
    },
}

impl gv_core::error::Hint for FetchError {
    fn hint(&self) -> Option<String> {
        match self {
            FetchError::Proxy { url, .. } => Some(format!(
                "check that the proxy is up (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY), or exempt {} with NO_PROXY",
                host_of(url).unwrap_or_else(|| "the host".into())
            )),
            FetchError::Status { status: 407, .. } => Some(
                "the proxy asks for credentials: give them in its URL (HTTPS_PROXY=http://user:password@host:port)".into(),
            ),
            _ => None,
        }
    }
}

impl FetchError {
    fn from_reqwest(url: &str, err: reqwest::Error) -> FetchError {
        let message = causes(err);
        match proxy_for(url) {
            Some(proxy) => FetchError::Proxy {
                url: url.to_string(),
                proxy,
                message,
            },
            None => FetchError::Network {
                url: url.to_string(),
                message,
            },
        }
    }
}

/// Why a request failed, once: reqwest's own message ("error sending request for url
/// (…)") repeats the URL the error already names and says nothing about why, and
/// hyper's "client error (Connect)" only wraps the cause.
fn causes(err: reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut next = std::error::Error::source(&err);
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.starts_with("client error (") && !parts.iter().any(|p: &String| p.contains(&text))
        {
            parts.push(text);
        }
        next = cause.source();
    }
    if parts.is_empty() {
        err.without_url().to_string()
    } else {
        parts.join(": ")
    }
}

/// The proxy a request to `url` goes through, by the rules reqwest applies (the proxy
/// variables and NO_PROXY, then the system's settings), shown without credentials.
fn proxy_for(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    let matcher = hyper_util::client::proxy::matcher::Matcher::from_system();
    let proxy = matcher.intercept(&uri)?;
    let proxy = proxy.uri();
    let host = proxy.host()?;
    Some(match (proxy.scheme_str(), proxy.port_u16()) {
        (Some(scheme), Some(port)) => format!("{scheme}://{host}:{port}"),
        (Some(scheme), None) => format!("{scheme}://{host}"),
        (None, _) => host.to_string(),
    })
}

fn host_of(url: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
}

#[derive(Clone)]
pub struct Http {
    client: reqwest::blocking::Client,
    netrc: std::sync::Arc<super::netrc::Netrc>,
}

impl Http {
    pub fn new() -> Result<Http, FetchError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("gv/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(STALL_TIMEOUT)
            .build()
            .map_err(|e| FetchError::from_reqwest("(client set-up)", e))?;
        Ok(Http {
            client,
            netrc: std::sync::Arc::new(super::netrc::Netrc::load()),
        })
    }

    /// GET `url`, failing on any non-success status. The body is read by the caller.
    pub fn get(&self, url: &str) -> Result<reqwest::blocking::Response, FetchError> {
        let mut request = self.client.get(url);
        if let Some(login) = host_of(url).and_then(|h| self.netrc.for_host(&h)) {
            request = request.basic_auth(&login.login, Some(&login.password));
        }
        let response = request
            .send()
            .map_err(|e| FetchError::from_reqwest(url, e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(FetchError::NotFound {
                url: url.to_string(),
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        Ok(response)
    }

    /// GET `url` as text.
    pub fn get_text(&self, url: &str) -> Result<String, FetchError> {
        self.get(url)?
            .text()
            .map_err(|e| FetchError::from_reqwest(url, e))
    }
}
