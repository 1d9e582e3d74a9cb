//! What every loopback HTTP server of the tests shares: the accept loop (a thread per
//! connection, stopped by a flag and a last connect from `Drop`) and reading a request's
//! head. Each server (mirror, GOPROXY, release host, vulnerability database) keeps only
//! what it answers.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Accepts connections on `listener` until `stop` is set, each handled on its own thread.
pub fn accept(
    listener: TcpListener,
    stop: Arc<AtomicBool>,
    handle: impl Fn(TcpStream) + Send + Sync + 'static,
) {
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let handle = handle.clone();
            std::thread::spawn(move || handle(conn));
        }
    });
}

/// Stops a server started with `accept`: sets the flag and wakes the loop.
pub fn stop(port: u16, stop: &AtomicBool) {
    stop.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(("127.0.0.1", port));
}

/// A request's head.
pub struct Request {
    /// As sent: absolute-form (`http://host/path`) when the server stands in for a proxy.
    pub target: String,
    /// The path alone.
    pub path: String,
    /// `Authorization`'s value, if sent.
    pub authorization: Option<String>,
}

/// Reads the request line and headers (10 s at most per read).
pub fn read_request(conn: &TcpStream) -> std::io::Result<Request> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_string());
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let path = match target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]).to_string(),
        None => target.clone(),
    };
    Ok(Request {
        target,
        path,
        authorization,
    })
}
