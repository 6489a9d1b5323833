"""``MutualInfoSelector``: greedy mutual-information feature selection as an sklearn selector."""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Optional, Sequence, Union

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.validation import check_is_fitted

from . import _native
from ._input import check_X, column_names, is_table, target_array

CRITERIA = (
    "mim",
    "mrmr",
    "mrmr-quotient",
    "mifs",
    "jmi",
    "cmim",
    "cmim-uncapped",
    "disr",
    "icap",
    "cife",
    "condmi",
    "jmim",
    "njmim",
    "beta-gamma",
)


class MutualInfoSelector(SelectorMixin, BaseEstimator):
    r"""Select features by mutual information with the target, greedily.

    Each step adds the candidate :math:`X_k` that maximises the criterion given the features
    :math:`S` already selected, for example

    - ``"mim"``: :math:`I(X_k;Y)` (marginal ranking, as ``SelectKBest(mutual_info_classif)``);
    - ``"mrmr"``: :math:`I(X_k;Y) - \frac{1}{|S|}\sum_{j\in S} I(X_k;X_j)` (Peng et al. 2005);
    - ``"jmi"``: :math:`\sum_{j\in S} I(X_k X_j; Y)` (Yang & Moody 1999);
    - ``"cmim"``: :math:`\min_{j\in S} I(X_k;Y\mid X_j)` (Fleuret 2004);
    - ``"condmi"``: :math:`I(X_k;Y\mid X_S)`;

    and ``"mrmr-quotient"``, ``"mifs"`` (β), ``"cmim-uncapped"``, ``"disr"``, ``"icap"``,
    ``"cife"``, ``"jmim"``, ``"njmim"``, ``"beta-gamma"`` (β, γ) as in Brown et al. (2012).
    All terms are in nats. Ties go to the lowest column index.

    With ``estimator="plugin"`` (default) the engine counts: numeric columns are binned
    (``binning``, ``n_bins``; by default 10 quantile bins, a column with at most that many
    distinct values keeping one bin per value), text, boolean and categorical columns (pandas
    ``category``, Arrow dictionaries) and the columns named in ``categorical_features`` are
    categories — the same encoding as ``mutinfo select`` on a file, so the same data gives the
    same selection. A continuous ``estimator`` (``"ksg"``, ``"ksg2"``, ``"mixed"``,
    ``"gaussian"``, ``"copula"``, ``"ksg-copula"``, ``"elliptical"``, ``"auto"``) estimates
    every term on the raw values instead.

    Parameters
    ----------
    criterion : str, default="jmi"
        One of ``CRITERIA``.
    k : int, "all" or None, default=10
        Number of features to select; ``"all"``/``None`` ranks every feature (until
        ``threshold``). More than the number of features selects them all, with a warning.
    estimator : str, default="plugin"
        ``"plugin"`` (counting) or a continuous estimator.
    binning : str, default="quantile"
        ``"quantile"``, ``"uniform"``, ``"sturges"``, ``"fd"``, ``"mdlp"`` or ``"none"``
        (raw values as categories).
    n_bins : int or None, default=None
        Bins of ``"quantile"``/``"uniform"`` (default 10).
    threshold : float or None, default=None
        Stop when the best criterion value falls below this (nats).
    random_state : None
        Accepted for sklearn compatibility; the engine is deterministic (kNN tie-breaking noise
        is seeded by the data), so results do not depend on it.
    categorical_features : list of str or int, or None
        Integer columns to read as categories.
    beta, gamma : float, default=1.0
        β of ``"mifs"`` and ``"beta-gamma"``, γ of ``"beta-gamma"``.
    n_neighbors : int, default=3
        k of the kNN estimators.

    Attributes
    ----------
    selected_ : ndarray of int
        Column indices in selection order.
    scores_ : ndarray of float
        :math:`I(X_j;Y)` of every feature (nats), as ``mutinfo.rank``.
    step_scores_ : ndarray of float
        The criterion value at each step.
    stop_reason_ : str
        Why the selection stopped: ``"k"``, ``"below-threshold"`` or ``"exhausted"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a table with column names.
    """

    def __init__(
        self,
        criterion: str = "jmi",
        k: Union[int, str, None] = 10,
        estimator: str = "plugin",
        binning: str = "quantile",
        n_bins: Optional[int] = None,
        threshold: Optional[float] = None,
        random_state: Any = None,
        categorical_features: Optional[Sequence[Union[str, int]]] = None,
        beta: float = 1.0,
        gamma: float = 1.0,
        n_neighbors: int = 3,
    ):
        self.criterion = criterion
        self.k = k
        self.estimator = estimator
        self.binning = binning
        self.n_bins = n_bins
        self.threshold = threshold
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.beta = beta
        self.gamma = gamma
        self.n_neighbors = n_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _k(self, n_features: int) -> Optional[int]:
        k = self.k
        if k is None or (isinstance(k, str) and k == "all"):
            return None
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"k={k!r}: give a positive int, 'all' or None")
        if k > n_features:
            warnings.warn(
                f"k={k} is greater than n_features={n_features}. All the features will be selected.",
                UserWarning,
            )
            return n_features
        return int(k)

    def fit(self, X: Any, y: Any) -> "MutualInfoSelector":
        """Select features of ``X`` for the target ``y``."""
        if self.criterion not in CRITERIA:
            raise ValueError(f"criterion={self.criterion!r}: expected one of {', '.join(CRITERIA)}")
        data, names, y = check_X(self, X, reset=True, allow_nan=False, y=y, min_samples=2)
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        n_features = len(names) if names is not None else data.shape[1]
        k = self._k(n_features)
        categorical = _categorical_names(self.categorical_features, names, n_features)
        result = _native.select(
            data,
            target_array(y),
            criterion=self.criterion,
            k=k,
            threshold=None if self.threshold is None else float(self.threshold),
            estimator=self.estimator,
            binning=self.binning,
            n_bins=self.n_bins,
            categorical=categorical,
            beta=float(self.beta),
            gamma=float(self.gamma),
            n_neighbors=int(self.n_neighbors),
            names=None if is_table(X) else _array_names(names, n_features),
        )
        self.selected_ = np.asarray(result["selected"], dtype=np.intp)
        self.step_scores_ = np.asarray(result["step_scores"], dtype=np.float64)
        self.scores_ = np.asarray(result["relevance"], dtype=np.float64)
        self.stop_reason_ = result["stop"]
        if self.selected_.size == 0:
            warnings.warn(
                f"No features were selected: the stopping rule ({self.stop_reason_}) held before the first step.",
                UserWarning,
            )
        return self

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "selected_")
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[self.selected_] = True
        return mask

    def transform(self, X: Any) -> Any:
        """The selected columns of ``X``, in their original order; a table stays a table of
        the same kind."""
        check_is_fitted(self, "selected_")
        if not is_table(X):
            return super().transform(X)
        check_X(self, X, reset=False, allow_nan=True)
        keep = np.flatnonzero(self._get_support_mask())
        if type(X).__module__.startswith("pandas"):
            return X.iloc[:, keep]
        if type(X).__module__.startswith("polars"):
            return X.select([X.columns[i] for i in keep])
        names = column_names(X)
        return X.select([names[i] for i in keep])  # pyarrow Table / RecordBatch


def _array_names(names, n_features):
    return names if names is not None else [f"x{j}" for j in range(n_features)]


def _categorical_names(cats, names, n_features):
    if cats is None:
        return []
    names = _array_names(names, n_features)
    out = []
    for c in cats:
        if isinstance(c, numbers.Integral) and not isinstance(c, bool):
            if not 0 <= c < n_features:
                raise ValueError(f"categorical_features: index {c} out of range for {n_features} features")
            out.append(names[c])
        elif str(c) in names:
            out.append(str(c))
        else:
            raise ValueError(f"categorical_features: {c!r} is not a feature")
    return out
