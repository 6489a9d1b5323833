"""Times sklearn 1.9.1 mutual_info_regression against mutinfo-continuous KSG-1 in one run.

Workloads: 100 features x 10,000 rows against a continuous target, and one feature at
N = 100,000. mutinfo runs with 1 and 2 rayon threads (RAYON_NUM_THREADS); sklearn with its
defaults (n_jobs=None: one thread). Both wall-clock and CPU time are reported: on a shared,
oversubscribed machine wall time mostly measures the other tenants, while the CPU time of a
single-threaded run measures the work. Our times are measured inside the Rust process around
`ContinuousMi::many` (best of REPEATS), sklearn's around the call. Also checks that our values
equal sklearn's noise-free internals on the first features.

Run from the repository root:
  cargo build --release -p mutinfo-continuous --example mi_file
  python3 scripts/bench_continuous_vs_sklearn.py
(CARGO_TARGET_DIR and MI_FILE_EXE, if set, are honoured.)
"""
import os
import struct
import subprocess
import tempfile
import time

import numpy as np
import sklearn
from sklearn.feature_selection import mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc
from sklearn.preprocessing import scale

exe = os.environ.get("MI_FILE_EXE") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "mi_file")
rng = np.random.default_rng(0)


def write(path, x, y):
    n, p = x.shape
    with open(path, "wb") as f:
        f.write(struct.pack("<QQQ", n, p, 0))
        f.write(np.ascontiguousarray(x, dtype="<f8").tobytes())
        f.write(np.ascontiguousarray(y, dtype="<f8").tobytes())


def ours(path, threads, repeats):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run([exe, "many", path, "3", str(repeats)], env=env, check=True,
                         capture_output=True, text=True).stdout.split("\n")
    t = {l.split()[1]: (float(l.split()[2]), float(l.split()[3])) for l in out if l.startswith("time_ms")}
    vals = np.array([float(v) for v in next(l for l in out if l.startswith("values")).split()[1:]])
    return t, vals


def sk_time(x, y, repeats):
    wall, cpu = np.inf, np.inf
    for r in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        mutual_info_regression(x, y, n_neighbors=3, random_state=r)
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall * 1e3, cpu * 1e3


print(f"sklearn {sklearn.__version__}, cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
with tempfile.TemporaryDirectory() as d:
    for name, n, p, sk_rep, our_rep in [("100 features x 10,000 rows", 10_000, 100, 2, 3),
                                        ("1 feature x 100,000 rows", 100_000, 1, 1, 5)]:
        y = rng.standard_normal(n)
        w = np.linspace(0, 1, p)
        x = y[:, None] * w[None, :] + rng.standard_normal((n, p))
        path = os.path.join(d, "m.bin")
        write(path, x, y)
        sk_wall, sk_cpu = sk_time(x, y, sk_rep)
        t1, vals = ours(path, 1, our_rep)
        t2, _ = ours(path, 2, our_rep)
        # sklearn's internals after its scaling (as mutual_info_regression and mutinfo do)
        ref = [_compute_mi_cc(scale(x[:, j], with_mean=False), scale(y, with_mean=False), 3)
               for j in range(min(p, 3))]
        diff = max(abs(max(v, 0) - r) for v, r in zip(vals, ref))
        print(f"\n{name}                      wall ms     CPU ms   speed-up (wall / CPU)")
        print(f"  sklearn mutual_info_regression {sk_wall:10.1f} {sk_cpu:10.1f}")
        for est in ["ksg", "copula", "auto"]:
            for th, t in [(1, t1), (2, t2)]:
                w, c = t[est]
                print(f"  mutinfo {est:6s} {th} thread{'s' if th > 1 else ' '}       {w:10.1f} {c:10.1f}   "
                      f"x{sk_wall / w:.1f} / x{sk_cpu / c:.1f}")
        print(f"  max |ours (clipped at 0) - sklearn noise-free| on the first features: {diff:.1e}")
