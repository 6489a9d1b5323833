#!/usr/bin/env python3
"""Independent brute-force reference for mutinfo-select's greedy criteria.

Every criterion is recomputed from scratch at every step from plug-in entropies (nats) of
the raw integer values (no binning), with no incremental state, following the formulas of
Brown, Pocock, Zhao & Lujan (JMLR 2012) and the original papers:

  MIM      I(X;Y)
  MIFS(b)  I(X;Y) - b * sum_s I(X;Xs)                                    (Battiti 1994)
  MID      I(X;Y) - mean_s I(X;Xs)                                       (Peng et al. 2005)
  MIQ      I(X;Y) / (mean_s I(X;Xs) + 1e-4)          (Peng's mrmr code adds 0.0001)
  JMI      sum_s I(X,Xs;Y)                                               (Yang & Moody 1999)
  CMIM     min(I(X;Y), min_s I(X;Y|Xs))  capped, FEAST / praznik        (Fleuret 2004)
  CMIM-u   min_s I(X;Y|Xs)               uncapped, scikit-feature
  DISR     sum_s I(X,Xs;Y) / H(X,Xs,Y)                                   (Meyer et al. 2008)
  ICAP     I(X;Y) - sum_s max(0, I(X;Xs) - I(X;Xs|Y))                    (Jakulin 2005)
  CIFE     I(X;Y) - sum_s (I(X;Xs) - I(X;Xs|Y))                          (Lin & Tang 2006)
  CondMI   I(X;Y|X_S) with X_S the joint of all selected features       (Brown et al. 2012)
  JMIM     min_s I(X,Xs;Y)                                              (Bennasar et al. 2015)
  NJMIM    min_s I(X,Xs;Y) / H(X,Xs,Y)                                  (Bennasar et al. 2015)
  BG(b,g)  I(X;Y) - b sum_s I(X;Xs) + g sum_s I(X;Xs|Y)                  (Brown et al. 2012)

The first feature is always the most relevant one (max I(X;Y)); ties go to the lowest column
index. Entropies are (N ln N - sum n ln n)/N with each n ln n rounded once to a double and the
sum taken exactly (Python integers in 2^-80 fixed point), so two tables equal up to relabeling
give bit-identical entropies and exact ties survive; the rounding is the one documented in
mutinfo_core::exact, so mathematically equal values of different tables (e.g. counts {4} and
{2,2,2,2}-like identities under conditioning) also tie as they do there. Plug-in MI is
clamped at 0.

Usage: python3 scripts/golden_select.py [DATASET_DIR]
Prints the selections (k = 10) on lung_small and colon for every criterion, and checks the
known answers of DATASET_DIR/README.md.
"""
import json
import math
import sys

import numpy as np
import pyarrow.parquet as pq


SCALE = 2.0**80


def fixed(c):
    """c ln c rounded once to f64, then to 2^-80 fixed point (truncated), as mutinfo_core::exact."""
    return int((c * math.log(c)) * SCALE) if c > 1 else 0


def exact_entropy(counts, n):
    """(N ln N - sum n ln n) / N with the sum exact, rounded as mutinfo_core::exact does."""
    d = fixed(n) - sum(fixed(c) for c in counts)
    return (float(d) / SCALE) / n


def H(*cols):
    n = len(cols[0])
    if len(cols) == 1:
        key = cols[0]
    else:
        key = np.zeros(n, dtype=np.int64)
        for c in cols:
            key = key * (int(c.max()) + 1) + c
    _, counts = np.unique(key, return_counts=True)
    return exact_entropy(counts.tolist(), n)


def clamp(v):
    return max(v, 0.0)


class Terms:
    """Entropies of (X, Z, Y) with the same formulas as mutinfo_core::TripleEntropies."""

    def __init__(self, x, z, y):
        self.h_x, self.h_z, self.h_y = H(x), H(z), H(y)
        self.h_xz, self.h_xy, self.h_zy = H(x, z), H(x, y), H(z, y)
        self.h_xzy = H(x, z, y)

    def mi_xz(self):
        return clamp(self.h_x + self.h_z - self.h_xz)

    def cmi_xz_given_y(self):
        return clamp(self.h_xy + self.h_zy - self.h_xzy - self.h_y)

    def cmi_xy_given_z(self):
        return clamp(self.h_xz + self.h_zy - self.h_xzy - self.h_z)

    def joint_mi(self):
        return clamp(self.h_xz + self.h_y - self.h_xzy)


