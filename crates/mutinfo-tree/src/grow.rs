//! Growing a tree: presorted row lists per numeric feature, partitioned stably at every split,
//! so each level costs O(rows × features) with no re-sorting; C4.5 fractional instances for
//! missing values; an explicit work stack (no recursion, so deep trees cannot overflow).

use std::rc::Rc;

use rand::seq::index::sample;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::node::{Node, NodeSplit, Test};
use crate::settings::{CategoricalSplit, FeatureKind, MaxFeatures, TreeSettings};
use crate::split::{
    beats, categorical_from_table, ratio, sweep, sweep_counts, Criterion, Direct, Entry, Table,
    XLogX,
};

/// Below this many (rows × candidate features) a node is searched on one thread.
const PARALLEL_WORK: usize = 32_768;

/// Training data in the layout the grower wants.
pub(crate) struct Data<'a> {
    /// Column-major values; categorical columns hold codes as f64, NaN is missing.
    pub cols: &'a [Vec<f64>],
    pub kinds: &'a [FeatureKind],
    /// Number of categories per feature (0 for numeric).
    pub n_categories: &'a [usize],
    pub y: &'a [u32],
    pub n_classes: usize,
}

struct NodeRows {
    /// Rows at the node, ascending.
    rows: Vec<u32>,
    /// Per numeric feature: the node's rows with a known value, sorted by (value, row).
    sorted: Vec<Vec<Entry>>,
}

enum Task {
    Build {
        id: usize,
        depth: usize,
        rows: NodeRows,
    },
    Scale {
        rows: Rc<[u32]>,
        saved: Rc<[f64]>,
        frac: f64,
    },
    Restore {
        rows: Rc<[u32]>,
        saved: Rc<[f64]>,
    },
}

struct Candidate {
    feature: usize,
    test: Test,
    gain: f64,
    split_info: f64,
}

const BOTH: u32 = u32::MAX;

/// Grows the tree; returns its nodes (root first).
pub(crate) fn grow(data: &Data<'_>, weights: &[f64], s: &TreeSettings) -> Vec<Node> {
    let n = data.y.len();
    let d = data.cols.len();
    let whole = weights.iter().all(|&w| w.fract() == 0.0);
    let table = if whole {
        let total: f64 = weights.iter().sum();
        Some(std::sync::Arc::new(Table::new(
            (total as usize).min(1 << 24),
        )))
    } else {
        None
    };
    let has_missing = data.cols.iter().any(|c| c.iter().any(|v| v.is_nan()));
    let mut g = Grower {
        data,
        s,
        unit: !has_missing && weights.iter().all(|&w| w == 1.0),
        table: table.clone(),
        w: weights.to_vec(),
        side: vec![0; n],
        rng: ChaCha8Rng::seed_from_u64(s.seed),
        nodes: Vec::new(),
    };
    let rows: Vec<u32> = (0..n as u32).collect();
    let sorted = (0..d)
        .into_par_iter()
        .map(|f| {
            if data.kinds[f] != FeatureKind::Numeric {
                return Vec::new();
            }
            let col = &data.cols[f];
            // Sort (value, row, class) records in place: contiguous, no indirect loads.
            let mut v: Vec<Entry> = rows
                .iter()
                .filter(|&&r| !col[r as usize].is_nan())
                .map(|&r| Entry {
                    v: col[r as usize],
                    row: r,
                    y: data.y[r as usize],
                })
                .collect();
            // One integer key per record: the IEEE total order of the value, then the row.
            v.sort_unstable_by_key(|e| {
                let b = e.v.to_bits() as i64;
                let total = (b ^ ((((b >> 63) as u64) >> 1) as i64)) as u64 ^ (1 << 63);
                (u128::from(total) << 32) | u128::from(e.row)
            });
            v
        })
        .collect();
    g.nodes.push(Node::placeholder());
    let mut stack = vec![Task::Build {
        id: 0,
        depth: 0,
        rows: NodeRows { rows, sorted },
    }];
    while let Some(task) = stack.pop() {
        match task {
            Task::Build { id, depth, rows } => match &table {
                Some(t) => g.build(id, depth, rows, &mut stack, &**t),
                None => g.build(id, depth, rows, &mut stack, &Direct),
            },
            Task::Scale { rows, saved, frac } => {
                for (&r, &w0) in rows.iter().zip(saved.iter()) {
                    g.w[r as usize] = w0 * frac;
                }
            }
            Task::Restore { rows, saved } => {
                for (&r, &w0) in rows.iter().zip(saved.iter()) {
                    g.w[r as usize] = w0;
                }
            }
        }
    }
    g.nodes
}

