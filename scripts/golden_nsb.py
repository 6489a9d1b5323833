#!/usr/bin/env python3
"""NSB golden values.

- The NSB integral evaluated with mpmath 1.3 at 30 significant digits (`mpmath.quad` over
  ln beta, with loggamma/psi in arbitrary precision), so no cancellation or quadrature error
  remains in the reference.
- ndd 1.10.6's `ndd.entropy(counts, k=k)` for comparison (numpy 2 needs the PZERO shim below;
  install with `pip install "setuptools<70" && pip install --no-build-isolation ndd`). ndd's own
  quadrature is coarser: it differs from the exact integral by up to ~1e-3 nats.

Run: python3 scripts/golden_nsb.py
"""
import mpmath as mp

mp.mp.dps = 30


def nsb(counts, K):
    """NSB entropy in nats of `counts` over K cells (mutinfo's convention: one non-empty cell
    has entropy 0)."""
    n = [mp.mpf(c) for c in counts if c > 0]
    if len(n) <= 1 or K <= 1:
        return 0.0
    K = mp.mpf(K)
    N = sum(n)
    zeros = K - len(n)

    def lw(x):
        b = mp.e ** x
        s = mp.loggamma(K * b) - mp.loggamma(N + K * b)
        s += sum(mp.loggamma(c + b) - mp.loggamma(b) for c in n)
        dxi = K * mp.psi(1, K * b + 1) - mp.psi(1, b + 1)
        return s + mp.log(dxi) + x

    def mh(x):
        b = mp.e ** x
        d = N + K * b
        return (mp.psi(0, d + 1) - sum((c + b) / d * mp.psi(0, c + b + 1) for c in n)
                - zeros * b / d * mp.psi(0, b + 1))

    grid = [mp.mpf(-30) + mp.mpf(i) / 4 for i in range(241)]
    vals = [lw(x) for x in grid]
    peak = max(vals)
    i = vals.index(peak)
    pts = [mp.mpf(-30), grid[max(i - 8, 0)], grid[i], grid[min(i + 8, 240)], mp.mpf(30)]
    z = mp.quad(lambda x: mp.e ** (lw(x) - peak), pts)
    zh = mp.quad(lambda x: mp.e ** (lw(x) - peak) * mh(x), pts)
    return float(zh / z)


CASES = [([3, 1, 0, 5, 2], 6), ([10, 10], 2), ([1, 1, 1, 2], 10),
         ([50, 20, 5, 1, 1, 0, 0], 7), ([4, 1], 40)]


def main():
    for counts, k in CASES:
        print("mpmath", counts, k, repr(nsb(counts, k)))
    try:
        import numpy as np
        np.PZERO = 0.0
        np.NZERO = -0.0
        import ndd
        for counts, k in CASES:
            print("ndd", counts, k, repr(float(ndd.entropy(counts, k=k))))
    except ImportError:
        print("ndd not installed")


if __name__ == "__main__":
    main()
