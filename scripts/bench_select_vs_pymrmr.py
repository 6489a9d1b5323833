#!/usr/bin/env python3
"""Times mutinfo-select against pymrmr (mRMR MID/MIQ) and sklearn's univariate
mutual_info_classif (MIM) on the same discretized data, in one run, and prints ratios.

Data: sklearn make_classification (2 classes, 10 informative, 10 redundant features,
random_state=0), each column cut into 10 equal-width bins (KBinsDiscretizer strategy="uniform").
Sizes 2000 x 500 and 10000 x 1000, k = 50.

    cargo build --release -p mutinfo-select --example select_timing
    RAYON_NUM_THREADS=1 python3 scripts/bench_select_vs_pymrmr.py
    RAYON_NUM_THREADS=2 python3 scripts/bench_select_vs_pymrmr.py

pymrmr (pip install cython; pip install --no-build-isolation pymrmr) is Peng's C++ mrmr code;
it is single-threaded. sklearn's mutual_info_classif with discrete_features=True computes
the same plug-in MI (nats) per feature; it runs with n_jobs=1.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.feature_selection import mutual_info_classif

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
EXE = os.path.join(TARGET_DIR, "release", "examples", "select_timing")
K = 50


def data(n, p):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=10, n_redundant=10,
                               random_state=0)
    lo, hi = X.min(axis=0), X.max(axis=0)
    codes = np.minimum(((X - lo) / (hi - lo) * 10).astype(np.int64), 9).astype(np.uint8)
    return codes, y.astype(np.uint8)


def best_of(f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    threads = os.environ.get("RAYON_NUM_THREADS", "all")
    try:
        import pymrmr
    except ImportError:
        pymrmr = None
        print("pymrmr not installed: skipping it")
    for n, p in [(2000, 500), (10000, 1000)]:
        X, y = data(n, p)
        with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
            f.write(struct.pack("<QQ", n, p))
            f.write(np.asfortranarray(X).tobytes(order="F"))
            f.write(y.tobytes())
            path = f.name
        out = subprocess.run([EXE, path, str(K), "mim", "mrmr", "mrmr-quotient", "jmi", "cmim",
                              "disr", "jmim"], check=True, capture_output=True, text=True).stdout
        ours = {r["criterion"]: r for r in map(json.loads, out.splitlines())}
        os.unlink(path)
        print(f"\n== {n} x {p}, k = {K}, mutinfo threads: {threads}")
        for c, r in ours.items():
            print(f"mutinfo {c:14s} {r['seconds']:.4f} s")
        t_sk, mi = best_of(lambda: mutual_info_classif(X, y, discrete_features=True), 1)
        order = sorted(range(p), key=lambda j: (-mi[j], j))[:K]
        same = order == ours["mim"]["selected"]
        print(f"sklearn mutual_info_classif (MIM) {t_sk:.3f} s  -> ratio {t_sk / ours['mim']['seconds']:.0f}x"
              f"  (same top-{K}: {same})")
        if pymrmr is not None:
            df = pd.DataFrame(X, columns=[f"f{j}" for j in range(p)])
            df.insert(0, "class", y)
            for method, c in (("MID", "mrmr"), ("MIQ", "mrmr-quotient")):
                t, sel = best_of(lambda: pymrmr.mRMR(df, method, K), 1)
                sel = [int(s[1:]) for s in sel]
                same = sel == ours[c]["selected"]
                print(f"pymrmr {method} {t:.3f} s  -> ratio {t / ours[c]['seconds']:.0f}x"
                      f"  (same selection: {same})")


if __name__ == "__main__":
    sys.exit(main())
