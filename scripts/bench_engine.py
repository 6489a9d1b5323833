#!/usr/bin/env python3
"""Issue 17: `mutinfo select` on a directory of Parquet files with the memory engine, with
--engine datafusion and with --engine ballista (a scheduler and two executors of `mutinfo
cluster`, started here), in one run: wall time, CPU time, peak RSS, and whether the
selections (names and scores) are the same.

    cargo build --release -p mutinfo-cli --features ballista
    /work/venv/bin/python scripts/bench_engine.py [--rows 20000000] [--files 8] [--k 5]
        [--threads 2] [--memory-limit 300MB] [--dir /tmp/mutinfo-engine-bench] [--bin PATH]
        [--no-ballista]

With ballista, the client's figures are its own process; the executors' peak RSS (VmHWM) is
printed beside them. Each executor runs --threads tasks at once, and the client reads the
input in --threads partitions per executor.

Data (seeded, generated once into --dir and reused): --rows rows in --files files of 24
int16 columns with values 0..9 and an int32 label that depends on f0, f1 and f2 (20 million
rows: 1.04 GB as decoded Arrow arrays). Each engine runs `select DIR --target label
--criterion jmi -k K` under /usr/bin/time -v with RAYON_NUM_THREADS=--threads.

Targets (README, issue 17): datafusion peak RSS <= 300 MB, the same selection as memory, and
the whole process within 3x of memory's wall time.
"""

import argparse
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def generate(d, rows, files):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(17)
    per = rows // files
    for f in range(files):
        n = per if f < files - 1 else rows - per * (files - 1)
        cols = {f"f{j}": rng.integers(0, 10, n, dtype=np.int16) for j in range(24)}
        s = cols["f0"].astype(np.int32) + cols["f1"] // 3 + (cols["f2"] > 6)
        y = ((s + rng.integers(0, 3, n)) % 4).astype(np.int32)
        cols["label"] = y
        pq.write_table(pa.table(cols), d / f"part-{f:03d}.parquet", row_group_size=1 << 20)
    (d / "DONE").write_text(f"{rows} {files}\n")


def free_pair():
    """A local port whose next port is free too (an executor uses both)."""
    while True:
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            p = a.getsockname()[1]
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", p + 1))
                    return p
                except OSError:
                    continue


def wait_for(port):
    start = time.time()
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.time() - start > 60:
            sys.exit(f"port {port} never listened")
        time.sleep(0.05)


def start_cluster(binary, threads):
    """A scheduler and two executors; (scheduler address, processes)."""
    sp = free_pair()
    sched = f"127.0.0.1:{sp}"
    procs = [subprocess.Popen([binary, "cluster", "scheduler", "--bind", sched],
                              stderr=subprocess.DEVNULL)]
    wait_for(sp)
    for _ in range(2):
        ep = free_pair()
        procs.append(subprocess.Popen(
            [binary, "cluster", "executor", "--scheduler", sched, "--bind", f"127.0.0.1:{ep}",
             "--concurrency", str(threads)], stderr=subprocess.DEVNULL))
        wait_for(ep)
    return sched, procs


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="300MB")
    ap.add_argument("--dir", default="/tmp/mutinfo-engine-bench")
    ap.add_argument("--bin", default=str(ROOT / "target/release/mutinfo"))
    ap.add_argument("--no-ballista", action="store_true")
    a = ap.parse_args()
    d = Path(a.dir) / f"{a.rows}x{a.files}"
    if not (d / "DONE").exists():
        generate(d, a.rows, a.files)
    decoded = a.rows * (24 * 2 + 4) / 1e9
    base = [a.bin, "--quiet", "select", str(d), "--target", "label", "--criterion", "jmi",
            "-k", str(a.k), "--format", "json"]
    runs = {
        "memory": base + ["--engine", "memory"],
        "datafusion": base + ["--engine", "datafusion", "--memory-limit", a.memory_limit],
    }
    res = {name: timed(cmd, a.threads) for name, cmd in runs.items()}
    executors_mb = []
    if not a.no_ballista:
        sched, procs = start_cluster(a.bin, a.threads)
        try:
            res["ballista"] = timed(base + ["--engine", "ballista", "--scheduler", sched],
                                    2 * a.threads)
            executors_mb = [peak_rss_mb(p.pid) for p in procs[1:]]
        finally:
            for p in procs:
                p.kill()
                p.wait()
    print(f"data: {a.rows} rows x 24 int16 columns + int32 label in {a.files} files "
          f"({decoded:.2f} GB decoded), JMI k = {a.k}, {a.threads} thread(s)\n")
    print("| engine | wall s | cpu s | peak RSS MB | selection |")
    print("|---|---|---|---|---|")
    for p in res.values():
        p["out"] = json.loads(p["stdout"])
    for name, p in res.items():
        names = ",".join(f["name"] for f in p["out"]["features"])
        print(f"| {name} | {p['wall']:.1f} | {p['cpu']:.1f} | {p['rss_mb']:.0f} | {names} |")
    mem, df = res["memory"], res["datafusion"]
    same = mem["out"]["features"] == df["out"]["features"]
    ratio = df["wall"] / mem["wall"]
    checks = [
        ("same selection and scores", same, ""),
        ("datafusion peak RSS <= 300 MB", df["rss_mb"] <= 300, f"{df['rss_mb']:.0f} MB"),
        ("datafusion within 3x of memory (wall)", ratio <= 3.0, f"{ratio:.2f}x"),
    ]
    if "ballista" in res:
        b = res["ballista"]
        checks.append(("ballista: same selection and scores as memory",
                       b["out"]["features"] == mem["out"]["features"],
                       f"{b['wall'] / mem['wall']:.2f}x memory's wall time, executors' peak RSS "
                       + ", ".join(f"{m:.0f}" for m in executors_mb) + " MB"))
    print()
    for name, ok, fig in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  {fig}")
    passes = a.k + 1
    per_pass = a.rows / (df["wall"] / passes)
    print(f"\ndatafusion: {passes} passes (fit + one per step), "
          f"{per_pass / 1e6:.1f} M rows per second per pass on {a.threads} thread(s)")


if __name__ == "__main__":
    main()
