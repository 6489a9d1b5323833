//! Output: formats, numbers, and the one writer every command uses for the files it writes
//! (`--out`, `--save-model`, `tree fit --model`, `--plot`, `transform --out`).
//!
//! The writer's contract — nothing a user gave is lost:
//! - an output that is the same file as an input or model this run reads (after symlinks:
//!   same device and inode), or as another output of the run, is refused before a byte is
//!   written;
//! - a regular file (or a new name) is written to a temporary sibling and renamed over it, so
//!   the destination holds its old content or the complete new one; the temporary is removed
//!   on error and on SIGINT/SIGTERM (the process then exits 130/143);
//! - a symlink is followed: its target is written, the link kept;
//! - a FIFO, a device or any other non-regular file is written directly (never replaced).

use crate::error::{CliError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// One JSON document (stable, documented in README).
    Json,
    /// Comma-separated values with a header.
    Csv,
}

/// Files this run reads (inputs, models): never written.
static READING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Files this run has written: never written twice.
static WRITTEN: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the SIGINT/SIGTERM handler that removes temporary outputs
/// ([`mutinfo_core::save::remove_pending`]) and exits with 128 + the signal number (130, 143),
/// as a shell reports it.
pub fn install_signal_handler() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            mutinfo_core::save::remove_pending();
            std::process::exit(128 + sig);
        }
    });
}

/// Records that this run reads `path` (an input or a model): no output may be written over it.
pub fn reading(path: &Path) {
    lock(&READING).push(path.to_path_buf());
}

/// Whether `a` and `b` name the same existing file (same device and inode, symlinks followed).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Refuses `out` when it is a file this run reads or has already written.
pub fn check_output(flag: &str, out: &Path) -> Result<()> {
    if let Some(i) = lock(&READING).iter().find(|i| same_file(out, i)) {
        return Err(CliError::Usage(format!(
            "refusing to overwrite the input file {} with {flag}",
            i.display()
        )));
    }
    if let Some(w) = lock(&WRITTEN).iter().find(|w| same_file(out, w)) {
        return Err(CliError::Usage(format!(
            "refusing to overwrite {}, an output already written, with {flag}",
            w.display()
        )));
    }
    Ok(())
}

/// Checks, before any work, that the outputs `(flag, path)` are distinct files and none is
/// one of `inputs` (which are recorded as read).
pub fn check_outputs(inputs: &[&Path], outputs: &[(&str, Option<&Path>)]) -> Result<()> {
    for i in inputs {
        reading(i);
    }
    let outs: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|(f, p)| p.map(|p| (*f, p)))
        .collect();
    for (k, (flag, p)) in outs.iter().enumerate() {
        check_output(flag, p)?;
        for (flag2, q) in &outs[..k] {
            if same_file(p, q) || p == q {
                return Err(CliError::Usage(format!(
                    "{flag} and {flag2} name the same file, {}",
                    q.display()
                )));
            }
        }
    }
    Ok(())
}

/// Where the bytes of an output go: the library's crash-safe writer
/// ([`mutinfo_core::save::Destination`]) behind this run's checks (not an input, not written
/// twice) and error messages naming the path the user gave.
pub struct Destination {
    /// The path the user gave.
    given: PathBuf,
    inner: mutinfo_core::save::Destination,
}

impl Destination {
    /// Checks `path` (named by `flag` in messages) and works out how to write it.
    pub fn new(flag: &str, path: &Path) -> Result<Self> {
        check_output(flag, path)?;
        let inner = mutinfo_core::save::Destination::new(path)
            .map_err(|e| CliError::Usage(format!("{flag} {}: {e}", path.display())))?;
        Ok(Destination {
            given: path.to_path_buf(),
            inner,
        })
    }

    fn io(&self, source: std::io::Error) -> CliError {
        CliError::Io {
            path: self.given.clone(),
            source,
        }
    }

    /// A temporary sibling of the target, removed on a signal; `suffix` ends its name
    /// (plotters picks the image format from it).
    pub fn temp(&self, suffix: &str) -> PathBuf {
        self.inner.temp(suffix)
    }

