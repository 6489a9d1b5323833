"""``DecisionTreeClassifier``: the information-gain tree of mutinfo-tree as an sklearn classifier."""

from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence, Union

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import _native
from ._input import check_X, is_table
from ._selector import _array_names, _categorical_names


class DecisionTreeClassifier(ClassifierMixin, BaseEstimator):
    r"""A decision tree grown by information gain, gain ratio or Gini impurity.

    At each node the split maximises the criterion over every feature:

    - ``"gain"`` (ID3): :math:`IG = H(Y) - \sum_v \frac{n_v}{n} H(Y \mid v)`;
    - ``"gain_ratio"`` (C4.5, default): :math:`IG / H(\text{split})`, among splits whose gain is
      at least the average;
    - ``"gini"`` (CART): the decrease of :math:`1 - \sum_c p_c^2`.

    Numeric features split by thresholds; text, boolean and categorical columns (pandas
    ``category``, Arrow dictionaries, and ``categorical_features``) split by category, one
    branch per category (``categorical_split="multiway"``) or two (``"binary"``). NaN and
    nulls are missing values, sent down every branch with fractional weights as in C4.5.
    Ties between splits go to the lowest feature, then the lowest threshold.

    Parameters
    ----------
    criterion : {"gain", "gain_ratio", "gini"}, default="gain_ratio"
    max_depth : int or None, default=None
    min_samples_split : float, default=2
    min_samples_leaf : float, default=1
    min_gain : float, default=0.0
        A split is kept only if its gain (nats for entropy) is at least this.
    max_features : None, "sqrt", "log2", int or float, default=None
        Features searched per node, sampled with ``random_state``.
    random_state : int, RandomState or None, default=None
        Seed of the feature sampling (``None`` = 0: results are reproducible by default).
    categorical_features : list of str or int, or None
        Integer columns to split by category.
    categorical_split : {"multiway", "binary"}, default="multiway"
    ccp_alpha : float, default=0.0
        Minimal cost-complexity pruning at this α (impurity in nats).
    pessimistic_cf : float or None, default=None
        C4.5 pessimistic pruning at this confidence factor (C4.5's default is 0.25).
    laplace : float, default=0.0
        Laplace smoothing α of the leaf probabilities: :math:`(n_c + α) / (n + Cα)`.

    Attributes
    ----------
    classes_ : ndarray
    n_classes_ : int
    feature_importances_ : ndarray
        Total impurity decrease per feature, normalised to sum to 1.
    tree_ : mutinfo._native.Tree
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a table with column names.
    """

    def __init__(
        self,
        criterion: str = "gain_ratio",
        max_depth: Optional[int] = None,
        min_samples_split: float = 2,
        min_samples_leaf: float = 1,
        min_gain: float = 0.0,
        max_features: Union[None, str, int, float] = None,
        random_state: Any = None,
        categorical_features: Optional[Sequence[Union[str, int]]] = None,
        categorical_split: str = "multiway",
        ccp_alpha: float = 0.0,
        pessimistic_cf: Optional[float] = None,
        laplace: float = 0.0,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_gain = min_gain
        self.max_features = max_features
        self.random_state = random_state
        self.categorical_features = categorical_features
        self.categorical_split = categorical_split
        self.ccp_alpha = ccp_alpha
        self.pessimistic_cf = pessimistic_cf
        self.laplace = laplace

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _seed(self) -> int:
        rs = self.random_state
        if rs is None:
            return 0
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            return int(rs) % (2**64)
        return int(check_random_state(rs).randint(np.iinfo(np.int32).max))

    def fit(self, X: Any, y: Any) -> "DecisionTreeClassifier":
        """Grow the tree on ``X`` for the classes ``y``."""
        data, names, y = check_X(self, X, reset=True, allow_nan=True, y=y)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        n_features = len(names) if names is not None else data.shape[1]
        array_names = None if is_table(X) else _array_names(names, n_features)
        declared = _categorical_names(self.categorical_features, names, n_features)
        matrix, kinds, levels = _native.tree_features(data, array_names, declared, None)
        self._columns = list(zip(kinds, levels))
        self._array_names = array_names
        self.tree_ = _native.Tree.fit(
            matrix,
            codes.reshape(-1).astype(np.int64),
            [str(c) for c in self.classes_],
            _array_names(names, n_features),
            list(kinds),
            list(levels),
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=float(self.min_samples_split),
            min_samples_leaf=float(self.min_samples_leaf),
            min_gain=float(self.min_gain),
            max_features=self.max_features,
            seed=self._seed(),
            categorical_split=self.categorical_split,
            ccp_alpha=float(self.ccp_alpha),
            pessimistic_cf=None if self.pessimistic_cf is None else float(self.pessimistic_cf),
            laplace=float(self.laplace),
        )
        # Probability columns of the tree (class names) → positions in classes_.
        position = {str(c): i for i, c in enumerate(self.classes_)}
        self._order = np.asarray([position[c] for c in self.tree_.classes()], dtype=np.intp)
        return self

    def _matrix(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "tree_")
        data, _, _ = check_X(self, X, reset=False, allow_nan=True)
        names = None if is_table(X) else self._array_names
        if names is None and not is_table(X):
            names = [f"x{j}" for j in range(data.shape[1])]
        matrix, _, _ = _native.tree_features(data, names, [], self._columns)
        return matrix

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        matrix = self._matrix(X)  # checks that the tree is fitted
        p = self.tree_.predict_proba(matrix)
        out = np.zeros((p.shape[0], self.n_classes_))
        out[:, self._order] = p
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (ties to the first in ``classes_``)."""
        proba = self.predict_proba(X)  # checks that the tree is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    @property
    def feature_importances_(self) -> np.ndarray:
        check_is_fitted(self, "tree_")
        return self.tree_.feature_importances()

    def get_depth(self) -> int:
        check_is_fitted(self, "tree_")
        return self.tree_.depth()

    def get_n_leaves(self) -> int:
        check_is_fitted(self, "tree_")
        return self.tree_.n_leaves()

    def export_text(self) -> str:
        """The tree as indented text, in the style of sklearn's ``export_text``."""
        check_is_fitted(self, "tree_")
        return self.tree_.export_text()

    def export_graphviz(self) -> str:
        """The tree as Graphviz DOT."""
        check_is_fitted(self, "tree_")
        return self.tree_.export_dot()

    # The native tree pickles as its versioned JSON (validated again on load).
    def __getstate__(self):
        state = super().__getstate__()
        if "tree_" in state:
            state = dict(state)
            state["tree_"] = state["tree_"].to_json()
        return state

    def __setstate__(self, state):
        if isinstance(state.get("tree_"), str):
            state = dict(state)
            state["tree_"] = _native.Tree.from_json(state["tree_"])
        super().__setstate__(state)
