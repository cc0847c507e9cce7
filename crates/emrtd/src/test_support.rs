//! What the unit tests share.

use std::path::PathBuf;

/// ../shared/testdata/lds beside the clone, or `None` (saying so) where
/// ../shared is absent; CI always has it.
pub fn lds_dir() -> Option<PathBuf> {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
            .join("../../../shared/testdata/lds");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var_os("CI").is_none(), "CI runs with ../shared beside the clone: {} is missing", dir.display());
    eprintln!("skipped: {} is absent (the shared test data sits beside the clone)", dir.display());
    None
}
