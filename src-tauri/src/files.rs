//! The app's own files (#13 §8): data folders 0700, files 0600, written atomically through a temp file with
//! an unpredictable name that is created new (so a planted symlink is never followed) and renamed over the
//! target (a symlink there is replaced, not followed).

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

/// A folder of the app's own (`<data>/training`, `<data>/live` and theirs): created 0700, or tightened to 0700.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    new_private_dir(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// The data root: created 0700 (with its parents) when missing; an existing folder is left as it is, because
/// `UKETSUKE_DATA_DIR` may name a folder that is not ours alone.
pub fn new_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Write `bytes` to `path` atomically, mode 0600: the one atomic writer the project has,
/// [`oqs::files::write_atomic`] (random O_EXCL temp file, 0600, renamed over the target).
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| std::io::Error::other(format!("{}: not a file name", path.display())))?;
    oqs::files::write_atomic(dir, name, bytes)
        .map(drop)
        .map_err(|e| match e {
            oqs::files::FileError::Io { source, .. } => source,
            other => std::io::Error::other(other),
        })
}
