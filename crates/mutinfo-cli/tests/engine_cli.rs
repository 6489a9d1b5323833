//! `--engine`: a directory or glob of Parquet files reads as one table with every engine;
//! `--engine datafusion` (built with the `datafusion` feature) selects exactly as memory, and
//! so does `--engine ballista` on a cluster of `mutinfo cluster` processes (the `ballista`
//! feature), even when an executor is killed mid-run; without a feature the flag says how to
//! get it; bad flags are refused.

mod common;
use common::mutinfo;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int16Array, Int32Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};

/// Three files of one table: 8 small-integer features, a label from f0, f3 and noise.
fn files(dir: &Path) {
    let schema = Arc::new(Schema::new(
        (0..8)
            .map(|j| Field::new(format!("f{j}"), DataType::Int16, false))
            .chain(std::iter::once(Field::new("label", DataType::Int32, false)))
            .collect::<Vec<_>>(),
    ));
    for (f, (start, n)) in [(0usize, 900usize), (900, 50), (950, 1100)]
        .iter()
        .enumerate()
    {
        let h = |r: usize, j: usize| ((r * 7919 + j * 104_729) ^ (r * j + 13)) % 1009;
        let mut cols: Vec<ArrayRef> = (0..8)
            .map(|j| {
                Arc::new(Int16Array::from_iter_values(
                    (*start..start + n).map(|r| (h(r, j) % (2 + j)) as i16),
                )) as ArrayRef
            })
            .collect();
        cols.push(Arc::new(Int32Array::from_iter_values(
            (*start..start + n).map(|r| ((h(r, 0) % 2 + h(r, 3) % 5 + h(r, 99) % 2) % 3) as i32),
        )));
        let b = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let p = dir.join(format!("part-{f}.parquet"));
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(p).unwrap(),
            schema.clone(),
            None,
        )
        .unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
    }
}

fn select(input: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "select", input, "--target", "label", "-k", "4", "--format", "json",
    ];
    args.extend_from_slice(extra);
    mutinfo(&args)
}

#[test]
fn a_directory_and_a_glob_read_as_one_table() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    let (code, by_dir, err) = select(&d, &[]);
    assert_eq!(code, 0, "{err}");
    let (code, by_glob, err) = select(&format!("{d}/part-*.parquet"), &[]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&by_dir).unwrap();
    let w: serde_json::Value = serde_json::from_str(&by_glob).unwrap();
    assert_eq!(v["rows"], 2050);
    assert_eq!(v["features"], w["features"]);
    let (code, _, err) = select(&format!("{d}/none-*.parquet"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("matches no file"), "{err}");
}