struct Grower<'a, 'b> {
    data: &'b Data<'a>,
    s: &'b TreeSettings,
    /// All weights are 1 and stay 1 (no missing values): sweeps count in integers.
    unit: bool,
    /// `x ln x` of whole numbers up to the total weight, when all weights are whole.
    table: Option<std::sync::Arc<Table>>,
    /// Current weight of every row (fractional for rows sent down several branches).
    w: Vec<f64>,
    /// Branch of each row at the node being partitioned (`BOTH` for missing values).
    side: Vec<u32>,
    rng: ChaCha8Rng,
    nodes: Vec<Node>,
}

impl Grower<'_, '_> {
    fn build<X: XLogX>(
        &mut self,
        id: usize,
        depth: usize,
        nr: NodeRows,
        stack: &mut Vec<Task>,
        xlx: &X,
    ) {
        let k = self.data.n_classes;
        let mut totals = vec![0.0; k];
        for &r in &nr.rows {
            totals[self.data.y[r as usize] as usize] += self.w[r as usize];
        }
        let weight: f64 = totals.iter().sum();
        let impurity = self.s.criterion.impurity(&totals);
        self.nodes[id] = Node {
            class_weights: totals.clone(),
            weight,
            impurity,
            split: None,
        };
        let classes_present = totals.iter().filter(|&&v| v > 0.0).count();
        if self.s.max_depth.is_some_and(|m| depth >= m)
            || weight < self.s.min_samples_split
            || weight < 2.0 * self.s.min_samples_leaf
            || classes_present <= 1
        {
            return;
        }
        let features = self.candidate_features();
        let Some(best) = self.best_split(&nr, &features, &totals, weight, xlx) else {
            return;
        };
        if best.gain < self.s.min_gain {
            return;
        }
        self.split(id, depth, nr, best, stack);
    }

    fn candidate_features(&mut self) -> Vec<usize> {
        let d = self.data.cols.len();
        let m = match self.s.max_features {
            MaxFeatures::All => d,
            MaxFeatures::Sqrt => (d as f64).sqrt() as usize,
            MaxFeatures::Log2 => (d as f64).log2() as usize,
            MaxFeatures::Count(c) => c,
            MaxFeatures::Fraction(f) => (f * d as f64) as usize,
        }
        .clamp(1, d.max(1));
        if m >= d {
            return (0..d).collect();
        }
        let mut v = sample(&mut self.rng, d, m).into_vec();
        v.sort_unstable();
        v
    }

    fn best_split<X: XLogX>(
        &self,
        nr: &NodeRows,
        features: &[usize],
        totals: &[f64],
        weight: f64,
        xlx: &X,
    ) -> Option<Candidate> {
        let eval = |&f: &usize| self.evaluate(f, nr, totals, weight, xlx);
        let cands: Vec<Candidate> = if nr.rows.len() * features.len() >= PARALLEL_WORK {
            features.par_iter().filter_map(eval).collect()
        } else {
            features.iter().filter_map(eval).collect()
        };
        match self.s.criterion {
            Criterion::GainRatio => {
                if cands.is_empty() {
                    return None;
                }
                let avg = cands.iter().map(|c| c.gain).sum::<f64>() / cands.len() as f64;
                let floor = avg - 1e-12 * avg.abs().max(1e-300);
                let mut best: Option<Candidate> = None;
                for c in cands {
                    if c.gain < floor {
                        continue;
                    }
                    let r = ratio(c.gain, c.split_info);
                    if best.as_ref().is_none_or(|b| {
                        let rb = ratio(b.gain, b.split_info);
                        beats(r, rb, rb)
                    }) {
                        best = Some(c);
                    }
                }
                best
            }
            _ => {
                let scale = self.s.criterion.impurity(totals);
                let mut best: Option<Candidate> = None;
                for c in cands {
                    if best.as_ref().is_none_or(|b| beats(c.gain, b.gain, scale)) {
                        best = Some(c);
                    }
                }
                best
            }
        }
    }

