//! Every bound gv puts on outside input, in one place.
//!
//! **The rule:** every read of something gv did not write itself — a file in a checkout,
//! an editor's settings, a server's answer, an archive — is bounded in size, in what it
//! may inflate to, and (for transfers) in time. A new reader takes its limit from here and
//! reads through one of the helpers below ([`read_file`], [`read_capped`], [`Capped`],
//! [`Paced`]), so it cannot forget the bound, and README's "Security model" can state
//! the numbers once:
//!
//! | input | limit |
//! |-------|-------|
//! | pin files (`.go-version`, `.tool-versions`, go.mod, go.work, the global file) | [`PIN_FILE`], 256 KiB (the rest is not read) |
//! | `config.toml`, a project's `gv.toml` | [`CONFIG_FILE`], 1 MiB; each `[env]` value [`ENV_VALUE`], 32 KiB |
//! | editor settings, rc files, Go's env file (`gv ide`, `gv doctor`) | [`EDITOR_FILE`], 8 MiB, regular files only |
//! | a `.sha256` sidecar (downloaded, beside `--from-file`, in the cache) | [`CHECKSUM_FILE`], 4 KiB |
//! | the release index (downloaded or cached) | [`RELEASE_INDEX`], 16 MiB (go.dev's full index is about 1.4 MB) |
//! | a GOPROXY answer (`@v/list`) | [`PROXY_ANSWER`], 16 MiB |
//! | a checksum database answer | [`SUMDB_ANSWER`], 1 MiB (tiles: their exact size) |
//! | the vulnerability database (GOVULNDB): `index/db.json`, `index/modules.json`, one `ID/GO-….json` entry | [`VULNDB_SMALL`], 64 KiB; [`VULNDB_MODULES`], 16 MiB; [`VULNDB_ENTRY`], 1 MiB — each gunzipped no further than its bound |
//! | the vulnerability entries one refresh reads | [`VULNDB_ENTRIES`], 1,000 (Go's own `stdlib` and `toolchain` have about 200) |
//! | a version's verdict file (the shim and the hook read it) | [`VERDICT_FILE`], 4 KiB |
//! | an SDK archive download (`.tar.gz`, `.zip`) | the index's `size`, else `Content-Length`, never more than [`SDK_ARCHIVE`], 1 GiB |
//! | what an SDK archive unpacks to | [`sdk_unpacked`]: [`SDK_UNPACK_RATIO`] (6) times the archive, at least [`SDK_UNPACKED_FLOOR`] (16 MiB), at most [`SDK_UNPACKED`] (1 GiB) |
//! | a toolchain module zip from GOPROXY, and its content | [`MODULE_ZIP`], 500 MiB (Go's own limit) |
//! | the entries of any zip | [`ZIP_ENTRIES`], 200,000 |
//! | every transfer | [`TransferRule`]: at least 1 KiB/s over any 30 s (`GV_LOW_SPEED_LIMIT`, `GV_LOW_SPEED_TIME`), and 30 s without a byte is a dropped connection |
//!
//! Two readers keep their bounds beside them, in gv's crate: the binaries `gv verify`
//! reads (`inspect::bounds`: what a debug section may inflate to) and the symbol store's
//! cores, records and debuginfod answers (`symbols::limits`).
//!
//! Real Go SDKs unpack to about 3.5–4 times their archive (230–300 MB), so the unpacking
//! bound leaves a wide margin while a 2 MiB gzip bomb stops after 16 MiB. A limit that is
//! reached is an error that names the input and the limit; nothing is kept of what was
//! read (no cache file, no half-installed version).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use thiserror::Error;

pub const KIB: u64 = 1 << 10;
pub const MIB: u64 = 1 << 20;
pub const GIB: u64 = 1 << 30;

