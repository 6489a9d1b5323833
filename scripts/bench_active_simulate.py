#!/usr/bin/env python3
"""The committee x acquisition x data set comparison of README (issue 19), through
`mutinfo active simulate`: 5 seeds, batch 10, 20 initial labels, budget 200, 30 % held out.

    cargo build --release -p mutinfo-cli
    python3 scripts/bench_active_simulate.py [--sets digits,isolet,coil20]
        [--committees laplace,tree,logistic] [--acquisition bald,batchbald,margin,entropy,...]
        [--seeds 5] [--jobs 2] [--out DIR] [--bin PATH]

digits comes from sklearn.datasets.load_digits (written as CSV into --out); the others are
../shared/datasets/<name>.parquet. Every run writes its JSON summary and an SVG of the mean
curves into --out; the markdown table (mean AUC +- sd over seeds, final accuracy, labels to
reach 95 % of the best final mean accuracy of that data set and committee) goes to stdout.
Each run uses --threads 1, `--jobs` runs at a time.
"""
import argparse
import concurrent.futures as cf
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets")


def digits_csv(out):
    path = os.path.join(out, "digits.csv")
    if not os.path.exists(path):
        from sklearn.datasets import load_digits

        d = load_digits()
        with open(path, "w") as f:
            f.write(",".join(f"p{i}" for i in range(64)) + ",label\n")
            for row, y in zip(d.data, d.target):
                f.write(",".join(str(int(v)) for v in row) + f",{y}\n")
    return path


def bin_argument(ap):
    """`--bin`: the `mutinfo` to run (default $MUTINFO_BIN, else the release build)."""
    ap.add_argument(
        "--bin",
        default=os.environ.get("MUTINFO_BIN")
        or os.path.join(HERE, "..", "target", "release", "mutinfo"),
    )


def simulate(binary, data, out_json, acquisition, batch=10, budget=200, seeds=5, extra=()):
    """Runs `mutinfo active simulate` on `data` (label column `label`, 20 initial labels, one
    thread) and returns its JSON summary, written to `out_json`."""
    cmd = [
        binary, "-q", "--threads", "1", "active", "simulate", data, "--target", "label",
        "--acquisition", acquisition, "--batch", str(batch), "--initial", "20",
        "--budget", str(budget), "--seeds", str(seeds), "--format", "json", "--out", out_json,
    ] + list(extra)
    subprocess.run(cmd, check=True)
    with open(out_json) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="digits,isolet,coil20")
    ap.add_argument("--committees", default="laplace")
    ap.add_argument(
        "--acquisition",
        default="bald,batchbald,margin,entropy,vote-entropy,max-disagreement,kcenter",
    )
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--members", type=int, default=None, help="committee size (default: the CLI's)")
    ap.add_argument("--out", default="/tmp/mutinfo-active-bench")
    bin_argument(ap)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    runs = []
    for s in a.sets.split(","):
        data = digits_csv(a.out) if s == "digits" else os.path.join(SHARED, f"{s}.parquet")
        for c in a.committees.split(","):
            runs.append((s, c, data))

    def run(job):
        s, c, data = job
        stem = os.path.join(a.out, f"{s}-{c}")
        extra = ["--model", c, "--plot", stem + ".svg"]
        extra += ["--members", str(a.members)] if a.members else []
        doc = simulate(a.bin, data, stem + ".json", a.acquisition, a.batch, a.budget, a.seeds, extra)
        return s, c, doc

    print("| data | committee | method | AUC (mean ± sd) | final accuracy | labels to target (runs reaching it) |")
    print("|---|---|---|---|---|---|")
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for s, c, doc in ex.map(run, runs):
            for m in doc["methods"]:
                reach = m["labels_to_target"]
                r = (
                    f"{sum(reach) / len(reach):.0f} ({len(reach)}/{doc['seeds']})"
                    if reach
                    else f"never (0/{doc['seeds']})"
                )
                print(
                    f"| {s} | {c} | {m['method']} | {m['auc_mean']:.4f} ± {m['auc_sd']:.4f} "
                    f"| {m['final_accuracy']:.4f} | {r} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
