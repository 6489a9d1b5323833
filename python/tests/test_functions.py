"""entropy, mutual_info, rank, bald and batchbald against independent references."""

import itertools
import math

import numpy as np
import pytest
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import mutual_info_score

import mutinfo


def plugin_entropy(labels):
    _, counts = np.unique(labels, return_counts=True, axis=0)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def test_entropy_closed_forms():
    assert mutinfo.entropy([0, 0, 1, 1]) == math.log(2)
    assert mutinfo.entropy([7, 7, 7]) == 0.0
    assert mutinfo.entropy(["a", "b", "c", "d"], base="bits") == pytest.approx(2.0, abs=1e-15)
    rows = np.array([[0, 1], [0, 1], [1, 0], [1, 1]])
    assert mutinfo.entropy(rows) == pytest.approx(plugin_entropy(rows), abs=1e-15)
    # Miller–Madow adds (m - 1) / 2N.
    x = [0, 0, 0, 1, 2, 2]
    assert mutinfo.entropy(x, "miller-madow") == pytest.approx(plugin_entropy(x) + 2 / 12, abs=1e-15)


def test_gaussian_entropy_closed_form():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 2)) * [1.0, 3.0]
    exact = 0.5 * math.log((2 * math.pi * math.e) ** 2 * 9.0)
    assert mutinfo.entropy(x, "gaussian") == pytest.approx(exact, abs=0.03)
    assert mutinfo.entropy(x, "kl") == pytest.approx(exact, abs=0.05)


def test_mutual_info_matches_sklearn():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, 3000)
    y = (x + rng.integers(0, 3, 3000)) % 4
    assert mutinfo.mutual_info(x, y) == pytest.approx(mutual_info_score(x, y), abs=1e-12)


def test_conditional_mutual_info_is_entropy_identity():
    rng = np.random.default_rng(2)
    x, y, z = (rng.integers(0, k, 2000) for k in (3, 4, 2))
    y = (y + x * z) % 4
    xz, yz, xyz = np.c_[x, z], np.c_[y, z], np.c_[x, y, z]
    h = plugin_entropy
    expected = h(xz) + h(yz) - h(xyz) - h(z)
    assert mutinfo.mutual_info(x, y, z) == pytest.approx(expected, abs=1e-12)


def test_continuous_mutual_info_gaussian_closed_form():
    rng = np.random.default_rng(3)
    rho = 0.8
    xy = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=5000)
    exact = -0.5 * math.log(1 - rho * rho)
    assert mutinfo.mutual_info(xy[:, 0], xy[:, 1], estimator="gaussian") == pytest.approx(exact, abs=0.02)
    assert mutinfo.mutual_info(xy[:, 0], xy[:, 1], estimator="ksg") == pytest.approx(exact, abs=0.05)


def test_rank_matches_sklearn_discrete():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 6, (2000, 7))
    y = (X[:, 2] + X[:, 5] // 2) % 3
    ours = mutinfo.rank(X, y)
    ref = mutual_info_classif(X, y, discrete_features=True)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_errors_are_value_errors_naming_the_problem():
    with pytest.raises(ValueError, match="estimator"):
        mutinfo.entropy([1, 2], estimator="nope")
    with pytest.raises(ValueError, match="NaN at row 1"):
        mutinfo.entropy([1.0, np.nan])
    with pytest.raises(ValueError, match="rows"):
        mutinfo.mutual_info([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="probs"):
        mutinfo.bald(np.ones((3, 2)))


# -- BALD and BatchBALD against an independent NumPy reference ---------------------------


def _h(p):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def ref_bald(probs):
    mean = probs.mean(axis=1)
    return np.array(
        [_h(mean[n]) - np.mean([_h(probs[n, k]) for k in range(probs.shape[1])]) for n in range(len(probs))]
    )


def ref_joint_mi(probs, batch):
    """I(y_batch; ω) by enumerating every label configuration of the batch."""
    n_members, n_classes = probs.shape[1], probs.shape[2]
    joint = 0.0
    for config in itertools.product(range(n_classes), repeat=len(batch)):
        per_member = np.ones(n_members)
        for i, c in zip(batch, config):
            per_member *= probs[i, :, c]
        p = per_member.mean()
        if p > 0:
            joint -= p * math.log(p)
    conditional = sum(np.mean([_h(probs[i, k]) for k in range(n_members)]) for i in batch)
    return joint - conditional


def ref_batchbald(probs, b):
    chosen, scores = [], []
    for _ in range(b):
        best, best_score = None, -math.inf
        for i in range(len(probs)):
            if i in chosen:
                continue
            s = ref_joint_mi(probs, chosen + [i])
            if s > best_score + 1e-12:
                best, best_score = i, s
        chosen.append(best)
        scores.append(best_score)
    return np.array(chosen), np.array(scores)


def random_probs(rng, n, k, c):
    logits = rng.normal(size=(n, k, c)) * 2
    e = np.exp(logits - logits.max(axis=2, keepdims=True))
    return e / e.sum(axis=2, keepdims=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bald_matches_reference(seed):
    probs = random_probs(np.random.default_rng(seed), 40, 6, 4)
    np.testing.assert_allclose(mutinfo.bald(probs), ref_bald(probs), rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_batchbald_matches_reference(seed):
    probs = random_probs(np.random.default_rng(10 + seed), 25, 5, 3)
    idx, scores = mutinfo.batchbald(probs, 4)
    ref_idx, ref_scores = ref_batchbald(probs, 4)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(scores, ref_scores, rtol=0, atol=1e-9)
    # The first pick is BALD's best.
    assert idx[0] == int(np.argmax(ref_bald(probs)))
