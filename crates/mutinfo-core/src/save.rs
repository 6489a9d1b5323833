//! The one crash-safe file writer: every model, selector and CLI output of mutinfo is written
//! through it (`InfoSelector::save`, `DecisionTree::save`, the CLI's `--out`, `--model`,
//! `--save-model`, `--plot`), so the rules are the same everywhere:
//!
//! - a regular file (or a new name) is written to a temporary sibling, synced, and renamed over
//!   the destination, so the destination holds its old content or the complete new one, never
//!   a part; the permissions of a file being replaced are kept;
//! - the temporary is removed on error; temporaries in flight are listed so that a signal
//!   handler can remove them ([`remove_pending`]), as the CLI does on SIGINT/SIGTERM;
//! - a symlink is followed: its target is written and the link kept;
//! - a FIFO, a device or any other non-regular file is written directly, never replaced;
//! - a directory is refused.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("mutinfo-save-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let path = dir.join("model.json");
//! mutinfo_core::save::write_atomic(&path, b"{}")?;
//! assert_eq!(std::fs::read(&path)?, b"{}");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files in flight, for [`remove_pending`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes every temporary file a writer of this module has in flight, and returns while
/// holding no lock. Meant for a signal handler that then exits: holding the list's lock while
/// removing also waits for a rename in progress to finish, so a destination is never left
/// half-renamed.
pub fn remove_pending() {
    let temps = pending();
    for t in temps.iter() {
        let _ = std::fs::remove_file(t);
    }
}

/// Follows the symlinks of `path`, also a dangling one (its target will be created).
pub fn resolve(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(t) => {
                p = match p.parent() {
                    Some(dir) if t.is_relative() => dir.join(t),
                    _ => t,
                }
            }
            Err(_) => break,
        }
    }
    p
}

/// Where the bytes of one output go: the file behind the path given (symlinks followed), and
/// whether it is written in place (a FIFO, device or other non-regular file).
#[derive(Debug, Clone)]
pub struct Destination {
    target: PathBuf,
    direct: bool,
}

impl Destination {
    /// Works out how to write `path`.
    ///
    /// # Errors
    /// [`std::io::ErrorKind::InvalidInput`] when `path` is a directory or has no file name.
    pub fn new(path: &Path) -> std::io::Result<Self> {
        let invalid = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
        let direct = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return Err(invalid("is a directory")),
            Ok(m) => !m.is_file(),
            Err(_) => false,
        };
        let target = resolve(path);
        if target.file_name().is_none() {
            return Err(invalid("not a file name"));
        }
        Ok(Destination { target, direct })
    }

    /// The file written (symlinks followed).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Whether the target is written in place (not a regular file).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// A temporary sibling of the target, listed for [`remove_pending`]; `suffix` ends its name
    /// (a plotting library picks the image format from it). Hand it back to
    /// [`commit`](Self::commit) or [`discard`](Self::discard).
    pub fn temp(&self, suffix: &str) -> PathBuf {
        let dir = match self.target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = self
            .target
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let tmp = dir.join(format!(
            ".{name}.mutinfo-{}.tmp{suffix}",
            std::process::id()
        ));
        pending().push(tmp.clone());
        tmp
    }

    /// Removes a temporary made by [`temp`](Self::temp).
    pub fn discard(&self, tmp: &Path) {
        let mut temps = pending();
        let _ = std::fs::remove_file(tmp);
        temps.retain(|t| t != tmp);
    }

    /// Moves a complete temporary into place (renamed over a regular file, copied into a FIFO
    /// or device); the temporary is gone afterwards, whatever the outcome.
    ///
    /// # Errors
    /// The I/O error of the rename or the write.
    pub fn commit(&self, tmp: &Path) -> std::io::Result<()> {
        let result = if self.direct {
            std::fs::read(tmp).and_then(|bytes| self.write_direct(&bytes))
        } else {
            // Keep the permissions of a file being replaced.
            if let Ok(m) = std::fs::metadata(&self.target) {
                let _ = std::fs::set_permissions(tmp, m.permissions());
            }
            let mut temps = pending();
            let r = std::fs::rename(tmp, &self.target);
            if r.is_ok() {
                temps.retain(|t| t != tmp);
            }
            r
        };
        self.discard(tmp);
        result
    }

    fn write_direct(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).open(&self.target)?;
        f.write_all(bytes)?;
        f.flush()
    }

    /// Writes `bytes` as the whole content of the destination.
    ///
    /// # Errors
    /// The I/O error; the destination is then unchanged (regular files) and no temporary is
    /// left.
    pub fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        if self.direct {
            return self.write_direct(bytes);
        }
        let tmp = self.temp("");
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            self.discard(&tmp);
            return Err(e);
        }
        self.commit(&tmp)
    }
}

/// Writes `bytes` to `path` by the rules of this module.
///
/// # Errors
/// As [`Destination::new`] and [`Destination::write`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    Destination::new(path)?.write(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mutinfo-save-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn leftovers(d: &Path) -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect()
    }

    #[test]
    fn replaces_a_regular_file_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("regular");
        let p = d.join("out.json");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(leftovers(&d).is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn writes_through_a_symlink_and_keeps_the_link() {
        let d = dir("symlink");
        let real = d.join("real.json");
        let link = d.join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // A dangling link creates its target.
        let dangling = d.join("dangling.json");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write_atomic(&dangling, b"x").unwrap();
        assert_eq!(std::fs::read_to_string(d.join("made.json")).unwrap(), "x");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_directory_is_refused_and_a_failed_write_leaves_nothing() {
        let d = dir("refuse");
        assert_eq!(
            write_atomic(&d, b"x").unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
        let missing = d.join("no-such-dir").join("out.json");
        assert!(write_atomic(&missing, b"x").is_err());
        assert!(leftovers(&d).is_empty());
        assert!(pending().is_empty() || !pending().iter().any(|t| t.starts_with(&d)));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_device_is_written_in_place() {
        let dest = Destination::new(Path::new("/dev/null")).unwrap();
        assert!(dest.is_direct());
        dest.write(b"discarded").unwrap();
        assert!(Path::new("/dev/null").exists());
    }
}
