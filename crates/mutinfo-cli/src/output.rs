//! Output: formats, and writing files atomically so a failed run never leaves a half-written
//! or clobbered file.

use crate::error::{CliError, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
/// destination holds either its old content or the complete new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Usage(format!("{} is not a file name", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.mutinfo-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let io = |source| CliError::Io {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Refuses an output path that is one of the inputs.
pub fn check_not_input(out: &Path, inputs: &[&Path]) -> Result<()> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    if let Some(o) = canon(out) {
        for i in inputs {
            if canon(i).as_ref() == Some(&o) {
                return Err(CliError::Usage(format!(
                    "refusing to overwrite the input file {} with the output",
                    i.display()
                )));
            }
        }
    }
    Ok(())
}

/// Sends text to `--out FILE` (atomically) or to standard output.
pub fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(p) => write_atomic(p, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            Ok(())
        }
    }
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

/// Formats a float for tables: full precision, no trailing noise beyond 10 significant digits.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        let s = format!("{v:.10}");
        let s = s.trim_end_matches('0');
        s.trim_end_matches('.').to_string()
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
        write_atomic(&p, b"new content").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new content");
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            1,
            "no temporary left"
        );
        let missing = d.path().join("no/such/dir/out.json");
        assert!(write_atomic(&missing, b"x").is_err());
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
    }
}
