//! The streaming pipeline: each stage runs on its own thread and hands fixed-size chunks
//! to the next through a bounded channel, so the network, sha256, gunzip and file
//! creation all overlap (like `curl | tar -xz`, which is three processes) while memory
//! stays bounded by `chunk size × channel depth` per stage — never the whole archive.

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

pub const CHUNK: usize = 256 * 1024;
pub const DEPTH: usize = 8;

/// The reading end of a stage: a `Read` over the chunks another thread produces.
pub struct ChunkReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The producer finished (or died, in which case its join says why).
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl ChunkReader {
    /// Reads and discards everything left, so upstream stages see the whole stream.
    pub fn drain(&mut self) -> io::Result<u64> {
        io::copy(self, &mut io::sink())
    }
}

/// What a stage does when its reader goes away early.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OnHangUp {
    Stop,
    /// Keep reading the source to its end (the download stage does, so the checksum of
    /// the whole file is known even when unpacking failed half-way).
    Finish,
}

/// Runs `source` on a new thread; returns the chunks it reads as a `Read`, and the source
/// itself when it is done (to collect what it computed, e.g. a hash).
pub fn spawn<R: Read + Send + 'static>(
    name: &str,
    mut source: R,
    on_hang_up: OnHangUp,
) -> (ChunkReader, JoinHandle<io::Result<R>>) {
    let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(DEPTH);
    let handle = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut listening = true;
            loop {
                let mut chunk = vec![0u8; CHUNK];
                let n = match fill(&mut source, &mut chunk) {
                    Ok(n) => n,
                    Err(e) => {
                        // A limit reached upstream stays one downstream (the error itself
                        // goes back through the join).
                        let copy = match gv_core::limits::LimitError::of(&e) {
                            Some(limit) => limit.clone().into(),
                            None => io::Error::new(e.kind(), e.to_string()),
                        };
                        if listening {
                            let _ = tx.send(Err(copy));
                        }
                        return Err(e);
                    }
                };
                if n == 0 {
                    return Ok(source);
                }
                chunk.truncate(n);
                if listening && send(&tx, chunk).is_err() {
                    listening = false;
                    if on_hang_up == OnHangUp::Stop {
                        return Ok(source);
                    }
                }
            }
        })
        .expect("spawning a thread");
    (
        ChunkReader {
            rx,
            chunk: Vec::new(),
            pos: 0,
            done: false,
        },
        handle,
    )
}

fn send(tx: &SyncSender<io::Result<Vec<u8>>>, chunk: Vec<u8>) -> Result<(), ()> {
    tx.send(Ok(chunk)).map_err(|_| ())
}

/// Reads until `buf` is full or the source ends: fewer, fuller chunks.
fn fill(source: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Wraps the download: hashes every byte, copies it to the download cache, counts it.
pub struct Verifying<R> {
    inner: R,
    hasher: Sha256,
    pub bytes: u64,
    /// Where the verified archive will be kept, if anywhere.
    pub copy: Option<std::fs::File>,
    pub progress: Box<dyn FnMut(u64) + Send>,
}

impl<R: Read> Verifying<R> {
    pub fn new(
        inner: R,
        copy: Option<std::fs::File>,
        progress: Box<dyn FnMut(u64) + Send>,
    ) -> Self {
        Verifying {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            copy,
            progress,
        }
    }

    pub fn sha256_hex(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

impl<R: Read> Read for Verifying<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        if let Some(file) = &mut self.copy
            && file.write_all(&buf[..n]).is_err()
        {
            // A full cache disk must not fail the install: stop caching instead.
            self.copy = None;
        }
        self.bytes += n as u64;
        (self.progress)(self.bytes);
        Ok(n)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_pass_everything_through_in_order() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let (reader, a) = spawn(
            "a",
            Verifying::new(io::Cursor::new(data.clone()), None, Box::new(|_| {})),
            OnHangUp::Finish,
        );
        let (mut reader, b) = spawn("b", reader, OnHangUp::Stop);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        b.join().unwrap().unwrap();
        let v = a.join().unwrap().unwrap();
        assert_eq!(v.bytes, data.len() as u64);
        assert_eq!(v.sha256_hex(), hex(&Sha256::digest(&data)));
    }

    #[test]
    fn download_stage_finishes_hashing_when_the_consumer_hangs_up() {
        let data = vec![7u8; 5 * CHUNK + 3];
        let (mut reader, a) = spawn(
            "a",
            Verifying::new(io::Cursor::new(data.clone()), None, Box::new(|_| {})),
            OnHangUp::Finish,
        );
        let mut first = [0u8; 10];
        reader.read_exact(&mut first).unwrap();
        drop(reader);
        let v = a.join().unwrap().unwrap();
        assert_eq!(v.sha256_hex(), hex(&Sha256::digest(&data)));
    }

    #[test]
    fn source_errors_reach_the_reader() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "peer went away",
                ))
            }
        }
        let (mut reader, handle) = spawn("a", Broken, OnHangUp::Finish);
        let err = reader.read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        assert!(handle.join().unwrap().is_err());
    }
}
