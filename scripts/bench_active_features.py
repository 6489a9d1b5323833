#!/usr/bin/env python3
"""Issue 19: does a feature map change how BatchBALD compares with margin? Maps the features of
digits, isolet and coil20, writes them as Parquet and runs `mutinfo active simulate` on them
with the default (Laplace) committee: 5 seeds, batch 10, 20 initial labels, budget 200.

    cargo build --release -p mutinfo-cli
    python3 scripts/bench_active_features.py --features nystroem300 [--bin PATH] [--out DIR]

--features: pcaR (sklearn PCA, R components), nystroemM (sklearn Nystroem, RBF kernel, M
components) or rbfM (the RBF kernel to M pool rows drawn at random, unorthogonalized); the
kernel's gamma is 1 / the median squared distance to those rows, after standardizing. The
maps are fitted on all rows of a set (held-out rows included): an experiment, not a method.
Prints the mean AUC per acquisition and set.
"""
import argparse
import concurrent.futures as cf
import os
import re
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_active_simulate import SHARED, bin_argument, simulate  # noqa: E402


def load(name):
    if name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        return d.data.astype(float), d.target
    t = pq.read_table(os.path.join(SHARED, f"{name}.parquet")).to_pandas()
    y = t.pop("label").to_numpy()
    return t.to_numpy(float), y


def feature_spec(spec):
    """`pcaR`, `nystroemM` or `rbfM` as (kind, size), or an argparse error naming the value."""
    m = re.fullmatch(r"(pca|nystroem|rbf)([1-9]\d*)", spec)
    if m is None:
        raise argparse.ArgumentTypeError(
            f"{spec!r}: expected pcaR, nystroemM or rbfM with a positive size, e.g. nystroem300"
        )
    return m.group(1), int(m.group(2))


def mapped(x, spec):
    kind, size = spec
    if kind == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=size, random_state=0).fit_transform(x)
    x = (x - x.mean(0)) / np.maximum(x.std(0), 1e-12)
    rows = x[np.random.default_rng(0).choice(len(x), size, replace=False)]
    d2 = ((x[:, None, :] - rows[None, :, :]) ** 2).sum(-1)
    gamma = 1.0 / np.median(d2)
    if kind == "rbf":
        return np.exp(-gamma * d2)
    from sklearn.kernel_approximation import Nystroem

    return Nystroem(gamma=gamma, n_components=size, random_state=0).fit(x).transform(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True, type=feature_spec)
    ap.add_argument("--sets", default="digits,isolet,coil20")
    ap.add_argument("--acquisition", default="random,bald,batchbald,margin")
    ap.add_argument("--out", default="/tmp/mutinfo-active-features")
    bin_argument(ap)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    def run(name):
        x, y = load(name)
        z = mapped(x, a.features)
        cols = {f"c{i}": z[:, i] for i in range(z.shape[1])}
        cols["label"] = y.astype(np.int32)
        stem = os.path.join(a.out, f"{name}-{''.join(map(str, a.features))}")
        pq.write_table(pa.table(cols), stem + ".parquet")
        return name, simulate(a.bin, stem + ".parquet", stem + ".json", a.acquisition)["methods"]

    with cf.ThreadPoolExecutor(2) as ex:
        for name, methods in ex.map(run, a.sets.split(",")):
            print("".join(map(str, a.features)), name, " ".join(f"{m['method']}={m['auc_mean']:.3f}" for m in methods),
                  flush=True)


if __name__ == "__main__":
    main()