/// A pin file or go.mod: a few bytes; go.mod's `go` and `toolchain` lines come first.
pub const PIN_FILE: u64 = 256 * KIB;
/// `config.toml` and `gv.toml`: a few hundred bytes; a bigger one is a mistake or an
/// attack on every `go` call's start-up.
pub const CONFIG_FILE: u64 = MIB;
/// An editor's settings (`.vscode/settings.json`, `.idea/workspace.xml`), a shell's rc
/// file, Go's `go env -w` file: kilobytes in practice.
pub const EDITOR_FILE: u64 = 8 * MIB;
/// One `[env]` value from a config file: a 200 KB `GODEBUG` would make every program
/// started with it fail with "Argument list too long".
pub const ENV_VALUE: usize = 32 * 1024;
/// Entries in one zip's central directory (a Go SDK has about 12,000 files).
pub const ZIP_ENTRIES: usize = 200_000;
/// A `.sha256` file: 64 hex digits and a file name (`sha256sum` style), plus, in gv's
/// download cache, the URL that vouched for it.
pub const CHECKSUM_FILE: u64 = 4 * KIB;
/// The release index (`?mode=json&include=all`): go.dev's whole history is about 1.4 MB.
pub const RELEASE_INDEX: u64 = 16 * MIB;
/// A GOPROXY's small answers (`@v/list`).
pub const PROXY_ANSWER: u64 = 16 * MIB;
/// A checksum database's lookup answer or `supported` file: a few hundred bytes.
pub const SUMDB_ANSWER: u64 = MIB;
/// The vulnerability database's `index/db.json` (`{"modified": …}`: 35 bytes today).
pub const VULNDB_SMALL: u64 = 64 * KIB;
/// The vulnerability database's `index/modules.json`, gunzipped (about 500 KB today).
pub const VULNDB_MODULES: u64 = 16 * MIB;
/// One OSV entry (`ID/GO-YYYY-NNNN.json`), gunzipped: 8 KB at most today.
pub const VULNDB_ENTRY: u64 = MIB;
/// How many entries one refresh of the vulnerability database fetches at most.
pub const VULNDB_ENTRIES: usize = 1_000;
/// The one-line verdict gv leaves for the shim and the hook about one installed version.
pub const VERDICT_FILE: u64 = 4 * KIB;
/// A go.dev SDK archive (`.tar.gz` or `.zip`): about 70–100 MB today.
pub const SDK_ARCHIVE: u64 = GIB;
/// Go's limit on a module zip and, separately, on its unpacked content.
pub const MODULE_ZIP: u64 = 500 * MIB;
/// How many times its own size an SDK archive may unpack to.
pub const SDK_UNPACK_RATIO: u64 = 6;
/// What any SDK archive may unpack to, whatever its size.
pub const SDK_UNPACKED: u64 = GIB;
/// What a small SDK archive may unpack to (tar headers alone outweigh a tiny archive).
pub const SDK_UNPACKED_FLOOR: u64 = 16 * MIB;

/// What an SDK archive of `archive_len` bytes may unpack to (an unknown length gets the
/// absolute cap).
pub fn sdk_unpacked(archive_len: Option<u64>) -> u64 {
    match archive_len {
        Some(len) => len
            .saturating_mul(SDK_UNPACK_RATIO)
            .clamp(SDK_UNPACKED_FLOOR, SDK_UNPACKED),
        None => SDK_UNPACKED,
    }
}

/// A bound was reached. Readers return it inside an [`io::Error`] ([`LimitError::of`]
/// finds it again), so it travels through any `Read` chain; callers add the path or URL.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimitError {
    #[error("it is larger than {}, gv's limit for it", human(*limit))]
    TooLarge { limit: u64 },
    #[error("it is not a regular file (a FIFO, socket or device would block or never end)")]
    NotRegular,
    #[error(
        "the transfer is too slow: {got} bytes in the last {} s, below the minimum of {} bytes/s",
        window.as_secs(), rate
    )]
    TooSlow {
        got: u64,
        window: Duration,
        rate: u64,
    },
}

impl LimitError {
    /// The limit error inside `e`, if `e` is one, however deep other readers wrapped it
    /// (the tar crate wraps the errors of the stream it reads).
    pub fn of(e: &io::Error) -> Option<&LimitError> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = e
            .get_ref()
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        while let Some(err) = next {
            if let Some(found) = err.downcast_ref::<LimitError>() {
                return Some(found);
            }
            next = match err.downcast_ref::<io::Error>() {
                Some(io) => io
                    .get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static)),
                None => err.source(),
            };
        }
        None
    }
}

impl From<LimitError> for io::Error {
    fn from(e: LimitError) -> io::Error {
        let kind = match e {
            LimitError::TooLarge { .. } => io::ErrorKind::FileTooLarge,
            LimitError::NotRegular => io::ErrorKind::InvalidInput,
            LimitError::TooSlow { .. } => io::ErrorKind::TimedOut,
        };
        io::Error::new(kind, e)
    }
}

