#!/usr/bin/env python3
"""Benchmarks the ``mutinfo`` Python package and prints a markdown table of ratios.

Two measurements, in one run, at RAYON_NUM_THREADS=1 and =2 side by side:

(a) MIM vs sklearn. ``mutinfo.MutualInfoSelector(criterion="mim", k=10).fit(X, y)`` against
    sklearn's ``mutual_info_classif(X, y, discrete_features=True)`` plus the top-10 pick
    (``argsort``), on 100 000 rows x 50 integer features in 0..9 (seeded numpy; the 3-class
    target depends on 10 of them with decreasing weights). Best of 3 wall times and the
    speed-up (target >= 50x). sklearn runs with ``n_jobs`` = the thread count. Checks: the
    selector's ``scores_`` equal sklearn's MI to 1e-9 nats (both are plug-in MI in nats; a
    numeric column with <= 10 distinct values gets one bin per value) and the top 10 agree,
    in order.

(b) Binding overhead. ``MutualInfoSelector(criterion="jmi", k=50).fit(X, y)`` on 10 000 rows
    x 1000 integer features in 0..9 from a numpy array, a pyarrow Table and a polars
    DataFrame (tables built before timing), against the library's compute time on the same
    data measured by the Rust example ``select_timing`` (the data are written in its format:
    ``n: u64, p: u64`` little endian, the columns as ``u8`` codes, then the ``u8`` labels; it
    reports the best wall time of 3 ``mutinfo_select::select`` calls on the already-encoded
    matrix, and that run's CPU time). Overhead = (python - compute) / compute, on wall time
    and on CPU time (all threads; steadier on a shared machine); target < 10%. Beside it, for
    int64 and uint8 features, the example ``int_matrix_timing`` times the library's own work
    from the same row-major matrix in Rust (``small_int_codes`` + ``select``, best of 5): what
    the binding adds over calling the library on the same data. Checks: all inputs,
    ``select_timing`` and ``int_matrix_timing`` give the same ``selected_``.

Each thread count runs in a fresh subprocess of this script with RAYON_NUM_THREADS set, since
rayon reads it when its pool starts.

    # once (any target dir; found through --select-timing, $CARGO_TARGET_DIR,
    # /work/target-bench or ./target):
    CARGO_TARGET_DIR=/work/target-bench cargo build --release -p mutinfo-select \
        --example select_timing --example int_matrix_timing
    PYTHONPATH=python python3 scripts/bench_python.py [--quick] [--dtype uint8]
    # or, after `pip install .`:
    python3 scripts/bench_python.py [--quick]

The speed figures need an optimised build of ``mutinfo._native`` (``pip install .`` or
``maturin develop --release``); a debug build (the default of ``maturin develop``, or a copy of
``target/debug/lib_native.so``) is several times slower in the encoding and says nothing about
the targets. The header line prints which module file was measured.

``--repeats N`` takes the best of N runs on the Python side (``select_timing`` always takes
3). On a loaded machine wall times swing widely; the CPU-time columns are steadier.

``--quick`` shrinks the data ((a) 20 000 x 50, (b) 2000 x 200 with k = 20) for a smoke
test; its figures are not the targets' sizes. Without ``select_timing`` part (b) still runs
and checks the inputs agree, but reports no overhead.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
THREADS = (1, 2)
REPEATS = 3


def sizes(quick: bool) -> dict:
    if quick:
        return dict(a_rows=20_000, a_cols=50, b_rows=2_000, b_cols=200, b_k=20)
    return dict(a_rows=100_000, a_cols=50, b_rows=10_000, b_cols=1_000, b_k=50)


# ----------------------------------------------------------------------------------------
# data


def make_data(n: int, p: int, seed: int, dtype: str = "int64") -> tuple[np.ndarray, np.ndarray]:
    """Integers 0..9 (of `dtype`); a 3-class target from 10 features with decreasing weights,
    plus noise (the informative columns are spread over the matrix, not the first ten)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 10, size=(n, p), dtype=np.int64).astype(dtype)
    informative = rng.choice(p, size=min(10, p), replace=False)
    weights = np.linspace(1.0, 0.1, len(informative))
    s = X[:, informative].astype(np.float64) @ weights + rng.normal(0.0, 2.0, n)
    y = np.digitize(s, np.quantile(s, [1 / 3, 2 / 3])).astype(np.int64)
    return X, y


