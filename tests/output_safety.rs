//! The output contract of every command: nothing a user gave is lost. An output naming an
//! input or model (directly, through a symlink or a hard link) is refused and the file stays
//! byte-identical; a FIFO stays a FIFO; a symlink is followed and kept; no temporary file is
//! left behind, also after SIGINT/SIGTERM.

mod common;
use common::*;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A 2-D little-endian f64 `.npy` file.
fn npy(dir: &Path, name: &str, shape: &[usize], data: &[f64]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({},), }}",
        dims.join(", ")
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    for v in data {
        bytes.extend(v.to_le_bytes());
    }
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

/// Inputs of every kind in a fresh folder.
struct Fixture {
    dir: tempfile::TempDir,
    data: String,
    probs: String,
    channel: String,
    joint: String,
    scores: String,
    counts: String,
    model: String,
    selector: String,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = small_csv(d, "data.csv", 60);
    let mut p = Vec::new();
    for i in 0..6 {
        for k in 0..3 {
            let a = 0.2 + 0.1 * ((i + k) % 3) as f64;
            p.extend([a, 1.0 - a]);
        }
    }
    let probs = npy(d, "probs.npy", &[6, 3, 2], &p);
    let channel = write(d, "channel.csv", "0.9,0.1\n0.2,0.8\n");
    let joint = write(d, "joint.csv", "0.3,0.1\n0.1,0.5\n");
    let scores = write(d, "scores.csv", "2,0,0\n0,2,0\n0,0,2\n");
    let counts = write(d, "counts.csv", "5,1\n2,7\n");
    let model = d.join("tree.json").display().to_string();
    mutinfo(&["tree", "fit", &data, "--target", "y", "--model", &model]).ok();
    let selector = d.join("selector.json").display().to_string();
    mutinfo(&[
        "select",
        &data,
        "--target",
        "y",
        "-k",
        "1",
        "--save-model",
        &selector,
    ])
    .ok();
    Fixture {
        dir,
        data,
        probs,
        channel,
        joint,
        scores,
        counts,
        model,
        selector,
    }
}

/// Every file of `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    listing(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap_or_default();
            (n, bytes)
        })
        .collect()
}

/// Runs `args` with `victim` among its outputs: refused, naming it, and every file of the
/// folder byte-identical afterwards with no file added.
fn refused_keeps_files(f: &Fixture, args: &[&str], victim: &str) {
    let before = snapshot(f.dir.path());
    let r = mutinfo(args);
    r.refused(&[]);
    assert!(
        r.stderr.contains(victim) || r.stderr.contains("same file"),
        "{args:?}: {}",
        r.stderr
    );
    let after = snapshot(f.dir.path());
    assert!(before == after, "{args:?} changed the folder");
}

#[test]
fn no_command_writes_over_what_it_reads() {
    let f = fixture();
    let (data, model, sel) = (f.data.as_str(), f.model.as_str(), f.selector.as_str());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["rank", data, "--target", "y", "--out", data], data),
        (
            vec!["select", data, "--target", "y", "-k", "1", "--out", data],
            data,
        ),
        (
            vec![
                "select",
                data,
                "--target",
                "y",
                "-k",
                "1",
                "--save-model",
                data,
            ],
            data,
        ),
        (
            vec!["estimate", data, "--x", "a", "--y", "y", "--out", data],
            data,
        ),
        (
            vec!["acquire", &f.probs, "--batch", "2", "--out", &f.probs],
            &f.probs,
        ),
        (
            vec!["capacity", &f.channel, "--out", &f.channel],
            &f.channel,
        ),
        (
            vec!["ib", &f.joint, "--beta", "2", "--out", &f.joint],
            &f.joint,
        ),
        (vec!["bound", &f.scores, "--out", &f.scores], &f.scores),
        (vec!["pmi", &f.counts, "--out", &f.counts], &f.counts),
        (
            vec!["tree", "fit", data, "--target", "y", "--model", data],
            data,
        ),
        (
            vec![
                "tree", "fit", data, "--target", "y", "--model", model, "--out", model,
            ],
            model,
        ),
        (
            vec!["tree", "predict", data, "--model", model, "--out", model],
            model,
        ),
        (
            vec!["tree", "predict", data, "--model", model, "--out", data],
            data,
        ),
        (
            vec!["tree", "show", "--model", model, "--out", model],
            model,
        ),
        (vec!["transform", data, "--model", sel, "--out", sel], sel),
        (vec!["transform", data, "--model", sel, "--out", data], data),
        (
            vec![
                "active",
                "simulate",
                data,
                "--target",
                "y",
                "--initial",
                "4",
                "--budget",
                "4",
                "--batch",
                "2",
                "--seeds",
                "1",
                "--members",
                "2",
                "--out",
                data,
            ],
            data,
        ),
    ];
    for (args, victim) in &cases {
        refused_keeps_files(&f, args, victim);
    }
}

