"""DecisionTreeClassifier: the CLI's tree on the same file, categories, missing values, pickling."""

import csv
import io
import pickle
import subprocess

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import load_iris

import mutinfo


def test_fits_iris_and_probabilities_are_consistent():
    X, y = load_iris(return_X_y=True)
    t = mutinfo.DecisionTreeClassifier(criterion="gain", max_depth=3).fit(X, y)
    p = t.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(t.predict(X), t.classes_[p.argmax(axis=1)])
    assert t.score(X, y) > 0.95
    assert t.get_depth() <= 3
    assert t.feature_importances_.sum() == pytest.approx(1.0)
    assert "class:" in t.export_text()
    assert t.export_graphviz().startswith("digraph")


def test_string_classes_and_category_columns():
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame(
        {
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "size": rng.normal(size=n),
        }
    )
    y = np.where(df["colour"] == "red", "stop", np.where(df["size"] > 0, "go", "wait"))
    t = mutinfo.DecisionTreeClassifier(criterion="gain").fit(df, y)
    assert list(t.classes_) == ["go", "stop", "wait"]
    assert t.score(df, y) == 1.0
    assert "colour = red" in t.export_text()
    for other in (pa.Table.from_pandas(df, preserve_index=False), pl.from_pandas(df)):
        np.testing.assert_array_equal(t.predict(other), t.predict(df))
    # A category unseen at fit time is a missing value, not an error.
    unseen = df.head(3).copy()
    unseen["colour"] = pd.Categorical(["purple"] * 3)
    assert t.predict_proba(unseen).shape == (3, 3)


def test_missing_values_are_c45_fractions():
    X = np.array([[0.0], [0.0], [1.0], [1.0], [np.nan]])
    y = np.array([0, 0, 1, 1, 1])
    t = mutinfo.DecisionTreeClassifier(criterion="gain").fit(X, y)
    p = t.predict_proba(np.array([[np.nan]]))
    assert 0 < p[0, 0] < 1


def test_infinite_value_names_the_column():
    df = pd.DataFrame({"a": [1.0, 2.0, np.inf, 3.0], "b": [0, 1, 0, 1]})
    with pytest.raises(ValueError, match=r"column a: infinite value inf at row 2"):
        mutinfo.DecisionTreeClassifier().fit(df, [0, 1, 0, 1])


def test_pickle_round_trip_is_exact():
    X, y = load_iris(return_X_y=True)
    t = mutinfo.DecisionTreeClassifier(max_features="sqrt", random_state=3).fit(X, y)
    u = pickle.loads(pickle.dumps(t))
    assert u.predict_proba(X).tobytes() == t.predict_proba(X).tobytes()
    assert u.export_text() == t.export_text()
    # A corrupted model is refused on load.
    state = t.__getstate__()
    state["tree_"] = state["tree_"].replace('"format_version": 1', '"format_version": 99')
    with pytest.raises(ValueError, match="version"):
        mutinfo.DecisionTreeClassifier().__setstate__(state)


def test_same_tree_as_the_cli(mutinfo_bin, tmp_path):
    X, y = load_iris(return_X_y=True)
    names = ["sl", "sw", "pl", "pw"]
    table = pa.table({**{n: X[:, j] for j, n in enumerate(names)}, "species": y.astype(np.int64)})
    path = tmp_path / "iris.parquet"
    pq.write_table(table, path)
    model, preds = tmp_path / "tree.json", tmp_path / "preds.csv"
    for crit in ("gain", "gain-ratio", "gini"):
        subprocess.run(
            [mutinfo_bin, "tree", "fit", str(path), "--target", "species", "--criterion", crit,
             "--model", str(model), "--quiet"],
            check=True, capture_output=True,
        )
        subprocess.run(
            [mutinfo_bin, "tree", "predict", str(path), "--model", str(model), "--proba",
             "--out", str(preds), "--quiet"],
            check=True, capture_output=True,
        )
        rows = list(csv.DictReader(io.StringIO(preds.read_text())))
        cli = np.array([[float(r[f"p({c})"]) for c in ("0", "1", "2")] for r in rows])
        t = mutinfo.DecisionTreeClassifier(criterion=crit.replace("-", "_")).fit(table.drop_columns(["species"]), y)
        np.testing.assert_array_equal(t.predict_proba(table.drop_columns(["species"])), cli)
        model.unlink()
        preds.unlink()
