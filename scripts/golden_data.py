"""Golden values for mutinfo-data's discretizers.

Reference: scikit-learn 1.9.1 KBinsDiscretizer(encode="ordinal", subsample=None) and
numpy 2.4 histogram_bin_edges (sturges, fd). Run: python scripts/golden_data.py
Prints Rust literals pasted into crates/mutinfo-data/tests/discretize.rs.
"""
import numpy as np
import sklearn
from sklearn.preprocessing import KBinsDiscretizer

rng = np.random.default_rng(20261123)
x = np.round(rng.normal(size=40) * 3.0, 3)          # continuous-ish with 3 decimals
t = rng.integers(0, 5, size=25).astype(float)        # heavy ties
probe = np.array([-100.0, -1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 100.0])

def lit(a):
    return "[" + ", ".join(repr(float(v)) for v in a) + "]"

print("// sklearn", sklearn.__version__, "numpy", np.__version__)
print("const X: [f64; 40] =", lit(x) + ";")
print("const T: [f64; 25] =", lit(t) + ";")
for name, data in [("X", x), ("T", t)]:
    for strategy in ["uniform", "quantile"]:
        for bins in [3, 5, 7]:
            kb = KBinsDiscretizer(n_bins=bins, encode="ordinal", strategy=strategy, subsample=None)
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kb.fit(data.reshape(-1, 1))
            edges = kb.bin_edges_[0]
            codes = kb.transform(data.reshape(-1, 1))[:, 0].astype(int)
            pc = kb.transform(probe.reshape(-1, 1))[:, 0].astype(int)
            ci = "[" + ", ".join(str(int(c)) for c in codes) + "]"
            pi = "[" + ", ".join(str(int(c)) for c in pc) + "]"
            print(f'    ("{name}", "{strategy}", {bins}, &{lit(edges)}, &{ci}, &{pi}),')
    for rule in ["sturges", "fd"]:
        e = np.histogram_bin_edges(data, bins=rule)
        print(f'    ("{name}", "{rule}", &{lit(e)}),')
