//! A checksum database for tests, written from the formats alone (RFC 6962 hashing, Go's
//! tiles and signed notes) and independently of gv's client code: its own Ed25519 key,
//! records, tiles and signed tree heads. Real `go` accepts it (tests/goproxy_real.rs), which
//! is what makes it a faithful stand-in for sum.golang.org.
#![allow(dead_code)]

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::signature::{Ed25519KeyPair, KeyPair};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];
pub const HEIGHT: u32 = 8;

pub struct TestDb {
    pub name: String,
    key: Ed25519KeyPair,
    /// Signs tree heads instead of `key` while keeping `key`'s name and hash: a forgery.
    forger: Option<Ed25519KeyPair>,
    records: Vec<Vec<u8>>,
    /// `module@version` -> record number.
    index: HashMap<String, usize>,
    /// levels[k][i]: the hash of the complete subtree of 2^k records starting at i * 2^k.
    levels: Vec<Vec<Hash>>,
}

fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// RFC 6962's Merkle tree hash, by its recursive definition.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

impl TestDb {
    /// A database named `name` whose key is derived from `seed`.
    pub fn new(name: &str, seed: u8) -> TestDb {
        TestDb {
            name: name.to_string(),
            key: Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("ed25519 seed"),
            forger: None,
            records: Vec::new(),
            index: HashMap::new(),
            levels: vec![Vec::new()],
        }
    }

    /// From now on, tree heads are signed by another key under this database's name.
    pub fn forge_signatures(&mut self) {
        self.forger = Some(Ed25519KeyPair::from_seed_unchecked(&[0xEE; 32]).expect("seed"));
    }

    fn public_key_with_alg(&self) -> Vec<u8> {
        let mut key = vec![1u8];
        key.extend_from_slice(self.key.public_key().as_ref());
        key
    }

    fn key_hash(&self) -> u32 {
        let mut h = Sha256::new();
        h.update(self.name.as_bytes());
        h.update(b"\n");
        h.update(self.public_key_with_alg());
        let sum = h.finalize();
        u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
    }

