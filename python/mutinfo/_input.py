"""Input handling shared by the estimators and functions.

Tables (pandas, pyarrow, polars) reach the engine through the Arrow PyCapsule interface
(``__arrow_c_stream__``), without a copy where the layout allows; numpy arrays go through
sklearn's ``validate_data`` (the standard checks and messages) and then column by column in
their own dtype. Either way the engine encodes them as ``mutinfo select`` encodes a file.
"""

from __future__ import annotations

import warnings
from typing import Any, List, Optional, Sequence

import numpy as np
from sklearn.utils.validation import column_or_1d, validate_data

_NATIVE_DTYPES = frozenset("f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1".split())


def _is_pandas(X: Any) -> bool:
    return type(X).__module__.startswith("pandas") and hasattr(X, "columns")


def is_table(X: Any) -> bool:
    """A dataframe-like input: pandas, pyarrow Table/RecordBatch, polars, or any object with
    the Arrow PyCapsule interface."""
    return (
        _is_pandas(X)
        or hasattr(X, "__arrow_c_stream__")
        or hasattr(X, "__arrow_c_array__")
    )


def column_names(X: Any) -> List[str]:
    """The column names of a table input."""
    if _is_pandas(X):
        return [str(c) for c in X.columns]
    if hasattr(X, "column_names"):  # pyarrow
        return [str(c) for c in X.column_names]
    if hasattr(X, "columns"):  # polars
        return [str(c) for c in X.columns]
    raise TypeError(f"cannot read the column names of {type(X).__name__}")


def as_stream(X: Any) -> Any:
    """An object the engine can read through ``__arrow_c_stream__``."""
    if _is_pandas(X):
        if len(set(map(str, X.columns))) != X.shape[1]:
            raise ValueError("X has duplicate column names")
        try:
            import pyarrow as pa
        except ImportError:
            numeric = all(np.issubdtype(t, np.number) or t == bool for t in X.dtypes)
            if not numeric:
                raise TypeError(
                    "pandas DataFrames with category or text columns need pyarrow "
                    "(pip install pyarrow)"
                ) from None
            return None
        # Column names as text (pandas allows integers); category dtype becomes an Arrow
        # dictionary, which the engine reads as categories.
        frame = X.copy(deep=False)
        frame.columns = [str(c) for c in X.columns]
        return pa.Table.from_pandas(frame, preserve_index=False)
    if hasattr(X, "__arrow_c_stream__"):
        return X
    import pyarrow as pa  # only objects with __arrow_c_array__ alone get here

    return pa.Table.from_batches([pa.record_batch(X)])


def native_array(X: np.ndarray) -> np.ndarray:
    """``X`` in a dtype the engine reads (native byte order; float16 widened)."""
    if X.dtype == np.float16:
        return X.astype(np.float32)
    if not X.dtype.isnative:
        X = X.astype(X.dtype.newbyteorder("="))
    if X.dtype.str[1:] not in _NATIVE_DTYPES:
        X = X.astype(np.float64)
    return X


def check_X(
    est: Any,
    X: Any,
    *,
    reset: bool,
    allow_nan: bool,
    y: Any = None,
    min_samples: int = 1,
):
    """Validates ``X`` (and ``y`` when given) for ``est``.

    Returns ``(data, names, y)``: ``data`` is an Arrow-stream object or a numpy array for the
    engine, ``names`` the feature names (``None`` for plain arrays).
    """
    if y is not None and not reset:
        raise AssertionError("y only at fit time")
    if is_table(X):
        names = column_names(X)
        if _is_pandas(X):
            validate_data(est, X, skip_check_array=True, reset=reset)
        else:
            _check_names(est, names, reset)
        if reset:
            est.feature_names_in_ = np.asarray(names, dtype=object)
            est.n_features_in_ = len(names)
        if X.shape[0] < min_samples:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) while a minimum of {min_samples} is required."
            )
        stream = as_stream(X)
        if stream is None:  # pandas, all numeric, no pyarrow
            data = native_array(X.to_numpy())
        else:
            data = stream
        if y is not None:
            y = column_or_1d(np.asarray(y), warn=True)
            if len(y) != X.shape[0]:
                raise ValueError(f"X has {X.shape[0]} rows but y has {len(y)} values")
        return data, names, y
    kwargs = dict(
        dtype="numeric",
        ensure_all_finite="allow-nan" if allow_nan else True,
        ensure_min_samples=min_samples,
        reset=reset,
    )
    if y is not None:
        X, y = validate_data(est, X, y, **kwargs)
    else:
        X = validate_data(est, X, **kwargs)
    names = None
    if hasattr(est, "feature_names_in_"):
        names = [str(n) for n in est.feature_names_in_]
    return native_array(np.asarray(X)), names, y


def _check_names(est: Any, names: List[str], reset: bool) -> None:
    """sklearn's feature-count and feature-name checks, for tables sklearn does not read
    (pyarrow, polars)."""
    if reset:
        return
    cls = type(est).__name__
    if len(names) != est.n_features_in_:
        raise ValueError(
            f"X has {len(names)} features, but {cls} is expecting {est.n_features_in_} features as input."
        )
    fitted = getattr(est, "feature_names_in_", None)
    if fitted is None:
        warnings.warn(f"X has feature names, but {cls} was fitted without feature names", UserWarning)
    elif list(fitted) != names:
        raise ValueError(
            "The feature names should match those that were passed during fit.\n"
            f"Fitted with: {list(fitted)}\nGiven: {names}"
        )


def target_array(y: np.ndarray) -> np.ndarray:
    """``y`` for the engine: numbers and booleans as they are (a float target is binned as
    ``mutinfo select`` bins it), anything else as class codes."""
    y = np.asarray(y)
    if y.dtype.kind in "biuf":
        return native_array(y.reshape(-1))
    _, codes = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_inverse=True)
    return codes.reshape(-1).astype(np.int64)


def symbols(x: Any, what: str) -> np.ndarray:
    """One int64 symbol per row of ``x`` (a row of a 2-D array is one joint symbol)."""
    a = np.asarray(x)
    if a.ndim == 0 or a.ndim > 2:
        raise ValueError(f"{what}: expected a 1-D or 2-D array, got {a.ndim} dimension(s)")
    if a.shape[0] == 0:
        raise ValueError(f"{what}: no rows")
    if a.dtype.kind == "f" and np.isnan(a).any():
        row = int(np.argwhere(np.isnan(a))[0][0])
        raise ValueError(f"{what}: NaN at row {row} (a discrete estimator counts symbols)")
    if a.dtype.kind == "c":
        raise TypeError(f"{what}: complex values are not symbols")
    if a.dtype.kind == "O":
        a = a.astype(str)
    if a.ndim == 2:
        _, codes = np.unique(a, axis=0, return_inverse=True)
    else:
        _, codes = np.unique(a, return_inverse=True)
    return codes.reshape(-1).astype(np.int64)


def floats(x: Any, what: str) -> np.ndarray:
    """``x`` as a float64 matrix (rows × dimensions)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"{what}: expected a 1-D or 2-D array, got {a.ndim} dimension(s)")
    return np.ascontiguousarray(a)


def names_or_none(names: Optional[Sequence[str]]) -> Optional[List[str]]:
    return None if names is None else [str(n) for n in names]