    /// Removes a temporary made by [`temp`](Self::temp).
    pub fn discard(&self, tmp: &Path) {
        self.inner.discard(tmp);
    }

    /// Moves a complete temporary into place and records the output as written.
    pub fn commit(&self, tmp: &Path) -> Result<()> {
        self.inner.commit(tmp).map_err(|e| self.io(e))?;
        lock(&WRITTEN).push(self.inner.target().to_path_buf());
        Ok(())
    }

    /// Writes `bytes` as the whole output.
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        self.inner.write(bytes).map_err(|e| self.io(e))?;
        lock(&WRITTEN).push(self.inner.target().to_path_buf());
        Ok(())
    }
}

/// Writes `bytes` to the output `path` given by `flag`, by the rules of this module.
pub fn write_file(flag: &str, path: &Path, bytes: &[u8]) -> Result<()> {
    Destination::new(flag, path)?.write(bytes)
}

/// Sends text to `--out FILE` or to standard output.
pub fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => write_file("--out", p, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            Ok(())
        }
    }
}

/// A JSON document as text (pretty, newline-terminated), with every `-0` written as `0`.
pub fn json_text(doc: &serde_json::Value) -> Result<String> {
    fn clean(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => {
                *v = serde_json::json!(0.0);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(clean),
            serde_json::Value::Object(o) => o.values_mut().for_each(clean),
            _ => {}
        }
    }
    let mut doc = doc.clone();
    clean(&mut doc);
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// A table of strings: aligned for a terminal, or CSV.
pub struct TextTable {
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    /// Renders with columns padded to their widest cell (numbers right-aligned).
    pub fn aligned(&self) -> String {
        let n = self.header.len();
        let mut w = vec![0; n];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (j, c) in row.iter().enumerate().take(n) {
                w[j] = w[j].max(c.chars().count());
            }
        }
        let mut s = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    if c.parse::<f64>().is_ok() {
                        format!("{c:>width$}", width = w[j])
                    } else {
                        format!("{c:<width$}", width = w[j])
                    }
                })
                .collect();
            s.push_str(cells.join("  ").trim_end());
            s.push('\n');
        }
        s
    }

    /// Renders as CSV (RFC 4180 quoting).
    pub fn csv(&self) -> String {
        let q = |c: &String| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        };
        let mut s = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            s.push_str(&row.iter().map(q).collect::<Vec<_>>().join(","));
            s.push('\n');
        }
        s
    }

    /// Renders in a format (JSON is the caller's).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Csv => self.csv(),
            _ => self.aligned(),
        }
    }
}

/// Formats a float for tables and CSV, the one number formatter of the CLI: ten decimals with
/// trailing zeros dropped; an exact zero, `-0.0` and anything that rounds to zero print as `0`
/// (never `-0`); non-finite values as `NaN`, `inf`, `-inf`.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v:.10}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".to_string()
        } else {
            s.to_string()
        }
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.json");
        std::fs::write(&p, "old").unwrap();
        write_file("--out", &p, b"new content").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new content");
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temporary left"
        );
        let missing = d.path().join("no/such/dir/out.json");
        assert!(write_file("--out", &missing, b"x").is_err());
    }

    #[test]
    fn tables() {
        let t = TextTable {
            header: vec!["name".into(), "score".into()],
            rows: vec![
                vec!["a,b".into(), "0.5".into()],
                vec!["c".into(), "12".into()],
            ],
        };
        assert_eq!(t.csv(), "name,score\n\"a,b\",0.5\nc,12\n");
        assert_eq!(t.aligned(), "name  score\na,b     0.5\nc        12\n");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-1e-16), "0");
        assert_eq!(num(-0.25), "-0.25");
        let doc = json_text(&serde_json::json!({"a": -0.0, "b": [-0.0, 1.5]})).unwrap();
        assert!(!doc.contains("-0"), "{doc}");
    }
}