    /// The verifier key, as GOSUMDB takes it: `name+hash+base64(alg||key)`.
    pub fn vkey(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.key_hash(),
            B64.encode(self.public_key_with_alg())
        )
    }

    pub fn size(&self) -> usize {
        self.records.len()
    }

    /// Appends a record; returns its number.
    pub fn add(&mut self, key: Option<&str>, text: &str) -> usize {
        assert!(text.ends_with('\n') && !text.contains("\n\n"));
        let id = self.records.len();
        self.records.push(text.as_bytes().to_vec());
        if let Some(key) = key {
            self.index.insert(key.to_string(), id);
        }
        self.levels[0].push(leaf_hash(text.as_bytes()));
        let mut k = 0;
        while self.levels[k].len().is_multiple_of(2) {
            let row = &self.levels[k];
            let (l, r) = (row[row.len() - 2], row[row.len() - 1]);
            if self.levels.len() == k + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[k + 1].push(node_hash(&l, &r));
            k += 1;
        }
        id
    }

    /// `n` records of other modules, so the interesting ones sit deep in the tree.
    pub fn add_filler(&mut self, n: usize) {
        for _ in 0..n {
            let i = self.records.len();
            self.add(
                None,
                &format!(
                    "example.com/filler{i} v1.0.{i} h1:{}\nexample.com/filler{i} v1.0.{i}/go.mod h1:{}\n",
                    B64.encode(leaf_hash(format!("zip{i}").as_bytes())),
                    B64.encode(leaf_hash(format!("mod{i}").as_bytes())),
                ),
            );
        }
    }

    /// The go.sum lines of a toolchain, as the real database records them.
    pub fn add_toolchain(&mut self, module_version: &str, zip_h1: &str) -> usize {
        let text = format!(
            "golang.org/toolchain {module_version} {zip_h1}\ngolang.org/toolchain {module_version}/go.mod {}\n",
            go_mod_h1()
        );
        self.add(
            Some(&format!("golang.org/toolchain@{module_version}")),
            &text,
        )
    }

    /// Replaces record `id` (to build a fork: same key, different history).
    pub fn rewrite(&mut self, id: usize, text: &str) {
        let mut records = std::mem::take(&mut self.records);
        records[id] = text.as_bytes().to_vec();
        let index = std::mem::take(&mut self.index);
        self.levels = vec![Vec::new()];
        for r in records {
            self.add(None, &String::from_utf8(r).expect("utf-8"));
        }
        self.index = index;
    }

    pub fn root(&self) -> Hash {
        mth(&self.levels[0])
    }

    /// The signed tree head for the current size.
    pub fn signed_head(&self) -> Vec<u8> {
        let text = format!(
            "go.sum database tree\n{}\n{}\n",
            self.size(),
            B64.encode(self.root())
        );
        let signer = self.forger.as_ref().unwrap_or(&self.key);
        let sig = signer.sign(text.as_bytes());
        let mut blob = self.key_hash().to_be_bytes().to_vec();
        blob.extend_from_slice(sig.as_ref());
        format!("{text}\n— {} {}\n", self.name, B64.encode(blob)).into_bytes()
    }

    /// The answer to `/lookup/<module>@<version>`, with `text` in place of the record if
    /// given (a rewritten record, as a hostile proxy would serve it).
    pub fn lookup(&self, key: &str, text: Option<&str>) -> Option<Vec<u8>> {
        let id = *self.index.get(key)?;
        let record = match text {
            Some(t) => t.as_bytes().to_vec(),
            None => self.records[id].clone(),
        };
        let mut out = format!("{id}\n").into_bytes();
        out.extend_from_slice(&record);
        out.push(b'\n');
        out.extend_from_slice(&self.signed_head());
        Some(out)
    }

    pub fn record_text(&self, key: &str) -> Option<String> {
        let id = *self.index.get(key)?;
        String::from_utf8(self.records[id].clone()).ok()
    }

    /// A tile's bytes: `w` hashes of level `l*HEIGHT` from `n << HEIGHT`; `None` when the
    /// tree does not have them (yet).
    pub fn tile(&self, l: u32, n: u64, w: u32) -> Option<Vec<u8>> {
        let level = (l * HEIGHT) as usize;
        let row = self.levels.get(level)?;
        let start = (n << HEIGHT) as usize;
        let end = start + w as usize;
        if w == 0 || w > 1 << HEIGHT || end > row.len() {
            return None;
        }
        Some(row[start..end].iter().flatten().copied().collect())
    }

    /// Serves a path under the database's URL: `/latest`, `/lookup/...`, `/tile/...`.
    pub fn serve(&self, path: &str, rewritten: Option<&str>) -> Option<Vec<u8>> {
        if path == "/latest" {
            return Some(self.signed_head());
        }
        if path == "/supported" {
            return Some(Vec::new());
        }
        if let Some(key) = path.strip_prefix("/lookup/") {
            return self.lookup(key, rewritten);
        }
        let (l, n, w) = parse_tile(path.strip_prefix("/tile/")?)?;
        self.tile(l, n, w)
    }

    /// Every file a static server needs to serve this database (for the benchmark, where
    /// python's http.server does the serving): latest, lookups, and each tile at the
    /// current width.
    pub fn write_static(&self, dir: &std::path::Path) -> std::io::Result<()> {
        let write = |rel: &str, bytes: &[u8]| -> std::io::Result<()> {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent"))?;
            std::fs::write(path, bytes)
        };
        write("latest", &self.signed_head())?;
        write("supported", b"")?;
        for key in self.index.keys() {
            write(
                &format!("lookup/{key}"),
                &self.lookup(key, None).expect("record"),
            )?;
        }
        for l in 0.. {
            let level = (l * HEIGHT) as usize;
            let Some(row) = self.levels.get(level).filter(|r| !r.is_empty()) else {
                break;
            };
            for n in 0..row.len().div_ceil(1 << HEIGHT) {
                let w = (row.len() - (n << HEIGHT)).min(1 << HEIGHT) as u32;
                let path = tile_path(l, n as u64, w);
                write(&path, &self.tile(l, n as u64, w).expect("tile"))?;
            }
        }
        Ok(())
    }
}

/// `tile/8/L/NNN[.p/W]`, N in groups of three digits, all but the last prefixed `x`.
pub fn tile_path(l: u32, n: u64, w: u32) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    let partial = if w == 1 << HEIGHT {
        String::new()
    } else {
        format!(".p/{w}")
    };
    format!("tile/{HEIGHT}/{l}/{}{partial}", groups.join("/"))
}

/// `8/L/NNN[.p/W]` -> (L, N, W).
pub fn parse_tile(rest: &str) -> Option<(u32, u64, u32)> {
    let mut parts: Vec<&str> = rest.split('/').collect();
    if parts.first() != Some(&"8") || parts.len() < 3 {
        return None;
    }
    let l: u32 = parts[1].parse().ok()?;
    let mut w = 1u32 << HEIGHT;
    let last = parts.len() - 2;
    if let Some(stem) = parts[last].strip_suffix(".p") {
        w = parts[last + 1].parse().ok()?;
        parts[last] = stem;
        parts.pop();
    }
    let mut n = 0u64;
    for p in &parts[2..] {
        n = n * 1000 + p.trim_start_matches('x').parse::<u64>().ok()?;
    }
    (tile_path(l, n, w) == format!("tile/{rest}")).then_some((l, n, w))
}

/// The go.sum hash of the toolchain module's `.mod` file (`module golang.org/toolchain`).
pub fn go_mod_h1() -> String {
    h1(&[(
        "go.mod".to_string(),
        b"module golang.org/toolchain\n".to_vec(),
    )])
}

/// dirhash Hash1 over (name, content) pairs: sorted `"<sha256 hex>  <name>\n"` lines.
pub fn h1(files: &[(String, Vec<u8>)]) -> String {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let summary: String = sorted
        .iter()
        .map(|(name, data)| {
            let hex: String = Sha256::digest(data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("{hex}  {name}\n")
        })
        .collect();
    format!("h1:{}", B64.encode(Sha256::digest(summary.as_bytes())))
}
