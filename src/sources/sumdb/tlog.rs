//! The checksum database's transparent log: RFC 6962 Merkle tree hashing, Go's "stored
//! hash" numbering, tiles, and the two checks a client makes with them — that a record is
//! in the signed tree (inclusion), and that a newer tree extends an older one
//! (consistency). Formats and numbering are Go's (`golang.org/x/mod/sumdb/tlog`) to the
//! byte, so gv reads the same tiles from the same servers as the go command.
//!
//! A tile of height `H` at level `L` holds `W` consecutive hashes of tree level `L*H`;
//! every hash inside a tile's subtrees is recomputed from its bottom row. Tiles are served
//! as `tile/H/L/NNN[.p/W]` and are not trusted: [`read_hashes`] authenticates each one,
//! bottom-up, against the signed tree hash before returning anything read from it.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use thiserror::Error;

pub const HASH_SIZE: usize = 32;

/// A record hash or a tree node hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE64.encode(self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl Hash {
    pub fn parse(text: &str) -> Option<Hash> {
        let bytes = BASE64.decode(text).ok()?;
        Some(Hash(bytes.try_into().ok()?))
    }

    fn from_slice(bytes: &[u8]) -> Hash {
        let mut h = [0u8; HASH_SIZE];
        h.copy_from_slice(bytes);
        Hash(h)
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TlogError {
    #[error("malformed tree note")]
    MalformedTree,
    #[error("malformed record")]
    MalformedRecord,
    #[error("malformed tile path `{0}`")]
    BadTilePath(String),
    #[error("tile {path} has {got} bytes, expected {want}")]
    TileSize {
        path: String,
        got: usize,
        want: usize,
    },
    #[error("the tiles do not add up to the signed tree hash (one of them is forged or damaged)")]
    InconsistentTiles,
    #[error("hash {index} is not in a tree of {size} records")]
    NotInTree { index: i64, size: i64 },
    #[error("{0}")]
    Fetch(String),
}

/// SHA-256(0x00 || data): the hash of a log record (RFC 6962 leaf).
pub fn record_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// SHA-256(0x01 || left || right): an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The largest power of two strictly below `n` (n >= 2), and its log2.
fn maxpow2(n: i64) -> (i64, u32) {
    let mut l = 0;
    while (1i64 << (l + 1)) < n {
        l += 1;
    }
    (1 << l, l)
}

/// Position of the hash of tree node (`level`, `n`) in the log's dense hash storage:
/// level 0's n-th hash follows the hashes of every subtree completed before it.
pub fn stored_hash_index(level: u32, n: i64) -> i64 {
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut i = 0;
    let mut m = n;
    while m > 0 {
        i += m;
        m >>= 1;
    }
    i + i64::from(level)
}

/// The inverse of [`stored_hash_index`]: (level, n).
pub fn split_stored_hash_index(index: i64) -> (u32, i64) {
    // stored_hash_index(0, n) < 2n, so n lies in [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        // Record n+1 comes after record n and the subtrees record n completed.
        let next = index_n + 1 + i64::from((n + 1).trailing_zeros());
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    let level = (index - index_n) as u32;
    (level, n >> level)
}

/// Storage indexes of the complete subtrees that make up records `[lo, hi)`, largest
/// first: the hashes [`tree_hash`] combines.
fn sub_tree_index(mut lo: i64, hi: i64, need: &mut Vec<i64>) {
    while lo < hi {
        let (k, level) = maxpow2(hi - lo + 1);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// Folds the subtree hashes of [`sub_tree_index`] (right to left) into one.
fn fold_sub_trees(hashes: &[Hash]) -> Hash {
    let mut iter = hashes.iter().rev();
    let mut h = *iter.next().expect("a non-empty tree has a subtree");
    for left in iter {
        h = node_hash(left, &h);
    }
    h
}

/// A signed tree head: the number of records and the root hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    pub n: i64,
    pub hash: Hash,
}

impl Tree {
    /// The note text a database signs for this tree.
    pub fn format(&self) -> String {
        format!("go.sum database tree\n{}\n{}\n", self.n, self.hash)
    }

    /// Parses a tree note's text; extra lines after the hash are allowed (forward
    /// compatibility), anything else malformed is refused.
    pub fn parse(text: &str) -> Result<Tree, TlogError> {
        let rest = text
            .strip_prefix("go.sum database tree\n")
            .ok_or(TlogError::MalformedTree)?;
        if text.len() > 1_000_000 || text.matches('\n').count() < 3 {
            return Err(TlogError::MalformedTree);
        }
        let mut lines = rest.splitn(3, '\n');
        let n_text = lines.next().ok_or(TlogError::MalformedTree)?;
        let n: i64 = n_text.parse().map_err(|_| TlogError::MalformedTree)?;
        if n < 0 || n.to_string() != n_text {
            return Err(TlogError::MalformedTree);
        }
        let hash = lines
            .next()
            .and_then(Hash::parse)
            .ok_or(TlogError::MalformedTree)?;
        Ok(Tree { n, hash })
    }
}

/// A lookup answer: `<id>\n<record text>\n` (the text ends in a newline, so the record
/// ends with a blank line), then the signed tree note.
pub fn parse_record(msg: &[u8]) -> Result<(i64, &[u8], &[u8]), TlogError> {
    let nl = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(TlogError::MalformedRecord)?;
    let id_text = std::str::from_utf8(&msg[..nl]).map_err(|_| TlogError::MalformedRecord)?;
    let id: i64 = id_text.parse().map_err(|_| TlogError::MalformedRecord)?;
    if id < 0 || id.to_string() != id_text {
        return Err(TlogError::MalformedRecord);
    }
    let body = &msg[nl + 1..];
    let end = body
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(TlogError::MalformedRecord)?;
    let (text, rest) = (&body[..end + 1], &body[end + 2..]);
    if !valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    Ok((id, text, rest))
}

/// UTF-8, no control characters but newlines, no blank lines, ending in a newline.
fn valid_record_text(text: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(text) else {
        return false;
    };
    s.ends_with('\n')
        && !s.contains("\n\n")
        && !s.starts_with('\n')
        && s.chars().all(|c| c == '\n' || c >= ' ')
}

/// A tile: `w` hashes of tree level `l*h`, starting at node `n << h` of that level.
/// Level -1 is a data tile (the records themselves), which clients never need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    pub h: u32,
    pub l: i32,
    pub n: i64,
    pub w: u32,
}

impl Tile {
    /// `tile/H/L/NNN[.p/W]`, with N written in groups of three digits, all but the last
    /// prefixed `x` (`tile/8/0/x001/234.p/5`).
    pub fn path(&self) -> String {
        let mut n = self.n;
        let mut n_str = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            n_str = format!("x{:03}/{n_str}", n % 1000);
        }
        let partial = if self.w != 1 << self.h {
            format!(".p/{}", self.w)
        } else {
            String::new()
        };
        let level = if self.l == -1 {
            "data".to_string()
        } else {
            self.l.to_string()
        };
        format!("tile/{}/{level}/{n_str}{partial}", self.h)
    }

    /// Parses a path written by [`Tile::path`]; anything non-canonical is refused.
    pub fn parse_path(path: &str) -> Result<Tile, TlogError> {
        let bad = || TlogError::BadTilePath(path.to_string());
        let mut parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 4 || parts[0] != "tile" {
            return Err(bad());
        }
        let h: u32 = parts[1].parse().map_err(|_| bad())?;
        if !(1..=30).contains(&h) {
            return Err(bad());
        }
        let l: i32 = if parts[2] == "data" {
            -1
        } else {
            parts[2].parse().map_err(|_| bad())?
        };
        let mut w = 1u32 << h;
        let last = parts.len() - 2;
        if let Some(stem) = parts[last].strip_suffix(".p") {
            let ww: u32 = parts[last + 1].parse().map_err(|_| bad())?;
            if ww == 0 || ww >= w {
                return Err(bad());
            }
            w = ww;
            parts[last] = stem;
            parts.pop();
        }
        let mut n: i64 = 0;
        for part in &parts[3..] {
            let digits = part.strip_prefix('x').unwrap_or(part);
            let d: i64 = digits.parse().map_err(|_| bad())?;
            if !(0..1000).contains(&d) {
                return Err(bad());
            }
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(d))
                .ok_or_else(bad)?;
        }
        let tile = Tile { h, l, n, w };
        if tile.path() != path {
            return Err(bad());
        }
        Ok(tile)
    }

    /// The tile holding stored hash `index`, with the smallest width that includes it,
    /// and the byte range of the tile's bottom row that hashes to it.
    fn for_index(h: u32, index: i64) -> (Tile, usize, usize) {
        let (level, n) = split_stored_hash_index(index);
        let l = level / h;
        let level_in_tile = level - l * h;
        let tile_n = (n << level_in_tile) >> h;
        let n_in_tile = n - ((tile_n << h) >> level_in_tile);
        let w = ((n_in_tile + 1) << level_in_tile) as u32;
        let start = (n_in_tile << level_in_tile) as usize * HASH_SIZE;
        let end = ((n_in_tile + 1) << level_in_tile) as usize * HASH_SIZE;
        (
            Tile {
                h,
                l: l as i32,
                n: tile_n,
                w,
            },
            start,
            end,
        )
    }

    /// This tile's ancestor `k` tile-levels up, as wide as a tree of `size` records
    /// allows; `None` when the tree has no hash there yet.
    fn parent(self, k: u32, size: i64) -> Option<Tile> {
        let mut t = self;
        t.l += k as i32;
        t.n >>= k * t.h;
        t.w = 1 << t.h;
        let available = size >> (t.l as u32 * t.h);
        let first = t.n << t.h;
        if first + i64::from(t.w) >= available {
            if first >= available {
                return None;
            }
            t.w = (available - first) as u32;
        }
        Some(t)
    }

    fn full(self) -> Tile {
        Tile {
            w: 1 << self.h,
            ..self
        }
    }
}

