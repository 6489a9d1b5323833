#!/usr/bin/env python3
"""Exact greedy CondMI selection (k = 10) on a data set of ../shared/datasets, ties to the lowest
column index: the golden rows of crates/mutinfo-select/tests/known_answers.rs for CondMI.

With counts c, N*I(X;Y|Z) = ln(P_xzy * P_z / (P_xz * P_zy)) where P_s = prod over the cells of
the table s of c^c, and N*I(X;Y) = ln(P_xy * N^N / (P_x * P_y)); the arguments are compared
exactly as Python big-integer fractions, so exact ties are seen as ties (a float
reimplementation orders them by rounding noise).

    python3 scripts/golden_condmi_exact.py lung_small     # or colon
"""
import pyarrow.parquet as pq, sys
from collections import Counter
from fractions import Fraction

name = sys.argv[1]
import os
root = os.environ.get('MUTINFO_DATASETS', os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../shared/datasets'))
t = pq.read_table(os.path.join(root, f'{name}.parquet')).to_pandas()
y = list(t['label'].values)
feats = [c for c in t.columns if c != 'label']
cols = [list(t[c].values) for c in feats]
def prod(keys):
    p = 1
    for v in Counter(keys).values(): p *= v**v
    return p
def rel(x):  # I(X;Y) = ln(prod_xy * N^N / (prod_x prod_y))
    return Fraction(prod(zip(x, y)) * len(y)**len(y), prod(x) * prod(y))
sel = []
z = [()] * len(y)
for step in range(10):
    best = None
    for j in range(len(cols)):
        if j in sel: continue
        x = cols[j]
        if not sel:
            v = rel(x)
        else:
            v = Fraction(prod(zip(x, z, y)) * prod(z), prod(zip(x, z)) * prod(zip(z, y)))
        if best is None or v > best[1]:
            best = (j, v)
    sel.append(best[0])
    z = [a + (b,) for a, b in zip(z, cols[best[0]])]
print(' '.join(feats[j] for j in sel))
