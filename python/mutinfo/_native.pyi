"""Type stubs of the compiled module ``mutinfo._native`` (crates/mutinfo-py).

Tables are numpy 2-D arrays (any numeric or boolean dtype) or objects with the Arrow
PyCapsule interface (pyarrow, polars, pandas with pyarrow). Results are in nats. Engine
errors are raised as ``ValueError``.
"""

from typing import Any, Final, Optional, Protocol, Sequence, Tuple, TypedDict, Union, final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DEFAULT_BINS",
    "Tree",
    "bald",
    "batchbald",
    "entropy",
    "mutual_info",
    "rank",
    "select",
    "tree_features",
]

class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: Optional[object] = ...) -> object: ...

_Table = Union[NDArray[Any], _ArrowStream]

class _Selection(TypedDict):
    selected: list[int]
    step_scores: list[float]
    relevance: NDArray[np.float64]
    stop: str
    names: list[str]

DEFAULT_BINS: Final[int]
"""Default number of bins of the ``"quantile"`` and ``"uniform"`` binnings (10)."""

def select(
    x: _Table,
    y: NDArray[Any],
    criterion: str = "jmi",
    k: Optional[int] = None,
    threshold: Optional[float] = None,
    estimator: str = "plugin",
    binning: str = "quantile",
    n_bins: Optional[int] = None,
    categorical: Sequence[str] = ...,
    beta: float = 1.0,
    gamma: float = 1.0,
    n_neighbors: int = 3,
    names: Optional[Sequence[str]] = None,
) -> _Selection:
    """Greedy forward selection; returns selected, step_scores, relevance, stop and names."""

def rank(
    x: _Table,
    y: NDArray[Any],
    estimator: str = "plugin",
    binning: str = "quantile",
    n_bins: Optional[int] = None,
    categorical: Sequence[str] = ...,
    n_neighbors: int = 3,
    names: Optional[Sequence[str]] = None,
) -> NDArray[np.float64]:
    """I(X_j; y) of every column of ``x`` in nats, as ``mutinfo rank`` computes it."""

def entropy(
    x: NDArray[Any],
    estimator: str = "plugin",
    discrete: bool = True,
    n_neighbors: int = 3,
) -> float:
    """H(X) in nats: int64 symbols with a discrete estimator, or a float matrix with a continuous one."""

def mutual_info(
    x: NDArray[Any],
    y: NDArray[Any],
    z: Optional[NDArray[Any]] = None,
    estimator: str = "plugin",
    discrete: bool = True,
    y_classes: bool = False,
    n_neighbors: int = 3,
) -> float:
    """I(X;Y) or I(X;Y|Z) in nats, on int64 symbols (discrete) or float matrices."""

def bald(probs: NDArray[np.float64]) -> NDArray[np.float64]:
    """BALD score of every pool point from probabilities shaped [points, members, classes]."""

def batchbald(
    probs: NDArray[np.float64],
    batch_size: int,
    num_samples: int = 1000,  # mutinfo_active::DEFAULT_NUM_SAMPLES
    seed: int = 0,
) -> Tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Greedy BatchBALD: the picked indices in order and the joint MI after each pick."""

def tree_features(
    x: _Table,
    names: Optional[Sequence[str]] = None,
    declared: Sequence[str] = ...,
    columns: Optional[Sequence[Tuple[bool, Sequence[str]]]] = None,
) -> Tuple[NDArray[np.float64], list[bool], list[list[str]]]:
    """The features as the tree reads them: (float matrix, categorical flags, category levels)."""

@final
class Tree:
    """A fitted decision tree whose labels are the class names given at fit time."""

    @staticmethod
    def fit(
        x: NDArray[np.float64],
        y: NDArray[np.int64],
        class_names: Sequence[str],
        names: Sequence[str],
        categorical: Sequence[bool],
        levels: Sequence[Sequence[str]],
        criterion: str = "gain_ratio",
        max_depth: Optional[int] = None,
        min_samples_split: float = 2.0,
        min_samples_leaf: float = 1.0,
        min_gain: float = 0.0,
        max_features: Union[None, str, int, float] = None,
        seed: int = 0,
        categorical_split: str = "multiway",
        ccp_alpha: float = 0.0,
        pessimistic_cf: Optional[float] = None,
        laplace: float = 0.0,
        sample_weight: Optional[NDArray[np.float64]] = None,
    ) -> "Tree":
        """Grows a tree on ``x`` (NaN = missing) and class codes ``y`` into ``class_names``."""
    @staticmethod
    def from_json(s: str) -> "Tree":
        """A tree from :meth:`to_json`; the layout's format and version are checked."""
    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Class probabilities, one column per class of :meth:`classes`."""
    def classes(self) -> list[str]:
        """The class names of the probability columns, in column order."""
    def feature_importances(self) -> NDArray[np.float64]:
        """Impurity decrease per feature, normalised to sum to 1 (all 0 for a single leaf)."""
    def export_text(self) -> str:
        """The tree as indented text (sklearn's ``export_text`` style)."""
    def export_dot(self) -> str:
        """The tree as Graphviz DOT."""
    def n_leaves(self) -> int:
        """Number of leaves."""
    def depth(self) -> int:
        """Depth (a single leaf has depth 0)."""
    def to_json(self) -> str:
        """The tree in the versioned JSON layout of ``mutinfo-tree`` (used for pickling)."""
