"""The "Beyond Normal" benchmark (Czyz et al., NeurIPS 2023; PyPI benchmark-mi 0.1.3) for
mutinfo-continuous: all 40 tasks at N = 5000 over several seeds, mean absolute error (nats)
per estimator against the ground truth. Not run in CI.

Setup (a venv so the pinned jax does not disturb the system numpy):
  python3 -m venv --system-site-packages /work/venv-cont
  /work/venv-cont/bin/pip install benchmark-mi==0.1.3 jax==0.4.30 jaxlib==0.4.30
  /work/venv-cont/bin/pip install --no-deps equinox==0.11.4   # pip's resolver refuses the pin set
  cargo build --release -p mutinfo-continuous --example mi_file
  /work/venv-cont/bin/python scripts/benchmark_mi_continuous.py [SEEDS]
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
from bmi.benchmark import BENCHMARK_TASKS

N = 5000
K = 3
# SEEDS: a count (seeds 0..SEEDS-1) or a comma-separated list ("3,4": held-out seeds).
SEEDS_ARG = sys.argv[1] if len(sys.argv) > 1 else "3"
SEED_LIST = [int(s) for s in SEEDS_ARG.split(",")] if "," in SEEDS_ARG else list(range(int(SEEDS_ARG)))
exe = os.environ.get("MI_FILE_EXE") or os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "mi_file")
ESTIMATORS = ["ksg", "ksg2", "mixed", "gaussian", "copula", "ksg-copula", "elliptical", "auto"]

rows = []
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "s.bin")
    for tid, task in BENCHMARK_TASKS.items():
        errs = {e: [] for e in ESTIMATORS}
        picks = set()
        for seed in SEED_LIST:
            x, y = task.sample(N, seed=seed)
            x, y = np.asarray(x, dtype="<f8"), np.asarray(y, dtype="<f8")
            with open(path, "wb") as f:
                f.write(struct.pack("<QQQ", N, x.shape[1], y.shape[1]))
                f.write(np.ascontiguousarray(np.hstack([x, y])).tobytes())
            out = subprocess.run([exe, "estimate", path, str(K)], check=True, capture_output=True,
                                 text=True).stdout
            for line in out.strip().split("\n"):
                name, val, used = line.split()[:3]
                if name in errs:
                    errs[name].append(abs(float(val) - task.mutual_information))
                if name == "auto":
                    picks.add(used)
        row = {"task": tid, "dx": task.dim_x, "dy": task.dim_y, "truth": task.mutual_information,
               "auto_picked": sorted(picks), **{e: float(np.mean(v)) for e, v in errs.items()}}
        rows.append(row)
        print(f"{tid:50s} " + " ".join(f"{e}={row[e]:.3f}" for e in ESTIMATORS) + f"  auto->{row['auto_picked']}",
              flush=True)

print(f"\nMean absolute error (nats), 40 tasks, N = {N}, k = {K}, seeds = {SEED_LIST}")
print("| estimator | MAE |\n|---|---|")
for e in ESTIMATORS:
    print(f"| {e} | {np.mean([r[e] for r in rows]):.3f} |")
best = np.mean([min(r[e] for e in ESTIMATORS if e != "auto") for r in rows])
print(f"| best of the other {len(ESTIMATORS) - 1} per task (hindsight) | {best:.3f} |")
with open(f"/tmp/benchmark_mi_continuous_{SEEDS_ARG.replace(',', '_')}.json", "w") as f:
    json.dump(rows, f, indent=1)
