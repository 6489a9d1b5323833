#!/usr/bin/env python3
"""Times mutinfo-select against pymrmr (mRMR MID/MIQ) and sklearn's univariate
mutual_info_classif (MIM) on the same discretized data, in one run, prints ratios, and checks
mutinfo's one-thread times against the praznik-derived targets of issue #4.

Data: sklearn make_classification (2 classes, 10 informative, 10 redundant features,
random_state=0), each column cut into 10 equal-width bins. Sizes 2000 x 500 and
10000 x 1000, k = 50.

    export CARGO_TARGET_DIR=/work/target-a   # or wherever the example was built
    cargo build --release -p mutinfo-select --example select_timing
    RAYON_NUM_THREADS=1 python3 scripts/bench_select_vs_pymrmr.py
    RAYON_NUM_THREADS=2 python3 scripts/bench_select_vs_pymrmr.py
    python3 scripts/bench_select_vs_pymrmr.py --pymrmr-full   # pymrmr at k = 50 (hours)

mutinfo's figure is the best wall time of 3 runs; the CPU time of that run (all threads) is
printed beside it, since on a shared machine wall time includes time spent waiting for a core.
pymrmr (pip install cython wheel setuptools; pip install --no-build-isolation pymrmr) is Peng's
C++ mrmr code; it is single-threaded and timed once per run. It is not incremental: at step t
it recomputes I(X;Y) and the t redundancies I(X;X_s) of every candidate, so a run of k steps
computes M(k) = p + sum_{t=1}^{k-1} (p - t)(t + 1) mutual informations (k = 50 at 10000 x 1000:
1.2 million; about 0.5 ms each at 2000 x 500 on a 2-core EPYC, so hours). By default pymrmr
is therefore timed at k = 2 and at a small k (--pymrmr-k, default 10 at 2000 x 500 and 5 at
10000 x 1000), the line T(k) = a + b M(k) is fitted through the two times, and T(50) is
EXTRAPOLATED from it and labelled as such (the two measured times are printed too).
--pymrmr-full times it at k = 50 instead. Its selection is compared with mutinfo's on the
steps it ran. sklearn's mutual_info_classif with discrete_features=True computes the same
plug-in MI (nats) per feature; it runs with n_jobs=1.

Targets (5x faster than praznik's one-thread times at 10000 x 1000, k = 50: JMI 1.75 s,
mRMR 0.92 s, CMIM 0.073 s): JMI <= 0.35 s, mRMR <= 0.18 s, CMIM <= 0.07 s.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.feature_selection import mutual_info_classif

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
EXE = os.path.join(TARGET_DIR, "release", "examples", "select_timing")
K = 50
TARGETS = {"jmi": 0.35, "mrmr": 0.18, "cmim": 0.07}
SIZES = [(2000, 500), (10000, 1000)]


def data(n, p):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=10, n_redundant=10,
                               random_state=0)
    lo, hi = X.min(axis=0), X.max(axis=0)
    codes = np.minimum(((X - lo) / (hi - lo) * 10).astype(np.int64), 9).astype(np.uint8)
    return codes, y.astype(np.uint8)


class quiet:
    """Silences file descriptor 1 (pymrmr's C++ code prints every step with printf)."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)

    def __exit__(self, *exc):
        os.dup2(self.saved, 1)
        os.close(self.saved)


def quietly(f):
    def g():
        with quiet():
            return f()
    return g


def best_of(f, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def pymrmr_mis(p, k):
    """Mutual informations Peng's mrmr computes in a run of k steps (see the docstring)."""
    return p + sum((p - t) * (t + 1) for t in range(1, k))


def run_mutinfo(X, y, crits):
    n, p = X.shape
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(struct.pack("<QQ", n, p))
        f.write(np.asfortranarray(X).tobytes(order="F"))
        f.write(y.tobytes())
        path = f.name
    try:
        out = subprocess.run([EXE, path, str(K), *crits], check=True, capture_output=True,
                             text=True).stdout
    finally:
        os.unlink(path)
    return {r["criterion"]: r for r in map(json.loads, out.splitlines())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pymrmr-k", type=int, default=None,
                    help="small k pymrmr is timed at (default 10 at 2000 x 500, 5 above)")
    ap.add_argument("--pymrmr-full", action="store_true", help="time pymrmr at k = 50")
    ap.add_argument("--no-pymrmr", action="store_true")
    ap.add_argument("--sizes", default="2000x500,10000x1000")
    args = ap.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    threads = os.environ.get("RAYON_NUM_THREADS", "all")
    pymrmr = None
    if not args.no_pymrmr:
        try:
            import pandas as pd
            import pymrmr
        except ImportError:
            print("pymrmr (or pandas) not installed: skipping it")
    crits = ["mim", "mrmr", "mrmr-quotient", "jmi", "cmim", "disr", "jmim"]
    for n, p in sizes:
        X, y = data(n, p)
        ours = run_mutinfo(X, y, crits)
        print(f"\n== {n} x {p}, k = {K}, mutinfo threads: {threads}")
        for c, r in ours.items():
            cpu = r.get("cpu_seconds")
            cpu = f"  (cpu {cpu:.4f} s)" if cpu is not None else ""
            print(f"mutinfo {c:14s} {r['seconds']:.4f} s{cpu}")
        t_sk, mi = best_of(lambda: mutual_info_classif(X, y, discrete_features=True), 1)
        order = sorted(range(p), key=lambda j: (-mi[j], j))[:K]
        same = order == ours["mim"]["selected"]
        print(f"sklearn mutual_info_classif (MIM) {t_sk:.3f} s  -> mutinfo MIM "
              f"{t_sk / ours['mim']['seconds']:.0f}x faster  (same top-{K}: {same})")
        if pymrmr is not None:
            import pandas as pd
            df = pd.DataFrame(X, columns=[f"f{j}" for j in range(p)])
            df.insert(0, "class", y)
            kp = args.pymrmr_k or (10 if n * p <= 2000 * 500 else 5)
            for method, c in (("MID", "mrmr"), ("MIQ", "mrmr-quotient")):
                if args.pymrmr_full:
                    t, sel = best_of(quietly(lambda: pymrmr.mRMR(df, method, K)), 1)
                    label = f"{t:.3f} s (measured at k = {K})"
                else:
                    t2, _ = best_of(quietly(lambda: pymrmr.mRMR(df, method, 2)), 1)
                    tk, sel = best_of(quietly(lambda: pymrmr.mRMR(df, method, kp)), 1)
                    b = (tk - t2) / (pymrmr_mis(p, kp) - pymrmr_mis(p, 2))
                    a = t2 - b * pymrmr_mis(p, 2)
                    t = a + b * pymrmr_mis(p, K)
                    label = (f"measured {t2:.2f} s at k = 2 and {tk:.2f} s at k = {kp}; "
                             f"EXTRAPOLATED to k = {K}: {t:.0f} s")
                sel = [int(s[1:]) for s in sel]
                same = sel == ours[c]["selected"][:len(sel)]
                print(f"pymrmr {method} {label}  -> mutinfo {t / ours[c]['seconds']:.0f}x faster"
                      f"  (same selection on its {len(sel)} steps: {same})")
        if (n, p) == (10000, 1000):
            print(f"targets (one thread; met only if RAYON_NUM_THREADS=1, now {threads}):")
            for c, limit in TARGETS.items():
                r = ours[c]
                wall, cpu = r["seconds"], r.get("cpu_seconds")
                verdict = "MET" if wall <= limit else "NOT met"
                cpu_note = ""
                if cpu is not None:
                    cpu_note = f", cpu {cpu:.4f} s {'MET' if cpu <= limit else 'NOT met'}"
                print(f"  {c:5s} <= {limit:.2f} s: wall {wall:.4f} s {verdict}{cpu_note}")


if __name__ == "__main__":
    sys.exit(main())
