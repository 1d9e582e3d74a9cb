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
}

impl FetchError {
    fn from_reqwest(url: &str, err: &reqwest::Error) -> FetchError {
        // The whole chain: reqwest's top-level message alone ("error sending request")
        // says nothing about *why*.
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            message.push_str(": ");
            message.push_str(&inner.to_string());
            source = inner.source();
        }
        FetchError::Network {
            url: url.to_string(),
            message,
        }
    }
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
            .map_err(|e| FetchError::from_reqwest("(client set-up)", &e))?;
        Ok(Http {
            client,
            netrc: std::sync::Arc::new(super::netrc::Netrc::load()),
        })
    }

    /// GET `url`, failing on any non-success status. The body is read by the caller.
    pub fn get(&self, url: &str) -> Result<reqwest::blocking::Response, FetchError> {
        let mut request = self.client.get(url);
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        if let Some(login) = host.and_then(|h| self.netrc.for_host(&h)) {
            request = request.basic_auth(&login.login, Some(&login.password));
        }
        let response = request
            .send()
            .map_err(|e| FetchError::from_reqwest(url, &e))?;
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
            .map_err(|e| FetchError::from_reqwest(url, &e))
    }
}
