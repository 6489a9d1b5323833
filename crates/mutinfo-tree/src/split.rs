//! Split search: impurities, the sorted threshold sweep, and categorical multiway and subset
//! splits, with C4.5's rule for missing values and sample weights.
//!
//! Every gain here is C4.5's: the impurity decrease measured on the rows whose value is known,
//! times the known fraction of the node's weight, `F · (I(known) − Σ_b W_b/W_known · I(b))`.
//! With no missing values `F = 1` and this is the ordinary information gain (or Gini decrease).
//! The split information of a split counts the missing rows as a branch of their own.

use serde::{Deserialize, Serialize};

use crate::TreeError;
use mutinfo_core::weights::{xlnx, XLnXTable};

/// The split criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Criterion {
    /// Information gain, the entropy decrease in nats (ID3; sklearn's `criterion="entropy"`
    /// chooses the same splits, with the gain in bits).
    #[default]
    InformationGain,
    /// C4.5's gain ratio: information gain over split information, among the splits whose gain
    /// is at least the average gain of all candidate splits at the node (Quinlan 1993, §2.2).
    /// Numeric thresholds are chosen by gain, then compared by ratio, as C4.5 does.
    GainRatio,
    /// Gini impurity decrease (CART; sklearn's default).
    Gini,
}

impl Criterion {
    /// The name used on the command line and in saved models.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::InformationGain => "gain",
            Criterion::GainRatio => "gain-ratio",
            Criterion::Gini => "gini",
        }
    }

    /// Parses `gain` (also `entropy`, `information-gain`), `gain-ratio` or `gini`.
    ///
    /// # Errors
    /// [`TreeError::InvalidParameter`] naming the unknown value.
    pub fn parse(s: &str) -> Result<Self, TreeError> {
        match s.to_ascii_lowercase().as_str() {
            "gain" | "entropy" | "information-gain" | "ig" => Ok(Criterion::InformationGain),
            "gain-ratio" | "gainratio" | "ratio" => Ok(Criterion::GainRatio),
            "gini" => Ok(Criterion::Gini),
            _ => Err(TreeError::InvalidParameter {
                name: "criterion",
                reason: format!("unknown criterion {s:?}; expected gain, gain-ratio or gini"),
            }),
        }
    }

    /// The impurity this criterion decreases: entropy in nats, or Gini impurity.
    pub fn impurity(self, class_weights: &[f64]) -> f64 {
        match self {
            Criterion::InformationGain | Criterion::GainRatio => entropy_of_weights(class_weights),
            Criterion::Gini => gini_of_weights(class_weights),
        }
    }
}

pub use mutinfo_core::weights::entropy_of_weights;

/// Gini impurity of non-negative weighted class counts; 0 for an empty total.
pub fn gini_of_weights(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let s: f64 = w.iter().map(|&x| (x / total) * (x / total)).sum();
    (1.0 - s).max(0.0)
}

/// `−Σ p ln p` over branch weights (the split information of C4.5, in nats).
pub fn split_information(branch_weights: &[f64]) -> f64 {
    entropy_of_weights(branch_weights)
}

/// `x ln x` for the sweep: a table lookup when all weights are whole numbers, `ln` otherwise.
pub(crate) trait XLogX: Sync {
    fn xlx(&self, x: f64) -> f64;
}

/// `x ln x` computed with `ln` (mutinfo-core's [`xlnx`]).
pub(crate) struct Direct;

impl XLogX for Direct {
    #[inline]
    fn xlx(&self, x: f64) -> f64 {
        xlnx(x)
    }
}

/// `x ln x` by lookup for whole weights (mutinfo-core's table).
pub(crate) type Table = XLnXTable;

impl XLogX for XLnXTable {
    #[inline]
    fn xlx(&self, x: f64) -> f64 {
        self.get(x)
    }
}