    fn evaluate<X: XLogX>(
        &self,
        f: usize,
        nr: &NodeRows,
        totals: &[f64],
        weight: f64,
        xlx: &X,
    ) -> Option<Candidate> {
        let k = self.data.n_classes;
        let col = &self.data.cols[f];
        let y = self.data.y;
        let crit = self.s.criterion;
        match self.data.kinds[f] {
            FeatureKind::Numeric => {
                let order = &nr.sorted[f];
                let (known, wk) = if order.len() == nr.rows.len() {
                    (totals.to_vec(), weight)
                } else {
                    let mut kn = vec![0.0; k];
                    for e in order {
                        kn[e.y as usize] += self.w[e.row as usize];
                    }
                    let wk = kn.iter().sum::<f64>();
                    (kn, wk)
                };
                let mut left = vec![0.0; k];
                let (w, min_leaf) = (&self.w, self.s.min_samples_leaf);
                let sw = if let (true, Some(t)) = (self.unit, self.table.as_ref()) {
                    sweep_counts(crit, order, &known, min_leaf, t)
                } else {
                    sweep(
                        crit,
                        order,
                        |r| w[r as usize],
                        &known,
                        wk,
                        min_leaf,
                        &mut left,
                        xlx,
                    )
                }?;
                let wm = (weight - wk).max(0.0);
                let mut bw = vec![sw.left_weight, wk - sw.left_weight];
                if wm > 1e-12 * weight {
                    bw.push(wm);
                }
                Some(Candidate {
                    feature: f,
                    test: Test::Threshold(sw.threshold),
                    gain: wk / weight * sw.gain_known,
                    split_info: crate::split::split_information(&bw),
                })
            }
            FeatureKind::Categorical => {
                let ncat = self.data.n_categories[f];
                let mut table = vec![vec![0.0; k]; ncat];
                let mut missing = vec![0.0; k];
                for &r in &nr.rows {
                    let v = col[r as usize];
                    let (c, wr) = (y[r as usize] as usize, self.w[r as usize]);
                    if v.is_nan() {
                        missing[c] += wr;
                    } else {
                        table[v as usize][c] += wr;
                    }
                }
                let present: Vec<u32> = (0..ncat as u32)
                    .filter(|&c| table[c as usize].iter().sum::<f64>() > 0.0)
                    .collect();
                let binary = self.s.categorical_split == CategoricalSplit::Binary;
                let cs = categorical_from_table(
                    crit,
                    &table,
                    &present,
                    &missing,
                    self.s.min_samples_leaf,
                    binary,
                )?;
                Some(Candidate {
                    feature: f,
                    test: Test::Categorical(cs.test),
                    gain: cs.gain,
                    split_info: cs.split_info,
                })
            }
        }
    }

    fn split(
        &mut self,
        id: usize,
        depth: usize,
        nr: NodeRows,
        best: Candidate,
        stack: &mut Vec<Task>,
    ) {
        let f = best.feature;
        let col = &self.data.cols[f];
        // Branch of every row; BOTH for missing values (and categories unknown to the test).
        for &r in &nr.rows {
            let v = col[r as usize];
            self.side[r as usize] = if v.is_nan() {
                BOTH
            } else {
                best.test.branch(v).map_or(BOTH, |b| b as u32)
            };
        }
        let nb = best.test.n_branches();
        let mut bweights = vec![0.0; nb];
        let mut missing_rows = Vec::new();
        for &r in &nr.rows {
            match self.side[r as usize] {
                BOTH => missing_rows.push(r),
                b => bweights[b as usize] += self.w[r as usize],
            }
        }
        let wk: f64 = bweights.iter().sum();
        let fractions: Vec<f64> = bweights.iter().map(|&b| b / wk).collect();
        let mut child_rows: Vec<NodeRows> = (0..nb)
            .map(|_| NodeRows {
                rows: Vec::new(),
                sorted: vec![Vec::new(); nr.sorted.len()],
            })
            .collect();
        let side = &self.side;
        for &r in &nr.rows {
            match side[r as usize] {
                BOTH => child_rows.iter_mut().for_each(|c| c.rows.push(r)),
                b => child_rows[b as usize].rows.push(r),
            }
        }
        let route = |list: &Vec<Entry>| {
            let mut out: Vec<Vec<Entry>> = vec![Vec::new(); nb];
            for e in list {
                match side[e.row as usize] {
                    BOTH => out.iter_mut().for_each(|c| c.push(*e)),
                    b => out[b as usize].push(*e),
                }
            }
            out
        };
        let routed: Vec<Vec<Vec<Entry>>> = if nr.rows.len() * nr.sorted.len() >= PARALLEL_WORK {
            nr.sorted.par_iter().map(route).collect()
        } else {
            nr.sorted.iter().map(route).collect()
        };
        for (g, per_child) in routed.into_iter().enumerate() {
            for (b, list) in per_child.into_iter().enumerate() {
                child_rows[b].sorted[g] = list;
            }
        }
        drop(nr);
        let first = self.nodes.len();
        let children: Vec<usize> = (first..first + nb).collect();
        self.nodes.extend((0..nb).map(|_| Node::placeholder()));
        self.nodes[id].split = Some(NodeSplit {
            feature: f,
            test: best.test,
            gain: best.gain,
            children: children.clone(),
            fractions: fractions.clone(),
        });
        let missing: Rc<[u32]> = missing_rows.into();
        let saved: Rc<[f64]> = missing.iter().map(|&r| self.w[r as usize]).collect();
        if !missing.is_empty() {
            stack.push(Task::Restore {
                rows: missing.clone(),
                saved: saved.clone(),
            });
        }
        for (b, cr) in child_rows.into_iter().enumerate().rev() {
            stack.push(Task::Build {
                id: children[b],
                depth: depth + 1,
                rows: cr,
            });
            if !missing.is_empty() {
                stack.push(Task::Scale {
                    rows: missing.clone(),
                    saved: saved.clone(),
                    frac: fractions[b],
                });
            }
        }
    }
}
