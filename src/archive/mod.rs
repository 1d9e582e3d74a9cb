//! The archive formats Go SDKs come in, unpacked safely: the streaming pipeline (download →
//! sha256 → gunzip → untar, each on its own thread), `.tar.gz` unpacking ([`untar`]), zips —
//! GOPROXY's module zips and go.dev's Windows archives ([`modzip`]) — and Go's `h1:` hash of
//! a module's files ([`dirhash`]). Where the bytes come from is [`crate::sources`]'s job.

pub mod dirhash;
pub mod modzip;
pub mod pipeline;
pub mod untar;