/// Weighted child cost `Σ_children W_c · I(c)` of class counts `c` with total `wc`.
#[inline]
pub(crate) fn child_cost<X: XLogX>(criterion: Criterion, c: &[f64], wc: f64, x: &X) -> f64 {
    if wc <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => {
            let s: f64 = c.iter().map(|&v| v * v).sum();
            wc - s / wc
        }
        _ => {
            let s: f64 = c.iter().map(|&v| x.xlx(v)).sum();
            (x.xlx(wc) - s).max(0.0)
        }
    }
}

/// Relative tolerance under which two split costs or gains count as tied (ties go to the
/// smallest threshold and the lowest feature index).
pub const TIE_TOLERANCE: f64 = 1e-12;

/// True when `a` beats `b` by more than the tie tolerance relative to `scale`.
#[inline]
pub(crate) fn beats(a: f64, b: f64, scale: f64) -> bool {
    a > b + TIE_TOLERANCE * scale.abs()
}

/// Weighted child cost `W · I(c)` of class counts `c` (entropy in nats or Gini), computed
/// directly; the sweep's incremental costs equal it bit for bit on whole-number counts.
pub fn child_cost_direct(criterion: Criterion, c: &[f64]) -> f64 {
    child_cost(criterion, c, c.iter().sum(), &Direct)
}

/// The result of a threshold sweep over the rows with known values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sweep {
    pub threshold: f64,
    /// Impurity decrease on the known rows (not yet scaled by the known fraction).
    pub gain_known: f64,
    /// Known weight going left (`value <= threshold`).
    pub left_weight: f64,
}

/// The midpoint of two adjacent distinct values, or the lower one when the midpoint rounds up
/// to the upper one (sklearn's rule, so thresholds agree on data exact in both).
#[inline]
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let t = a / 2.0 + b / 2.0;
    if t >= b || !t.is_finite() {
        a
    } else {
        t
    }
}

/// One row of a numeric feature in sorted order: its value, row id and class, kept together
/// so a sweep reads memory sequentially.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub v: f64,
    pub row: u32,
    pub y: u32,
}

/// Best threshold over `entries` (sorted by value, known values only), with class totals
/// `known` of weight `wk` and row weights `weight(row)`. Ties keep the smallest threshold.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sweep<X: XLogX, W: Fn(u32) -> f64>(
    criterion: Criterion,
    entries: &[Entry],
    weight: W,
    known: &[f64],
    wk: f64,
    min_leaf: f64,
    left: &mut [f64],
    x: &X,
) -> Option<Sweep> {
    if entries.len() < 2 || wk <= 0.0 {
        return None;
    }
    left.iter_mut().for_each(|v| *v = 0.0);
    let k = known.len();
    let mut right_buf = [0.0f64; 16];
    let mut right_vec;
    let right: &mut [f64] = if k <= 16 {
        right_buf[..k].copy_from_slice(known);
        &mut right_buf[..k]
    } else {
        right_vec = known.to_vec();
        &mut right_vec
    };
    let parent = child_cost(criterion, known, wk, x);
    // Costs equal in exact arithmetic may differ in the last bits; such ties keep the
    // smallest threshold.
    let tol = TIE_TOLERANCE * parent.abs().max(wk * f64::MIN_POSITIVE);
    let mut wl = 0.0;
    let mut best_cost = f64::INFINITY;
    let mut best: Option<(usize, f64)> = None;
    for (p, pair) in entries.windows(2).enumerate() {
        let e = pair[0];
        let wi = weight(e.row);
        let c = e.y as usize;
        left[c] += wi;
        right[c] -= wi;
        wl += wi;
        if e.v == pair[1].v {
            continue;
        }
        let wr = wk - wl;
        if wl < min_leaf || wr < min_leaf || wl <= 0.0 || wr <= 1e-12 * wk {
            continue;
        }
        let cost = child_cost(criterion, left, wl, x) + child_cost(criterion, right, wr, x);
        if cost < best_cost - tol {
            best_cost = cost;
            best = Some((p, wl));
        }
    }
    best.map(|(p, wl)| Sweep {
        threshold: midpoint(entries[p].v, entries[p + 1].v),
        gain_known: ((parent - best_cost) / wk).max(0.0),
        left_weight: wl,
    })
}

