//! HTTP for gv: one blocking client that honours HTTP(S)_PROXY / NO_PROXY (reqwest reads
//! them from the environment) and the system's CA store (rustls with native roots, so a
//! corporate TLS proxy whose CA is installed system-wide just works), with `.netrc`
//! credentials for the hosts it names (see [`super::netrc`]).
//!
//! Every body read through it is held to the transfer rule
//! ([`gv_core::limits::TransferRule`]: a minimum rate over a window, on top of the
//! per-read stall timeout), and answers read into memory are capped
//! ([`Response::read_capped`]).

use std::io::Read;
use std::time::Duration;

use gv_core::limits::{self, LimitError, Paced, TransferRule};

use thiserror::Error;

/// A connection that delivers nothing for this long is treated as dropped. reqwest's
/// blocking timeout applies to the response headers and to *each* body read; a body that
/// trickles in is the transfer rule's to stop ([`Paced`]).
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("{url} was not found (HTTP 404)")]
    NotFound { url: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("cannot reach {url}: {message}")]
    Network { url: String, message: String },
    /// The answer is larger than gv reads for this kind of document.
    #[error("the answer from {url} is larger than {}, gv's limit for {what}", limits::human(*limit))]
    TooLarge {
        url: String,
        limit: u64,
        what: &'static str,
    },
    /// The transfer made less progress than the transfer rule asks.
    #[error("the download of {url} stopped")]
    TooSlow {
        url: String,
        #[source]
        source: LimitError,
    },
    /// GV_LOW_SPEED_LIMIT / GV_LOW_SPEED_TIME cannot be understood.
    #[error("{0}")]
    Setting(String),
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
            FetchError::TooSlow { .. } => Some(slow_link_hint()),
            FetchError::Setting(_) => Some(format!(
                "{} is bytes per second (0 turns the rule off), {} seconds",
                gv_core::vars::LOW_SPEED_LIMIT,
                gv_core::vars::LOW_SPEED_TIME
            )),
            FetchError::Status { status: 407, .. } => Some(
                "the proxy asks for credentials: give them in its URL (HTTPS_PROXY=http://user:password@host:port)".into(),
            ),
            _ => None,
        }
    }
}

/// What to do about a transfer the rule stopped.
pub fn slow_link_hint() -> String {
    format!(
        "check the network or try another mirror; on a slow link, set {} lower (bytes per second; 0 turns the rule off) or {} higher (seconds)",
        gv_core::vars::LOW_SPEED_LIMIT,
        gv_core::vars::LOW_SPEED_TIME
    )
}

impl FetchError {
    /// A failed body read of `url`: a limit reached, or the connection's own failure.
    pub fn from_read(url: &str, what: &'static str, e: std::io::Error) -> FetchError {
        match LimitError::of(&e) {
            Some(LimitError::TooLarge { limit }) => FetchError::TooLarge {
                url: url.to_string(),
                limit: *limit,
                what,
            },
            Some(other) => FetchError::TooSlow {
                url: url.to_string(),
                source: other.clone(),
            },
            None => FetchError::Network {
                url: url.to_string(),
                message: e.to_string(),
            },
        }
    }

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
    rule: TransferRule,
}

/// A response whose body is being read: held to the transfer rule.
pub struct Response {
    body: Paced<reqwest::blocking::Response>,
    url: String,
}

impl Response {
    /// The length the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.body.get_ref().content_length()
    }

    /// A response header's value, if it is there and is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.body.get_ref().headers().get(name)?.to_str().ok()
    }

    /// The whole body, refused past `limit` bytes (`what` names the document in the
    /// error: "a release index").
    pub fn read_capped(self, limit: u64, what: &'static str) -> Result<Vec<u8>, FetchError> {
        if let Some(announced) = self.content_length()
            && announced > limit
        {
            return Err(FetchError::TooLarge {
                url: self.url,
                limit,
                what,
            });
        }
        let url = self.url.clone();
        limits::read_capped(self, limit).map_err(|e| FetchError::from_read(&url, what, e))
    }
}

impl Read for Response {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.body.read(buf)
    }
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
            rule: TransferRule::from_env().map_err(FetchError::Setting)?,
        })
    }

    /// GET `url`, failing on any non-success status. The body is read by the caller,
    /// under the transfer rule.
    pub fn get(&self, url: &str) -> Result<Response, FetchError> {
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
        Ok(Response {
            body: Paced::new(response, self.rule),
            url: url.to_string(),
        })
    }

    /// GET `url` into memory, refused past `limit` bytes (`what` names it in errors).
    pub fn get_capped(
        &self,
        url: &str,
        limit: u64,
        what: &'static str,
    ) -> Result<Vec<u8>, FetchError> {
        self.get(url)?.read_capped(limit, what)
    }
}
