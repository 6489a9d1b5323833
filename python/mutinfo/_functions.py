"""Functions: entropy, (conditional) mutual information, per-feature ranking, BALD."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _native
from ._input import as_stream, column_names, floats, is_table, native_array, symbols, target_array

DISCRETE = ("plugin", "miller-madow", "chao-shen", "james-stein", "grassberger", "nsb")
CONTINUOUS = ("ksg", "ksg2", "ross", "mixed", "gaussian", "copula", "ksg-copula", "elliptical", "auto", "kl")

_BASES = {"nats": 1.0, "bits": 1.0 / np.log(2.0), "hartleys": 1.0 / np.log(10.0)}


def _scale(base: str) -> float:
    try:
        return _BASES[base]
    except KeyError:
        raise ValueError(f"base={base!r}: expected nats, bits or hartleys") from None


def _discrete(estimator: str) -> bool:
    if estimator in DISCRETE:
        return True
    if estimator in CONTINUOUS:
        return False
    raise ValueError(
        f"estimator={estimator!r}: expected one of {', '.join(DISCRETE + CONTINUOUS)}"
    )


def entropy(x: Any, estimator: str = "plugin", *, n_neighbors: int = 3, base: str = "nats") -> float:
    r"""Entropy of ``x``.

    Discrete estimators read each distinct value (each distinct row of a 2-D array) as a
    symbol: ``"plugin"`` is :math:`H = -\sum_i \hat p_i \ln \hat p_i` with
    :math:`\hat p_i = n_i / N`; ``"miller-madow"`` adds :math:`(m-1)/2N`; ``"chao-shen"``,
    ``"james-stein"``, ``"grassberger"`` and ``"nsb"`` correct the bias further.
    ``"kl"`` (Kozachenko–Leonenko kNN) and ``"gaussian"``
    (:math:`\tfrac12 \ln((2\pi e)^d |\Sigma|)`) give the differential entropy of float samples
    (rows × dimensions).
    """
    scale = _scale(base)
    est = "ksg" if estimator == "kl" else estimator
    if _discrete(estimator):
        return _native.entropy(symbols(x, "x"), estimator, True, n_neighbors) * scale
    return _native.entropy(floats(x, "x"), est, False, n_neighbors) * scale


def mutual_info(
    x: Any,
    y: Any,
    z: Any = None,
    estimator: str = "plugin",
    *,
    discrete_y: Optional[bool] = None,
    n_neighbors: int = 3,
    base: str = "nats",
) -> float:
    r"""Mutual information :math:`I(X;Y)`, or :math:`I(X;Y \mid Z)` with ``z``.

    :math:`I(X;Y) = \sum_{x,y} p(x,y) \ln \frac{p(x,y)}{p(x)p(y)}`,
    :math:`I(X;Y\mid Z) = H(X,Z) + H(Y,Z) - H(X,Y,Z) - H(Z)`.

    Discrete estimators read values (rows of 2-D arrays) as symbols. Continuous estimators
    (``"ksg"``, ``"ksg2"``, ``"mixed"``, ``"gaussian"``, ``"copula"``, ``"ksg-copula"``,
    ``"elliptical"``, ``"auto"``) read float samples; ``y`` is read as class labels
    (mixed continuous–discrete MI, as sklearn's ``mutual_info_classif``) when ``discrete_y``
    is true, or by default when ``y`` is 1-D and not floating point. ``z`` (continuous only
    with continuous ``y``) uses Frenzel–Pompe.
    """
    scale = _scale(base)
    if _discrete(estimator):
        sz = None if z is None else symbols(z, "z")
        return _native.mutual_info(symbols(x, "x"), symbols(y, "y"), sz, estimator, True) * scale
    ya = np.asarray(y)
    if discrete_y is None:
        discrete_y = ya.ndim == 1 and ya.dtype.kind not in "fc"
    if discrete_y:
        if z is not None:
            raise ValueError("z needs a continuous y: class labels are for I(X;Y) only")
        return (
            _native.mutual_info(floats(x, "x"), symbols(ya, "y"), None, estimator, False, True, n_neighbors)
            * scale
        )
    fz = None if z is None else floats(z, "z")
    return _native.mutual_info(floats(x, "x"), floats(ya, "y"), fz, estimator, False, False, n_neighbors) * scale


def rank(
    X: Any,
    y: Any,
    estimator: str = "plugin",
    *,
    binning: str = "quantile",
    n_bins: Optional[int] = None,
    categorical_features: Optional[Sequence[str]] = None,
    n_neighbors: int = 3,
) -> np.ndarray:
    r""":math:`I(X_j;Y)` (nats) of every column of ``X``, as ``mutinfo rank``: columns encoded
    as ``MutualInfoSelector`` encodes them (``"plugin"`` and the other discrete estimators),
    or raw values with a continuous estimator (a float ``y`` is then continuous, any other
    ``y`` classes)."""
    if is_table(X):
        data, names = as_stream(X), None
        if data is None:
            data = native_array(X.to_numpy())
            names = column_names(X)
    else:
        a = np.asarray(X)
        if a.dtype.kind not in "biufO":
            raise TypeError(
                f"X: expected numbers or booleans, got dtype {a.dtype}; pass a table "
                "(pandas, pyarrow, polars) for text or categorical columns"
            )
        data = native_array(a)
        if data.ndim != 2:
            raise ValueError(f"X: expected a 2-D array, got {data.ndim} dimension(s)")
        names = None
    return _native.rank(
        data,
        target_array(np.asarray(y)),
        estimator=estimator,
        binning=binning,
        n_bins=n_bins,
        categorical=[str(c) for c in (categorical_features or [])],
        n_neighbors=n_neighbors,
        names=names,
    )


def _probs(probs: Any) -> np.ndarray:
    p = np.ascontiguousarray(np.asarray(probs, dtype=np.float64))
    if p.ndim != 3:
        raise ValueError(
            f"probs: expected shape [pool points, committee members, classes], got {p.ndim} dimension(s)"
        )
    return p


def bald(probs: Any) -> np.ndarray:
    r"""BALD scores :math:`I(y;\omega \mid x) = H[\bar p] - \frac1K \sum_k H[p_k]` (nats) of
    every pool point, from ``probs`` shaped [N pool points, K committee members, C classes]
    (each row a probability vector)."""
    return _native.bald(_probs(probs))


def batchbald(
    probs: Any, batch_size: int, num_samples: int = 1000, seed: int = 0
) -> Tuple[np.ndarray, np.ndarray]:
    r"""Greedy BatchBALD (Kirsch et al. 2019): picks ``batch_size`` points maximising the joint
    :math:`I(y_1,\dots,y_b;\omega) = H[y_1..y_b] - \frac1K\sum_k \sum_i H[y_i \mid \omega_k]`.

    Returns ``(indices, scores)``: the points in the order picked and the joint MI of the batch
    after each pick (nats). The joint entropy is exact while the label configurations are
    few, else estimated from ``num_samples`` configurations drawn with ``seed``.
    """
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r}: give a positive int")
    return _native.batchbald(_probs(probs), int(batch_size), int(num_samples), int(seed))
