"""MutualInfoSelector: every input type, the CLI's selection on the same file, pipelines."""

import json
import subprocess

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline

import mutinfo


def xor_data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, (n, 8))
    X[:, 4] = rng.random(n) < 0.2  # y copies x1 80% of the time; x4 says when it does not
    y = X[:, 1] ^ X[:, 4]
    return X, y


def test_jmi_finds_the_xor_pair():
    X, y = xor_data()
    s = mutinfo.MutualInfoSelector(criterion="jmi", k=2).fit(X, y)
    assert sorted(s.selected_) == [1, 4]
    assert s.transform(X).shape == (600, 2)
    assert list(s.get_feature_names_out()) == ["x1", "x4"]
    # Marginally x4 tells little; jointly with x1 it tells y exactly.
    assert s.scores_[4] < 0.01
    assert s.step_scores_[1] == pytest.approx(np.log(2), abs=0.01)


@pytest.mark.parametrize("criterion", mutinfo.CRITERIA)
def test_every_criterion_runs_and_is_deterministic(criterion):
    X, y = xor_data(300, 1)
    a = mutinfo.MutualInfoSelector(criterion=criterion, k=3).fit(X, y)
    b = mutinfo.MutualInfoSelector(criterion=criterion, k=3).fit(X, y)
    assert len(a.selected_) == 3
    np.testing.assert_array_equal(a.selected_, b.selected_)
    assert a.step_scores_.tobytes() == b.step_scores_.tobytes()


def test_same_selection_from_every_input_type():
    rng = np.random.default_rng(5)
    n = 800
    df = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 50, n).astype(np.int32),
            "c": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "d": rng.integers(0, 3, n).astype(np.int64),
            "e": rng.random(n) > 0.5,
        }
    )
    y = ((df["a"] > 0).astype(int) + (df["c"] == "red").astype(int) + df["d"]).to_numpy() % 3
    results = []
    for X in (
        df,
        pa.Table.from_pandas(df, preserve_index=False),
        pa.RecordBatch.from_pandas(df, preserve_index=False),
        pl.from_pandas(df),
    ):
        s = mutinfo.MutualInfoSelector(criterion="mrmr", k=4).fit(X, y)
        results.append((tuple(s.selected_), s.scores_.tobytes()))
        assert list(s.feature_names_in_) == ["a", "b", "c", "d", "e"]
        out = s.transform(X)
        assert type(out).__module__.split(".")[0] == type(X).__module__.split(".")[0]
    assert len(set(results)) == 1, results
    # The numeric columns alone, as numpy, agree with the same columns as a table.
    num = df[["a", "b", "d"]]
    s1 = mutinfo.MutualInfoSelector(k=3).fit(num, y)
    s2 = mutinfo.MutualInfoSelector(k=3).fit(num.to_numpy(), y)
    np.testing.assert_array_equal(s1.selected_, s2.selected_)


def test_numpy_dtypes_agree():
    X, y = xor_data(400, 2)
    ref = mutinfo.MutualInfoSelector(k=3).fit(X.astype(np.float64), y).selected_
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.float32, bool):
        got = mutinfo.MutualInfoSelector(k=3).fit(X.astype(dt), y).selected_
        np.testing.assert_array_equal(got, ref, err_msg=str(dt))
    # Strided and Fortran-ordered views read the same values.
    np.testing.assert_array_equal(mutinfo.MutualInfoSelector(k=3).fit(np.asfortranarray(X), y).selected_, ref)


def test_string_and_float_targets():
    X, y = xor_data(400, 3)
    labels = np.array(["no", "yes"])[y]
    a = mutinfo.MutualInfoSelector(k=2).fit(X, labels).selected_
    b = mutinfo.MutualInfoSelector(k=2).fit(X, y).selected_
    np.testing.assert_array_equal(a, b)


def test_errors_name_the_column():
    df = pd.DataFrame({"ok": [1.0, 2.0, 3.0, 4.0], "bad": [1.0, np.nan, 2.0, 3.0]})
    with pytest.raises(ValueError, match=r"column bad: missing value .*row 1"):
        mutinfo.MutualInfoSelector(k=1).fit(df, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="one class"):
        mutinfo.MutualInfoSelector(k=1).fit(np.arange(8).reshape(4, 2), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="criterion"):
        mutinfo.MutualInfoSelector(criterion="best").fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="k=0"):
        mutinfo.MutualInfoSelector(k=0).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    with pytest.raises(TypeError):
        mutinfo.rank("not data", [0, 1])


def test_threshold_and_all():
    X, y = xor_data(500, 4)
    s = mutinfo.MutualInfoSelector(criterion="jmi", k="all").fit(X, y)
    assert len(s.selected_) == X.shape[1]
    s = mutinfo.MutualInfoSelector(criterion="cmim", k=None, threshold=0.05).fit(X, y)
    assert len(s.selected_) < X.shape[1]
    assert s.stop_reason_ == "below-threshold"
    assert 0 < len(s.selected_)


