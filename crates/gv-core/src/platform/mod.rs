//! What differs between operating systems, in one place: file ownership and identity,
//! opening without following symlinks, private directories. Everything else in gv is
//! platform-free and calls these.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(not(unix))]
compile_error!("gv supports Linux and macOS (Unix); this platform has no implementation yet");

/// One version of a file, as the file system identifies it: cheap to read with a `stat`
/// and, because the change time cannot be set by user programs, different after any
/// write to the file's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

impl Stamp {
    /// The stamp as one word of text, for records kept on disk.
    pub fn encode(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}",
            self.dev, self.ino, self.size, self.mtime_ns, self.ctime_ns
        )
    }

    pub fn decode(text: &str) -> Option<Stamp> {
        let mut parts = text.split(':');
        let stamp = Stamp {
            dev: parts.next()?.parse().ok()?,
            ino: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
            mtime_ns: parts.next()?.parse().ok()?,
            ctime_ns: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(stamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_and_change_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "one").unwrap();
        let first = stamp(&std::fs::metadata(&file).unwrap());
        assert_eq!(Stamp::decode(&first.encode()), Some(first));
        assert_eq!(Stamp::decode("1:2:3"), None);
        // Same size, mtime put back: the change time still tells.
        let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, "two").unwrap();
        std::fs::File::options()
            .append(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let second = stamp(&std::fs::metadata(&file).unwrap());
        assert_eq!(first.mtime_ns, second.mtime_ns);
        assert_ne!(first, second);
    }

    #[test]
    fn this_process_owns_what_it_creates() {
        let dir = tempfile::tempdir().unwrap();
        let meta = std::fs::metadata(dir.path()).unwrap();
        assert_eq!(owner(&meta), current_uid());
        assert!(user_name(current_uid()).is_some());
    }
}
