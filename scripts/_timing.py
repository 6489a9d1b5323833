"""Whole-process timing shared by the benchmark scripts: wall, CPU and peak RSS of one
command, read from GNU time (`/usr/bin/time -v`), with RAYON_NUM_THREADS set."""

import os
import re
import subprocess
import sys


def timed(cmd, threads, repeats=1):
    """Runs `cmd` with `threads` rayon threads, `repeats` times; exits with its stderr if it
    fails.

    Returns {"wall": s, "cpu": user + system s, "rss_mb": peak RSS in MiB, "stdout": str}: the
    best wall time and the best CPU time of the runs (as the compute side's best of 3: one run
    of a shared machine can lose a second to the kernel), and the largest peak RSS."""
    runs = [_timed_once(cmd, threads) for _ in range(repeats)]
    best = min(runs, key=lambda r: r["wall"])
    return dict(best, cpu=min(r["cpu"] for r in runs), rss_mb=max(r["rss_mb"] for r in runs))


def _timed_once(cmd, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr[-3000:]}")

    def field(name):
        return re.search(rf"{re.escape(name)}: (.*)", r.stderr).group(1).strip()

    secs = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        secs = secs * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
    return {"wall": secs, "cpu": cpu, "rss_mb": rss_mb, "stdout": r.stdout}