def relevance(x, y):
    return clamp(H(x) + H(y) - H(x, y))


def score(crit, X, y, j, sel, rel, params):
    x = X[:, j]
    if crit == "mim":
        return rel[j]
    if crit == "condmi":
        joint = np.zeros(len(y), dtype=np.int64)
        for s in sel:
            _, inv = np.unique(joint * (int(X[:, s].max()) + 1) + X[:, s], return_inverse=True)
            joint = inv.astype(np.int64)
        return Terms(x, joint, y).cmi_xy_given_z()
    terms = [Terms(x, X[:, s], y) for s in sel]
    # Sums in selection order, exactly as the engine accumulates them.
    if crit == "mifs":
        acc = 0.0
        for t in terms:
            acc += t.mi_xz()
        return rel[j] - params["beta"] * acc
    if crit in ("mrmr", "mrmr-quotient"):
        acc = 0.0
        for t in terms:
            acc += t.mi_xz()
        mean = acc / len(sel)
        return rel[j] - mean if crit == "mrmr" else rel[j] / (mean + 1e-4)
    if crit == "jmi":
        acc = 0.0
        for t in terms:
            acc += t.joint_mi()
        return acc
    if crit == "disr":
        acc = 0.0
        for t in terms:
            acc += t.joint_mi() / t.h_xzy if t.h_xzy > 0 else 0.0
        return acc
    if crit in ("cmim", "cmim-uncapped"):
        m = rel[j] if crit == "cmim" else math.inf
        for t in terms:
            m = min(m, t.cmi_xy_given_z())
        return m
    if crit == "jmim":
        return min(t.joint_mi() for t in terms)
    if crit == "njmim":
        return min((t.joint_mi() / t.h_xzy if t.h_xzy > 0 else 0.0) for t in terms)
    if crit == "icap":
        acc = 0.0
        for t in terms:
            acc += max(0.0, t.mi_xz() - t.cmi_xz_given_y())
        return rel[j] - acc
    if crit == "cife":
        red, cred = 0.0, 0.0
        for t in terms:
            red += t.mi_xz()
            cred += t.cmi_xz_given_y()
        return rel[j] - red + cred
    if crit == "beta-gamma":
        red, cred = 0.0, 0.0
        for t in terms:
            red += t.mi_xz()
            cred += t.cmi_xz_given_y()
        return rel[j] - params["beta"] * red + params["gamma"] * cred
    raise ValueError(crit)


def select(crit, X, y, k, params=None):
    params = params or {}
    p = X.shape[1]
    rel = [relevance(X[:, j], y) for j in range(p)]
    sel = []
    while len(sel) < k:
        best, arg = -math.inf, None
        for j in range(p):
            if j in sel:
                continue
            v = rel[j] if not sel else score(crit, X, y, j, sel, rel, params)
            if v > best:
                best, arg = v, j
        sel.append(arg)
    return sel


def load(path):
    t = pq.read_table(path)
    names = [c for c in t.column_names if c != "label"]
    X = np.stack([t.column(c).to_numpy().astype(np.int64) for c in names], axis=1)
    _, y = np.unique(t.column("label").to_numpy(), return_inverse=True)
    # Dense codes per column (values -1, 0, 1 -> 0, 1, 2) so joint keys stay small.
    X = np.stack([np.unique(X[:, j], return_inverse=True)[1] for j in range(X.shape[1])], axis=1)
    return X.astype(np.int64), y.astype(np.int64)


CRITERIA = [
    ("mim", {}),
    ("mifs", {"beta": 0.5}),
    ("mrmr", {}),
    ("mrmr-quotient", {}),
    ("jmi", {}),
    ("cmim", {}),
    ("cmim-uncapped", {}),
    ("disr", {}),
    ("icap", {}),
    ("cife", {}),
    ("condmi", {}),
    ("jmim", {}),
    ("njmim", {}),
    ("beta-gamma", {"beta": 0.8, "gamma": 0.5}),
]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets"
    out = {}
    for name, sets in (("lung_small", None), ("colon", None)):
        X, y = load(f"{root}/{name}.parquet")
        out[name] = {}
        for crit, params in CRITERIA:
            sel = select(crit, X, y, 10, params)
            out[name][crit] = sel
            print(name, crit, " ".join(f"f{j}" for j in sel), flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
