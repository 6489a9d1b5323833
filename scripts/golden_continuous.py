"""Golden values for crates/mutinfo-continuous (tests/data/golden_continuous.json).

References, all without sklearn's random noise (the library adds its seeded noise only to
columns with repeated values; these inputs have none, except the `mixed` ones, which it leaves
exact). The kNN estimators (ksg1, ksg2, CMI, mixed, ross) scale every column to unit variance
first, as sklearn's _estimate_mi does: their references take `sc(x)` =
sklearn.preprocessing.scale(x, with_mean=False) while the stored inputs stay unscaled.
  * ksg1 (1-D): sklearn 1.9.1 sklearn.feature_selection._mutual_info._compute_mi_cc -- the exact
    internals of mutual_info_regression after its scaling, without its noise step.
  * ross: sklearn 1.9.1 _compute_mi_cd -- internals of mutual_info_classif.
  * ksg1 (multivariate), ksg2, Frenzel-Pompe CMI, Kozachenko-Leonenko: direct transcriptions of
    Kraskov et al. 2004 eqs. 8, 9, 20 and Frenzel & Pompe 2007 over scipy cKDTree (p=inf), as NPEET.
  * mixed: Gao et al. 2017 reference code Mixed_KSG (github.com/wgao9/mixed_KSG), with its
    `rho - 1e-15` strictness written as nextafter(rho, 0).
  * gaussian / copula: Ince et al. 2017 gcmi.py (ent_g, mi_gg, cmi_ggg, mi_model_gd, copnorm with
    average ranks), bias-corrected, in nats.
Inputs are stored as IEEE-754 bit patterns so the Rust test reads them exactly.
Run: python3 scripts/golden_continuous.py
"""
import json
import struct

import numpy as np
import scipy.spatial as ss
import sklearn
from scipy.special import digamma, ndtri
from scipy.stats import rankdata
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
from sklearn.preprocessing import scale

assert sklearn.__version__ == "1.9.1", sklearn.__version__
rng = np.random.default_rng(20261123)


def sc(a):
    """sklearn's scaling in _estimate_mi: each column divided by its (ddof 0) std."""
    return scale(a, with_mean=False)


def sc_seq(a):
    """The same scaling with the library's arithmetic (left-to-right sums, ddof 0), bit for
    bit: Mixed_KSG compares distances on a grid of tied values, where numpy's pairwise sums
    (last-bit different) would resolve distance ties differently."""
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        col = [float(v) for v in a[:, j]]
        n = float(len(col))
        mean = 0.0
        for v in col:
            mean += v
        mean /= n
        var = 0.0
        for v in col:
            var += (v - mean) ** 2
        sd = (var / n) ** 0.5
        out[:, j] = [v / sd for v in col] if sd > 0 else col
    return out


def bits(a):
    a = np.asarray(a, dtype=np.float64).ravel()
    return [struct.unpack("<Q", struct.pack("<d", v))[0] for v in a]


def strict_count(tree, pts, r):
    return np.array([len(tree.query_ball_point(p, np.nextafter(ri, 0), p=np.inf)) for p, ri in zip(pts, r)])


def ksg1(x, y, k):
    n = len(x)
    xy = np.hstack([x, y])
    eps = ss.cKDTree(xy).query(xy, k + 1, p=np.inf)[0][:, k]
    nx = strict_count(ss.cKDTree(x), x, eps) - 1
    ny = strict_count(ss.cKDTree(y), y, eps) - 1
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def ksg2(x, y, k):
    n = len(x)
    xy = np.hstack([x, y])
    _, idx = ss.cKDTree(xy).query(xy, k + 1, p=np.inf)
    tx, ty = ss.cKDTree(x), ss.cKDTree(y)
    tot = 0.0
    for i in range(n):
        nb = idx[i, 1:]
        ex = np.max(np.abs(x[nb] - x[i]).max(axis=1))
        ey = np.max(np.abs(y[nb] - y[i]).max(axis=1))
        nx = len(tx.query_ball_point(x[i], ex, p=np.inf)) - 1
        ny = len(ty.query_ball_point(y[i], ey, p=np.inf)) - 1
        tot += digamma(nx) + digamma(ny)
    return digamma(k) - 1.0 / k + digamma(n) - tot / n


