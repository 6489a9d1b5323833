#!/usr/bin/env python3
"""Golden values for mutinfo-core's channel capacity and information bottleneck.

- dit 2.3 `dit.algorithms.channel_capacity` (Blahut-Arimoto, bits) on seeded random channels,
  run to rtol = atol = 1e-15.
- embo 1.1.0's bottleneck update functions (`embo.core.p_mx_c`, `p_m`, `p_ym_c`) run from a
  given initial encoder for a fixed number of iterations; informations with
  `embo.utils.mi_x1x2_c` (bits). embo's KL is in bits, so embo's beta equals mutinfo's beta
  (which multiplies nats) times ln 2.

Writes crates/mutinfo-core/tests/data/golden_theory.json.  Run: python3 scripts/golden_theory.py
"""
import json
import os

import numpy as np
import dit
from dit.algorithms import channel_capacity
from embo import core as ec
from embo import utils as eu

LN2 = np.log(2)


def channels(rng):
    out = []
    for shape in ((2, 2), (3, 4), (5, 3), (4, 6)):
        w = rng.random(shape) ** 3
        w /= w.sum(axis=1, keepdims=True)
        cc, p = channel_capacity(w, rtol=1e-15, atol=1e-15)
        out.append({"w": w.tolist(), "capacity_nats": float(cc) * LN2, "input": [float(v) for v in p]})
    return out


def bottlenecks(rng):
    out = []
    for nx, ny in ((4, 3), (6, 2)):
        pxy = rng.random((nx, ny)) ** 2
        pxy /= pxy.sum()
        px = pxy.sum(axis=1)
        py = pxy.sum(axis=0)
        pyx_c = (pxy / px[:, None]).T  # embo: p(y|x) as |Y| x |X|
        enc0 = rng.random((nx, nx)) + 0.5
        enc0 /= enc0.sum(axis=0, keepdims=True)
        for beta_embo in (0.5, 3.0, 20.0):
            for alpha in (1, 0):
                iters = 200
                pmx_c = enc0.copy()
                pm = ec.p_m(pmx_c, px)
                pym_c = ec.p_ym_c(pm, px, pyx_c, pmx_c)
                # embo drops unused clusters; keep a map to report a full encoder.
                for _ in range(iters):
                    pmx_c, _ = ec.p_mx_c(pm, px, pyx_c, pym_c, alpha, beta_embo)
                    pm = ec.p_m(pmx_c, px)
                    pm, pmx_c, pym_c = ec.drop_unused_dimensions(pm, pmx_c, pym_c)
                    pym_c = ec.p_ym_c(pm, px, pyx_c, pmx_c)
                    pm, pmx_c, pym_c = ec.drop_unused_dimensions(pm, pmx_c, pym_c)
                out.append({
                    "joint": pxy.tolist(), "init": enc0.tolist(), "beta": beta_embo / LN2,
                    "deterministic": alpha == 0, "iterations": iters,
                    "i_xt_nats": float(eu.mi_x1x2_c(pm, px, pmx_c)) * LN2,
                    "i_ty_nats": float(eu.mi_x1x2_c(py, pm, pym_c)) * LN2,
                    "h_t_nats": float(eu.entropy(pm)) * LN2,
                })
    return out


def main():
    rng = np.random.default_rng(8)
    data = {"source": "scripts/golden_theory.py (dit %s, embo 1.1.0)" % dit.__version__,
            "channels": channels(rng), "bottlenecks": bottlenecks(rng)}
    path = os.path.join(os.path.dirname(__file__), "..", "crates", "mutinfo-core", "tests", "data",
                        "golden_theory.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