/// The hash with storage index `index`, computed from the bottom row of tile `t`.
fn hash_from_tile(t: &Tile, data: &[u8], index: i64) -> Result<Hash, TlogError> {
    let (t1, start, end) = Tile::for_index(t.h, index);
    if t.l != t1.l || t.n != t1.n || t.w < t1.w || data.len() < end {
        return Err(TlogError::Fetch(format!(
            "hash {index} is in {}, not {}",
            t1.path(),
            t.path()
        )));
    }
    Ok(tile_hash(&data[start..end]))
}

/// The root of the complete subtree over a power-of-two run of bottom-row hashes.
fn tile_hash(data: &[u8]) -> Hash {
    if data.len() == HASH_SIZE {
        return Hash::from_slice(data);
    }
    let half = data.len() / 2;
    node_hash(&tile_hash(&data[..half]), &tile_hash(&data[half..]))
}

/// Where tiles come from: the database over HTTP (or a test double).
pub trait TileSource {
    /// The tiles' bytes, in order. Unauthenticated: [`read_hashes`] checks them.
    fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError>;
}

/// Reads the hashes with the given storage indexes from the tiles of `tree`,
/// authenticating every tile used against `tree.hash` first. `height` is the server's
/// tile height (8 for Go's databases).
pub fn read_hashes(
    tree: &Tree,
    height: u32,
    source: &mut dyn TileSource,
    indexes: &[i64],
) -> Result<Vec<Hash>, TlogError> {
    if tree.n == 0 {
        return Err(TlogError::NotInTree {
            index: indexes.first().copied().unwrap_or(0),
            size: 0,
        });
    }
    let mut order: HashMap<Tile, usize> = HashMap::new();
    let mut tiles: Vec<Tile> = Vec::new();

    // The tiles holding the tree's top-level subtrees: together they must hash to the
    // signed root, which authenticates them.
    let mut stx = Vec::new();
    sub_tree_index(0, tree.n, &mut stx);
    let mut stx_tile = Vec::with_capacity(stx.len());
    for &x in &stx {
        let tile = Tile::for_index(height, x)
            .0
            .parent(0, tree.n)
            .ok_or(TlogError::InconsistentTiles)?;
        let at = *order.entry(tile).or_insert_with(|| {
            tiles.push(tile);
            tiles.len() - 1
        });
        stx_tile.push(at);
    }
    let rooted = tiles.len();

    // Every other tile needed: full tiles, each authenticated by its parent's hash.
    let mut index_tile = Vec::with_capacity(indexes.len());
    for &x in indexes {
        if x >= stored_hash_index(0, tree.n) {
            return Err(TlogError::NotInTree {
                index: x,
                size: tree.n,
            });
        }
        let tile = Tile::for_index(height, x).0;
        let mut k = 0;
        let known = loop {
            let parent = tile.parent(k, tree.n).ok_or(TlogError::NotInTree {
                index: x,
                size: tree.n,
            })?;
            if let Some(&at) = order.get(&parent) {
                break at;
            }
            k += 1;
        };
        let mut own = known;
        for kk in (0..k).rev() {
            let p = tile.parent(kk, tree.n).ok_or(TlogError::NotInTree {
                index: x,
                size: tree.n,
            })?;
            if p.w != 1 << p.h {
                return Err(TlogError::Fetch(format!(
                    "tile {} should be complete in a tree of {} records",
                    p.path(),
                    tree.n
                )));
            }
            own = *order.entry(p).or_insert_with(|| {
                tiles.push(p);
                tiles.len() - 1
            });
        }
        index_tile.push(own);
    }

    let data = source.read_tiles(&tiles)?;
    if data.len() != tiles.len() {
        return Err(TlogError::Fetch("the tile source lost a tile".to_string()));
    }
    for (tile, bytes) in tiles.iter().zip(&data) {
        let want = tile.w as usize * HASH_SIZE;
        if bytes.len() != want {
            return Err(TlogError::TileSize {
                path: tile.path(),
                got: bytes.len(),
                want,
            });
        }
    }

    let subtree_hashes = stx
        .iter()
        .zip(&stx_tile)
        .map(|(&x, &at)| hash_from_tile(&tiles[at], &data[at], x))
        .collect::<Result<Vec<_>, _>>()?;
    if fold_sub_trees(&subtree_hashes) != tree.hash {
        return Err(TlogError::InconsistentTiles);
    }
    // Tiles were appended parents first, so each parent is authenticated before its
    // children are checked against it.
    for i in rooted..tiles.len() {
        let tile = tiles[i];
        let parent = tile.parent(1, tree.n).ok_or(TlogError::InconsistentTiles)?;
        let &at = order.get(&parent).ok_or(TlogError::InconsistentTiles)?;
        let expected = hash_from_tile(
            &parent,
            &data[at],
            stored_hash_index(parent.l as u32 * parent.h, tile.n),
        )?;
        if expected != tile_hash(&data[i]) {
            return Err(TlogError::InconsistentTiles);
        }
    }

    indexes
        .iter()
        .zip(&index_tile)
        .map(|(&x, &at)| hash_from_tile(&tiles[at], &data[at], x))
        .collect()
}

