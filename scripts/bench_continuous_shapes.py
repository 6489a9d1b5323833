"""KSG-1 time for one feature at N = 100,000 on data shapes where the 1-D grid search is
refused (strong dependence, heavy tails) and on ordinary data, one rayon thread.

Run from the repository root:
  cargo build --release -p mutinfo-continuous --example mi_file
  python3 scripts/bench_continuous_shapes.py
"""
import os
import struct
import subprocess
import tempfile

import numpy as np

exe = os.environ.get("MI_FILE_EXE") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "mi_file")
rng = np.random.default_rng(1)
n = 100_000
y = rng.standard_normal(n)
cases = {
    "independent normal": rng.standard_normal(n),
    "rho = 0.9": 0.9 * y + np.sqrt(1 - 0.81) * rng.standard_normal(n),
    "rho = 0.99": 0.99 * y + np.sqrt(1 - 0.99 ** 2) * rng.standard_normal(n),
    "Cauchy, independent": rng.standard_cauchy(n),
    "Cauchy, depends on y": np.tan(np.arctan(y) + 0.3 * rng.standard_normal(n)),
    "x = y^2 + noise": y ** 2 + 0.01 * rng.standard_normal(n),
}
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "c.bin")
    print(f"{'data':24s} KSG-1 ms (wall, CPU), best of 3")
    for name, x in cases.items():
        with open(path, "wb") as f:
            f.write(struct.pack("<QQQ", n, 1, 0))
            f.write(x.astype("<f8").tobytes())
            f.write(y.astype("<f8").tobytes())
        out = subprocess.run([exe, "many", path, "3", "3"], env=dict(os.environ, RAYON_NUM_THREADS="1"),
                             capture_output=True, text=True, check=True).stdout
        line = next(l for l in out.split("\n") if l.startswith("time_ms ksg"))
        print(f"{name:24s} {line.split()[2]:>8s} {line.split()[3]:>8s}")
