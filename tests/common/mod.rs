//! What every contract test needs: the `mutinfo` binary, the repository, scratch files.
#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `mutinfo` binary of this build. It belongs to the `mutinfo-cli` package, so cargo does
/// not hand this package its path: it sits next to the `deps/` folder of this test
/// executable, and `cargo test --workspace` builds it (for mutinfo-cli's own tests) before
/// any test runs.
pub fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let b = dir.join(format!("mutinfo{}", std::env::consts::EXE_SUFFIX));
    assert!(
        b.exists(),
        "{} is missing: run `cargo test --workspace` (or `cargo build -p mutinfo-cli` first)",
        b.display()
    );
    b
}

/// The result of one run.
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success, returning standard output.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        &self.stdout
    }

    /// Asserts the contract of a refused input: non-zero exit, a one-line `mutinfo:` message
    /// that contains every string of `names`, no panic.
    pub fn refused(&self, names: &[&str]) {
        assert_ne!(self.code, 0, "expected a refusal; stdout: {}", self.stdout);
        assert_ne!(self.code, 101, "internal error: {}", self.stderr);
        assert!(
            self.stderr.starts_with("mutinfo: ") || self.stderr.starts_with("error: "),
            "message: {}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        for n in names {
            assert!(self.stderr.contains(n), "{n:?} not in: {}", self.stderr);
        }
    }
}

/// Runs `mutinfo` with `args` in `dir`.
pub fn mutinfo_in(dir: &Path, args: &[&str]) -> Run {
    Run::from(
        Command::new(bin())
            .args(args)
            .current_dir(dir)
            .env("RAYON_NUM_THREADS", "2")
            .output()
            .expect("run mutinfo"),
    )
}

/// Runs `mutinfo` with `args` (paths absolute or relative to the repository).
pub fn mutinfo(args: &[&str]) -> Run {
    mutinfo_in(&repo(), args)
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository's `datasets/`.
pub fn dataset(name: &str) -> String {
    repo().join("datasets").join(name).display().to_string()
}

/// `../shared/datasets/<name>` when present (the real data sets are not in the repository).
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/datasets").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// Writes `text` to `dir/name`, returning the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A small classification CSV: `n` rows, features a (informative), b (noise), target y.
pub fn small_csv(dir: &Path, name: &str, n: usize) -> String {
    let mut s = String::from("a,b,y\n");
    for i in 0..n {
        let y = i % 2;
        s.push_str(&format!(
            "{},{},{}\n",
            (i % 4) as f64 + 0.5 * y as f64,
            (i * 7) % 5,
            y
        ));
    }
    write(dir, name, &s)
}

/// The names of the files in `dir`.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
