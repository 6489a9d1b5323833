"""Times mutinfo's tree beside sklearn's DecisionTreeClassifier and linfa-trees in one run, and
compares held-out accuracy with sklearn at equal settings on real sets.

    python3 scripts/bench_tree.py speed      # 100,000 x 20 numeric features
    python3 scripts/bench_tree.py accuracy   # breast-cancer, digits, ../shared/datasets

Builds the example once (cargo build --release -p mutinfo-tree --example tree_bench).
"""
import json, os, pathlib, subprocess, sys, tempfile, time
import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXE = ROOT / "target/release/examples/tree_bench"

def build():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "mutinfo-tree", "--example", "tree_bench"],
                   cwd=ROOT, check=True)

def run_ours(Xtr, ytr, Xte, crit, depth, linfa=False, threads=None, repeat=3):
    d = tempfile.mkdtemp()
    p = lambda n: os.path.join(d, n)
    np.ascontiguousarray(Xtr, "<f8").tofile(p("x")); ytr.astype("<f8").tofile(p("y"))
    np.ascontiguousarray(Xte, "<f8").tofile(p("xt"))
    cmd = [str(EXE), p("x"), p("y"), p("xt"), str(len(Xtr)), str(len(Xte)), str(Xtr.shape[1]),
           p("pred"), "--criterion", crit, "--repeat", str(repeat)]
    if depth is not None:
        cmd += ["--max-depth", str(depth)]
    if linfa:
        cmd.append("--linfa")
    env = dict(os.environ)
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout)
    out["pred"] = np.fromfile(p("pred"), "<f8")
    return out

def sk_time(Xtr, ytr, crit, depth, repeat=3):
    best = 1e9
    for _ in range(repeat):
        m = DecisionTreeClassifier(criterion=crit, max_depth=depth, random_state=0)
        t = time.perf_counter(); m.fit(Xtr, ytr); best = min(best, time.perf_counter() - t)
    return best, m

def speed():
    X, y = make_classification(n_samples=110_000, n_features=20, n_informative=10, n_redundant=5,
                               n_classes=2, random_state=0)
    Xtr, ytr, Xte, yte = X[:100_000], y[:100_000], X[100_000:], y[100_000:]
    print("| fit on 100,000 x 20 | max depth | mutinfo 1 thread | mutinfo 2 threads | sklearn (entropy) | linfa-trees | sklearn / mutinfo (1 thr) | linfa / mutinfo (1 thr) |")
    print("|---|---|---|---|---|---|---|---|")
    for depth in [8, 12, None]:
        one = run_ours(Xtr, ytr, Xte, "gain", depth, threads=1)
        two = run_ours(Xtr, ytr, Xte, "gain", depth, threads=2)
        sk, m = sk_time(Xtr, ytr, "entropy", depth)
        lin = run_ours(Xtr, ytr, Xte, "gain", depth, linfa=True, threads=1, repeat=1) if depth is not None else None
        acc_o = (one["pred"] == yte).mean(); acc_s = (m.predict(Xte) == yte).mean()
        lt = f"{lin['linfa_fit_s']:.3f} s" if lin else "not run (O(n²) per node)"
        lr = f"{lin['linfa_fit_s'] / one['mutinfo_fit_s']:.1f}×" if lin else "–"
        print(f"| accuracy {acc_o:.4f} vs sklearn {acc_s:.4f} | {depth or 'none'} | {one['mutinfo_fit_s']:.3f} s | "
              f"{two['mutinfo_fit_s']:.3f} s | {sk:.3f} s | {lt} | {sk / one['mutinfo_fit_s']:.2f}× | {lr} |", flush=True)

def accuracy():
    sets = []
    Xb, yb = load_breast_cancer(return_X_y=True); sets.append(("breast-cancer", Xb, yb))
    Xd, yd = load_digits(return_X_y=True); sets.append(("digits", Xd, yd))
    shared = ROOT.parent / "shared/datasets"
    for name in ["madelon", "isolet", "coil20", "lung_small", "colon"]:
        f = shared / f"{name}.parquet"
        if f.exists():
            import pyarrow.parquet as pq
            t = pq.read_table(f).to_pandas()
            sets.append((name, t.drop(columns="label").to_numpy(np.float64), t["label"].to_numpy()))
        else:
            print(f"skipping {name}: {f} absent", file=sys.stderr)
    print("| set | rows × features | criterion | mutinfo accuracy | sklearn accuracy | difference (points) |")
    print("|---|---|---|---|---|---|")
    for name, X, y in sets:
        _, yc = np.unique(y, return_inverse=True)
        X = X.astype(np.float32).astype(np.float64)  # sklearn grows on float32 values
        for crit_o, crit_s in [("gain", "entropy"), ("gini", "gini")]:
            accs_o, accs_s = [], []
            for seed in range(5):
                Xtr, Xte, ytr, yte = train_test_split(X, yc, test_size=0.3, random_state=seed, stratify=yc)
                o = run_ours(Xtr, ytr, Xte, crit_o, None, repeat=1)
                m = DecisionTreeClassifier(criterion=crit_s, random_state=seed).fit(Xtr, ytr)
                accs_o.append((o["pred"] == yte).mean()); accs_s.append((m.predict(Xte) == yte).mean())
            ao, as_ = np.mean(accs_o), np.mean(accs_s)
            print(f"| {name} | {X.shape[0]} × {X.shape[1]} | {crit_s} | {ao:.4f} | {as_:.4f} | {100 * (ao - as_):+.2f} |", flush=True)

if __name__ == "__main__":
    build()
    {"speed": speed, "accuracy": accuracy}[sys.argv[1] if len(sys.argv) > 1 else "speed"]()
