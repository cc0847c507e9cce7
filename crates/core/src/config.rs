//! Where the app keeps its files, what an administrator configures, and what
//! the app remembers between runs.
//!
//! Two files with two owners: `config.toml` is written by a person (IT staff)
//! and only ever read by the app, so their comments and layout survive;
//! `state.toml` in the data dir is the app's own memory (language, theme,
//! window geometry), replaced atomically so a crash never leaves half a file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::support_hours::{HoursConfig, HoursConfigError, SupportHours};

/// A language the app speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    En,
    /// Danish.
    Da,
}

impl Language {
    /// Every language, in the order offered.
    pub const ALL: [Language; 2] = [Language::En, Language::Da];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Da => "da",
        }
    }

    /// The language's name in itself, for a language picker.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Da => "Dansk",
        }
    }

    /// The best match for a locale tag such as `da-DK` or `en_GB.UTF-8`.
    pub fn from_locale(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_', '.']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "da" => Some(Self::Da),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

/// A language the citizen's screen speaks: more than the agent's, because
/// the people at the counter come from many countries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CitizenLanguage {
    /// English.
    #[default]
    En,
    /// Danish.
    Da,
    /// German.
    De,
    /// Polish.
    Pl,
    /// Ukrainian.
    Uk,
}

impl CitizenLanguage {
    /// Every language, in the order offered.
    pub const ALL: [CitizenLanguage; 5] =
        [CitizenLanguage::En, CitizenLanguage::Da, CitizenLanguage::De, CitizenLanguage::Pl, CitizenLanguage::Uk];

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Da => "da",
            Self::De => "de",
            Self::Pl => "pl",
            Self::Uk => "uk",
        }
    }

    /// The language's name in itself.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Da => "Dansk",
            Self::De => "Deutsch",
            Self::Pl => "Polski",
            Self::Uk => "Українська",
        }
    }

    /// The language most likely read by a holder of this nationality (the
    /// MRZ's three-letter ICAO code), when the screen speaks it.
    pub fn for_nationality(code: &str) -> Option<Self> {
        match code.trim_end_matches('<') {
            "DNK" => Some(Self::Da),
            "D" | "DEU" | "AUT" | "LIE" => Some(Self::De),
            "POL" => Some(Self::Pl),
            "UKR" => Some(Self::Uk),
            "GBR" | "GBD" | "GBN" | "GBO" | "GBP" | "GBS" | "IRL" | "USA" | "CAN" | "AUS" | "NZL" => Some(Self::En),
            _ => None,
        }
    }
}

/// Light or dark, or whatever the desktop uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemePreference {
    /// Follow the desktop's setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemePreference {
    /// The next choice in the cycle system → light → dark → system.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }
}

/// The administrator's configuration (`config.toml`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The language to start in when the user has not chosen one; the
    /// desktop's language when absent.
    pub language: Option<Language>,
    /// The theme to start with when the user has not chosen one.
    pub theme: ThemePreference,
    /// MitID Support's hours.
    pub support: HoursConfig,
    /// The desk: agent id, P-code limits, key store.
    pub desk: crate::desk::DeskConfig,
    /// Face comparison: the score bands, where the models are.
    pub face: FaceConfig,
    /// The site's shared service; the desk's own SQLite file when absent.
    pub server: Option<ServerLink>,
}

/// `[server]`: where a desk finds the site's shared service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerLink {
    /// `https://…`
    pub url: String,
    /// Other instances of the same service (`https://…`), tried in turn
    /// when the one in use cannot be connected to; the desk stays with the
    /// one that answered.
    #[serde(default)]
    pub fallback_urls: Vec<String>,
    /// A PEM file with the CA that signed the server's certificate, when
    /// it is not one the system trusts.
    #[serde(default)]
    pub ca: Option<PathBuf>,
}

/// `[face]`: where a comparison score's bands meet (cosine similarity of
/// SFace descriptions), and the models folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaceConfig {
    /// At or above: "strong".
    pub strong: f32,
    /// Below: "weak"; between the two: "uncertain".
    pub weak: f32,
    /// The models folder; the set-up's cache when absent.
    pub models: Option<PathBuf>,
}

impl Default for FaceConfig {
    /// Around SFace's published operating point (0.363).
    fn default() -> Self {
        Self { strong: 0.45, weak: 0.30, models: None }
    }
}

/// A configuration file that cannot be used, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not valid TOML for this app.
    #[error("the configuration file {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// The support hours in it contradict each other.
    #[error("the configuration file {path} has unusable support hours: {source}")]
    Hours {
        /// The file.
        path: PathBuf,
        /// Why.
        source: HoursConfigError,
    },
}