def test_pipeline_cross_val_score():
    X, y = xor_data(600, 6)
    pipe = Pipeline(
        [("select", mutinfo.MutualInfoSelector(criterion="jmi", k=2)), ("tree", mutinfo.DecisionTreeClassifier())]
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() == 1.0


def run_cli(bin_, *args):
    out = subprocess.run([bin_, *args, "--format", "json", "--quiet"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def cli_selection(bin_, path, target, criterion, k):
    doc = run_cli(bin_, "select", str(path), "--target", target, "--criterion", criterion, "-k", str(k))
    return [f["index"] for f in doc["features"]], [f["score"] for f in doc["features"]]


@pytest.mark.parametrize("criterion", ["jmi", "mrmr", "cmim"])
def test_same_selection_as_the_cli_on_shipped_data(mutinfo_bin, root, tmp_path, criterion):
    table = pacsv.read_csv(root / "datasets" / "madelon_like.csv")
    path = tmp_path / "madelon_like.parquet"
    pq.write_table(table, path)
    cli_idx, cli_scores = cli_selection(mutinfo_bin, path, "y", criterion, 10)
    t = pq.read_table(path)
    X, y = t.drop_columns(["y"]), t.column("y").to_numpy()
    s = mutinfo.MutualInfoSelector(criterion=criterion, k=10).fit(X, y)
    assert list(s.selected_) == cli_idx
    np.testing.assert_allclose(s.step_scores_, cli_scores, rtol=0, atol=1e-12)
    # The same through numpy and polars.
    assert list(mutinfo.MutualInfoSelector(criterion=criterion, k=10).fit(pl.from_arrow(X), y).selected_) == cli_idx


@pytest.mark.parametrize("name,target", [("madelon.parquet", "label"), ("isolet.parquet", "label")])
def test_same_selection_as_the_cli_on_real_data(mutinfo_bin, shared, name, target):
    path = shared / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    cli_idx, cli_scores = cli_selection(mutinfo_bin, path, target, "jmi", 20)
    t = pq.read_table(path)
    s = mutinfo.MutualInfoSelector(criterion="jmi", k=20).fit(t.drop_columns([target]), t.column(target).to_numpy())
    assert list(s.selected_) == cli_idx
    np.testing.assert_allclose(s.step_scores_, cli_scores, rtol=0, atol=1e-12)


def test_rank_matches_the_cli(mutinfo_bin, root):
    path = root / "datasets" / "madelon_like.csv"
    doc = run_cli(mutinfo_bin, "rank", str(path), "--target", "y")
    cli = {f["index"]: f["score"] for f in doc["features"]}
    t = pacsv.read_csv(path)
    ours = mutinfo.rank(t.drop_columns(["y"]), t.column("y").to_numpy())
    np.testing.assert_allclose(ours, [cli[i] for i in range(len(ours))], rtol=0, atol=1e-12)


@pytest.mark.parametrize("criterion", ["mim", "jmi", "cmim", "mrmr"])
def test_small_integer_path_equals_the_general_path(criterion):
    # Integer data (numpy, or a table of integer columns) takes a direct path to codes when
    # every column spans fewer than 2^16 integers; floats take the general encoder, which
    # gives the same codes.
    rng = np.random.default_rng(9)
    n = 5000
    X = np.c_[
        rng.integers(0, 10, (n, 3)),
        rng.choice([-5, 0, 7], (n, 2)),  # gaps between the values: ranks, not offsets
        rng.integers(-200, -195, (n, 1)),
        rng.integers(0, 40, (n, 1)),  # more values than bins: quantile bins
        rng.integers(-3000, 3000, (n, 1)) * 7,  # wider than a byte
    ]
    y = (X[:, 0] + (X[:, 3] > 0) + rng.integers(0, 2, n)) % 4
    table = pa.table({f"x{j}": X[:, j].astype(np.float64) for j in range(X.shape[1])})
    int_table = pa.table({f"x{j}": X[:, j] for j in range(X.shape[1])})
    for Xi in (X, X.astype(np.int16), np.asfortranarray(X), int_table, pl.from_arrow(int_table)):
        fast = mutinfo.MutualInfoSelector(criterion=criterion, k=6).fit(Xi, y)
        slow = mutinfo.MutualInfoSelector(criterion=criterion, k=6).fit(table, y)
        np.testing.assert_array_equal(fast.selected_, slow.selected_)
        assert fast.scores_.tobytes() == slow.scores_.tobytes()
        assert fast.step_scores_.tobytes() == slow.step_scores_.tobytes()
    # A column spanning 2^16 integers or more sends the whole matrix down the general path,
    # with the same result.
    wide = np.c_[X, rng.integers(0, 1 << 20, (n, 1))]
    a = mutinfo.MutualInfoSelector(criterion=criterion, k=4).fit(wide, y)
    b = mutinfo.MutualInfoSelector(criterion=criterion, k=4).fit(wide.astype(np.float64), y)
    assert a.scores_.tobytes() == b.scores_.tobytes()
    np.testing.assert_array_equal(mutinfo.rank(X, y), mutinfo.rank(table, y))
