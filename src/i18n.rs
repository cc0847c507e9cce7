//! Translations: Fluent files under `i18n/<lang>/`, embedded in the binary
//! and looked up with [`fl!`](crate::fl), which fails the build on an id the
//! English file does not have.

use std::sync::LazyLock;

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use i18n_embed::unic_langid::LanguageIdentifier;
use mitid_core::config::{CitizenLanguage, Language};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "i18n/"]
struct Localizations;

/// The one loader the whole app reads its texts from.
pub static LOADER: LazyLock<FluentLanguageLoader> = LazyLock::new(|| {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    // Fluent wraps arguments in Unicode isolation marks by default; the
    // renderer would draw them as boxes.
    loader.set_use_isolating(false);
    if let Err(error) = loader.load_fallback_language(&Localizations) {
        // Only a broken build could get here: the files are embedded.
        tracing::error!(%error, "embedded English texts could not be loaded");
    }
    loader
});

/// A translated text: `fl!("id")` or `fl!("id", name = value, …)`.
#[macro_export]
macro_rules! fl {
    ($id:literal) => {{ i18n_embed_fl::fl!($crate::i18n::LOADER, $id) }};
    ($id:literal, $($args:expr),*) => {{ i18n_embed_fl::fl!($crate::i18n::LOADER, $id, $($args),*) }};
}

/// The citizen screen's texts (`i18n/<lang>/citizen.ftl`), a loader per
/// language with English behind it: the citizen's screen speaks its own
/// language whatever the agent's does.
static CITIZEN: LazyLock<Vec<(CitizenLanguage, FluentLanguageLoader)>> = LazyLock::new(|| {
    let english: LanguageIdentifier = "en".parse().unwrap_or_default();
    CitizenLanguage::ALL
        .iter()
        .map(|&language| {
            let loader = FluentLanguageLoader::new("citizen", english.clone());
            let mut wanted = vec![english.clone()];
            if let Ok(id) = language.tag().parse::<LanguageIdentifier>()
                && id != english
            {
                wanted.insert(0, id);
            }
            if let Err(error) = loader.load_languages(&Localizations, &wanted) {
                tracing::error!(%error, language = language.tag(), "embedded citizen texts could not be loaded");
            }
            loader.set_use_isolating(false);
            (language, loader)
        })
        .collect()
});

/// A text of the citizen's screen in `language`.
pub fn citizen(language: CitizenLanguage, id: &str) -> String {
    citizen_args(language, id, &[])
}

/// A text of the citizen's screen in `language`, with arguments.
pub fn citizen_args(language: CitizenLanguage, id: &str, args: &[(&str, String)]) -> String {
    let Some((_, loader)) = CITIZEN.iter().find(|(l, _)| *l == language) else { return id.to_owned() };
    if args.is_empty() {
        loader.get(id)
    } else {
        loader.get_args(id, args.iter().cloned().collect::<std::collections::HashMap<_, _>>())
    }
}

/// Makes `language` the language of every text from now on.
pub fn set_language(language: Language) {
    let id: LanguageIdentifier = match language.tag().parse() {
        Ok(id) => id,
        Err(_) => return,
    };
    if let Err(error) = LOADER.load_languages(&Localizations, &[id]) {
        tracing::warn!(%error, language = language.tag(), "could not switch language");
    }
    // Loading makes new bundles, which isolate arguments again by default.
    LOADER.set_use_isolating(false);
}

/// The language texts are in now.
pub fn current() -> Language {
    let current = LOADER.current_languages();
    match current.first().map(|id| id.language.as_str()) {
        Some("da") => Language::Da,
        _ => Language::En,
    }
}

/// The language the desktop asks for (POSIX locale variables, in their
/// order of precedence), when it is one the app speaks.
pub fn desktop_language() -> Option<Language> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .and_then(|value| Language::from_locale(&value))
}
