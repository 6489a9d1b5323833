"""mutinfo: the mutual-information engine, for Python.

- :class:`MutualInfoSelector` — mRMR, JMI, CMIM and 11 more greedy criteria, an sklearn
  selector;
- :class:`DecisionTreeClassifier` — information-gain / gain-ratio / Gini trees with C4.5
  missing values and categorical splits, an sklearn classifier;
- :func:`entropy`, :func:`mutual_info`, :func:`rank` — exact plug-in and bias-corrected
  discrete estimators, kNN / Gaussian / copula estimators for continuous data;
- :func:`bald`, :func:`batchbald` — acquisition for active learning.

Inputs: numpy arrays, pandas, pyarrow and polars tables (through the Arrow PyCapsule
interface). Logarithms are natural (nats) unless a ``base`` says otherwise.
"""

from ._functions import bald, batchbald, entropy, mutual_info, rank
from ._selector import CRITERIA, MutualInfoSelector
from ._tree import DecisionTreeClassifier

try:
    from importlib.metadata import version as _version

    __version__ = _version("mutinfo")
except Exception:  # pragma: no cover - not installed
    __version__ = "0.0.0"

__all__ = [
    "CRITERIA",
    "DecisionTreeClassifier",
    "MutualInfoSelector",
    "bald",
    "batchbald",
    "entropy",
    "mutual_info",
    "rank",
]
