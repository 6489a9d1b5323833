#!/usr/bin/env python3
"""Time greedy BatchBALD: mutinfo-active (Rust) against a straightforward NumPy implementation
of the same greedy algorithm with batched matmul, on the same predictive samples, in one run.

    python3 scripts/bench_batchbald.py [--n 10000] [--k 100] [--c 10] [--batch 10] [--m 1000]
                                       [--data dirichlet|committee] [--numpy-n N]

Both sides: exact joint entropy while C^|A| <= M, then M sampled configurations stratified over
members (sample m follows member m mod K), the importance-weighted estimate
H = -sum_m w_m (a_m sum_y q + sum_y q ln q), q = P[M x K] @ p_x[K x C]; candidates in chunks.
The random draws differ (ChaCha8 vs PCG64) so sampled steps may pick differently; exact steps
must agree, and the script checks that.

--data dirichlet: every (point, member) row iid Dirichlet(1/2) -- all points equally uncertain,
  the worst case for pruning.
--data committee: K perturbed linear-softmax models on Gaussian inputs -- most points confident,
  a few disputed, as a trained committee gives.
--numpy-n: time NumPy on the first N pool points only (its cost is linear in N) and report the
  extrapolation to the full pool as well.

Requires the example built: cargo build --release -p mutinfo-active --example bench_batchbald
(looked up in MUTINFO_TARGET, else CARGO_TARGET_DIR, else /work/target-active). The Rust side
uses RAYON_NUM_THREADS from the environment: run once with 1 and once with 2.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np


def make_data(kind, n, k, c, seed):
    rng = np.random.default_rng(seed)
    if kind == "dirichlet":
        return rng.dirichlet(np.full(c, 0.5), size=(n, k))
    d = 20
    x = rng.standard_normal((n, d))
    w0 = rng.standard_normal((d, c))
    w = w0[None] + 0.5 * rng.standard_normal((k, d, c))
    logits = np.einsum("nd,kdc->nkc", x, w)
    logits -= logits.max(axis=2, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=2, keepdims=True)


def xlogx(q):
    out = np.zeros_like(q)
    np.log(q, out=out, where=q > 0)
    return q * out


def batchbald_numpy(p, batch, m, seed, chunk=256):
    n, k, c = p.shape
    p = p / p.sum(axis=2, keepdims=True)
    cond = -xlogx(p).sum(axis=2).mean(axis=1)
    rng = np.random.default_rng(seed)
    P = np.full((1, k), 1.0 / k)
    a = np.zeros(1)
    w = np.ones(1)
    exact = True
    member = None
    chosen, scores, exacts = [], [], []
    cond_sum = 0.0
    for t in range(batch):
        H = np.empty(n)
        for s in range(0, n, chunk):
            q = np.matmul(P[None, :, :], p[s:s + chunk])          # (chunk, R, C)
            inner = a[None, :] * q.sum(axis=2) + xlogx(q).sum(axis=2)   # (chunk, R)
            H[s:s + chunk] = -(inner @ w)
        score = H - cond_sum - cond
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        scores.append(float(score[best]))
        exacts.append(exact)
        cond_sum += cond[best]
        if t == batch - 1:
            break
        px = p[best]                                               # (K, C)
        if exact and c ** len(chosen) <= m:
            P = (P[:, :, None] * px[None, :, :]).transpose(0, 2, 1).reshape(-1, k)
            a = np.zeros(P.shape[0])
            w = np.ones(P.shape[0])
            continue
        if exact:
            exact = False
            member = np.arange(m) % k
            counts = np.bincount(member, minlength=k)
            alpha = 1.0 / (k * counts[member])
            P = np.ones((m, k))
            a = np.full(m, -np.log(k))
            todo = chosen
        else:
            todo = [best]
        for x in todo:
            px = p[x]
            cdf = np.cumsum(px[member], axis=1)
            u = rng.random(m)[:, None] * cdf[:, -1:]
            y = np.minimum((cdf <= u).sum(axis=1), c - 1)
            P *= px[:, y].T
            mx = P.max(axis=1)
            P /= mx[:, None]
            a += np.log(mx)
        w = alpha / P.sum(axis=1)
    return chosen, scores, exacts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--c", type=int, default=10)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--m", type=int, default=1000)
    ap.add_argument("--data", default="dirichlet", choices=["dirichlet", "committee"])
    ap.add_argument("--numpy-n", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    p = make_data(args.data, args.n, args.k, args.c, args.seed)
    target = (os.environ.get("MUTINFO_TARGET") or os.environ.get("CARGO_TARGET_DIR")
              or "/work/target-active")
    exe = os.path.join(target, "release", "examples", "bench_batchbald")
    if not os.path.exists(exe):
        sys.exit(f"build first: cargo build --release -p mutinfo-active --example bench_batchbald ({exe})")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probs.npy")
        np.save(path, p)
        rust = {}
        for mode in ["prune", "full"]:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            out = subprocess.run([exe, path, str(args.batch), str(args.m), mode],
                                 check=True, capture_output=True, text=True).stdout
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            rust[mode] = dict(line.split(" ", 1) for line in out.strip().splitlines())
            # CPU seconds of the whole process (includes reading the .npy and a warm-up).
            rust[mode]["cpu"] = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)

    n_np = args.numpy_n or args.n
    t = time.perf_counter()
    c0 = time.process_time()
    idx, sc, ex = batchbald_numpy(p[:n_np], args.batch, args.m, args.seed)
    t_np = time.perf_counter() - t
    cpu_np = (time.process_time() - c0) * args.n / n_np
    t_np_full = t_np * args.n / n_np

    print(f"pool {args.n} x K {args.k} x C {args.c}, batch {args.batch}, M {args.m}, data {args.data}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for mode in ["prune", "full"]:
        r = rust[mode]
        print(f"rust ({mode:5}): {float(r['seconds']):8.3f} s wall, {r['cpu']:7.2f} s cpu  "
              f"evaluations {r['evaluations']}  indices {r['indices']}")
    label = "numpy" if n_np == args.n else f"numpy on {n_np} points, x{args.n / n_np:g} ="
    print(f"{label}: {t_np_full:8.3f} s wall, {cpu_np:7.2f} s cpu  indices {idx}")
    print(f"wall ratio numpy / rust(prune) = {t_np_full / float(rust['prune']['seconds']):.1f}x, "
          f"numpy / rust(full) = {t_np_full / float(rust['full']['seconds']):.1f}x")
    print(f"cpu  ratio numpy / rust(prune) = {cpu_np / rust['prune']['cpu']:.1f}x, "
          f"numpy / rust(full) = {cpu_np / rust['full']['cpu']:.1f}x")
    if n_np == args.n:
        r_idx = eval(rust["full"]["indices"])
        n_exact = sum(ex)
        agree = r_idx[:n_exact] == idx[:n_exact]
        print(f"exact steps ({n_exact}) pick the same points in Rust and NumPy: {agree}")
        r_mi = eval(rust["full"]["joint_mi"])
        print("joint MI (nats), rust:  " + " ".join(f"{v:.6f}" for v in r_mi))
        print("joint MI (nats), numpy: " + " ".join(f"{v:.6f}" for v in sc))


if __name__ == "__main__":
    main()
