#!/usr/bin/env python3
"""MI of every column of an n x p uint8 table against a 10-class target: mutinfo vs sklearn.

Times sklearn.feature_selection.mutual_info_classif(discrete_features=True) and mutinfo's
`mutual_information_many` (example mi_many_raw, 1 and 2 threads) on the same data in one run,
checks that the values agree, and prints the ratio. Not part of CI.

    python3 scripts/bench_core_vs_sklearn.py [--n 1000000] [--p 200]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--p", type=int, default=200)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--sklearn-columns", type=int, default=None,
                    help="time sklearn on this many columns and scale (default: all)")
    args = ap.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    rng = np.random.default_rng(7)
    n, p = args.n, args.p
    y = rng.integers(0, args.classes, n).astype(np.uint8)
    X = rng.integers(0, 256, (p, n)).astype(np.uint8)  # column-major on disk
    # make a few columns informative so the values are not all near zero
    for j in range(0, p, 10):
        X[j] = np.where(rng.random(n) < 0.3, y * 20, X[j]).astype(np.uint8)
    with tempfile.TemporaryDirectory() as d:
        X.tofile(os.path.join(d, "X.bin"))
        y.tofile(os.path.join(d, "y.bin"))
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "mutinfo-core", "--example",
                        "mi_many_raw"], cwd=root, check=True)
        exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")),
                           "release", "examples", "mi_many_raw")
        ours = {}
        for threads in (1, 2):
            env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
            out = subprocess.run([exe, d, str(n), str(p), "3"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            ours[threads] = json.loads(out)
    from sklearn.feature_selection import mutual_info_classif
    cols = args.sklearn_columns or p
    Xs = np.ascontiguousarray(X[:cols].T)
    t = time.perf_counter()
    ref = mutual_info_classif(Xs, y, discrete_features=True)
    sk = (time.perf_counter() - t) * p / cols
    diff = np.max(np.abs(np.array(ours[1]["mi"][:cols]) - ref))
    print(f"table {n} x {p} uint8, {args.classes}-class target")
    print(f"sklearn mutual_info_classif(discrete_features=True): {sk:.3f} s"
          + ("" if cols == p else f" (timed on {cols} columns, scaled)"))
    for threads in (1, 2):
        o = ours[threads]
        print(f"mutinfo {threads} thread(s): {o['seconds']:.4f} s, "
              f"{o['cells_per_second'] / 1e9:.2f} Gcells/s, {sk / o['seconds']:.0f}x sklearn")
    print(f"max |mutinfo - sklearn| = {diff:.2e} nats")
    if diff > 1e-9:
        sys.exit("values disagree")


if __name__ == "__main__":
    main()