def ksg_cmi(x, y, z, k):
    xyz = np.hstack([x, y, z])
    eps = ss.cKDTree(xyz).query(xyz, k + 1, p=np.inf)[0][:, k]
    xz, yz = np.hstack([x, z]), np.hstack([y, z])
    nxz = strict_count(ss.cKDTree(xz), xz, eps)
    nyz = strict_count(ss.cKDTree(yz), yz, eps)
    nz = strict_count(ss.cKDTree(z), z, eps)
    return digamma(k) - np.mean(digamma(nxz) + digamma(nyz) - digamma(nz))


def kl_entropy(x, k):
    n, d = x.shape
    eps = ss.cKDTree(x).query(x, k + 1, p=np.inf)[0][:, k]
    return digamma(n) - digamma(k) + d * np.log(2) + d * np.mean(np.log(eps))


def mixed_ksg(x, y, k):
    # Gao et al. 2017, Mixed_KSG, verbatim except the strict radius.
    n = len(x)
    data = np.hstack([x, y])
    txy, tx, ty = ss.cKDTree(data), ss.cKDTree(x), ss.cKDTree(y)
    knn = txy.query(data, k + 1, p=np.inf)[0][:, k]
    ans = 0.0
    for i in range(n):
        if knn[i] == 0:
            kp = len(txy.query_ball_point(data[i], 0.0, p=np.inf))
            nx = len(tx.query_ball_point(x[i], 0.0, p=np.inf))
            ny = len(ty.query_ball_point(y[i], 0.0, p=np.inf))
        else:
            kp = k
            nx = len(tx.query_ball_point(x[i], np.nextafter(knn[i], 0), p=np.inf))
            ny = len(ty.query_ball_point(y[i], np.nextafter(knn[i], 0), p=np.inf))
        ans += (digamma(kp) + np.log(n) - digamma(nx) - digamma(ny)) / n
    return ans


def ent_g_core(x, bias=True):
    # gcmi.ent_g without the constant, x: (n, d)
    n, d = x.shape
    x = x - x.mean(axis=0)
    c = x.T @ x / (n - 1)
    h = np.sum(np.log(np.diag(np.linalg.cholesky(c))))
    if bias:
        psiterms = digamma((n - np.arange(1, d + 1)) / 2.0) / 2.0
        dterm = (np.log(2) - np.log(n - 1.0)) / 2.0
        h = h - d * dterm - psiterms.sum()
    return h


def mi_gg(x, y):
    return ent_g_core(x) + ent_g_core(y) - ent_g_core(np.hstack([x, y]))


def cmi_ggg(x, y, z):
    return (ent_g_core(np.hstack([x, z])) + ent_g_core(np.hstack([y, z])) - ent_g_core(z)
            - ent_g_core(np.hstack([x, y, z])))


def copnorm(x):
    return np.column_stack([ndtri(rankdata(c) / (len(c) + 1.0)) for c in x.T])


def mi_model_gd(x, y):
    n = len(x)
    h = ent_g_core(x)
    for c in np.unique(y):
        m = y == c
        h -= m.sum() / n * ent_g_core(x[m])
    return h


cases = []


def add(name, estimator, k, value, x, y=None, z=None, labels=None):
    c = {"name": name, "estimator": estimator, "k": k, "value": float(value),
         "rows": int(x.shape[0]), "x": bits(x), "dx": int(x.shape[1])}
    if y is not None:
        c["y"], c["dy"] = bits(y), int(y.shape[1])
    if z is not None:
        c["z"], c["dz"] = bits(z), int(z.shape[1])
    if labels is not None:
        c["labels"] = [int(v) for v in labels]
    cases.append(c)


def gauss_pair(n, rho):
    a = rng.standard_normal((n, 2))
    x = a[:, :1]
    y = rho * x + np.sqrt(1 - rho ** 2) * a[:, 1:]
    return x, y


# sklearn mutual_info_regression internals (1-D KSG-1)
for n, rho, k in [(500, 0.6, 3), (1000, 0.9, 5), (300, 0.3, 3), (2000, 0.99, 3)]:
    x, y = gauss_pair(n, rho)
    v = _compute_mi_cc(sc(x).ravel(), sc(y).ravel(), k)
    assert v > 0
    assert abs(v - ksg1(sc(x), sc(y), k)) < 1e-12
    add(f"sklearn_mi_cc_n{n}_rho{rho}_k{k}", "ksg", k, v, x, y)
x = rng.uniform(-3, 3, (400, 1))
y = np.sin(x) + 0.2 * rng.standard_normal((400, 1))
add("sklearn_mi_cc_sine_n400_k4", "ksg", 4, _compute_mi_cc(sc(x).ravel(), sc(y).ravel(), 4), x, y)