/// [`sweep`] for unit weights: class counts kept as integers and `x ln x` read from the table
/// by index, with no float-to-integer conversions. Gives the same bits as [`sweep`] (the same
/// table values summed in the same order; Gini sums of squares of whole numbers are exact).
pub(crate) fn sweep_counts(
    criterion: Criterion,
    entries: &[Entry],
    known: &[f64],
    min_leaf: f64,
    table: &Table,
) -> Option<Sweep> {
    let n = entries.len();
    if n < 2 || n >= table.values().len() {
        return None;
    }
    let k = known.len();
    let mut left_buf = [0u32; 16];
    let mut right_buf = [0u32; 16];
    let (mut left_vec, mut right_vec);
    let (left, right): (&mut [u32], &mut [u32]) = if k <= 16 {
        (&mut left_buf[..k], &mut right_buf[..k])
    } else {
        left_vec = vec![0u32; k];
        right_vec = vec![0u32; k];
        (&mut left_vec, &mut right_vec)
    };
    for (r, &v) in right.iter_mut().zip(known) {
        *r = v as u32;
    }
    let t = table.values();
    let cost_of = |c: &[u32], w: usize| -> f64 {
        match criterion {
            Criterion::Gini => {
                let s: f64 = c.iter().map(|&v| (v as f64) * (v as f64)).sum();
                w as f64 - s / w as f64
            }
            _ => {
                let s: f64 = c.iter().map(|&v| t[v as usize]).sum();
                (t[w] - s).max(0.0)
            }
        }
    };
    let wk = n;
    let parent = cost_of(right, wk);
    let tol = TIE_TOLERANCE * parent.abs().max(wk as f64 * f64::MIN_POSITIVE);
    let mut best_cost = f64::INFINITY;
    let mut best: Option<usize> = None;
    for (p, pair) in entries.windows(2).enumerate() {
        let c = pair[0].y as usize;
        left[c] += 1;
        right[c] -= 1;
        if pair[0].v == pair[1].v {
            continue;
        }
        let wl = p + 1;
        let wr = wk - wl;
        if (wl as f64) < min_leaf || (wr as f64) < min_leaf {
            continue;
        }
        let cost = cost_of(left, wl) + cost_of(right, wr);
        if cost < best_cost - tol {
            best_cost = cost;
            best = Some(p);
        }
    }
    best.map(|p| Sweep {
        threshold: midpoint(entries[p].v, entries[p + 1].v),
        gain_known: ((parent - best_cost) / wk as f64).max(0.0),
        left_weight: (p + 1) as f64,
    })
}

/// Best threshold split of one numeric column.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericSplit {
    /// Rows with `value <= threshold` go left (midpoint of two adjacent distinct values).
    pub threshold: f64,
    /// Weighted impurity decrease, scaled by the known fraction (C4.5's gain).
    pub gain: f64,
    /// Split information in nats over left, right and (when present) the missing rows.
    pub split_info: f64,
    /// Weighted class counts of the left child (known rows only).
    pub left: Vec<f64>,
    /// Weighted class counts of the right child (known rows only).
    pub right: Vec<f64>,
    /// Weighted class counts of the rows whose value is missing (NaN).
    pub missing: Vec<f64>,
}

impl NumericSplit {
    /// Gain ratio `gain / split_info` (0 when the split information is 0).
    pub fn gain_ratio(&self) -> f64 {
        ratio(self.gain, self.split_info)
    }
}

/// How a categorical feature is split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoricalTest {
    /// One branch per category present at the node, in ascending code order (ID3, C4.5).
    Multiway {
        /// The categories, one per branch.
        categories: Vec<u32>,
    },
    /// Two branches: `left` categories and `right` categories (CART-style subset split).
    Subset {
        /// Categories going to the first branch.
        left: Vec<u32>,
        /// Categories going to the second branch.
        right: Vec<u32>,
    },
}

