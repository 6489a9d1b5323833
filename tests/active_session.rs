//! A whole labeling session through the command line: `active init`, ten rounds of `query` /
//! `teach` (one teach process killed with SIGKILL along the way), `status`, `export`, and the
//! refusals (conflicting label, unknown row, unknown class, bad files), each leaving the state
//! file untouched.

mod common;

use common::{bin, mutinfo_in, write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const CLASSES: [&str; 3] = ["cat", "dog", "bird"];

/// 300 rows: three Gaussian-ish blobs in 4 features (deterministic), an id column, a label
/// column with the first 6 rows labeled and the rest empty (null).
fn pool(dir: &Path) -> (String, Vec<&'static str>) {
    let mut s = String::from("id,f0,f1,f2,f3,label\n");
    let mut truth = Vec::new();
    for i in 0..300usize {
        let c = i % 3;
        let w = |k: usize| ((i * 7919 + k * 104_729) % 1000) as f64 / 1000.0 - 0.5;
        let (cx, cy) = [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0)][c];
        let label = if i < 6 { CLASSES[c] } else { "" };
        s.push_str(&format!(
            "r{i},{},{},{},{},{label}\n",
            cx + w(0),
            cy + w(1),
            w(2),
            w(3)
        ));
        truth.push(CLASSES[c]);
    }
    (write(dir, "pool.csv", &s), truth)
}

fn status(dir: &Path) -> serde_json::Value {
    let r = mutinfo_in(dir, &["active", "status", "state.json", "--format", "json"]);
    serde_json::from_str(r.ok()).unwrap()
}

fn query(dir: &Path, batch: usize, seed: u64) -> Vec<usize> {
    let r = mutinfo_in(
        dir,
        &[
            "active",
            "query",
            "state.json",
            "--batch",
            &batch.to_string(),
            "--seed",
            &seed.to_string(),
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(r.ok()).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["rows"]);
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert!(o["score"].is_number());
            let row = o["row"].as_u64().unwrap() as usize;
            assert_eq!(o["id"].as_str().unwrap(), format!("r{row}"));
            row
        })
        .collect()
}

fn labels_csv(dir: &Path, name: &str, rows: &[usize], truth: &[&str]) -> String {
    let mut s = String::from("row,label\n");
    for &r in rows {
        s.push_str(&format!("{r},{}\n", truth[r]));
    }
    write(dir, name, &s)
}

