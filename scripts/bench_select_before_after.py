#!/usr/bin/env python3
"""Times two builds of the `select_timing` example (before / after a change) on the same data,
in one run, at 1 and 2 rayon threads, and prints the ratios.

Data:
  - 10000 x 1000: `data()` of scripts/bench_select_vs_pymrmr.py (make_classification, 10 bins),
    JMI, mRMR, CMIM, k = 50;
  - 800 x 100000 sparse binary: each feature is 1 with probability 0.05, the class is
    (f0 or f1) xor (f2 and f3) with 10% label noise (seed 0), JMI, MIM, CMIM, k = 50; MIM
    and CMIM per column (seconds / 100000) is the fixed cost per short column.

    cargo build --release -p mutinfo-select --example select_timing   # in each tree
    python3 scripts/bench_select_before_after.py BEFORE_EXE AFTER_EXE

Each figure is the best of 3 runs inside the example (wall and CPU seconds of that run).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_select_vs_pymrmr import data  # noqa: E402


def sparse(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.random((n, p)) < 0.05).astype(np.uint8)
    y = (X[:, 0] | X[:, 1]) ^ (X[:, 2] & X[:, 3])
    flip = rng.random(n) < 0.1
    return X, (y ^ flip).astype(np.uint8)


def write(path, X, y):
    n, p = X.shape
    with open(path, "wb") as f:
        f.write(struct.pack("<QQ", n, p))
        f.write(np.ascontiguousarray(X.T).tobytes())
        f.write(y.astype(np.uint8).tobytes())


def run(exe, path, crits, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run([exe, path, "50", *crits], check=True, capture_output=True,
                         text=True, env=env).stdout
    return {r["criterion"]: r for r in map(json.loads, out.splitlines())}


def main():
    before, after = sys.argv[1], sys.argv[2]
    sets = [("10000 x 1000", data(10000, 1000), ["jmi", "mrmr", "cmim"]),
            ("800 x 100000 sparse", sparse(800, 100000), ["jmi", "mim", "cmim"])]
    with tempfile.TemporaryDirectory() as d:
        for name, (X, y), crits in sets:
            path = os.path.join(d, "data.bin")
            write(path, X, y)
            for threads in (1, 2):
                a = run(before, path, crits, threads)
                b = run(after, path, crits, threads)
                print(f"== {name}, k = 50, threads {threads}")
                for c in crits:
                    ra, rb = a[c], b[c]
                    same = "same" if ra["selected"] == rb["selected"] else "DIFFERENT"
                    per_col = ""
                    if X.shape[1] >= 100000:
                        per_col = (f"  per column {ra['seconds'] / X.shape[1] * 1e6:.2f} -> "
                                   f"{rb['seconds'] / X.shape[1] * 1e6:.2f} us")
                    print(f"  {c:5s} before {ra['seconds']:.4f} s (cpu {ra['cpu_seconds']:.4f})"
                          f"  after {rb['seconds']:.4f} s (cpu {rb['cpu_seconds']:.4f})"
                          f"  after/before {rb['seconds'] / ra['seconds']:.2f}"
                          f"  selection {same}{per_col}")


if __name__ == "__main__":
    main()
