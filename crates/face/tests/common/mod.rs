//! What the face tests share: the engine, loaded once per test binary.

use std::sync::OnceLock;

use mitid_face::{Engine, models};

/// The engine; `None` (with a message) where the set-up has not fetched
/// the models — which CI never allows.
pub fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| match Engine::load(&models::default_dir()) {
            Ok(engine) => Some(engine),
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!("skipped: {e} (packaging/test.sh fetches the models)");
                None
            }
            Err(e) => panic!("{e}"),
        })
        .as_ref()
}