/// Best split of one categorical column.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalSplit {
    /// The test.
    pub test: CategoricalTest,
    /// Weighted impurity decrease, scaled by the known fraction (C4.5's gain).
    pub gain: f64,
    /// Split information in nats over the branches and (when present) the missing rows.
    pub split_info: f64,
    /// Weighted class counts per branch.
    pub branches: Vec<Vec<f64>>,
    /// Weighted class counts of the rows whose value is missing.
    pub missing: Vec<f64>,
}

impl CategoricalSplit {
    /// Gain ratio `gain / split_info` (0 when the split information is 0).
    pub fn gain_ratio(&self) -> f64 {
        ratio(self.gain, self.split_info)
    }
}

pub(crate) fn ratio(gain: f64, split_info: f64) -> f64 {
    if split_info > 1e-12 {
        gain / split_info
    } else {
        0.0
    }
}

/// Largest number of present categories for which subset splits of more than two classes are
/// searched exhaustively (2^(m−1) − 1 subsets); beyond it categories are ordered by the share of
/// the node's most frequent class and swept as a numeric feature (a heuristic, exact for two
/// classes by Breiman's theorem).
pub const EXHAUSTIVE_SUBSET_LIMIT: usize = 12;

/// Multiway and subset splits from a `[category][class]` table of known-row weights.
/// `present` lists the categories with positive weight in ascending order.
pub(crate) fn categorical_from_table(
    criterion: Criterion,
    table: &[Vec<f64>],
    present: &[u32],
    missing: &[f64],
    min_leaf: f64,
    binary: bool,
) -> Option<CategoricalSplit> {
    if present.len() < 2 {
        return None;
    }
    let k = missing.len();
    let mut known = vec![0.0; k];
    for &c in present {
        for (kv, &v) in known.iter_mut().zip(&table[c as usize]) {
            *kv += v;
        }
    }
    let wk: f64 = known.iter().sum();
    let wm: f64 = missing.iter().sum();
    let total = wk + wm;
    if wk <= 0.0 {
        return None;
    }
    let parent = criterion.impurity(&known);
    let finish = |test: CategoricalTest, branches: Vec<Vec<f64>>| {
        let mut bw: Vec<f64> = branches.iter().map(|b| b.iter().sum()).collect();
        let child: f64 = branches
            .iter()
            .zip(&bw)
            .map(|(b, &w)| w / wk * criterion.impurity(b))
            .sum();
        let gain = (wk / total) * (parent - child).max(0.0);
        if wm > 0.0 {
            bw.push(wm);
        }
        CategoricalSplit {
            test,
            gain,
            split_info: split_information(&bw),
            branches,
            missing: missing.to_vec(),
        }
    };
    if !binary {
        if present
            .iter()
            .any(|&c| table[c as usize].iter().sum::<f64>() < min_leaf)
        {
            return None;
        }
        let branches = present.iter().map(|&c| table[c as usize].clone()).collect();
        return Some(finish(
            CategoricalTest::Multiway {
                categories: present.to_vec(),
            },
            branches,
        ));
    }
    let weight_of = |c: u32| table[c as usize].iter().sum::<f64>();
    let subset_cost = |mask: &dyn Fn(usize) -> bool| -> Option<(f64, Vec<f64>, Vec<f64>)> {
        let (mut l, mut r) = (vec![0.0; k], vec![0.0; k]);
        for (j, &c) in present.iter().enumerate() {
            let dst = if mask(j) { &mut l } else { &mut r };
            for (d, &v) in dst.iter_mut().zip(&table[c as usize]) {
                *d += v;
            }
        }
        let (wl, wr): (f64, f64) = (l.iter().sum(), r.iter().sum());
        if wl < min_leaf || wr < min_leaf || wl <= 0.0 || wr <= 0.0 {
            return None;
        }
        let cost = wl * criterion.impurity(&l) + wr * criterion.impurity(&r);
        Some((cost, l, r))
    };
    let m = present.len();
    let mut best: Option<(f64, Vec<bool>)> = None;
    let mut consider = |inleft: Vec<bool>| {
        if let Some((cost, _, _)) = subset_cost(&|j| inleft[j]) {
            if best.as_ref().is_none_or(|(bc, _)| cost < *bc) {
                best = Some((cost, inleft));
            }
        }
    };
    if k > 2 && m <= EXHAUSTIVE_SUBSET_LIMIT {
        // The first present category stays left; every other category is a bit.
        for bits in 0u32..(1u32 << (m - 1)) - 1 {
            let inleft: Vec<bool> = (0..m)
                .map(|j| j == 0 || (bits >> (j - 1)) & 1 == 1)
                .collect();
            consider(inleft);
        }
    } else {
        // Order categories by the share of one class (class 1 for two classes, else the
        // node's most frequent class), ties by code; sweep prefixes.
        let focus = if k == 2 {
            1
        } else {
            (0..k)
                .max_by(|&a, &b| known[a].total_cmp(&known[b]).then(b.cmp(&a)))
                .unwrap_or(0)
        };
        let mut ord: Vec<usize> = (0..m).collect();
        let share = |j: usize| table[present[j] as usize][focus] / weight_of(present[j]);
        ord.sort_by(|&a, &b| share(a).total_cmp(&share(b)).then(a.cmp(&b)));
        for cut in 1..m {
            let mut inleft = vec![false; m];
            for &j in &ord[..cut] {
                inleft[j] = true;
            }
            consider(inleft);
        }
    }
    let (_, inleft) = best?;
    let (_, l, r) = subset_cost(&|j| inleft[j])?;
    let left: Vec<u32> = (0..m).filter(|&j| inleft[j]).map(|j| present[j]).collect();
    let right: Vec<u32> = (0..m).filter(|&j| !inleft[j]).map(|j| present[j]).collect();
    Some(finish(CategoricalTest::Subset { left, right }, vec![l, r]))
}

