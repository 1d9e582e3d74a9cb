//! What gv's property tests share: how many cases each runs.

use proptest::prelude::ProptestConfig;

/// 10,000 generated cases per property (the brief's bar), nothing persisted to disk.
pub fn proptest() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(10_000)
    }
}

/// [`proptest`] for properties that write files: a tenth of the cases under wine, where
/// each file operation is a round trip to wineserver (10,000 zips took four minutes there).
pub fn proptest_on_files() -> ProptestConfig {
    if gv_core::platform::WINDOWS {
        ProptestConfig {
            cases: 1_000,
            ..proptest()
        }
    } else {
        proptest()
    }
}
