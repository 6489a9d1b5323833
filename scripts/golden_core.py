#!/usr/bin/env python3
"""Golden values for mutinfo-core, written to crates/mutinfo-core/tests/data/golden_core.json.

Sources:
- sklearn.metrics mutual_info_score, normalized_mutual_info_score, adjusted_mutual_info_score
- scipy.stats.entropy (plug-in entropies), scipy.stats.chi2_contingency(lambda_="log-likelihood")
  for the G-test
- NSB: the integral by scipy.integrate.quad (scripts/golden_nsb.py)
- pyitlib.discrete_random_variable.entropy(estimator="JAMES-STEIN") for James-Stein shrinkage
- Miller-Madow, Chao-Shen and Grassberger: the R package `entropy` (Hausser & Strimmer) formulas
  entropy.MillerMadow / entropy.ChaoShen and Grassberger (2003) eq. 35, re-implemented below in
  numpy/scipy line by line from the papers (R itself cannot be installed here).

Run: python3 scripts/golden_core.py
"""
import json
import os
import sys

import numpy as np
from scipy.special import digamma
from scipy.stats import chi2_contingency, entropy as sp_entropy
from sklearn.metrics import (adjusted_mutual_info_score, mutual_info_score,
                             normalized_mutual_info_score)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_nsb import nsb  # noqa: E402  (the NSB integral by scipy quad)

try:
    from pyitlib import discrete_random_variable as drv
except ImportError:  # pragma: no cover
    drv = None


def counts(*cols):
    keys = np.stack(cols, axis=1)
    _, c = np.unique(keys, axis=0, return_counts=True)
    return c


def h_ml(c):
    return float(sp_entropy(c))


def h_mm(c):
    n = c.sum()
    m = (c > 0).sum()
    return h_ml(c) + (m - 1) / (2 * n)


def h_cs(c):
    c = c[c > 0].astype(float)
    n = c.sum()
    f1 = (c == 1).sum()
    if f1 == n:
        f1 = n - 1
    C = 1 - f1 / n
    pa = C * c / n
    la = 1 - (1 - pa) ** n
    return float(-np.sum(pa * np.log(pa) / la))


def h_gr(c):
    c = c[c > 0].astype(float)
    if len(c) <= 1:
        return 0.0  # mutinfo's convention: one non-empty cell has entropy 0 for every estimator
    n = c.sum()
    sign = np.where(c % 2 == 0, 1.0, -1.0)
    g = digamma(c) + 0.5 * sign * (digamma((c + 1) / 2) - digamma(c / 2))
    return float(np.log(n) - np.sum(c * g) / n)


def h_js_formula(c, cells):
    c = np.concatenate([c.astype(float), np.zeros(cells - len(c))])
    n = c.sum()
    u = c / n
    t = 1.0 / cells
    if n <= 1:
        lam = 1.0
    else:
        msp = np.sum((u - t) ** 2)
        lam = 1.0 if msp == 0 else (1 - np.sum(u ** 2)) / ((n - 1) * msp)
        lam = min(1.0, max(0.0, lam))
    p = lam * t + (1 - lam) * u
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def h_js(labels_cols, cells):
    c = counts(*labels_cols)
    v = h_js_formula(c, cells)
    if drv is not None and len(labels_cols) == 1:
        x = labels_cols[0]
        # pyitlib shrinks toward uniform over the alphabet it is given.
        ref = float(drv.entropy(x, estimator="JAMES-STEIN", base=np.e,
                                Alphabet_X=np.unique(x)))
        assert abs(ref - v) < 1e-12, (ref, v)
    return v


def nsb_h(labels_cols, cells):
    return float(nsb(counts(*labels_cols).tolist(), cells))