/// `16 MiB`, `4 KiB`, `1 GiB`, `300 bytes`: limits as people write them.
pub fn human(bytes: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// A reader that passes on at most `limit` bytes and fails, with
/// [`LimitError::TooLarge`], as soon as its source has more: it never reads more than
/// `limit + 1` bytes of it.
pub struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Capped<R> {
    pub fn new(inner: R, limit: u64) -> Capped<R> {
        Capped {
            inner,
            left: limit,
            limit,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // One byte more tells an exact fit from an overflow.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(LimitError::TooLarge { limit: self.limit }.into()),
            };
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads all of `reader` into memory, failing with [`LimitError::TooLarge`] past `limit`.
pub fn read_capped(reader: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Capped::new(reader, limit).read_to_end(&mut out)?;
    Ok(out)
}

/// Opens `path` for reading if it is a regular file (after symlinks), without waiting on
/// a FIFO: the open does not block and the check is made on what was opened.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = crate::platform::open_without_blocking(path)?;
    if !file.metadata()?.is_file() {
        return Err(LimitError::NotRegular.into());
    }
    Ok(file)
}

/// The bytes of the regular file at `path`, at most `limit` of them (more is
/// [`LimitError::TooLarge`], decided before reading when the size says so).
pub fn read_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len > limit {
        return Err(LimitError::TooLarge { limit }.into());
    }
    let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    Capped::new(file, limit).read_to_end(&mut out)?;
    Ok(out)
}

/// [`read_file`] as UTF-8 text (anything else is [`io::ErrorKind::InvalidData`], as
/// `std::fs::read_to_string` says).
pub fn read_file_string(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_file(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8"))
}

/// The progress every transfer must make: at least `rate` bytes per second on average
/// over each `window` (git's `http.lowSpeedLimit` and `http.lowSpeedTime`). A server
/// that sends a byte every few seconds keeps a connection alive forever without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRule {
    /// Bytes per second; 0 turns the rule off.
    pub rate: u64,
    pub window: Duration,
}

impl TransferRule {
    pub const DEFAULT_RATE: u64 = 1024;
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(30);

    /// The rule from `GV_LOW_SPEED_LIMIT` (bytes per second, `0` for none) and
    /// `GV_LOW_SPEED_TIME` (seconds); unset or empty means the default.
    pub fn from_env() -> Result<TransferRule, String> {
        let get = |var: &str| {
            crate::process::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
        };
        TransferRule::from_values(
            get(crate::vars::LOW_SPEED_LIMIT).as_deref(),
            get(crate::vars::LOW_SPEED_TIME).as_deref(),
        )
    }

    pub fn from_values(rate: Option<&str>, secs: Option<&str>) -> Result<TransferRule, String> {
        let number = |var: &str, value: &str| {
            value.trim().parse::<u64>().map_err(|_| {
                format!(
                    "{var}={} is not a whole number",
                    crate::text::one_line(value)
                )
            })
        };
        let rate = match rate {
            Some(v) => number(crate::vars::LOW_SPEED_LIMIT, v)?,
            None => TransferRule::DEFAULT_RATE,
        };
        let window = match secs {
            Some(v) => match number(crate::vars::LOW_SPEED_TIME, v)? {
                0 => {
                    return Err(format!(
                        "{}=0: the window must be at least one second (set {}=0 to turn the rule off)",
                        crate::vars::LOW_SPEED_TIME,
                        crate::vars::LOW_SPEED_LIMIT
                    ));
                }
                secs => Duration::from_secs(secs),
            },
            None => TransferRule::DEFAULT_WINDOW,
        };
        Ok(TransferRule { rate, window })
    }

    fn min_bytes(&self) -> u64 {
        self.rate.saturating_mul(self.window.as_secs().max(1))
    }
}

/// A transfer held to a [`TransferRule`]: when a window has passed with fewer than
/// `rate × window` bytes, the next read fails with [`LimitError::TooSlow`]. (A source that
/// sends nothing at all is the HTTP client's to cut off: each read has its own timeout.)
pub struct Paced<R> {
    inner: R,
    rule: TransferRule,
    since: Instant,
    got: u64,
}

impl<R: Read> Paced<R> {
    pub fn new(inner: R, rule: TransferRule) -> Paced<R> {
        Paced {
            inner,
            rule,
            since: Instant::now(),
            got: 0,
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

impl<R: Read> Read for Paced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 || self.rule.rate == 0 {
            return Ok(n);
        }
        self.got += n as u64;
        let elapsed = self.since.elapsed();
        if elapsed >= self.rule.window {
            if self.got < self.rule.min_bytes() {
                return Err(LimitError::TooSlow {
                    got: self.got,
                    window: self.rule.window,
                    rate: self.rule.rate,
                }
                .into());
            }
            self.since = Instant::now();
            self.got = 0;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_readers_stop_one_byte_past_the_limit() {
        assert_eq!(read_capped(&b"12345"[..], 5).unwrap(), b"12345");
        let err = read_capped(&b"123456"[..], 5).unwrap_err();
        assert_eq!(
            LimitError::of(&err),
            Some(&LimitError::TooLarge { limit: 5 })
        );
        // An endless source: refused after limit + 1 bytes.
        let mut endless = io::repeat(7).take(u64::MAX);
        let err = read_capped(&mut endless, 1000).unwrap_err();
        assert!(LimitError::of(&err).is_some());
        assert_eq!(endless.limit(), u64::MAX - 1001);
    }

    #[test]
    fn limit_errors_are_found_through_wrapping_readers() {
        #[derive(Debug)]
        struct Wrapper(io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "wrapped")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner: io::Error = LimitError::TooLarge { limit: 3 }.into();
        let wrapped = io::Error::other(Wrapper(inner));
        assert_eq!(
            LimitError::of(&wrapped),
            Some(&LimitError::TooLarge { limit: 3 })
        );
        assert_eq!(LimitError::of(&io::Error::other("plain")), None);
    }

    #[test]
    fn files_are_read_only_when_regular_and_small_enough() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, "hello").unwrap();
        assert_eq!(read_file_string(&small, 5).unwrap(), "hello");
        let err = read_file(&small, 4).unwrap_err();
        assert_eq!(
            LimitError::of(&err),
            Some(&LimitError::TooLarge { limit: 4 })
        );
        // A sparse 3 GiB file is refused by its size, not read.
        let huge = dir.path().join("huge");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(3 * GIB)
            .unwrap();
        let started = Instant::now();
        assert!(read_file(&huge, EDITOR_FILE).is_err());
        assert!(started.elapsed() < Duration::from_secs(1));
        let err = read_file(dir.path(), 10).unwrap_err();
        assert!(
            LimitError::of(&err) == Some(&LimitError::NotRegular)
                || err.kind() == io::ErrorKind::PermissionDenied,
            "{err}"
        );
    }

    #[test]
    fn sdk_unpacking_scales_with_the_archive_between_floor_and_cap() {
        assert_eq!(sdk_unpacked(Some(100)), SDK_UNPACKED_FLOOR);
        assert_eq!(sdk_unpacked(Some(70 * MIB)), 420 * MIB);
        assert_eq!(sdk_unpacked(Some(900 * MIB)), SDK_UNPACKED);
        assert_eq!(sdk_unpacked(None), SDK_UNPACKED);
        assert_eq!(human(16 * MIB), "16 MiB");
        assert_eq!(human(1000), "1000 bytes");
    }

    #[test]
    fn the_transfer_rule_reads_like_gits() {
        assert_eq!(
            TransferRule::from_values(None, None).unwrap(),
            TransferRule {
                rate: 1024,
                window: Duration::from_secs(30)
            }
        );
        let slow = TransferRule::from_values(Some("10"), Some("120")).unwrap();
        assert_eq!((slow.rate, slow.window.as_secs()), (10, 120));
        assert!(TransferRule::from_values(Some("fast"), None).is_err());
        assert!(TransferRule::from_values(None, Some("0")).is_err());
        assert_eq!(
            TransferRule::from_values(Some("0"), None).unwrap().rate,
            0,
            "off"
        );
    }

    /// A source that yields one byte per read, each read taking `delay`.
    struct Dribble(Duration);
    impl Read for Dribble {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            std::thread::sleep(self.0);
            buf[0] = b'x';
            Ok(1)
        }
    }

    #[test]
    fn a_dribbling_transfer_fails_once_a_window_passes() {
        let rule = TransferRule {
            rate: 100,
            window: Duration::from_secs(1),
        };
        let started = Instant::now();
        let mut paced = Paced::new(Dribble(Duration::from_millis(100)), rule);
        let err = io::copy(&mut paced, &mut io::sink()).unwrap_err();
        assert!(matches!(
            LimitError::of(&err),
            Some(LimitError::TooSlow { .. })
        ));
        assert!(started.elapsed() < Duration::from_secs(3));
        // Off: the same source is read on (until the test stops it).
        let off = TransferRule { rate: 0, ..rule };
        let mut paced = Paced::new(Dribble(Duration::from_millis(100)), off).take(15);
        assert_eq!(io::copy(&mut paced, &mut io::sink()).unwrap(), 15);
    }
}
