//! Post-pruning: minimal cost-complexity (CART) and C4.5's pessimistic error pruning.
//!
//! Both work on the node array in place (children always have larger ids than their parent, so
//! a reverse scan is a bottom-up traversal); `compact` then drops unreachable nodes.

use crate::node::Node;

/// Minimal cost-complexity pruning: repeatedly collapse the inner node with the smallest
/// effective α `(R(t) − R(T_t)) / (|leaves(T_t)| − 1)`, where `R(t) = W_t/W · impurity(t)`,
/// while that α is at most `alpha` (sklearn's rule; ties to the lowest node id).
pub(crate) fn cost_complexity(nodes: &mut [Node], alpha: f64) {
    if nodes.is_empty() {
        return;
    }
    let root = nodes[0].weight;
    let r_node: Vec<f64> = nodes
        .iter()
        .map(|n| {
            if root > 0.0 {
                n.weight / root * n.impurity
            } else {
                0.0
            }
        })
        .collect();
    loop {
        let reach_now = reachable(nodes);
        let mut r_branch = r_node.clone();
        let mut leaves = vec![1usize; nodes.len()];
        for id in (0..nodes.len()).rev() {
            if !reach_now[id] {
                continue;
            }
            if let Some(s) = &nodes[id].split {
                r_branch[id] = s.children.iter().map(|&c| r_branch[c]).sum();
                leaves[id] = s.children.iter().map(|&c| leaves[c]).sum();
            }
        }
        let mut best: Option<(usize, f64)> = None;
        for id in 0..nodes.len() {
            if !reach_now[id] || nodes[id].split.is_none() || leaves[id] < 2 {
                continue;
            }
            let a = (r_node[id] - r_branch[id]) / (leaves[id] - 1) as f64;
            if best.is_none_or(|(_, b)| a < b) {
                best = Some((id, a));
            }
        }
        match best {
            Some((id, a)) if a <= alpha => nodes[id].split = None,
            _ => break,
        }
    }
}

/// C4.5's coefficient: the normal deviate for confidence factor `cf`, interpolated in C4.5's
/// table of (confidence, deviate) pairs as C4.5 does, squared.
fn c45_coefficient(cf: f64) -> f64 {
    const VAL: [f64; 9] = [0.0, 0.001, 0.005, 0.01, 0.05, 0.10, 0.20, 0.40, 1.00];
    const DEV: [f64; 9] = [4.0, 3.09, 2.58, 2.33, 1.65, 1.28, 0.84, 0.25, 0.00];
    let mut i = 1;
    while i < VAL.len() - 1 && cf > VAL[i] {
        i += 1;
    }
    let z = DEV[i - 1] + (DEV[i] - DEV[i - 1]) * (cf - VAL[i - 1]) / (VAL[i] - VAL[i - 1]);
    z * z
}

/// Extra errors C4.5 adds to `e` observed errors among `n` cases: `n · U_cf(e, n) − e`, with
/// `U_cf` the upper confidence limit of the binomial error rate (C4.5's `AddErrs`).
pub fn added_errors(n: f64, e: f64, cf: f64) -> f64 {
    if n <= 0.0 {
        return 0.0;
    }
    let coeff = c45_coefficient(cf);
    if e < 1e-6 {
        n * (1.0 - (cf.ln() / n).exp())
    } else if e < 0.9999 {
        let v0 = n * (1.0 - (cf.ln() / n).exp());
        v0 + e * (added_errors(n, 1.0, cf) - v0)
    } else if e + 0.5 >= n {
        0.67 * (n - e)
    } else {
        let a = e + 0.5;
        let pr =
            (a + coeff / 2.0 + (coeff * (a * (1.0 - a / n) + coeff / 4.0)).sqrt()) / (n + coeff);
        n * pr - e
    }
}

/// C4.5 pessimistic pruning by subtree replacement: bottom-up, a subtree becomes a leaf when
/// the leaf's estimated errors are at most the subtree's plus 0.1 (C4.5's rule). Subtree
/// raising is not done.
pub(crate) fn pessimistic(nodes: &mut [Node], cf: f64) {
    let reach = reachable(nodes);
    let mut est = vec![0.0; nodes.len()];
    for id in (0..nodes.len()).rev() {
        if !reach[id] {
            continue;
        }
        let n = &nodes[id];
        let best = n.class_weights.iter().copied().fold(0.0, f64::max);
        let e = (n.weight - best).max(0.0);
        let leaf = e + added_errors(n.weight, e, cf);
        match &n.split {
            None => est[id] = leaf,
            Some(s) => {
                let sub: f64 = s.children.iter().map(|&c| est[c]).sum();
                if leaf <= sub + 0.1 {
                    nodes[id].split = None;
                    est[id] = leaf;
                } else {
                    est[id] = sub;
                }
            }
        }
    }
}

fn reachable(nodes: &[Node]) -> Vec<bool> {
    let mut r = vec![false; nodes.len()];
    if nodes.is_empty() {
        return r;
    }
    r[0] = true;
    for id in 0..nodes.len() {
        if r[id] {
            if let Some(s) = &nodes[id].split {
                for &c in &s.children {
                    r[c] = true;
                }
            }
        }
    }
    r
}

/// Drops unreachable nodes and renumbers the rest in their order.
pub(crate) fn compact(nodes: &mut Vec<Node>) {
    let r = reachable(nodes);
    if r.iter().all(|&v| v) {
        return;
    }
    let mut new_id = vec![usize::MAX; nodes.len()];
    let mut next = 0;
    for (i, &keep) in r.iter().enumerate() {
        if keep {
            new_id[i] = next;
            next += 1;
        }
    }
    let old = std::mem::take(nodes);
    for (i, mut n) in old.into_iter().enumerate() {
        if !r[i] {
            continue;
        }
        if let Some(s) = &mut n.split {
            s.children.iter_mut().for_each(|c| *c = new_id[*c]);
        }
        nodes.push(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_errors_match_quinlans_book() {
        // C4.5: Programs for Machine Learning, §4.2: U_25%(0,6) = 0.206, U_25%(0,9) = 0.143,
        // U_25%(0,1) = 0.750, U_25%(1,16) = 0.157.
        for (n, e, u) in [
            (6.0, 0.0, 0.206),
            (9.0, 0.0, 0.143),
            (1.0, 0.0, 0.750),
            (16.0, 1.0, 0.157),
        ] {
            let got = (e + added_errors(n, e, 0.25)) / n;
            assert!(
                (got - u).abs() < mutinfo_core::prec::ESTIMATE,
                "U(0.25; {e}, {n}) = {got}, book {u}"
            );
        }
    }
}