/// The root hash of the first `n` records, read from the (authenticated) tiles of the
/// larger `tree`. Equal to a stored older head's hash exactly when `tree` extends it:
/// the consistency check.
pub fn tree_hash(
    n: i64,
    tree: &Tree,
    height: u32,
    source: &mut dyn TileSource,
) -> Result<Hash, TlogError> {
    if n == 0 {
        return Ok(Hash::default());
    }
    let mut indexes = Vec::new();
    sub_tree_index(0, n, &mut indexes);
    let hashes = read_hashes(tree, height, source, &indexes)?;
    Ok(fold_sub_trees(&hashes))
}

/// Tiles a server may no longer serve at the width a client asks for: try the asked
/// width, then the full tile cut down (the Go client does the same).
pub fn fallback_widths(tile: &Tile) -> Vec<Tile> {
    let full = tile.full();
    if full == *tile {
        vec![*tile]
    } else {
        vec![*tile, full]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy log kept in memory: every node hash computed from the leaves.
    struct Log {
        leaves: Vec<Hash>,
        served: Vec<Tile>,
        tamper: Option<Tile>,
    }

    impl Log {
        fn new(n: usize) -> Log {
            Log {
                leaves: (0..n)
                    .map(|i| record_hash(format!("record {i}\n").as_bytes()))
                    .collect(),
                served: Vec::new(),
                tamper: None,
            }
        }

        fn node(&self, level: u32, n: i64) -> Hash {
            if level == 0 {
                return self.leaves[n as usize];
            }
            node_hash(
                &self.node(level - 1, 2 * n),
                &self.node(level - 1, 2 * n + 1),
            )
        }

        fn root(&self, size: i64) -> Hash {
            let mut idx = Vec::new();
            sub_tree_index(0, size, &mut idx);
            let hashes: Vec<Hash> = idx
                .iter()
                .map(|&x| {
                    let (l, n) = split_stored_hash_index(x);
                    self.node(l, n)
                })
                .collect();
            fold_sub_trees(&hashes)
        }

        fn tree(&self) -> Tree {
            let n = self.leaves.len() as i64;
            Tree {
                n,
                hash: self.root(n),
            }
        }
    }

    impl TileSource for Log {
        fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            self.served.extend_from_slice(tiles);
            Ok(tiles
                .iter()
                .map(|t| {
                    let level = t.l as u32 * t.h;
                    let mut out = Vec::new();
                    for i in 0..i64::from(t.w) {
                        out.extend_from_slice(&self.node(level, (t.n << t.h) + i).0);
                    }
                    if self.tamper == Some(*t) {
                        out[0] ^= 1;
                    }
                    out
                })
                .collect())
        }
    }

    #[test]
    fn stored_hash_numbering_round_trips() {
        // Go's numbering: record 0 at 0, record 1 at 1, node (1,0) at 2, record 2 at 3...
        assert_eq!(stored_hash_index(0, 0), 0);
        assert_eq!(stored_hash_index(0, 1), 1);
        assert_eq!(stored_hash_index(1, 0), 2);
        assert_eq!(stored_hash_index(0, 2), 3);
        assert_eq!(stored_hash_index(0, 3), 4);
        assert_eq!(stored_hash_index(1, 1), 5);
        assert_eq!(stored_hash_index(2, 0), 6);
        for index in 0..5000 {
            let (level, n) = split_stored_hash_index(index);
            assert_eq!(stored_hash_index(level, n), index);
        }
    }

    #[test]
    fn tile_paths_match_gos() {
        let t = Tile {
            h: 8,
            l: 0,
            n: 1234,
            w: 5,
        };
        assert_eq!(t.path(), "tile/8/0/x001/234.p/5");
        assert_eq!(Tile::parse_path("tile/8/0/x001/234.p/5").unwrap(), t);
        let full = Tile {
            h: 8,
            l: 2,
            n: 1_234_067,
            w: 256,
        };
        assert_eq!(full.path(), "tile/8/2/x001/x234/067");
        assert_eq!(Tile::parse_path(&full.path()).unwrap(), full);
        let data = Tile {
            h: 8,
            l: -1,
            n: 3,
            w: 256,
        };
        assert_eq!(data.path(), "tile/8/data/003");
        for bad in [
            "tile/8/0/1234",
            "tile/8/0/001.p/256",
            "tile/8/0/x000/001",
            "tile/0/0/001",
            "tile/8/0/01",
            "tile/8/0/../001",
            "tiles/8/0/001",
        ] {
            assert!(Tile::parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tree_notes_round_trip_and_refuse_junk() {
        let tree = Tree {
            n: 42,
            hash: record_hash(b"x"),
        };
        assert_eq!(Tree::parse(&tree.format()).unwrap(), tree);
        let extra = format!("{}extension line\n", tree.format());
        assert_eq!(Tree::parse(&extra).unwrap(), tree);
        for bad in [
            "go.sum database tree\n042\nAAAA\n",
            "go.sum database tree\n-1\n\n",
            "go.sum database tree v2\n1\n",
            "go.sum database tree\n1\nnot base64\n",
        ] {
            assert_eq!(Tree::parse(bad), Err(TlogError::MalformedTree), "{bad:?}");
        }
    }

    #[test]
    fn records_parse_like_gos_lookup_answers() {
        let msg = b"17\ngolang.org/toolchain v0.0.1 h1:abc=\nx y h1:def=\n\ngo.sum database tree\n";
        let (id, text, rest) = parse_record(msg).unwrap();
        assert_eq!(id, 17);
        assert_eq!(text, b"golang.org/toolchain v0.0.1 h1:abc=\nx y h1:def=\n");
        assert_eq!(rest, b"go.sum database tree\n");
        assert!(parse_record(b"017\nx\n\n").is_err());
        assert!(parse_record(b"1\nno blank line\n").is_err());
        assert!(parse_record(b"1\nbell\x07\n\n").is_err());
    }

    #[test]
    fn every_record_is_provably_in_trees_of_many_shapes() {
        for size in [1usize, 2, 3, 7, 255, 256, 257, 300, 513, 700] {
            let mut log = Log::new(size);
            let tree = log.tree();
            for id in [0, size / 2, size - 1] {
                let got =
                    read_hashes(&tree, 8, &mut log, &[stored_hash_index(0, id as i64)]).unwrap();
                assert_eq!(got[0], log.leaves[id], "size {size} id {id}");
            }
        }
    }

    #[test]
    fn small_tile_heights_exercise_several_levels() {
        let mut log = Log::new(100);
        let tree = log.tree();
        for id in 0..100i64 {
            let got = read_hashes(&tree, 2, &mut log, &[stored_hash_index(0, id)]).unwrap();
            assert_eq!(got[0], log.leaves[id as usize]);
        }
        assert!(log.served.iter().any(|t| t.l >= 2));
    }

    #[test]
    fn consistency_holds_for_prefixes_and_fails_for_forks() {
        let mut log = Log::new(600);
        let tree = log.tree();
        for old in [1i64, 5, 256, 300, 599, 600] {
            assert_eq!(
                tree_hash(old, &tree, 8, &mut log).unwrap(),
                log.root(old),
                "{old}"
            );
        }
        // A fork: the same size, a different record 3.
        let mut fork = Log::new(300);
        fork.leaves[3] = record_hash(b"evil\n");
        assert_ne!(tree_hash(300, &tree, 8, &mut log).unwrap(), fork.root(300));
    }

    #[test]
    fn a_tampered_tile_is_caught() {
        let mut log = Log::new(700);
        let tree = log.tree();
        for tamper in [
            Tile {
                h: 8,
                l: 0,
                n: 0,
                w: 256,
            },
            Tile {
                h: 8,
                l: 1,
                n: 0,
                w: 2,
            },
        ] {
            log.tamper = Some(tamper);
            let err = read_hashes(&tree, 8, &mut log, &[stored_hash_index(0, 10)]).unwrap_err();
            assert_eq!(err, TlogError::InconsistentTiles, "{}", tamper.path());
        }
    }

    #[test]
    fn shared_root_tiles_still_authenticate_every_other_tile() {
        // 256 + 8 + 1 records: two of the top-level subtrees share tile 8/0/001, so the
        // number of root tiles is smaller than the number of subtrees.
        let mut log = Log::new(265);
        let tree = log.tree();
        log.tamper = Some(Tile {
            h: 8,
            l: 0,
            n: 0,
            w: 256,
        });
        let err = read_hashes(&tree, 8, &mut log, &[stored_hash_index(0, 3)]).unwrap_err();
        assert_eq!(err, TlogError::InconsistentTiles);
    }
}

/// The checksum database's tree notes, records, tile paths and tiles on generated input:
/// each parses or fails with a `TlogError`; tiles full of arbitrary bytes (any length)
/// never authenticate against a tree head, and never panic on the way.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Serves arbitrary bytes as whatever tiles are asked for.
    struct Garbage(Vec<Vec<u8>>);

    impl TileSource for Garbage {
        fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            Ok(tiles
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    self.0
                        .get(i % self.0.len().max(1))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect())
        }
    }

    proptest! {
        #![proptest_config(crate::test_config::proptest())]

        #[test]
        fn tree_notes_records_and_tile_paths_parse_or_fail_typed(
            tree in prop_oneof![
                "go\\.sum database tree\n[0-9-]{0,20}\n[A-Za-z0-9+/=]{0,48}\n[ -~\n]{0,20}",
                "[ -~\n]{0,80}",
            ],
            record in proptest::collection::vec(any::<u8>(), 0..120),
            path in prop_oneof![
                "tile/[0-9]{1,2}/(data|-?[0-9]{1,3})(/x[0-9]{3}){0,4}/[0-9]{3}(\\.p/[0-9]{1,4})?",
                "[ -~]{0,40}",
            ],
        ) {
            if let Ok(t) = Tree::parse(&tree) {
                prop_assert!(t.n >= 0);
                prop_assert_eq!(Tree::parse(&t.format()).unwrap(), t);
            }
            if let Ok((id, text, _)) = parse_record(&record) {
                prop_assert!(id >= 0 && text.ends_with(b"\n"));
            }
            if let Ok(tile) = Tile::parse_path(&path) {
                prop_assert_eq!(tile.path(), path);
            }
        }

        #[test]
        fn arbitrary_tiles_never_authenticate(
            n in 1i64..1_000_000,
            root in any::<[u8; HASH_SIZE]>(),
            tiles in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..4),
            wanted in proptest::collection::vec(0i64..3_000_000, 1..4),
            old in 0i64..1_000_000,
        ) {
            let tree = Tree { n, hash: Hash(root) };
            let mut source = Garbage(tiles);
            let read = read_hashes(&tree, 8, &mut source, &wanted);
            prop_assert!(read.is_err(), "garbage authenticated: {read:?}");
            let _ = tree_hash(old.min(n), &tree, 8, &mut source);
        }
    }
}
