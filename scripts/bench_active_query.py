#!/usr/bin/env python3
"""Time `mutinfo active query` on a large pool with the default committee (issue 19: a query on
a 100k-row pool under 2 s), and check that the rows do not depend on the thread count.

    cargo build --release -p mutinfo-cli
    python3 scripts/bench_active_query.py [--rows 100000] [--features 64] [--classes 10]
        [--labeled 200] [--batch 10] [--acquisition batchbald] [--model M] [--repeats 3]
        [--bin PATH]

The pool is synthetic: `classes` Gaussian clusters in `features` dimensions (seeded), the first
`labeled` rows labeled, the rest null, written as Parquet; --model is `init`'s committee
(default: the CLI's). `init` is timed once; each query is
timed end to end (process start, state load, committee fit, prediction on every unlabeled row,
acquisition, printing), with --threads 1 and 2.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--features", type=int, default=64)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--labeled", type=int, default=200)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--acquisition", default="batchbald")
    ap.add_argument("--model", default=None, help="init's --model (default: the CLI's)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--bin",
        default=os.environ.get("MUTINFO_BIN")
        or os.path.join(HERE, "..", "target", "release", "mutinfo"),
    )
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=2.0, size=(a.classes, a.features))
    y = rng.integers(0, a.classes, size=a.rows)
    x = centers[y] + rng.normal(size=(a.rows, a.features))
    with tempfile.TemporaryDirectory() as d:
        pool = os.path.join(d, "pool.parquet")
        state = os.path.join(d, "state.json")
        cols = {f"f{j}": x[:, j] for j in range(a.features)}
        labels = [str(v) if i < a.labeled else None for i, v in enumerate(y)]
        cols["label"] = pa.array(labels, type=pa.string())
        pq.write_table(pa.table(cols), pool)
        t = time.perf_counter()
        model = ["--model", a.model] if a.model else []
        subprocess.run(
            [a.bin, "-q", "active", "init", pool, "--target", "label", "--state", state, *model],
            check=True,
        )
        init_s = time.perf_counter() - t
        size_mb = os.path.getsize(state) / 1e6
        print(
            f"pool {a.rows} x {a.features}, {a.classes} classes, {a.labeled} labeled, "
            f"committee {a.model or 'default'}; "
            f"init {init_s:.2f} s, state {size_mb:.1f} MB"
        )
        rows_by_threads = {}
        for threads in (1, 2):
            times = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                out = subprocess.run(
                    [a.bin, "-q", "--threads", str(threads), "active", "query", state,
                     "--batch", str(a.batch), "--acquisition", a.acquisition,
                     "--format", "json"],
                    check=True, capture_output=True, text=True,
                ).stdout
                times.append(time.perf_counter() - t)
            rows = [r["row"] for r in json.loads(out)["rows"]]
            rows_by_threads[threads] = rows
            print(
                f"query --batch {a.batch} --acquisition {a.acquisition}, {threads} thread(s): "
                f"best {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s "
                f"({a.repeats} runs)"
            )
        same = rows_by_threads[1] == rows_by_threads[2]
        print(f"rows {rows_by_threads[1]}; same with 1 and 2 threads: {same}")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
