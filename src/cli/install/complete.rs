//! `gv install <TAB>`: the versions of the cached release index. Kept beside the install
//! arguments (not in cli/complete.rs, which builds the whole CLI) so the two do not name
//! each other.

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

/// Candidates for `gv install`: every release in the indexes gv has cached (whichever
/// mirror fetched them), newest first, the installed ones marked, then `latest`. Only the
/// cache is read: a TAB never waits on the network, so before a first `gv install` or
/// `gv ls-remote` only `latest` is offered.
pub(super) fn remote_versions() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        let installed = gv_core::Store::from_env()
            .and_then(|store| store.installed())
            .unwrap_or_default();
        cached_releases()
            .into_iter()
            .map(|v| {
                let candidate = CompletionCandidate::new(v.to_string());
                if installed.contains(&v) {
                    candidate.help(Some("installed".into()))
                } else {
                    candidate
                }
            })
            .chain(std::iter::once(CompletionCandidate::new("latest")))
            .collect::<Vec<_>>()
    })
}

/// The versions in every cached release index, newest first. A file that does not parse
/// (or is over the index's size cap) is passed over: completion never fails loudly.
fn cached_releases() -> Vec<gv_core::Version> {
    let Ok(cache) = gv_core::store::Cache::from_env() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(cache.index_dir()) else {
        return Vec::new();
    };
    let mut versions: Vec<gv_core::Version> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| {
            gv_core::limits::read_file_string(&e.path(), gv_core::limits::RELEASE_INDEX).ok()
        })
        .filter_map(|text| crate::sources::index::parse("cache", &text).ok())
        .flat_map(|(releases, _)| releases.into_iter().map(|r| r.version))
        .collect();
    versions.sort_by(|a, b| b.cmp(a));
    versions.dedup();
    versions
}