def case(name, x, y, z, cx, cy, cz):
    x, y, z = (np.asarray(a, dtype=np.int64) for a in (x, y, z))
    out = {"name": name, "x": x.tolist(), "y": y.tolist(), "z": z.tolist(),
           "cx": cx, "cy": cy, "cz": cz}
    out["mi"] = float(mutual_info_score(x, y))
    out["nmi"] = {m: float(normalized_mutual_info_score(x, y, average_method=m))
                  for m in ("min", "geometric", "arithmetic", "max")}
    out["ami"] = {m: float(adjusted_mutual_info_score(x, y, average_method=m))
                  for m in ("min", "geometric", "arithmetic", "max")}
    est = {}
    for ename, f in (("plugin", h_ml), ("miller-madow", h_mm), ("chao-shen", h_cs),
                     ("grassberger", h_gr)):
        est[ename] = {"h_x": f(counts(x)), "h_y": f(counts(y)), "h_xy": f(counts(x, y)),
                      "h_xyz": f(counts(x, y, z)), "h_xz": f(counts(x, z)),
                      "h_yz": f(counts(y, z)), "h_z": f(counts(z))}
    # James-Stein shrinks toward the uniform distribution over the product of the observed
    # alphabets (mutinfo's documented choice).
    ox, oy, oz = (len(np.unique(a)) for a in (x, y, z))
    est["james-stein"] = {"h_x": h_js([x], ox), "h_y": h_js([y], oy),
                          "h_xy": h_js([x, y], ox * oy), "h_xyz": h_js([x, y, z], ox * oy * oz),
                          "h_xz": h_js([x, z], ox * oz), "h_yz": h_js([y, z], oy * oz),
                          "h_z": h_js([z], oz)}
    est["nsb"] = {"h_x": nsb_h([x], ox), "h_y": nsb_h([y], oy),
                  "h_xy": nsb_h([x, y], ox * oy), "h_xyz": nsb_h([x, y, z], ox * oy * oz),
                  "h_xz": nsb_h([x, z], ox * oz), "h_yz": nsb_h([y, z], oy * oz),
                  "h_z": nsb_h([z], oz)}
    out["entropies"] = est
    # G-test on the table of observed values.
    _, xi = np.unique(x, return_inverse=True)
    _, yi = np.unique(y, return_inverse=True)
    table = np.zeros((xi.max() + 1, yi.max() + 1))
    np.add.at(table, (xi, yi), 1)
    if table.shape[0] > 1 and table.shape[1] > 1:
        g, p, dof, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        out["g_test"] = {"statistic": float(g), "p_value": float(p), "dof": int(dof)}
    return out


def main():
    rng = np.random.default_rng(20261123)
    cases = []
    n = 200
    x = rng.integers(0, 5, n)
    y = (x + rng.integers(0, 3, n)) % 7
    z = rng.integers(0, 3, n)
    cases.append(case("correlated_200", x, y, z, 5, 7, 3))
    x = rng.integers(0, 3, 12)
    y = rng.integers(0, 2, 12)
    z = rng.integers(0, 2, 12)
    cases.append(case("small_12", x, y, z, 3, 2, 2))
    x = rng.integers(0, 40, 50)
    y = rng.integers(0, 4, 50)
    z = rng.integers(0, 5, 50)
    cases.append(case("sparse_50", x, y, z, 40, 4, 5))
    x = rng.integers(0, 2, 1000)
    noise = rng.random(1000) < 0.1
    y = np.where(noise, 1 - x, x)
    z = rng.integers(0, 2, 1000)
    cases.append(case("bsc_1000", x, y, z, 2, 2, 2))
    x = np.zeros(30, dtype=np.int64)
    y = rng.integers(0, 3, 30)
    z = rng.integers(0, 2, 30)
    cases.append(case("constant_x", x, y, z, 1, 3, 2))
    path = os.path.join(os.path.dirname(__file__), "..", "crates", "mutinfo-core", "tests",
                        "data", "golden_core.json")
    with open(path, "w") as f:
        json.dump({"source": "scripts/golden_core.py (sklearn 1.9.1, scipy 1.17.1, pyitlib 0.3.1)",
                   "cases": cases}, f, indent=1)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