/// Split finder for single columns: one sorted sweep with incremental weighted class counts for
/// numeric columns, multiway or subset splits for categorical ones. Usable on its own, outside
/// mutinfo's tree.
#[derive(Debug, Clone)]
pub struct SplitFinder {
    criterion: Criterion,
    n_classes: usize,
    min_leaf_weight: f64,
}

impl SplitFinder {
    /// A finder for `n_classes` classes with the given criterion.
    pub fn new(criterion: Criterion, n_classes: usize) -> Self {
        Self {
            criterion,
            n_classes,
            min_leaf_weight: 0.0,
        }
    }

    /// Require each child to carry at least this total weight (default 0, i.e. non-empty).
    pub fn min_leaf_weight(mut self, w: f64) -> Self {
        self.min_leaf_weight = w;
        self
    }

    fn check(
        &self,
        n: usize,
        labels: &[usize],
        weights: Option<&[f64]>,
    ) -> Result<(Vec<u32>, Vec<f64>), TreeError> {
        if labels.len() != n {
            return Err(TreeError::LengthMismatch {
                what: "labels",
                got: labels.len(),
                expected: n,
            });
        }
        if let Some(w) = weights {
            if w.len() != n {
                return Err(TreeError::LengthMismatch {
                    what: "weights",
                    got: w.len(),
                    expected: n,
                });
            }
        }
        let mut y = Vec::with_capacity(n);
        let mut w = Vec::with_capacity(n);
        for (row, &label) in labels.iter().enumerate() {
            if label >= self.n_classes {
                return Err(TreeError::LabelOutOfRange {
                    row,
                    value: label,
                    n_classes: self.n_classes,
                });
            }
            let wi = weights.map_or(1.0, |w| w[row]);
            if !(wi.is_finite() && wi >= 0.0) {
                return Err(TreeError::BadWeight { row, value: wi });
            }
            y.push(label as u32);
            w.push(wi);
        }
        Ok((y, w))
    }

