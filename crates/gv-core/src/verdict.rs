//! What is known against an installed Go version — vulnerabilities in the Go
//! vulnerability database, a minor line out of support — as the one line the shim and
//! the shell hook may show.
//!
//! gv works the verdict out when it reads the vulnerability database (`gv check`,
//! `gv doctor`, `gv current`, `gv list`) and leaves it in `$GV_ROOT/verdicts/<version>`;
//! the shim and the hook only read that small file, never the database or the network,
//! and show its line at most once a day per version (`$GV_ROOT/.hints/verdicts/<version>`
//! holds the day it was last shown). A verdict whose database was fetched more than
//! [`MAX_AGE`] ago says nothing: an old database can no longer vouch for what it says.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::notice::Notice;
use crate::store::Store;

/// How old the database behind a verdict may be for the shim and the hook to repeat it.
pub const MAX_AGE: Duration = Duration::from_secs(14 * 86_400);

/// The file's first line: its format.
const MAGIC: &str = "gv-verdict 1";

/// One version's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// When the database it was judged by was fetched (seconds since the Unix epoch).
    pub checked: u64,
    /// What to tell the user, one line (escaped again when shown).
    pub line: String,
}

/// Is `version` usable as a file name here (an installed version's name)?
fn plain(version: &str) -> bool {
    !version.is_empty()
        && version.len() <= 64
        && !version.starts_with('.')
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Records `verdict` for `version`, or removes the record when there is nothing to say.
/// Best effort: a verdict that cannot be written only means the shim says nothing.
pub fn write(store: &Store, version: &str, verdict: Option<&Verdict>) {
    if !plain(version) {
        return;
    }
    let path = store.verdict_file(version);
    let Some(verdict) = verdict else {
        let _ = std::fs::remove_file(&path);
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let line = crate::text::one_line(&verdict.line);
    let text = format!("{MAGIC}\n{}\n{line}\n", verdict.checked);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The recorded verdict for `version`, if there is a readable one.
pub fn read(store: &Store, version: &str) -> Option<Verdict> {
    if !plain(version) {
        return None;
    }
    parse(
        &crate::limits::read_file_string(&store.verdict_file(version), crate::limits::VERDICT_FILE)
            .ok()?,
    )
}

fn parse(text: &str) -> Option<Verdict> {
    let mut lines = text.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let checked = lines.next()?.parse().ok()?;
    let line = lines.next()?.trim();
    (!line.is_empty()).then(|| Verdict {
        checked,
        line: line.to_string(),
    })
}

fn secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The verdict line for `version` if the shim or the hook should show it now: there is a
/// recent one, and it was not shown yet today. Records that it was shown. The verdict is
/// read first and the clock only asked when there is one: most versions have none, and
/// the shim then spends nothing on the time (not even the page the clock is read from).
pub fn due(store: &Store, version: &str, now: impl FnOnce() -> SystemTime) -> Option<Notice> {
    if !plain(version) {
        return None;
    }
    let verdict = read(store, version)?;
    let now = secs(now());
    if now.saturating_sub(verdict.checked) > MAX_AGE.as_secs() {
        return None;
    }
    let marker = store.verdict_shown_marker(version);
    let today = (now / 86_400).to_string();
    if std::fs::read_to_string(&marker).is_ok_and(|day| day.trim() == today) {
        return None;
    }
    record(&marker, &today);
    Some(Notice::new(store.verdict_file(version), verdict.line))
}

fn record(marker: &Path, day: &str) {
    let Some(dir) = marker.parent() else { return };
    if crate::platform::create_private_dir(dir).is_err() {
        return;
    }
    let tmp = marker.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, format!("{day}\n")).is_ok() && std::fs::rename(&tmp, marker).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// [`due`] for what a session selected (nothing for a system Go: gv installed nothing
/// there to judge).
pub fn due_for(store: &Store, resolved: &crate::select::Resolved) -> Option<Notice> {
    match resolved {
        crate::select::Resolved::Managed { version, .. } => {
            due(store, version.as_str(), SystemTime::now)
        }
        crate::select::Resolved::System { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_shows_once_a_day_and_never_when_old_or_missing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let now = SystemTime::now();
        assert!(
            due(&store, "1.22.3", || now).is_none(),
            "no verdict, no line"
        );
        let verdict = Verdict {
            checked: secs(now) - 3600,
            line: "Go 1.22.3 has 2 known vulnerabilities\n\u{1b}[2J".into(),
        };
        write(&store, "1.22.3", Some(&verdict));
        let shown = due(&store, "1.22.3", || now).expect("due");
        assert_eq!(
            shown.text, "Go 1.22.3 has 2 known vulnerabilities\\u{a}\\u{1b}[2J",
            "one line, escaped"
        );
        assert!(due(&store, "1.22.3", || now).is_none(), "once a day");
        let tomorrow = now + Duration::from_secs(86_400);
        assert!(
            due(&store, "1.22.3", || tomorrow).is_some(),
            "again the next day"
        );
        let much_later = now + MAX_AGE + Duration::from_secs(2 * 86_400);
        assert!(
            due(&store, "1.22.3", || much_later).is_none(),
            "an old verdict says nothing"
        );
        write(&store, "1.22.3", None);
        assert!(
            read(&store, "1.22.3").is_none(),
            "removed when nothing is wrong"
        );
        for hostile in ["../x", "", ".hidden", "a/b"] {
            write(&store, hostile, Some(&verdict));
            assert!(due(&store, hostile, || now).is_none(), "{hostile}");
        }
        assert!(!dir.path().join("x").exists());
    }

    #[test]
    fn garbage_is_no_verdict() {
        for text in [
            "",
            "gv-verdict 1\n",
            "gv-verdict 1\nx\nline\n",
            "other\n1\nline\n",
            "gv-verdict 1\n5\n\n",
        ] {
            assert!(parse(text).is_none(), "{text:?}");
        }
        assert_eq!(
            parse("gv-verdict 1\n5\nsome line\n").map(|v| v.checked),
            Some(5)
        );
    }
}