# sklearn mutual_info_classif internals (Ross)
for n, k in [(400, 3), (900, 5)]:
    labels = rng.integers(0, 3, n)
    labels[7] = 3  # a single-member class, dropped by sklearn
    x = (labels[:, None] * 0.8 + rng.standard_normal((n, 1)))
    v = _compute_mi_cd(sc(x).ravel(), labels, k)
    assert v > 0
    add(f"sklearn_mi_cd_n{n}_k{k}", "ross", k, v, x, labels=labels)

# multivariate KSG-1 / KSG-2, CMI, entropy (Kraskov 2004 / Frenzel-Pompe over cKDTree)
a = rng.standard_normal((600, 4))
x = a[:, :2]
y = np.column_stack([0.7 * a[:, 0] + 0.5 * a[:, 2], 0.4 * a[:, 1] - 0.6 * a[:, 3]])
add("ksg1_2x2_n600_k3", "ksg", 3, ksg1(sc(x), sc(y), 3), x, y)
add("ksg2_2x2_n600_k3", "ksg2", 3, ksg2(sc(x), sc(y), 3), x, y)
x1, y1 = gauss_pair(700, 0.8)
add("ksg2_1x1_n700_k4", "ksg2", 4, ksg2(sc(x1), sc(y1), 4), x1, y1)
zz = rng.standard_normal((500, 1))
xx = zz + 0.5 * rng.standard_normal((500, 1))
yy = zz + 0.3 * xx + 0.5 * rng.standard_normal((500, 1))
add("ksg_cmi_n500_k3", "ksg", 3, ksg_cmi(sc(xx), sc(yy), sc(zz), 3), xx, yy, zz)
e = rng.standard_normal((800, 2)) * [1.0, 2.5]
add("kl_entropy_2d_n800_k3", "ksg", 3, kl_entropy(e, 3), e)

# Gao mixed: atoms in x (zero-inflated) and repeated y values
n = 600
xm = np.where(rng.uniform(size=(n, 1)) < 0.3, 0.0, rng.exponential(size=(n, 1)))
ym = np.round(xm + 0.5 * rng.standard_normal((n, 1)), 1)
add("gao_mixed_n600_k5", "mixed", 5, mixed_ksg(sc_seq(xm), sc_seq(ym), 5), xm, ym)
xg, yg = gauss_pair(500, 0.7)
add("gao_mixed_continuous_n500_k3", "mixed", 3, mixed_ksg(sc_seq(xg), sc_seq(yg), 3), xg, yg)

# Gaussian / copula (gcmi, bias-corrected)
add("gaussian_2x2_n600", "gaussian", 0, mi_gg(x, y), x, y)
add("copula_2x2_exp_n600", "copula", 0, mi_gg(copnorm(np.exp(x)), copnorm(y ** 3)), np.exp(x), y ** 3)
add("gaussian_cmi_n500", "gaussian", 0, cmi_ggg(xx, yy, zz), xx, yy, zz)
add("copula_cmi_n500", "copula", 0, cmi_ggg(copnorm(xx), copnorm(yy), copnorm(zz)), xx, yy, zz)
labels = rng.integers(0, 4, 500)
xc = np.column_stack([labels + rng.standard_normal(500), rng.standard_normal(500)])
add("gaussian_model_gd_n500", "gaussian", 0, mi_model_gd(xc, labels), xc, labels=labels)
add("copula_model_gd_n500", "copula", 0, mi_model_gd(copnorm(xc), labels), xc, labels=labels)

# KSG-1 on normal scores (copnorm = average ranks -> ndtri), exact like KSG-1 itself
xh = rng.standard_cauchy((800, 1))
yh = np.tanh(xh) + 0.3 * rng.standard_normal((800, 1))
add("ksg_copula_1x1_cauchy_n800_k3", "ksg-copula", 3, ksg1(copnorm(xh), copnorm(yh), 3), xh, yh)
add("ksg_copula_2x2_n600_k3", "ksg-copula", 3, ksg1(copnorm(np.exp(x)), copnorm(y), 3), np.exp(x), y)