def write_select_timing_file(path: Path, X: np.ndarray, y: np.ndarray) -> None:
    """The layout `select_timing` reads: n, p (u64 LE), p columns of n u8 codes, n u8 labels.

    The values 0..9 are written as they are; the selector's encoding of a numeric column with
    <= 10 distinct values is one bin per value, the same partition, so the same MI terms."""
    n, p = X.shape
    with open(path, "wb") as f:
        f.write(struct.pack("<QQ", n, p))
        f.write(np.asfortranarray(X.astype(np.uint8)).tobytes(order="F"))
        f.write(y.astype(np.uint8).tobytes())


# ----------------------------------------------------------------------------------------
# worker: one thread count, in its own process


def best_of(fn, repeats: int | None = None):
    """Best wall time of `repeats` calls, the process CPU time (all threads) of that call, and
    the last result."""
    best, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats or REPEATS):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if t < best:
            best, best_cpu = t, c
    return best, best_cpu, out


def worker(data_dir: Path, threads: int) -> dict:
    import mutinfo
    from sklearn.feature_selection import mutual_info_classif

    res: dict = {"threads": threads, "rayon_env": os.environ.get("RAYON_NUM_THREADS")}

    # (a) MIM vs sklearn
    Xa, ya = np.load(data_dir / "a_X.npy"), np.load(data_dir / "a_y.npy")

    def ours_mim():
        return mutinfo.MutualInfoSelector(criterion="mim", k=10).fit(Xa, ya)

    def sk_mim():
        mi = mutual_info_classif(Xa, ya, discrete_features=True, n_jobs=threads)
        return mi, np.argsort(-mi, kind="stable")[:10]

    t_ours, c_ours, sel = best_of(ours_mim)
    t_sk, c_sk, (mi_sk, top_sk) = best_of(sk_mim)
    res["a"] = dict(
        ours=t_ours,
        ours_cpu=c_ours,
        sklearn=t_sk,
        sklearn_cpu=c_sk,
        max_abs_diff=float(np.max(np.abs(sel.scores_ - mi_sk))),
        top_ours=[int(i) for i in sel.selected_],
        top_sklearn=[int(i) for i in top_sk],
    )

    # (b) JMI from numpy, pyarrow, polars
    import polars as pl
    import pyarrow as pa

    Xb, yb = np.load(data_dir / "b_X.npy"), np.load(data_dir / "b_y.npy")
    k = int(json.loads((data_dir / "meta.json").read_text())["b_k"])
    names = [f"x{j}" for j in range(Xb.shape[1])]
    inputs = {
        "numpy": Xb,
        "pyarrow": pa.table({n: Xb[:, j] for j, n in enumerate(names)}),
        "polars": pl.DataFrame({n: Xb[:, j] for j, n in enumerate(names)}),
    }
    res["b"] = {}
    for kind, X in inputs.items():
        t, c, s = best_of(lambda: mutinfo.MutualInfoSelector(criterion="jmi", k=k).fit(X, yb))
        res["b"][kind] = dict(seconds=t, cpu_seconds=c, selected=[int(i) for i in s.selected_])
    return res


# ----------------------------------------------------------------------------------------
# driver


def find_select_timing(given: str | None) -> Path | None:
    if given:
        return Path(given)
    dirs = [os.environ.get("CARGO_TARGET_DIR"), "/work/target-bench", str(REPO / "target")]
    for d in dirs:
        if d:
            exe = Path(d) / "release" / "examples" / "select_timing"
            if exe.is_file() and os.access(exe, os.X_OK):
                return exe
    return None


