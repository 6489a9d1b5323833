//! A bootstrap committee of mutinfo trees: aligned class axes, valid probabilities, BALD high
//! where members disagree and low where the data are unambiguous, and the same committee for
//! any thread count.

use mutinfo_active::{bald, Bootstrap, Committee, CommitteeFactory, TreeMember};
use ndarray::{Array2, Axis};

fn data() -> (Array2<f64>, Vec<usize>) {
    // Three classes in bands of x0; x1 is noise.
    let mut s = 17u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % 10_000) as f64 / 10_000.0
    };
    let x = Array2::from_shape_fn((120, 2), |_| next());
    let y = x.column(0).iter().map(|&v| (v * 3.0) as usize).collect();
    (x, y)
}

#[test]
fn tree_committee_probabilities_and_disagreement() {
    let (x, y) = data();
    let committee = Bootstrap::new(TreeMember::default(), 8)
        .fit(x.view(), &y, 4, 3)
        .unwrap();
    // Probe points: deep inside class bands, and on the band edges.
    let probe = ndarray::array![
        [0.15, 0.5],
        [0.5, 0.5],
        [0.85, 0.5],
        [1.0 / 3.0, 0.5],
        [2.0 / 3.0, 0.5]
    ];
    let p = committee.predict_samples(probe.view()).unwrap();
    assert_eq!(p.dim(), (5, 8, 4));
    for row in p.lanes(Axis(2)) {
        assert!((row.sum() - 1.0).abs() < mutinfo_core::prec::GOLDEN);
        // Class 3 never appears in the labels: probability 0 from every member.
        assert_eq!(row[3], 0.0);
    }
    let b = bald(p.view()).unwrap();
    let inside = (b[0] + b[1] + b[2]) / 3.0;
    let edges = (b[3] + b[4]) / 2.0;
    assert!(
        edges > inside,
        "BALD on edges {edges} vs inside {inside}: {b:?}"
    );
    let again = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| {
            Bootstrap::new(TreeMember::default(), 8)
                .fit(x.view(), &y, 4, 3)
                .unwrap()
                .predict_samples(probe.view())
                .unwrap()
        });
    assert_eq!(p, again);
}