impl Config {
    /// Reads `path`; a missing file is the default configuration.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(ConfigError::Read { path: path.to_owned(), source }),
        };
        let config: Config = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string().trim_end().to_owned() })?;
        SupportHours::new(config.support.clone())
            .map_err(|source| ConfigError::Hours { path: path.to_owned(), source })?;
        let face = &config.face;
        if !(face.weak.is_finite()
            && face.strong.is_finite()
            && -1.0 < face.weak
            && face.weak <= face.strong
            && face.strong <= 1.0)
        {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: format!(
                    "[face] needs -1 < weak <= strong <= 1 (cosine similarities); it has weak = {}, strong = {}",
                    face.weak, face.strong
                ),
            });
        }
        Ok(config)
    }

    /// The support-hours engine for this configuration.
    pub fn support_hours(&self) -> Result<SupportHours, HoursConfigError> {
        SupportHours::new(self.support.clone())
    }
}

/// A window's remembered geometry, in logical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WindowGeometry {
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// Left edge, when the platform reports positions.
    pub x: Option<f32>,
    /// Top edge, when the platform reports positions.
    pub y: Option<f32>,
}

impl Default for WindowGeometry {
    fn default() -> Self {
        Self { width: 1100.0, height: 720.0, x: None, y: None }
    }
}

impl WindowGeometry {
    /// The smallest window the layout is made for.
    pub const MIN: (f32, f32) = (760.0, 520.0);

    /// A geometry that can be used: finite, at least the minimum size and at
    /// most a very large screen, positions within a generous desktop.
    pub fn sanitized(self) -> Self {
        let size = |v: f32, min: f32| if v.is_finite() { v.clamp(min, 8192.0) } else { min };
        let pos = |v: Option<f32>| v.filter(|p| p.is_finite() && (-4096.0..=16384.0).contains(p));
        Self {
            width: size(self.width, Self::MIN.0),
            height: size(self.height, Self::MIN.1),
            x: pos(self.x),
            y: pos(self.y),
        }
    }
}

/// What the app remembers between runs (`state.toml` in the data dir).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The language the user last chose.
    pub language: Option<Language>,
    /// The theme the user last chose.
    pub theme: Option<ThemePreference>,
    /// The main window's last geometry.
    pub window: WindowGeometry,
    /// The card reader last chosen for chip reads.
    pub reader: Option<String>,
    /// The webcam last chosen for the face step.
    pub camera: Option<String>,
    /// The picture size last chosen for it.
    pub camera_size: Option<(u32, u32)>,
}

impl UiState {
    /// The file name inside the data dir.
    pub const FILE: &'static str = "state.toml";

    /// Reads the state from `data_dir`. Remembered preferences are a
    /// convenience: a missing or damaged file gives the defaults (the damaged
    /// file is kept beside as `state.toml.damaged` for a person to look at).
    pub fn load(data_dir: &Path) -> Self {
        let path = data_dir.join(Self::FILE);
        let Ok(text) = fs::read_to_string(&path) else { return Self::default() };
        match toml::from_str::<UiState>(&text) {
            Ok(state) => Self { window: state.window.sanitized(), ..state },
            Err(_) => {
                let _ = fs::rename(&path, data_dir.join("state.toml.damaged"));
                Self::default()
            }
        }
    }

    /// Writes the state into `data_dir`, atomically.
    pub fn save(&self, data_dir: &Path) -> io::Result<()> {
        let text = toml::to_string(self).map_err(io::Error::other)?;
        write_atomically(&data_dir.join(Self::FILE), text.as_bytes())
    }
}