    /// Best threshold on `column` for `labels` with optional `weights` (unit weights if `None`).
    ///
    /// NaN values are missing: the gain is measured on the known rows and scaled by their share
    /// of the weight (C4.5). Returns `Ok(None)` when no valid split exists (fewer than two
    /// distinct values). Ties in gain keep the smallest threshold.
    ///
    /// # Errors
    /// Length mismatches, labels out of range, negative or non-finite weights, infinite values.
    pub fn best_numeric(
        &self,
        column: &[f64],
        labels: &[usize],
        weights: Option<&[f64]>,
    ) -> Result<Option<NumericSplit>, TreeError> {
        let (y, w) = self.check(column.len(), labels, weights)?;
        let k = self.n_classes;
        let mut order = Vec::with_capacity(column.len());
        let (mut known, mut missing) = (vec![0.0; k], vec![0.0; k]);
        for (i, &v) in column.iter().enumerate() {
            if v.is_infinite() {
                return Err(TreeError::InfiniteValue {
                    row: i,
                    column: 0,
                    value: v,
                });
            }
            if v.is_nan() {
                missing[y[i] as usize] += w[i];
            } else {
                known[y[i] as usize] += w[i];
                order.push(i as u32);
            }
        }
        order.sort_by(|&a, &b| {
            column[a as usize]
                .total_cmp(&column[b as usize])
                .then(a.cmp(&b))
        });
        let wk: f64 = known.iter().sum();
        let wm: f64 = missing.iter().sum();
        let mut left = vec![0.0; k];
        let entries: Vec<Entry> = order
            .iter()
            .map(|&r| Entry {
                v: column[r as usize],
                row: r,
                y: y[r as usize],
            })
            .collect();
        let Some(s) = sweep(
            self.criterion,
            &entries,
            |r| w[r as usize],
            &known,
            wk,
            self.min_leaf_weight,
            &mut left,
            &Direct,
        ) else {
            return Ok(None);
        };
        let (mut l, mut r) = (vec![0.0; k], vec![0.0; k]);
        for &i in &order {
            let i = i as usize;
            if column[i] <= s.threshold {
                l[y[i] as usize] += w[i];
            } else {
                r[y[i] as usize] += w[i];
            }
        }
        let mut bw = vec![l.iter().sum::<f64>(), r.iter().sum::<f64>()];
        if wm > 0.0 {
            bw.push(wm);
        }
        Ok(Some(NumericSplit {
            threshold: s.threshold,
            gain: wk / (wk + wm) * s.gain_known,
            split_info: split_information(&bw),
            left: l,
            right: r,
            missing,
        }))
    }

    /// Best split of a categorical `column` of codes (`None` is missing): multiway (one branch
    /// per category present) or, with `binary`, the best two-way subset split.
    ///
    /// # Errors
    /// As [`SplitFinder::best_numeric`].
    pub fn best_categorical(
        &self,
        column: &[Option<u32>],
        labels: &[usize],
        weights: Option<&[f64]>,
        binary: bool,
    ) -> Result<Option<CategoricalSplit>, TreeError> {
        let (y, w) = self.check(column.len(), labels, weights)?;
        let k = self.n_classes;
        let ncat = column.iter().flatten().max().map_or(0, |&m| m as usize + 1);
        let mut table = vec![vec![0.0; k]; ncat];
        let mut missing = vec![0.0; k];
        for (i, v) in column.iter().enumerate() {
            match v {
                Some(c) => table[*c as usize][y[i] as usize] += w[i],
                None => missing[y[i] as usize] += w[i],
            }
        }
        let present: Vec<u32> = (0..ncat as u32)
            .filter(|&c| table[c as usize].iter().sum::<f64>() > 0.0)
            .collect();
        Ok(categorical_from_table(
            self.criterion,
            &table,
            &present,
            &missing,
            self.min_leaf_weight,
            binary,
        ))
    }
}
