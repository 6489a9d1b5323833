#!/usr/bin/env python3
"""Export the data sets of the active-learning curves (crates/mutinfo-active/examples/
active_learning_curves.rs) as .npy files: features standardized and PCA-reduced (so the
logistic committees fit in milliseconds), labels as float64 class indices 0..C-1.

    python3 scripts/export_active_datasets.py [OUT_DIR=/tmp/mutinfo-active-data]

- digits:   sklearn.datasets.load_digits (1797 x 64, 10 classes), PCA to 32 dims
- isolet:   ../shared/datasets/isolet.parquet (1560 x 617, 26 classes), PCA to 40 dims
- coil20:   ../shared/datasets/coil20.parquet (1440 x 1024, 20 classes), PCA to 40 dims
Each set is split once (seed 0) into a pool (70%) and a held-out test set (30%).
The "repeated" variant of digits (pool points duplicated 3x with small Gaussian noise, as
Repeated-MNIST in Kirsch et al. 2019) is built by the Rust example itself.
"""
import os
import sys

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets")


def save(out, name, x, y, dims):
    y = np.unique(y, return_inverse=True)[1]
    x = StandardScaler().fit_transform(x.astype(np.float64))
    x = PCA(n_components=dims, random_state=0).fit_transform(x)
    x = x / x[:, 0].std()
    xp, xt, yp, yt = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    for part, arr in [("pool_x", xp), ("pool_y", yp), ("test_x", xt), ("test_y", yt)]:
        np.save(os.path.join(out, f"{name}_{part}.npy"), np.asarray(arr, dtype=np.float64))
    print(f"{name}: pool {xp.shape}, test {xt.shape}, classes {y.max() + 1}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/mutinfo-active-data"
    os.makedirs(out, exist_ok=True)
    d = load_digits()
    save(out, "digits", d.data, d.target, 32)
    for name in ["isolet", "coil20"]:
        path = os.path.join(SHARED, f"{name}.parquet")
        if not os.path.exists(path):
            print(f"{name}: {path} not found, skipped")
            continue
        df = pd.read_parquet(path)
        save(out, name, df.drop(columns=["label"]).to_numpy(), df["label"].to_numpy(), 40)


if __name__ == "__main__":
    main()