#[test]
fn links_to_an_input_are_refused() {
    let f = fixture();
    let d = f.dir.path();
    let sym = d.join("sym.csv");
    std::os::unix::fs::symlink(&f.data, &sym).unwrap();
    let hard = d.join("hard.csv");
    std::fs::hard_link(&f.data, &hard).unwrap();
    // The message names the input the link leads to.
    for link in [&sym, &hard] {
        let l = link.display().to_string();
        refused_keeps_files(
            &f,
            &["rank", &f.data, "--target", "y", "--out", &l],
            &f.data,
        );
        refused_keeps_files(
            &f,
            &["tree", "predict", &f.data, "--model", &f.model, "--out", &l],
            &f.data,
        );
    }
    // Reading through the link and writing the real name is refused too.
    let s = sym.display().to_string();
    refused_keeps_files(&f, &["rank", &s, "--target", "y", "--out", &f.data], &s);
}

#[test]
fn a_symlink_output_is_followed_and_kept() {
    let f = fixture();
    let d = f.dir.path();
    let target = d.join("real.txt");
    std::fs::write(&target, "old").unwrap();
    let link = d.join("link.txt");
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    let l = link.display().to_string();
    mutinfo(&["rank", &f.data, "--target", "y", "--out", &l]).ok();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.starts_with("rank"), "{text}");
    // A dangling link gets its target created.
    let dangling = d.join("dangling.txt");
    std::os::unix::fs::symlink("made.txt", &dangling).unwrap();
    mutinfo(&[
        "generate",
        "xor",
        "--rows",
        "5",
        "--out",
        &dangling.display().to_string(),
    ])
    .ok();
    assert!(std::fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(d.join("made.txt"))
        .unwrap()
        .starts_with("x1"));
    assert!(
        !listing(d).iter().any(|n| n.contains(".tmp")),
        "{:?}",
        listing(d)
    );
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo");
}

#[test]
fn a_fifo_output_is_written_in_place() {
    let f = fixture();
    let fifo = f.dir.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let p = fifo.display().to_string();
    mutinfo(&["rank", &f.data, "--target", "y", "--out", &p]).ok();
    let got = reader.join().unwrap();
    assert!(got.starts_with("rank"), "{got}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(!listing(f.dir.path()).iter().any(|n| n.contains(".tmp")));
}

fn signal(pid: u32, sig: &str) {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
}

#[test]
fn a_signal_while_blocked_on_a_fifo_leaves_it_a_fifo() {
    for (sig, code) in [("-INT", 130), ("-TERM", 143)] {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        mkfifo(&fifo);
        let mut child = Command::new(bin())
            .args(["generate", "xor", "--rows", "10", "--out"])
            .arg(&fifo)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(400));
        signal(child.id(), sig);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{sig}");
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(listing(dir.path()), vec!["pipe".to_string()]);
    }
}

#[test]
fn sigint_mid_write_leaves_no_temporary() {
    // Interrupt a large write as soon as its temporary file appears: afterwards the folder
    // holds nothing, or the complete output if the write won the race.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("big.csv");
    let mut interrupted = false;
    for _ in 0..3 {
        let mut child = Command::new(bin())
            .args(["generate", "xor", "--rows", "3000000", "--out"])
            .arg(&out)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(60) {
            if listing(dir.path()).iter().any(|n| n.contains(".tmp")) {
                signal(child.id(), "-INT");
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = child.wait().unwrap();
        let names = listing(dir.path());
        assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
        if status.code() == Some(130) {
            assert!(names.is_empty(), "{names:?}");
            interrupted = true;
            break;
        }
        assert_eq!(status.code(), Some(0));
        std::fs::remove_file(&out).unwrap();
    }
    assert!(interrupted, "never caught the write in progress");
}