def run_select_timing(exe: Path, data: Path, k: int, threads: int, *extra: str) -> dict:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(
        [str(exe), str(data), str(k), "jmi", *extra], env=env, check=True, capture_output=True, text=True
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("{"))
    return json.loads(line)


# numpy dtype -> the matrix type of the `int_matrix_timing` example.
INT_MATRIX_DTYPES = {"int64": "i64", "uint8": "u8"}


def run_worker(data_dir: Path, threads: int) -> dict:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    # sklearn / numpy: keep BLAS and OpenMP pools to the same budget.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(data_dir), "--threads", str(threads),
           "--repeats", str(REPEATS)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def ms(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 10 else f"{s:.2f} s"


def pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small data, for a smoke test")
    ap.add_argument("--select-timing", help="path of the select_timing example binary")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per figure, best kept (default 3)")
    ap.add_argument("--dtype", default="int64", help="numpy dtype of the features (default int64; e.g. uint8, float64)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    global REPEATS
    REPEATS = args.repeats

    if args.worker:
        print(json.dumps(worker(Path(args.worker), args.threads)))
        return 0

    sz = sizes(args.quick)
    exe = find_select_timing(args.select_timing)
    tmp = Path(tempfile.mkdtemp(prefix="bench_python_"))
    try:
        Xa, ya = make_data(sz["a_rows"], sz["a_cols"], seed=0, dtype=args.dtype)
        Xb, yb = make_data(sz["b_rows"], sz["b_cols"], seed=1, dtype=args.dtype)
        np.save(tmp / "a_X.npy", Xa)
        np.save(tmp / "a_y.npy", ya)
        np.save(tmp / "b_X.npy", Xb)
        np.save(tmp / "b_y.npy", yb)
        (tmp / "meta.json").write_text(json.dumps(sz))
        write_select_timing_file(tmp / "b.bin", Xb, yb)

        matrix_exe = exe.parent / "int_matrix_timing" if exe is not None else None
        matrix_type = INT_MATRIX_DTYPES.get(args.dtype)
        if matrix_exe is not None and not (matrix_exe.is_file() and matrix_type):
            matrix_exe = None
        results, compute, library = {}, {}, {}
        for t in THREADS:
            print(f"RAYON_NUM_THREADS={t}: python ...", file=sys.stderr, flush=True)
            results[t] = run_worker(tmp, t)
            if exe is not None:
                print(f"RAYON_NUM_THREADS={t}: select_timing ...", file=sys.stderr, flush=True)
                compute[t] = run_select_timing(exe, tmp / "b.bin", sz["b_k"], t)
            if matrix_exe is not None:
                print(f"RAYON_NUM_THREADS={t}: int_matrix_timing ...", file=sys.stderr, flush=True)
                library[t] = run_select_timing(matrix_exe, tmp / "b.bin", sz["b_k"], t, matrix_type)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    import mutinfo

    ok = True
    from mutinfo import _native

    print(f"mutinfo {mutinfo.__version__}, module {_native.__file__}; python {sys.version.split()[0]}; "
          f"features {args.dtype}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; "
          f"best of {REPEATS} wall times (CPU time of that run, all threads of the process)")
    if exe is not None:
        print(f"select_timing: {exe}")
    print()
    a_n = f"{sz['a_rows']:,} x {sz['a_cols']}"
    b_n = f"{sz['b_rows']:,} x {sz['b_cols']}, k={sz['b_k']}"
    hdr = "| measurement | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}" for t in THREADS) + " | target |"
    print(hdr)
    print("|" + "---|" * (len(THREADS) + 2))

    def row(label, cells, target=""):
        print(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row(f"(a) sklearn mutual_info_classif + top-10, {a_n} (n_jobs = threads)",
        [f"{ms(results[t]['a']['sklearn'])} " + (f"({ms(results[t]['a']['sklearn_cpu'])} CPU)" if t == 1 else "(CPU n/a: loky workers)")
         for t in THREADS])
    row("(a) MutualInfoSelector(mim, k=10).fit",
        [f"{ms(results[t]['a']['ours'])} ({ms(results[t]['a']['ours_cpu'])} CPU)" for t in THREADS])
    speedups = {t: results[t]["a"]["sklearn"] / results[t]["a"]["ours"] for t in THREADS}
    row("(a) **speed-up** sklearn / mutinfo (wall)", [f"**{speedups[t]:.0f}x**" for t in THREADS], ">= 50x")
    row("(a) speed-up on CPU time (sklearn n_jobs=1 only)",
        [f"{results[t]['a']['sklearn_cpu'] / results[t]['a']['ours_cpu']:.0f}x" if t == 1 else "n/a" for t in THREADS],
        ">= 50x")
    row("(a) max abs MI difference vs sklearn (nats)",
        [f"{results[t]['a']['max_abs_diff']:.1e}" for t in THREADS], "<= 1e-9")
    row("(a) same top 10, same order", [str(results[t]["a"]["top_ours"] == results[t]["a"]["top_sklearn"]) for t in THREADS])
    for t in THREADS:
        a = results[t]["a"]
        ok &= a["max_abs_diff"] <= 1e-9 and a["top_ours"] == a["top_sklearn"]

    if compute:
        row(f"(b) library compute (select_timing, JMI), {b_n}",
            [f"{ms(compute[t]['seconds'])} ({ms(compute[t]['cpu_seconds'])} CPU)" for t in THREADS])
    for kind in ("numpy", "pyarrow", "polars"):
        row(f"(b) MutualInfoSelector(jmi).fit from {kind}",
            [f"{ms(results[t]['b'][kind]['seconds'])} ({ms(results[t]['b'][kind]['cpu_seconds'])} CPU)" for t in THREADS])
        if compute:
            row(f"(b) **overhead** from {kind}: wall (CPU)",
                [f"**{pct(results[t]['b'][kind]['seconds'] / compute[t]['seconds'] - 1)}** "
                 f"({pct(results[t]['b'][kind]['cpu_seconds'] / compute[t]['cpu_seconds'] - 1)})" for t in THREADS],
                "< 10%")
    if library:
        row(f"(b) library from the same {args.dtype} matrix in Rust: codes + select (int_matrix_timing)",
            [f"{ms(library[t]['both'])} (codes {ms(library[t]['encode'])})" for t in THREADS])
        row("(b) binding over that library call, from numpy (wall)",
            [f"{pct(results[t]['b']['numpy']['seconds'] / library[t]['both'] - 1)}" for t in THREADS])
    same = {}
    for t in THREADS:
        sels = [results[t]["b"][kind]["selected"] for kind in ("numpy", "pyarrow", "polars")]
        if t in compute:
            sels.append(list(compute[t]["selected"]))
        if t in library:
            sels.append(list(library[t]["selected"]))
        same[t] = all(s == sels[0] for s in sels)
        ok &= same[t]
    row("(b) same selected_ (numpy, pyarrow, polars" + (", select_timing" if compute else "")
        + (", int_matrix_timing)" if library else ")"),
        [str(same[t]) for t in THREADS])
    print()
    if not compute:
        print("select_timing not found (build it: CARGO_TARGET_DIR=/work/target-bench cargo build --release "
              "-p mutinfo-select --example select_timing, or pass --select-timing PATH): no overhead figures.")
    print(f"top 10 (a): {results[THREADS[0]]['a']['top_ours']}")
    print(f"first 10 of the JMI selection (b): {results[THREADS[0]]['b']['numpy']['selected'][:10]}")
    if not ok:
        print("CHECK FAILED: see the table", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