# Elliptical copula: Student-t copula (R from Kendall's tau, nu by profile maximum likelihood,
# scipy's bounded Brent to 1e-9 in ln nu) kept when the likelihood-ratio test against the
# Gaussian copula exceeds chi2_1(0.999); else the Gaussian copula (gcmi). The library searches
# ln nu on a grid refined by a parabola, so these cases carry a tolerance.
def log_det_bias(d, n):
    return sum(digamma((n - i) / 2.0) for i in range(1, d + 1)) + d * np.log(2.0 / (n - 1))


def elliptical(x, y):
    from scipy.linalg import solve_triangular
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln
    from scipy.stats import chi2, kendalltau, norm, t as tdist
    xy = np.hstack([x, y])
    n, d = xy.shape
    dx = x.shape[1]
    u = np.column_stack([rankdata(c, method="ordinal") for c in xy.T]) / (n + 1.0)
    r = np.eye(d)
    for i in range(d):
        for j in range(i):
            r[i, j] = r[j, i] = np.sin(np.pi / 2 * kendalltau(u[:, i], u[:, j]).statistic)
    chol = np.linalg.cholesky(r)
    ld = 2 * np.log(np.diag(chol)).sum()

    def ll_t(lognu):
        nu = np.exp(lognu)
        z = tdist.ppf(u, nu)
        q = (solve_triangular(chol, z.T, lower=True) ** 2).sum(axis=0)
        return (n * (gammaln((nu + d) / 2) - gammaln(nu / 2) - d / 2 * np.log(nu * np.pi) - 0.5 * ld)
                - (nu + d) / 2 * np.log1p(q / nu).sum() - tdist.logpdf(z, nu).sum())

    zg = norm.ppf(u)
    qg = (solve_triangular(chol, zg.T, lower=True) ** 2).sum(axis=0)
    ll_g = -0.5 * n * ld - 0.5 * qg.sum() + 0.5 * (zg ** 2).sum()
    opt = minimize_scalar(lambda v: -ll_t(v), bounds=(np.log(0.3), np.log(1000.0)), method="bounded",
                          options={"xatol": 1e-9})
    lr = 2 * (-opt.fun - ll_g)
    if lr <= chi2.ppf(0.999, 1):
        return mi_gg(copnorm(x), copnorm(y)), "copula", lr
    nu = np.exp(opt.x)
    f = lambda k: gammaln(nu / 2) - gammaln((nu + k) / 2) + (nu + k) / 2 * (digamma((nu + k) / 2) - digamma(nu / 2))
    sub = lambda a, b: 2 * np.log(np.diag(np.linalg.cholesky(r[a:b, a:b]))).sum()
    mi = 0.5 * (sub(0, dx) + sub(dx, d) - ld) + f(dx) + f(d - dx) - f(d)
    return mi - 0.5 * (log_det_bias(dx, n) + log_det_bias(d - dx, n) - log_det_bias(d, n)), "elliptical", lr


def student_t(n, nu, corr):
    g = rng.standard_normal((n, len(corr))) @ np.linalg.cholesky(corr).T
    return g / np.sqrt(rng.chisquare(nu, (n, 1)) / nu)


for name, n, nu, corr, dx in [
    ("elliptical_t2_1x1_n1500", 1500, 2.0, np.array([[1.0, 0.5], [0.5, 1.0]]), 1),
    ("elliptical_t4_2x1_n1200", 1200, 4.0, np.array([[1.0, 0.3, 0.4], [0.3, 1.0, 0.2], [0.4, 0.2, 1.0]]), 2),
    ("elliptical_t1_identity_2x2_n1000", 1000, 1.0, np.eye(4), 2),
    ("elliptical_gaussian_1x1_n1000", 1000, np.inf, np.array([[1.0, 0.6], [0.6, 1.0]]), 1),
]:
    s = student_t(n, nu, corr) if np.isfinite(nu) else rng.standard_normal((n, 2)) @ np.linalg.cholesky(corr).T
    s = np.arcsinh(s)  # a monotone map of each column: the copula, and so the MI, is unchanged
    v, used, lr = elliptical(s[:, :dx], s[:, dx:])
    add(name, "elliptical", 0, v, s[:, :dx], s[:, dx:])
    cases[-1]["reported"] = used
    cases[-1]["tol"] = 3e-4
    print(f"{name}: LR {lr:.1f} -> {used}")

out = "crates/mutinfo-continuous/tests/data/golden_continuous.json"
with open(out, "w") as f:
    json.dump({"source": "scripts/golden_continuous.py", "sklearn": sklearn.__version__, "cases": cases}, f)
for c in cases:
    print(f'{c["name"]:40s} {c["value"]:.15f}')
