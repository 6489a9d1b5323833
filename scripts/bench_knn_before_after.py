#!/usr/bin/env python3
"""Times two builds of the `ksg_timing` example (before / after a change) in one run, at 1 and
2 rayon threads, alternating the builds, and prints the time ratios and whether every value
is the same to the last bit.

    cargo build --release -p mutinfo-continuous --example ksg_timing   # in each tree
    python3 scripts/bench_knn_before_after.py BEFORE_EXE AFTER_EXE [N] [ROUNDS]

The workloads (joint spaces of 3 to 6 dimensions) are in the example's documentation. Each
figure is the best over ROUNDS (default 2) runs of the example, each itself the best of 3.
"""
import os
import subprocess
import sys


def run(exe, n, threads):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run([exe, str(n)], env=env, check=True, capture_output=True, text=True)
    rows = {}
    for line in out.stdout.splitlines():
        name, _, secs, value = line.split("\t")
        rows[name] = (float(secs), value)
    return rows


def main():
    before, after = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    print(f"n = {n}; seconds, best of {rounds} x 3")
    print("| case | threads | before | after | after / before | same value |")
    print("|---|---|---|---|---|---|")
    for threads in (1, 2):
        best = {}
        for _ in range(rounds):
            for label, exe in (("before", before), ("after", after)):
                for name, (secs, value) in run(exe, n, threads).items():
                    key = (name, label)
                    old = best.get(key)
                    best[key] = (min(secs, old[0]) if old else secs, value)
        names = sorted({name for name, _ in best}, key=lambda s: list(best).index((s, "before")))
        for name in names:
            b, bv = best[(name, "before")]
            a, av = best[(name, "after")]
            print(f"| {name} | {threads} | {b:.4f} | {a:.4f} | {a / b:.2f} | {'yes' if av == bv else 'NO: ' + bv + ' vs ' + av} |")


if __name__ == "__main__":
    main()
