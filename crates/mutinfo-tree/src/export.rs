//! Text (sklearn `export_text` style) and Graphviz DOT export.

use std::fmt::{Display, Write as _};

use crate::model::DecisionTree;
use crate::node::{Node, NodeSplit, Test};
use crate::split::CategoricalTest;

impl<L> DecisionTree<L> {
    fn class_name(&self, c: usize) -> String
    where
        L: Display,
    {
        self.classes[c].to_string()
    }

    fn majority(node: &Node) -> usize {
        let mut best = 0;
        for (i, &v) in node.class_weights.iter().enumerate() {
            if v > node.class_weights[best] {
                best = i;
            }
        }
        best
    }

    fn category_label(&self, feature: usize, code: u32) -> String {
        self.category_names
            .get(feature)
            .and_then(|v| v.get(code as usize))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Condition texts for each branch of a split.
    fn branch_texts(&self, s: &NodeSplit) -> Vec<String> {
        let name = &self.feature_names[s.feature];
        match &s.test {
            Test::Threshold(t) => {
                let t = threshold_text(*t, self.decimals.get(s.feature).copied().flatten());
                vec![format!("{name} <= {t}"), format!("{name} >  {t}")]
            }
            Test::Categorical(CategoricalTest::Multiway { categories }) => categories
                .iter()
                .map(|&c| format!("{name} = {}", self.category_label(s.feature, c)))
                .collect(),
            Test::Categorical(CategoricalTest::Subset { left, right }) => [left, right]
                .iter()
                .map(|set| {
                    let v: Vec<String> = set
                        .iter()
                        .map(|&c| self.category_label(s.feature, c))
                        .collect();
                    format!("{name} in {{{}}}", v.join(", "))
                })
                .collect(),
        }
    }

    /// The tree as indented text, in the style of sklearn's `export_text`.
    pub fn export_text(&self) -> String
    where
        L: Display,
    {
        let mut out = String::new();
        let mut stack = vec![(0usize, 0usize, None::<String>)];
        while let Some((id, depth, cond)) = stack.pop() {
            let node = &self.nodes[id];
            let indent = "|   ".repeat(depth.saturating_sub(1));
            if let Some(c) = cond {
                let _ = writeln!(out, "{indent}|--- {c}");
            }
            match &node.split {
                None => {
                    let indent = "|   ".repeat(depth);
                    let _ = writeln!(
                        out,
                        "{indent}|--- class: {} (weight {})",
                        self.class_name(Self::majority(node)),
                        fmt_num(node.weight)
                    );
                }
                Some(s) => {
                    let texts = self.branch_texts(s);
                    for (b, &c) in s.children.iter().enumerate().rev() {
                        stack.push((c, depth + 1, Some(texts[b].clone())));
                    }
                }
            }
        }
        out
    }

    /// The tree in Graphviz DOT.
    pub fn export_dot(&self) -> String
    where
        L: Display,
    {
        let imp_name = match self.settings.criterion {
            crate::split::Criterion::Gini => "gini",
            _ => "entropy",
        };
        let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = String::from(
            "digraph Tree {\nnode [shape=box, style=\"rounded\", fontname=\"helvetica\"];\nedge [fontname=\"helvetica\"];\n",
        );
        for (id, node) in self.nodes.iter().enumerate() {
            let values: Vec<String> = node.class_weights.iter().map(|&v| fmt_num(v)).collect();
            let mut label = String::new();
            if let Some(s) = &node.split {
                let _ = write!(label, "{}\\n", esc(&self.feature_names[s.feature]));
            }
            let _ = write!(
                label,
                "{imp_name} = {:.4}\\nweight = {}\\nvalue = [{}]\\nclass = {}",
                node.impurity,
                fmt_num(node.weight),
                values.join(", "),
                esc(&self.class_name(Self::majority(node)))
            );
            let _ = writeln!(out, "{id} [label=\"{label}\"];");
            if let Some(s) = &node.split {
                let texts = self.branch_texts(s);
                let name_len = self.feature_names[s.feature].len();
                for (b, &c) in s.children.iter().enumerate() {
                    let edge = texts[b][name_len..].trim();
                    let _ = writeln!(out, "{id} -> {c} [label=\"{}\"];", esc(edge));
                }
            }
        }
        out.push_str("}\n");
        out
    }
}

/// The most decimals a feature's training values are searched for (more: thresholds print in full).
pub const MAX_DECIMALS: u8 = 12;

/// The fewest decimals (at most [`MAX_DECIMALS`]) that write every finite value of `v`
/// exactly as it reads back (1 for iris's 5.1, 3.5, …; 0 for integers), or `None`.
pub(crate) fn decimals(v: &[f64]) -> Option<u8> {
    let fits = |x: f64, d: u8| {
        let p = 10f64.powi(i32::from(d));
        (x * p).round() / p == x
    };
    let mut d = 0u8;
    for &x in v.iter().filter(|x| x.is_finite()) {
        while !fits(x, d) {
            d += 1;
            if d > MAX_DECIMALS {
                return None;
            }
        }
    }
    Some(d)
}

/// A threshold as text: the midpoint of two values written with `d` decimals is exact with
/// `d + 1` decimals, so it prints with those (trailing zeros dropped: 2.45, 2.5, 3) instead of
/// the binary expansion (0.15000000000000002 for the midpoint of 0.1 and 0.2); without `d`, the shortest round-trip form.
pub(crate) fn threshold_text(t: f64, d: Option<u8>) -> String {
    match d {
        Some(d) => {
            let s = format!("{:.*}", usize::from(d) + 1, t);
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.into()
            }
        }
        None => format!("{t}"),
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_the_fewest_that_write_every_value() {
        assert_eq!(decimals(&[5.1, 3.5, 1.4, 0.2]), Some(1));
        assert_eq!(decimals(&[1.0, 7.0, -3.0, f64::NAN]), Some(0));
        assert_eq!(decimals(&[0.125, 2.0]), Some(3));
        assert_eq!(decimals(&[1.0 / 3.0]), None);
        assert_eq!(decimals(&[1e300, 2.0]), Some(0));
    }

    #[test]
    fn thresholds_print_at_the_data_precision() {
        let t = crate::split::midpoint(1.9, 3.0);
        assert_eq!(threshold_text(t, Some(1)), "2.45");
        assert_eq!(threshold_text(2.5, Some(0)), "2.5");
        assert_eq!(threshold_text(3.0, Some(0)), "3");
        assert_eq!(threshold_text(10.0, Some(0)), "10");
        assert_eq!(threshold_text(-0.0, Some(0)), "0");
        assert_eq!(threshold_text(-0.05, Some(1)), "-0.05");
        let t = crate::split::midpoint(0.1, 0.2);
        assert_eq!(format!("{t}"), "0.15000000000000002");
        assert_eq!(threshold_text(t, Some(1)), "0.15");
        assert_eq!(threshold_text(1.0 / 3.0, None), format!("{}", 1.0 / 3.0));
    }
}
