//! Selection from counting passes ([`select_counted`]) is the in-memory selection
//! ([`select`]) on the same codes — the same picks and the same scores, bit for bit — for
//! every criterion, with the passes' counts split into parts and merged as an engine that
//! reads files or partitions would.

use mutinfo_core::{joint_keys, CodeMatrix, Codes, TripleCounts};
use mutinfo_select::{select, select_counted, Criterion, RoundCounts, SelectError, SelectOptions};
use proptest::prelude::*;

/// Counts in-memory codes in `parts` row ranges, each counted on its own and merged.
struct InMemory<'a> {
    x: &'a CodeMatrix,
    y: &'a Codes,
    parts: usize,
    passes: std::sync::Mutex<Vec<Vec<usize>>>,
}

impl RoundCounts for InMemory<'_> {
    fn n_features(&self) -> usize {
        self.x.n_cols()
    }

    fn count(&self, given: &[usize]) -> Result<Vec<TripleCounts>, SelectError> {
        self.passes.lock().unwrap().push(given.to_vec());
        let n = self.y.len();
        let step = n.div_ceil(self.parts).max(1);
        let rows: Vec<usize> = (0..n).collect();
        let mut out = Vec::with_capacity(self.x.n_cols());
        for j in 0..self.x.n_cols() {
            let xj = self.x.column(j);
            let mut total = TripleCounts::new(xj.cardinality(), self.y.cardinality())?;
            for chunk in rows.chunks(step).rev() {
                let xs = xj.take(chunk);
                let ys = self.y.take(chunk);
                let cols: Vec<Codes> = given
                    .iter()
                    .map(|&g| self.x.column(g).take(chunk))
                    .collect();
                let refs: Vec<&Codes> = cols.iter().collect();
                let z = (!given.is_empty()).then(|| joint_keys(&refs)).transpose()?;
                let mut part = TripleCounts::new(xj.cardinality(), self.y.cardinality())?;
                part.add(&xs, z.as_deref(), &ys)?;
                total.merge(&part)?;
            }
            out.push(total);
        }
        Ok(out)
    }
}

fn data(n: usize, p: usize, seed: u64, dup: bool) -> (CodeMatrix, Codes) {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut cards: Vec<u32> = (0..p).map(|_| 2 + (next() % 5) as u32).collect();
    let mut cols: Vec<Vec<u32>> = cards
        .iter()
        .map(|&c| (0..n).map(|_| (next() % c as u64) as u32).collect())
        .collect();
    if dup && p > 2 {
        // Equal columns: equal scores, ties to the lowest index.
        cols[p - 1] = cols[0].clone();
        cards[p - 1] = cards[0];
    }
    let y: Vec<u32> = (0..n)
        .map(|i| (cols[0][i] + cols[1 % p][i] + (next() % 2) as u32) % 3)
        .collect();
    let x = CodeMatrix::from_columns(
        cols.into_iter()
            .zip(&cards)
            .map(|(c, &k)| Codes::from_codes(c, k).unwrap())
            .collect(),
    )
    .unwrap();
    (x, Codes::from_codes(y, 3).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn counted_selection_is_the_in_memory_selection(
        n in 1usize..300,
        p in 1usize..9,
        seed in any::<u64>(),
        parts in 1usize..5,
        k in 1usize..9,
        dup in any::<bool>(),
        threshold in prop_oneof![Just(None), Just(Some(0.01))],
    ) {
        let (x, y) = data(n, p, seed, dup);
        for c in Criterion::all() {
            let mut opts = SelectOptions::new(c).k(k);
            opts.threshold = threshold;
            let src = InMemory { x: &x, y: &y, parts, passes: Default::default() };
            let want = select(&x, &y, &opts);
            let got = select_counted(&src, &opts);
            match (want, got) {
                (Ok(w), Ok(g)) => prop_assert_eq!(g, w, "{:?}", c),
                (Err(w), Err(g)) => prop_assert_eq!(g.to_string(), w.to_string()),
                (w, g) => prop_assert!(false, "{:?}: {:?} vs {:?}", c, w.map(|_| ()), g.map(|_| ())),
            }
            // One pass for the relevances, then at most one per pick after the first.
            let passes = src.passes.lock().unwrap();
            prop_assert!(passes[0].is_empty());
            prop_assert!(passes.len() <= k.max(1));
        }
    }
}

#[test]
fn fixed_features_and_refusals() {
    let (x, y) = data(200, 6, 7, false);
    let src = InMemory {
        x: &x,
        y: &y,
        parts: 3,
        passes: Default::default(),
    };
    let mut opts = SelectOptions::new(Criterion::Jmi).k(4);
    opts.fixed = vec![5, 2];
    assert_eq!(
        select_counted(&src, &opts).unwrap(),
        select(&x, &y, &opts).unwrap()
    );
    opts.alpha = Some(0.05);
    assert!(select_counted(&src, &opts)
        .unwrap_err()
        .to_string()
        .contains("alpha"));
    // A backend's failure surfaces as its own message.
    struct Failing;
    impl RoundCounts for Failing {
        fn n_features(&self) -> usize {
            3
        }
        fn count(&self, _: &[usize]) -> Result<Vec<TripleCounts>, SelectError> {
            Err(SelectError::Counting("executor lost".into()))
        }
    }
    let f = Failing;
    let e = select_counted(&f, &SelectOptions::new(Criterion::Jmi).k(2)).unwrap_err();
    assert_eq!(e.to_string(), "counting pass: executor lost");
}
