"""Golden values for mutinfo-tree from scikit-learn's DecisionTreeClassifier.

Data are rounded to float32 (sklearn grows trees on float32 values), drawn without ties, so
every split is unique and our tree must equal sklearn's node for node down to max_depth.
Writes crates/mutinfo-tree/tests/data/golden_tree.json.

    python3 scripts/golden_tree.py
"""
import json, pathlib
import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

X, y = make_classification(n_samples=600, n_features=6, n_informative=4, n_redundant=1,
                           n_classes=3, n_clusters_per_class=1, random_state=7)
X = X.astype(np.float32).astype(np.float64)
assert all(len(np.unique(X[:, j])) == len(X) for j in range(X.shape[1])), "ties"
Xtr, ytr, Xte = X[:450], y[:450], X[450:]

def preorder(t, tree):
    out = []
    def walk(i):
        if t.children_left[i] == -1:
            out.append({"leaf": True, "weight": float(t.weighted_n_node_samples[i])})
        else:
            out.append({"leaf": False, "feature": int(t.feature[i]),
                        "threshold": float(t.threshold[i]),
                        "weight": float(t.weighted_n_node_samples[i])})
            walk(t.children_left[i]); walk(t.children_right[i])
    walk(0)
    return out

def gini(c):
    s = c.sum()
    return 0.0 if s == 0 else 1 - ((c / s) ** 2).sum()

def entropy(c):
    p = c[c > 0] / c.sum()
    return float(-(p * np.log(p)).sum())

def first_tie(m, crit):
    """Preorder index of the first split where two features tie for the best cost (sklearn
    then picks by its random feature order, we by the lowest index), or None."""
    imp = gini if crit == "gini" else entropy
    t, ids = m.tree_, []
    def walk(i):
        ids.append(i)
        if t.children_left[i] != -1:
            walk(t.children_left[i]); walk(t.children_right[i])
    walk(0)
    paths = m.decision_path(Xtr).toarray().astype(bool)
    for pos, nid in enumerate(ids):
        if t.children_left[nid] == -1:
            continue
        Xn, yn = Xtr[paths[:, nid]], ytr[paths[:, nid]]
        costs = []
        for f in range(Xn.shape[1]):
            o = np.argsort(Xn[:, f])
            costs.append(min(p * imp(np.bincount(yn[o[:p]], minlength=3)) +
                             (len(o) - p) * imp(np.bincount(yn[o[p:]], minlength=3))
                             for p in range(1, len(o))))
        costs = np.array(costs)
        if np.sum(costs <= costs.min() + 1e-9) > 1:
            return pos
    return None

cases = []
for crit in ["entropy", "gini"]:
    for depth in [1, 3, 5]:
        m = DecisionTreeClassifier(criterion=crit, max_depth=depth, random_state=0).fit(Xtr, ytr)
        cases.append({"criterion": crit, "max_depth": depth, "ccp_alpha_sklearn": 0.0,
                      "nodes": preorder(m.tree_, m), "first_tie": first_tie(m, crit), "n_leaves": int(m.get_n_leaves()),
                      "importances": m.feature_importances_.tolist(),
                      "proba": m.predict_proba(Xte).tolist()})
for crit, alpha in [("entropy", 0.02), ("gini", 0.01)]:
    m = DecisionTreeClassifier(criterion=crit, ccp_alpha=alpha, random_state=0).fit(Xtr, ytr)
    cases.append({"criterion": crit, "max_depth": None, "ccp_alpha_sklearn": alpha,
                  "nodes": preorder(m.tree_, m), "first_tie": first_tie(m, crit), "n_leaves": int(m.get_n_leaves()),
                  "importances": m.feature_importances_.tolist(),
                  "proba": m.predict_proba(Xte).tolist()})

out = {"source": f"scikit-learn {sklearn.__version__} DecisionTreeClassifier",
       "x_train": Xtr.tolist(), "y_train": ytr.tolist(), "x_test": Xte.tolist(), "cases": cases}
path = pathlib.Path(__file__).resolve().parent.parent / "crates/mutinfo-tree/tests/data/golden_tree.json"
path.write_text(json.dumps(out))
print("wrote", path, [ (c["criterion"], c["max_depth"], c["n_leaves"]) for c in cases])