/// Replaces `path` with `bytes` so that a reader (or a crash) sees either the
/// old file or the new one, never a mix: write a temporary file beside it,
/// flush it to disk, rename it over the old one, and flush the directory.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path.file_name().ok_or_else(|| io::Error::other("no file name"))?;
    let tmp = dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The files and folders the app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The configuration file.
    pub config_file: PathBuf,
    /// The data directory (state, logs, and later the database).
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform's places (XDG on Linux), or the overrides when given.
    /// Demo mode gets a data dir of its own so training never touches real
    /// data; an explicit `data_dir` wins over that.
    pub fn resolve(config_file: Option<PathBuf>, data_dir: Option<PathBuf>, demo: bool) -> io::Result<Self> {
        let dirs = directories::ProjectDirs::from("dk", "", "mitid-assist");
        let missing = || io::Error::other("no home directory to keep settings in: give --config and --data-dir");
        let config_file = match config_file {
            Some(path) => path,
            None => dirs.as_ref().ok_or_else(missing)?.config_dir().join("config.toml"),
        };
        let data_dir = match data_dir {
            Some(path) => path,
            None => {
                let base = dirs.as_ref().ok_or_else(missing)?.data_dir().to_owned();
                if demo { base.join("demo") } else { base }
            }
        };
        Ok(Self { config_file, data_dir })
    }

    /// The folder for log files.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support_hours::DayHours;

    #[test]
    fn missing_config_is_the_default_and_a_full_one_parses() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(&dir.path().join("nope.toml")).unwrap(), Config::default());
        let path = dir.path().join("config.toml");
        fs::write(
            &path,
            "# IT's comment\nlanguage = \"da\"\ntheme = \"dark\"\n[support]\nweekday = \"08:00-21:00\"\n\
             [[support.exception]]\ndate = \"2026-12-28\"\nhours = \"closed\"\nnote = \"Upgrade\"\n",
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.language, Some(Language::Da));
        assert_eq!(config.theme, ThemePreference::Dark);
        assert_eq!(config.support.weekday, "08:00-21:00".parse::<DayHours>().unwrap());
        assert_eq!(config.support.exceptions.len(), 1);
    }

    #[test]
    fn face_bands_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(Config::load(&path).unwrap().face, FaceConfig::default());
        fs::write(&path, "[face]\nstrong = 0.5\nweak = 0.25\nmodels = \"/opt/models\"\n").unwrap();
        let face = Config::load(&path).unwrap().face;
        assert_eq!((face.strong, face.weak, face.models), (0.5, 0.25, Some(PathBuf::from("/opt/models"))));
        fs::write(&path, "[face]\nstrong = 0.2\nweak = 0.4\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("weak <= strong") && err.contains("weak = 0.4"), "{err}");
    }

    #[test]
    fn bad_config_says_where_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        fs::write(&path, "[support]\nweekday = \"8 till 20\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml") && err.contains("8 till 20") && err.contains("line 2"), "{err}");
        fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
        fs::write(
            &path,
            "[[support.exception]]\ndate = \"2026-01-02\"\nhours = \"closed\"\n[[support.exception]]\ndate = \"2026-01-02\"\nhours = \"closed\"\n",
        )
        .unwrap();
        assert!(matches!(Config::load(&path), Err(ConfigError::Hours { .. })));
    }

    #[test]
    fn state_round_trips_and_survives_damage() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(UiState::load(dir.path()), UiState::default());
        let state = UiState {
            language: Some(Language::Da),
            theme: Some(ThemePreference::Light),
            window: WindowGeometry { width: 900.0, height: 600.0, x: Some(40.0), y: Some(-20.0) },
            reader: Some("ACS ACR1252 Dual Reader PICC 00 00".into()),
            camera: Some("Logitech C920".into()),
            camera_size: Some((1280, 720)),
        };
        state.save(dir.path()).unwrap();
        assert_eq!(UiState::load(dir.path()), state);
        // No temporary files left behind.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.toml")]);
        fs::write(dir.path().join("state.toml"), "language = [[[").unwrap();
        assert_eq!(UiState::load(dir.path()), UiState::default());
        assert!(dir.path().join("state.toml.damaged").exists());
    }

    #[test]
    fn geometry_is_sanitized() {
        let g = WindowGeometry { width: f32::NAN, height: 10.0, x: Some(f32::INFINITY), y: Some(50_000.0) }.sanitized();
        assert_eq!(g, WindowGeometry { width: WindowGeometry::MIN.0, height: WindowGeometry::MIN.1, x: None, y: None });
    }

    #[test]
    fn demo_gets_its_own_data_dir_unless_told() {
        let normal = Paths::resolve(None, None, false).unwrap();
        let demo = Paths::resolve(None, None, true).unwrap();
        assert_ne!(normal.data_dir, demo.data_dir);
        assert!(demo.data_dir.starts_with(&normal.data_dir));
        let explicit = Paths::resolve(Some("/x/c.toml".into()), Some("/x/data".into()), true).unwrap();
        assert_eq!(explicit.data_dir, PathBuf::from("/x/data"));
        assert_eq!(explicit.config_file, PathBuf::from("/x/c.toml"));
    }

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Language::from_locale("da-DK"), Some(Language::Da));
        assert_eq!(Language::from_locale("en_GB.UTF-8"), Some(Language::En));
        assert_eq!(Language::from_locale("de-DE"), None);
        assert_eq!(Language::from_locale(""), None);
    }

    #[test]
    fn nationalities_suggest_the_citizen_screen_language() {
        assert_eq!(CitizenLanguage::for_nationality("UKR"), Some(CitizenLanguage::Uk));
        assert_eq!(CitizenLanguage::for_nationality("POL"), Some(CitizenLanguage::Pl));
        assert_eq!(CitizenLanguage::for_nationality("D<<"), Some(CitizenLanguage::De));
        assert_eq!(CitizenLanguage::for_nationality("AUT"), Some(CitizenLanguage::De));
        assert_eq!(CitizenLanguage::for_nationality("GBR"), Some(CitizenLanguage::En));
        assert_eq!(CitizenLanguage::for_nationality("UTO"), None);
        assert_eq!(CitizenLanguage::for_nationality(""), None);
        let tags: std::collections::BTreeSet<_> = CitizenLanguage::ALL.iter().map(|l| l.tag()).collect();
        assert_eq!(tags.len(), CitizenLanguage::ALL.len());
    }
}