#[test]
fn full_session_with_a_killed_teach() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, truth) = pool(d);
    mutinfo_in(
        d,
        &[
            "active",
            "init",
            "pool.csv",
            "--target",
            "label",
            "--state",
            "state.json",
            "--id",
            "id",
            "--classes",
            "cat,dog,bird",
        ],
    )
    .ok();
    let s = status(d);
    assert_eq!(s["labeled"], 6);
    assert_eq!(s["unlabeled"], 294);
    assert_eq!(s["classes"], serde_json::json!(["cat", "dog", "bird"]));
    let mut labeled = 6u64;
    for round in 0..10u64 {
        let rows = query(d, 5, round);
        assert_eq!(rows.len(), 5);
        assert!(
            rows.iter().all(|&r| r >= 6),
            "a labeled row was queried: {rows:?}"
        );
        let name = format!("labels{round}.csv");
        labels_csv(d, &name, &rows, &truth);
        if round == 4 {
            // Killed teach processes, at several moments: the state must load afterwards and be
            // the old one or the new one, never anything else.
            for delay_ms in [0u64, 2, 10, 40, 120] {
                let before = std::fs::read(d.join("state.json")).unwrap();
                let mut child = Command::new(bin())
                    .args(["active", "teach", "state.json", &name])
                    .current_dir(d)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(Duration::from_millis(delay_ms));
                let _ = child.kill(); // SIGKILL
                let _ = child.wait();
                let after = status(d);
                let n = after["labeled"].as_u64().unwrap();
                assert!(
                    n == labeled || n == labeled + 5,
                    "after a kill at {delay_ms} ms: {n} labeled, expected {labeled} or {}",
                    labeled + 5
                );
                if n == labeled {
                    assert_eq!(std::fs::read(d.join("state.json")).unwrap(), before);
                }
                // No temporary left behind that a later run would mistake for state.
                let stray: Vec<String> = common::listing(d)
                    .into_iter()
                    .filter(|f| f.contains("state.json") && f != "state.json")
                    .collect();
                for f in stray {
                    // A temporary of the killed process may stay; it is never read.
                    assert!(f.starts_with(".state.json.mutinfo-"), "{f}");
                }
            }
        }
        // Teaching (again, after a kill) is complete once it exits 0; twice is a no-op.
        mutinfo_in(d, &["active", "teach", "state.json", &name]).ok();
        labeled += 5;
        assert_eq!(status(d)["labeled"], labeled);
        let again = mutinfo_in(d, &["active", "teach", "state.json", &name]);
        again.ok();
        assert!(again.stderr.contains("0 new labels"), "{}", again.stderr);
    }
    let s = status(d);
    assert_eq!(s["labeled"], 56);
    assert_eq!(s["unlabeled"], 244);
    let acc = s["estimated_accuracy"].as_f64().unwrap();
    assert!(
        acc > 0.8,
        "estimated accuracy {acc} on three separated blobs"
    );
    // Export: the pool with the 56 labels, the true ones.
    mutinfo_in(
        d,
        &["active", "export", "state.json", "--out", "labeled.csv"],
    )
    .ok();
    let text = std::fs::read_to_string(d.join("labeled.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "id,f0,f1,f2,f3,label");
    let mut n = 0;
    for (i, line) in lines.enumerate() {
        let label = line.rsplit(',').next().unwrap();
        assert!(line.starts_with(&format!("r{i},")));
        if !label.is_empty() {
            assert_eq!(label, truth[i], "row {i}");
            n += 1;
        }
    }
    assert_eq!(n, 56);
    // Parquet too, and never over the state or the pool.
    mutinfo_in(
        d,
        &["active", "export", "state.json", "--out", "labeled.parquet"],
    )
    .ok();
    mutinfo_in(
        d,
        &["active", "export", "state.json", "--out", "state.json"],
    )
    .refused(&["state.json"]);
    // Same seed, same rows, whatever the thread count.
    let a = query(d, 10, 7);
    let one = Command::new(bin())
        .args([
            "--threads",
            "1",
            "active",
            "query",
            "state.json",
            "--batch",
            "10",
            "--seed",
            "7",
            "--format",
            "json",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let b: Vec<usize> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["row"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(a, b);
}

#[test]
fn refusals_leave_the_state_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, truth) = pool(d);
    let init = [
        "active",
        "init",
        "pool.csv",
        "--target",
        "label",
        "--state",
        "state.json",
        "--id",
        "id",
        "--classes",
        "cat,dog,bird",
    ];
    mutinfo_in(d, &init).ok();
    labels_csv(d, "good.csv", &[10, 11], &truth);
    mutinfo_in(d, &["active", "teach", "state.json", "good.csv"]).ok();
    let before = std::fs::read(d.join("state.json")).unwrap();
    let unchanged = || assert_eq!(std::fs::read(d.join("state.json")).unwrap(), before);

    // A different label for a labeled row (row 10 is a "dog"... whichever it is, give another).
    let other = CLASSES.iter().find(|c| **c != truth[10]).unwrap();
    write(
        d,
        "conflict.csv",
        &format!("row,label\n12,{}\n10,{other}\n", truth[12]),
    );
    mutinfo_in(d, &["active", "teach", "state.json", "conflict.csv"])
        .refused(&["row 10", truth[10], other]);
    unchanged();
    // An unknown row.
    write(d, "unknown.csv", "row,label\n5000,cat\n");
    mutinfo_in(d, &["active", "teach", "state.json", "unknown.csv"])
        .refused(&["5000", "unknown.csv"]);
    unchanged();
    // An unknown id.
    write(d, "badid.csv", "id,label\nr3,cat\nnobody,dog\n");
    mutinfo_in(d, &["active", "teach", "state.json", "badid.csv"]).refused(&["nobody"]);
    unchanged();
    // A class outside --classes.
    write(d, "class.csv", "row,label\n20,cow\n");
    mutinfo_in(d, &["active", "teach", "state.json", "class.csv"]).refused(&["cow", "row 20"]);
    unchanged();
    // Not a row number; no label column; an empty label.
    write(d, "nan.csv", "row,label\nseven,cat\n");
    mutinfo_in(d, &["active", "teach", "state.json", "nan.csv"]).refused(&["seven"]);
    write(d, "nolabel.csv", "row,class\n7,cat\n");
    mutinfo_in(d, &["active", "teach", "state.json", "nolabel.csv"]).refused(&["label"]);
    write(d, "empty.csv", "row,label\n7,\n");
    mutinfo_in(d, &["active", "teach", "state.json", "empty.csv"]).refused(&["label", "row 0"]);
    unchanged();
    // Teaching the state file to itself, a missing labels file.
    mutinfo_in(d, &["active", "teach", "state.json", "state.json"]).refused(&["state.json"]);
    mutinfo_in(d, &["active", "teach", "state.json", "none.csv"]).refused(&["none.csv"]);
    unchanged();
    // init over an existing session, and over the pool itself.
    mutinfo_in(d, &init).refused(&["state.json", "--force"]);
    unchanged();
    mutinfo_in(
        d,
        &[
            "active", "init", "pool.csv", "--target", "label", "--state", "pool.csv",
        ],
    )
    .refused(&["pool.csv"]);
    // Pool problems: missing column, a text feature, a duplicated id, a label outside --classes.
    mutinfo_in(
        d,
        &[
            "active", "init", "pool.csv", "--target", "nope", "--state", "s2.json",
        ],
    )
    .refused(&["nope"]);
    write(d, "text.csv", "a,b,label\n1,x,cat\n2,y,\n");
    mutinfo_in(
        d,
        &[
            "active", "init", "text.csv", "--target", "label", "--state", "s2.json",
        ],
    )
    .refused(&["text.csv", "b", "--exclude"]);
    write(d, "dup.csv", "id,a,label\nk,1,cat\nk,2,\n");
    mutinfo_in(
        d,
        &[
            "active", "init", "dup.csv", "--target", "label", "--state", "s2.json", "--id", "id",
        ],
    )
    .refused(&["\"k\"", "rows 0 and 1"]);
    write(d, "cls.csv", "a,label\n1,cat\n2,cow\n3,\n");
    mutinfo_in(
        d,
        &[
            "active",
            "init",
            "cls.csv",
            "--target",
            "label",
            "--state",
            "s2.json",
            "--classes",
            "cat,dog",
        ],
    )
    .refused(&["cow", "row 1"]);
    assert!(!d.join("s2.json").exists());
    // Query asks for more rows than are unlabeled, a bad acquisition.
    mutinfo_in(d, &["active", "query", "state.json", "--batch", "999"]).refused(&["999"]);
    mutinfo_in(
        d,
        &["active", "query", "state.json", "--acquisition", "bogus"],
    )
    .refused(&["bogus"]);
    // A damaged or foreign state file is refused by name, never a panic.
    write(
        d,
        "broken.json",
        "{\"format\": \"mutinfo-active-session\", \"format_v",
    );
    mutinfo_in(d, &["active", "status", "broken.json"]).refused(&["broken.json"]);
    write(
        d,
        "tree.json",
        "{\"format\": \"mutinfo-tree\", \"format_version\": 1}",
    );
    mutinfo_in(d, &["active", "query", "tree.json"]).refused(&["tree.json"]);
    unchanged();
}

#[test]
fn float_and_integer_labels_agree() {
    // A pool whose label column is float (pandas writes 2.0), a labels file with integers.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut s = String::from("a,b,label\n");
    for i in 0..40 {
        let c = i % 2;
        let label = if i < 4 {
            format!("{c}.0")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "{},{},{label}\n",
            c as f64 * 3.0 + (i as f64) * 0.01,
            i % 7
        ));
    }
    write(d, "pool.csv", &s);
    mutinfo_in(
        d,
        &[
            "active",
            "init",
            "pool.csv",
            "--target",
            "label",
            "--state",
            "state.json",
        ],
    )
    .ok();
    write(d, "l.csv", "row,label\n0,0\n1,1\n5,1\n");
    let r = mutinfo_in(d, &["active", "teach", "state.json", "l.csv"]);
    r.ok();
    assert!(
        r.stderr.contains("1 new labels (2 already known)"),
        "{}",
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(
        mutinfo_in(d, &["active", "status", "state.json", "--format", "json"]).ok(),
    )
    .unwrap();
    assert_eq!(v["classes"], serde_json::json!(["0", "1"]));
    write(d, "bad.csv", "row,label\n0,1.0\n");
    mutinfo_in(d, &["active", "teach", "state.json", "bad.csv"])
        .refused(&["row 0", "\"0\"", "\"1\""]);
}