#[test]
fn engine_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    let (code, _, err) = select(&d, &["--engine", "spark"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("expected memory, datafusion or ballista"),
        "{err}"
    );
    let (code, _, err) = select(&d, &["--scheduler", "localhost:1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--scheduler does not apply"), "{err}");
    let (code, _, err) = select(&d, &["--engine", "ballista", "--memory-limit", "300MB"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("mutinfo cluster executor --memory-limit"),
        "{err}"
    );
    let (code, _, err) = select(&d, &["--memory-limit", "300MB"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--memory-limit is for --engine datafusion"),
        "{err}"
    );
    let (code, _, err) = select(&d, &["--engine", "datafusion", "--memory-limit", "lots"]);
    assert_eq!(code, 2);
    assert!(err.contains("--memory-limit \"lots\""), "{err}");
    let (code, _, err) = select(&d, &["--engine", "datafusion", "--alpha", "0.05"]);
    assert_eq!(code, 2);
    assert!(err.contains("--alpha"), "{err}");
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn datafusion_needs_its_feature() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let (code, _, err) = select(
        &dir.path().display().to_string(),
        &["--engine", "datafusion"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--features datafusion"), "{err}");
}

#[cfg(not(feature = "ballista"))]
#[test]
fn ballista_needs_its_feature() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let (code, _, err) = select(&dir.path().display().to_string(), &["--engine", "ballista"]);
    assert_eq!(code, 2);
    assert!(err.contains("--features ballista"), "{err}");
    let (code, _, err) = mutinfo(&["cluster", "scheduler"]);
    assert_eq!(code, 2);
    assert!(err.contains("--features ballista"), "{err}");
}

#[cfg(feature = "datafusion")]
#[test]
fn datafusion_selects_as_memory() {
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    for criterion in ["jmi", "mrmr", "cmim", "condmi", "mim"] {
        let (code, mem, err) = select(&d, &["--criterion", criterion]);
        assert_eq!(code, 0, "{err}");
        for threads in ["1", "2"] {
            let (code, df, err) = mutinfo(&[
                "--threads",
                threads,
                "select",
                &format!("{d}/part-*.parquet"),
                "--target",
                "label",
                "-k",
                "4",
                "--format",
                "json",
                "--criterion",
                criterion,
                "--engine",
                "datafusion",
                "--memory-limit",
                "64MB",
            ]);
            assert_eq!(code, 0, "{err}");
            let m: serde_json::Value = serde_json::from_str(&mem).unwrap();
            let f: serde_json::Value = serde_json::from_str(&df).unwrap();
            assert_eq!(m["features"], f["features"], "{criterion}");
            assert_eq!(m["rows"], f["rows"]);
        }
    }
    // rank: the same scores from one counting pass, for every discrete estimator.
    for est in [
        "plugin",
        "miller-madow",
        "chao-shen",
        "james-stein",
        "grassberger",
        "nsb",
    ] {
        let run = |engine: &str| {
            let (code, out, err) = mutinfo(&[
                "rank",
                &d,
                "--target",
                "label",
                "--format",
                "json",
                "--estimator",
                est,
                "--engine",
                engine,
            ]);
            assert_eq!(code, 0, "{err}");
            serde_json::from_str::<serde_json::Value>(&out).unwrap()
        };
        let (m, f) = (run("memory"), run("datafusion"));
        assert_eq!(m["features"], f["features"], "{est}");
        assert_eq!(m["rows"], f["rows"]);
    }
    let (code, _, err) = mutinfo(&[
        "rank",
        &d,
        "--target",
        "label",
        "--engine",
        "datafusion",
        "--p-values",
    ]);
    assert_eq!(code, 2, "{err}");
    // Errors name the input: an unknown target.
    let (code, _, err) = mutinfo(&[
        "select",
        &d,
        "--target",
        "nope",
        "-k",
        "2",
        "--engine",
        "datafusion",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("nope"), "{err}");
}

/// Cluster processes, killed when dropped.
#[cfg(feature = "ballista")]
struct Procs(Vec<std::process::Child>);

#[cfg(feature = "ballista")]
impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A free local port whose next port is free too (two executors given consecutive ports
/// must not collide).
#[cfg(feature = "ballista")]
fn free_pair() -> u16 {
    use std::net::TcpListener;
    loop {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = a.local_addr().unwrap().port();
        if p < u16::MAX && TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

#[cfg(feature = "ballista")]
fn wait_for(port: u16) {
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "port {port} never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[cfg(feature = "ballista")]
/// The output of a child, or a panic naming `what` if it has not ended within `limit` (then it
/// is killed): a hung client must fail the test, not stall CI.
fn output_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::Output {
    use std::io::Read;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).map(|_| v)
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).map(|_| v)
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("{what} did not end within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap().unwrap(),
        stderr: err.join().unwrap().unwrap(),
    }
}

/// A scheduler and two executors of `mutinfo cluster`; the scheduler's address. The second
/// executor takes the port after the first's with `consecutive`, else its default.
#[cfg(feature = "ballista")]
fn cluster(procs: &mut Procs, executor_timeout: &str, consecutive: bool) -> String {
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_mutinfo");
    let sp = free_pair();
    let scheduler = format!("127.0.0.1:{sp}");
    procs.0.push(
        Command::new(exe)
            .args(["cluster", "scheduler", "--bind", &scheduler])
            .args(["--executor-timeout", executor_timeout])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(sp);
    // One executor on a given port, one on the next or on the default (free ports it picks
    // and prints).
    let ep = free_pair();
    procs.0.push(
        Command::new(exe)
            .args(["cluster", "executor", "--scheduler", &scheduler])
            .args(["--bind", &format!("127.0.0.1:{ep}"), "--concurrency", "1"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(ep);
    let next = format!("127.0.0.1:{}", ep + 1);
    let mut second = Command::new(exe)
        .args(["cluster", "executor", "--scheduler", &scheduler])
        .args(["--concurrency", "1"])
        .args(if consecutive {
            vec!["--bind", &next]
        } else {
            vec![]
        })
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(second.stderr.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    std::thread::spawn(move || lines.for_each(drop));
    procs.0.push(second);
    // "mutinfo executor on 127.0.0.1:PORT (gRPC on port P), ..."
    let port: u16 = first
        .split_whitespace()
        .nth(3)
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    wait_for(port);
    scheduler
}

#[cfg(feature = "ballista")]
#[test]
fn ballista_selects_as_memory() {
    let mut procs = Procs(Vec::new());
    let scheduler = cluster(&mut procs, "30", false);
    let dir = tempfile::tempdir().unwrap();
    files(dir.path());
    let d = dir.path().display().to_string();
    for criterion in ["jmi", "cmim", "condmi"] {
        let (code, mem, err) = select(&d, &["--criterion", criterion]);
        assert_eq!(code, 0, "{err}");
        let (code, bal, err) = select(
            &d,
            &[
                "--criterion",
                criterion,
                "--engine",
                "ballista",
                "--scheduler",
                &scheduler,
            ],
        );
        assert_eq!(code, 0, "{err}");
        let m: serde_json::Value = serde_json::from_str(&mem).unwrap();
        let b: serde_json::Value = serde_json::from_str(&bal).unwrap();
        assert_eq!(m["features"], b["features"], "{criterion}");
        assert_eq!(m["rows"], b["rows"]);
    }
    let (code, out, err) = mutinfo(&[
        "rank",
        &d,
        "--target",
        "label",
        "--format",
        "json",
        "--engine",
        "ballista",
        "--scheduler",
        &scheduler,
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, mem, _) = mutinfo(&["rank", &d, "--target", "label", "--format", "json"]);
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m: serde_json::Value = serde_json::from_str(&mem).unwrap();
    assert_eq!(m["features"], b["features"]);
    // No scheduler there: a clear error, not a hang.
    let (code, _, err) = select(
        &d,
        &[
            "--engine",
            "ballista",
            "--scheduler",
            &format!("127.0.0.1:{}", free_pair()),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not answer"), "{err}");
}

/// Killing one of two executors mid-run gives the memory engine's answer (Ballista runs the
/// lost tasks again on the other) or a clear error; never another answer.
#[cfg(feature = "ballista")]
#[test]
fn a_killed_executor_loses_no_answer() {
    use std::process::{Command, Stdio};
    let mut procs = Procs(Vec::new());
    let scheduler = cluster(&mut procs, "6", true);
    let dir = tempfile::tempdir().unwrap();
    // 180 files: sixty copies of the three (123,000 rows).
    for i in 0..60 {
        let sub = dir.path().join(format!("copy-{i}"));
        std::fs::create_dir(&sub).unwrap();
        files(&sub);
        for f in 0..3 {
            std::fs::rename(
                sub.join(format!("part-{f}.parquet")),
                dir.path().join(format!("part-{i}-{f}.parquet")),
            )
            .unwrap();
        }
    }
    let d = format!("{}/part-*.parquet", dir.path().display());
    let args = |engine: &str| {
        let mut v: Vec<String> = [
            "select", &d, "--target", "label", "-k", "8", "--format", "json", "--engine", engine,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if engine == "ballista" {
            v.extend(["--scheduler".to_string(), scheduler.clone()]);
        }
        v
    };
    let mem = Command::new(env!("CARGO_BIN_EXE_mutinfo"))
        .args(args("memory"))
        .output()
        .unwrap();
    assert!(
        mem.status.success(),
        "{}",
        String::from_utf8_lossy(&mem.stderr)
    );
    // A whole run with both executors, timed; then one killed halfway through another.
    let start = std::time::Instant::now();
    let whole = Command::new(env!("CARGO_BIN_EXE_mutinfo"))
        .args(args("ballista"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let whole = output_within(
        whole,
        std::time::Duration::from_secs(600),
        "the run with both executors",
    );
    let took = start.elapsed();
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&mem.stdout).unwrap();
    let w: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(m["features"], w["features"]);
    let run = Command::new(env!("CARGO_BIN_EXE_mutinfo"))
        .args(args("ballista"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(took / 2);
    // SIGKILL the second executor.
    let mut lost = procs.0.remove(2);
    lost.kill().unwrap();
    lost.wait().unwrap();
    // The lost executor's tasks wait for its heartbeat to expire (6 s here), then run again.
    let out = output_within(
        run,
        took * 4 + std::time::Duration::from_secs(120),
        "the run that lost an executor",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    if out.status.success() {
        let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(m["features"], b["features"]);
        assert_eq!(m["rows"], b["rows"]);
        eprintln!("killed at {:?} of {took:?}: the same answer", took / 2);
    } else {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(!err.trim().is_empty());
    }
}
