//! A k-d tree under the maximum (Chebyshev) norm, and sorted arrays for 1-D counts.
//!
//! Both answer exactly the questions the kNN estimators ask — the k nearest neighbours of a
//! sample point (ties broken by row index, so the answer is deterministic), and how many
//! points lie strictly inside (or inside or on) a max-norm ball — and both compare distances
//! computed the same way as a brute-force scan (`|a − b|` per coordinate, then the maximum),
//! so their counts equal the O(N²) scan exactly, including at the ball's boundary.
//!
//! ## Beside `kiddo`
//! Joint-space nearest neighbours in 3 to 8 dimensions go to kiddo's tree, which was faster
//! there (see [`crate::joint`], with the measurements). This tree keeps 1–2 dimensional joint
//! spaces and repeated points, where it was measured faster (it counts whole cells inside a
//! ball), the ball counts of the marginal spaces for the same reason, and joint spaces of
//! more than 8 dimensions (kiddo fixes the dimension at compile time).

/// Points per leaf: small enough that a leaf scan is cheap, large enough to keep the tree shallow.
const LEAF_SIZE: usize = 8;

/// Max-norm distance between two points of equal dimension.
#[inline(always)]
pub fn chebyshev(a: &[f64], b: &[f64]) -> f64 {
    let mut d = 0.0f64;
    for (x, y) in a.iter().zip(b) {
        let t = (x - y).abs();
        if t > d {
            d = t;
        }
    }
    d
}

#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    /// Index of the left child; the right child is `left + 1`. 0 marks a leaf.
    left: u32,
    parent: u32,
}

/// A k-d tree over `n` points of dimension `dim`, under the max norm.
///
/// Memory is linear in `n`: the points (copied in tree order), three index arrays and about
/// `2n / LEAF_SIZE` nodes with their bounding boxes and cells.
#[derive(Debug, Clone)]
pub struct KdTree {
    dim: usize,
    /// Coordinates in tree order, row-major.
    pts: Vec<f64>,
    /// Tree position -> original row.
    rows: Vec<u32>,
    /// Original row -> tree position.
    pos: Vec<u32>,
    /// Tree position -> leaf node.
    leaf_of: Vec<u32>,
    nodes: Vec<Node>,
    /// Per node: `dim` lower bounds then `dim` upper bounds of its points (tight box).
    boxes: Vec<f64>,
    /// Per node: the region of space it owns (splits of its ancestors; ±∞ at the root).
    cells: Vec<f64>,
}

impl KdTree {
    /// Builds the tree from row-major coordinates (`data.len() == n * dim`).
    pub fn new(data: &[f64], dim: usize) -> Self {
        assert!(dim > 0 && data.len() % dim == 0);
        let n = data.len() / dim;
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut nodes = Vec::with_capacity(2 * n / LEAF_SIZE + 2);
        nodes.push(Node {
            start: 0,
            end: n as u32,
            left: 0,
            parent: 0,
        });
        let (root_lo, root_hi) = bounding_box(data, dim, &order);
        // Split-choice boxes: the root's tight box, narrowed at each split (cheap, nearly tight).
        let mut split_boxes: Vec<f64> = [root_lo, root_hi].concat();
        let mut cells: Vec<f64> = [vec![f64::NEG_INFINITY; dim], vec![f64::INFINITY; dim]].concat();
        let mut keys: Vec<(f64, u32)> = Vec::with_capacity(n);
        let mut stack = vec![0usize];
        while let Some(id) = stack.pop() {
            let Node { start, end, .. } = nodes[id];
            let (s, e) = (start as usize, end as usize);
            if e - s <= LEAF_SIZE {
                continue;
            }
            let sb = &split_boxes[2 * dim * id..2 * dim * (id + 1)];
            let spread = |a: usize| sb[dim + a] - sb[a];
            let split_dim = (0..dim)
                .max_by(|&a, &b| spread(a).total_cmp(&spread(b)).then(b.cmp(&a)))
                .unwrap_or(0);
            if spread(split_dim) <= 0.0 {
                // The box is a point: all these points coincide; keep one (large) leaf.
                continue;
            }
            keys.clear();
            keys.extend(
                order[s..e]
                    .iter()
                    .map(|&r| (data[r as usize * dim + split_dim], r)),
            );
            let mid = (e - s) / 2;
            keys.select_nth_unstable_by(mid, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let split = keys[mid].0;
            for (o, kv) in order[s..e].iter_mut().zip(&keys) {
                *o = kv.1;
            }
            let left = nodes.len();
            nodes[id].left = left as u32;
            nodes.push(Node {
                start,
                end: (s + mid) as u32,
                left: 0,
                parent: id as u32,
            });
            nodes.push(Node {
                start: (s + mid) as u32,
                end,
                left: 0,
                parent: id as u32,
            });
            let parent_sb = split_boxes[2 * dim * id..2 * dim * (id + 1)].to_vec();
            let parent_cell = cells[2 * dim * id..2 * dim * (id + 1)].to_vec();
            for side in 0..2 {
                let mut b = parent_sb.clone();
                let mut c = parent_cell.clone();
                if side == 0 {
                    b[dim + split_dim] = split;
                    c[dim + split_dim] = split;
                } else {
                    b[split_dim] = split;
                    c[split_dim] = split;
                }
                split_boxes.extend_from_slice(&b);
                cells.extend_from_slice(&c);
            }
            stack.push(left + 1);
            stack.push(left);
        }
        let mut pts = Vec::with_capacity(n * dim);
        let mut pos = vec![0u32; n];
        for (p, &r) in order.iter().enumerate() {
            pts.extend_from_slice(&data[r as usize * dim..(r as usize + 1) * dim]);
            pos[r as usize] = p as u32;
        }
        // Tight boxes bottom-up: children always have larger ids than their parent.
        let mut boxes = vec![0.0f64; 2 * dim * nodes.len()];
        let mut leaf_of = vec![0u32; n];
        for id in (0..nodes.len()).rev() {
            let node = nodes[id];
            let (lo, hi) = if node.left == 0 {
                leaf_of[node.start as usize..node.end as usize].fill(id as u32);
                let mut lo = vec![f64::INFINITY; dim];
                let mut hi = vec![f64::NEG_INFINITY; dim];
                for p in pts[node.start as usize * dim..node.end as usize * dim].chunks_exact(dim) {
                    for i in 0..dim {
                        lo[i] = lo[i].min(p[i]);
                        hi[i] = hi[i].max(p[i]);
                    }
                }
                (lo, hi)
            } else {
                let (l, r) = (node.left as usize, node.left as usize + 1);
                let lo: Vec<f64> = (0..dim)
                    .map(|i| boxes[2 * dim * l + i].min(boxes[2 * dim * r + i]))
                    .collect();
                let hi = (0..dim)
                    .map(|i| boxes[2 * dim * l + dim + i].max(boxes[2 * dim * r + dim + i]))
                    .collect::<Vec<f64>>();
                (lo, hi)
            };
            boxes[2 * dim * id..2 * dim * id + dim].copy_from_slice(&lo);
            boxes[2 * dim * id + dim..2 * dim * (id + 1)].copy_from_slice(&hi);
        }
        KdTree {
            dim,
            pts,
            rows: order,
            pos,
            leaf_of,
            nodes,
            boxes,
            cells,
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the tree holds no points.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Coordinates of original row `row`.
    #[inline]
    pub fn point(&self, row: usize) -> &[f64] {
        let p = self.pos[row] as usize;
        &self.pts[p * self.dim..(p + 1) * self.dim]
    }

    /// Original rows in tree order: querying in this order keeps the caches warm.
    pub fn rows_in_tree_order(&self) -> &[u32] {
        &self.rows
    }

    #[inline]
    fn min_dist(&self, node: usize, q: &[f64]) -> f64 {
        let b = &self.boxes[2 * self.dim * node..2 * self.dim * (node + 1)];
        let (lo, hi) = b.split_at(self.dim);
        let mut d = 0.0f64;
        for i in 0..self.dim {
            let t = if q[i] < lo[i] {
                lo[i] - q[i]
            } else if q[i] > hi[i] {
                q[i] - hi[i]
            } else {
                0.0
            };
            if t > d {
                d = t;
            }
        }
        d
    }

    #[inline]
    fn max_dist(&self, node: usize, q: &[f64]) -> f64 {
        let b = &self.boxes[2 * self.dim * node..2 * self.dim * (node + 1)];
        let (lo, hi) = b.split_at(self.dim);
        let mut d = 0.0f64;
        for i in 0..self.dim {
            let t = (q[i] - lo[i]).abs().max((hi[i] - q[i]).abs());
            if t > d {
                d = t;
            }
        }
        d
    }

    /// The `k` nearest neighbours of original row `row`, itself excluded, written to `out`
    /// as `(distance, row)` sorted by distance then row (so ties resolve to the lowest rows).
    ///
    /// The search starts in the row's own leaf and climbs, visiting a sibling subtree only if
    /// it can hold a closer point, and stops once the k-th distance ball lies strictly inside
    /// the current node's cell. Requires `1 <= k < len()`.
    pub fn knn(&self, row: usize, k: usize, out: &mut Vec<(f64, u32)>) {
        self.knn_at(self.pos[row] as usize, k, out);
    }

    /// As [`knn`](Self::knn) for the point at tree position `p` (the `p`-th entry of
    /// [`rows_in_tree_order`](Self::rows_in_tree_order)): walking positions in order is
    /// cache-friendly.
    pub fn knn_at(&self, p: usize, k: usize, out: &mut Vec<(f64, u32)>) {
        // Fixed small dimensions get unrolled distance loops.
        match self.dim {
            1 => self.knn_impl::<1>(p, k, out),
            2 => self.knn_impl::<2>(p, k, out),
            3 => self.knn_impl::<3>(p, k, out),
            4 => self.knn_impl::<4>(p, k, out),
            _ => self.knn_impl::<0>(p, k, out),
        }
    }

    /// Coordinates of the point at tree position `p`.
    #[inline]
    pub fn point_at(&self, p: usize) -> &[f64] {
        &self.pts[p * self.dim..(p + 1) * self.dim]
    }

    fn knn_impl<const D: usize>(&self, me: usize, k: usize, out: &mut Vec<(f64, u32)>) {
        out.clear();
        let q = self.point_at(me);
        let mut node = self.leaf_of[me] as usize;
        self.search::<D>(node, q, me, k, out);
        loop {
            if out.len() == k && self.ball_inside_cell(node, q, out[k - 1].0) {
                break;
            }
            if node == 0 {
                break;
            }
            let parent = self.nodes[node].parent as usize;
            let left = self.nodes[parent].left as usize;
            let sibling = if node == left { left + 1 } else { left };
            if out.len() < k || self.min_dist_d::<D>(sibling, q) <= out[k - 1].0 {
                self.search::<D>(sibling, q, me, k, out);
            }
            node = parent;
        }
    }

    #[inline(always)]
    fn dist_d<const D: usize>(&self, q: &[f64], p: usize) -> f64 {
        if D == 0 {
            chebyshev(q, &self.pts[p * self.dim..(p + 1) * self.dim])
        } else {
            let pt = &self.pts[p * D..p * D + D];
            let mut d = 0.0f64;
            for i in 0..D {
                let t = (q[i] - pt[i]).abs();
                if t > d {
                    d = t;
                }
            }
            d
        }
    }

    #[inline(always)]
    fn min_dist_d<const D: usize>(&self, node: usize, q: &[f64]) -> f64 {
        if D == 0 {
            return self.min_dist(node, q);
        }
        let b = &self.boxes[2 * D * node..2 * D * node + 2 * D];
        let mut d = 0.0f64;
        for i in 0..D {
            let t = if q[i] < b[i] {
                b[i] - q[i]
            } else if q[i] > b[D + i] {
                q[i] - b[D + i]
            } else {
                0.0
            };
            if t > d {
                d = t;
            }
        }
        d
    }

    #[inline]
    fn ball_inside_cell(&self, node: usize, q: &[f64], r: f64) -> bool {
        let c = &self.cells[2 * self.dim * node..2 * self.dim * (node + 1)];
        (0..self.dim).all(|i| q[i] - c[i] > r && c[self.dim + i] - q[i] > r)
    }

    /// Top-down search of the subtree at `start`, merging into `out`.
    fn search<const D: usize>(
        &self,
        start: usize,
        q: &[f64],
        me: usize,
        k: usize,
        out: &mut Vec<(f64, u32)>,
    ) {
        let mut stack: [u32; 64] = [0; 64];
        stack[0] = start as u32;
        let mut sp = 1usize;
        let mut bound = if out.len() == k {
            out[k - 1].0
        } else {
            f64::INFINITY
        };
        while sp > 0 {
            sp -= 1;
            let id = stack[sp] as usize;
            if self.min_dist_d::<D>(id, q) > bound {
                continue;
            }
            let node = self.nodes[id];
            if node.left == 0 {
                for p in node.start as usize..node.end as usize {
                    let d = self.dist_d::<D>(q, p);
                    if d > bound || p == me {
                        continue;
                    }
                    let r = self.rows[p];
                    if out.len() == k {
                        let last = out[k - 1];
                        if d == last.0 && r > last.1 {
                            continue;
                        }
                        out.pop();
                    }
                    let mut at = out.len();
                    out.push((d, r));
                    while at > 0 && (out[at - 1].0 > d || (out[at - 1].0 == d && out[at - 1].1 > r))
                    {
                        out[at] = out[at - 1];
                        at -= 1;
                    }
                    out[at] = (d, r);
                    if out.len() == k {
                        bound = out[k - 1].0;
                    }
                }
            } else {
                // Visit the nearer child first: push it last.
                let (l, r) = (node.left as usize, node.left as usize + 1);
                let (near, far) = if self.min_dist_d::<D>(l, q) <= self.min_dist_d::<D>(r, q) {
                    (l, r)
                } else {
                    (r, l)
                };
                stack[sp] = far as u32;
                stack[sp + 1] = near as u32;
                sp += 2;
            }
        }
    }

    /// Number of points `p` (the query point included) with `‖p − q‖∞ < r` when `strict`,
    /// or `‖p − q‖∞ ≤ r` otherwise.
    pub fn count_within(&self, q: &[f64], r: f64, strict: bool) -> usize {
        let inside = |d: f64| if strict { d < r } else { d <= r };
        let mut count = 0usize;
        let mut stack: [u32; 64] = [0; 64];
        let mut sp = 1usize;
        while sp > 0 {
            sp -= 1;
            let id = stack[sp] as usize;
            if !inside(self.min_dist(id, q)) {
                continue;
            }
            let node = self.nodes[id];
            if inside(self.max_dist(id, q)) {
                count += (node.end - node.start) as usize;
                continue;
            }
            if node.left == 0 {
                for p in node.start as usize..node.end as usize {
                    if inside(chebyshev(q, &self.pts[p * self.dim..(p + 1) * self.dim])) {
                        count += 1;
                    }
                }
            } else {
                stack[sp] = node.left;
                stack[sp + 1] = node.left + 1;
                sp += 2;
            }
        }
        count
    }
}

fn bounding_box(data: &[f64], dim: usize, rows: &[u32]) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![f64::INFINITY; dim];
    let mut hi = vec![f64::NEG_INFINITY; dim];
    for &r in rows {
        let p = &data[r as usize * dim..(r as usize + 1) * dim];
        for i in 0..dim {
            lo[i] = lo[i].min(p[i]);
            hi[i] = hi[i].max(p[i]);
        }
    }
    (lo, hi)
}

/// One column sorted, for 1-D ball counts by galloping search from each row's own position.
#[derive(Debug, Clone)]
pub struct Sorted1d {
    sorted: Vec<f64>,
    /// Original row -> position in `sorted`.
    pos: Vec<u32>,
    /// Position in `sorted` -> original row.
    rows: Vec<u32>,
    buckets: Buckets,
}

impl Sorted1d {
    /// Sorts a copy of `values` (ties by row, so the order is deterministic).
    pub fn new(values: &[f64]) -> Self {
        let rows = sort_rows(values);
        let mut pos = vec![0u32; values.len()];
        for (p, &r) in rows.iter().enumerate() {
            pos[r as usize] = p as u32;
        }
        let sorted: Vec<f64> = rows.iter().map(|&r| values[r as usize]).collect();
        Sorted1d {
            buckets: Buckets::new(&sorted),
            sorted,
            pos,
            rows,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The values in ascending order.
    pub fn values(&self) -> &[f64] {
        &self.sorted
    }

    /// Interquartile range of the values (their full range when that is 0).
    pub fn spread(&self) -> f64 {
        let s = &self.sorted;
        if s.is_empty() {
            return 0.0;
        }
        let n = s.len();
        let iqr = s[(3 * n) / 4] - s[n / 4];
        if iqr > 0.0 {
            iqr
        } else {
            s[n - 1] - s[0]
        }
    }

    /// Fraction of values equal to the one before them in sorted order (0 when all differ).
    pub fn repeated_fraction(&self) -> f64 {
        let r = self.sorted.windows(2).filter(|w| w[0] == w[1]).count();
        r as f64 / self.sorted.len().max(1) as f64
    }

    /// Number of values `v` (the query included) with `|v − x| < r` when `strict`, or `≤ r`.
    ///
    /// The predicates are evaluated as `x − v` and `v − x`, which are monotone in `v` in
    /// floating point, so the binary searches agree exactly with a linear scan.
    #[inline]
    pub fn count_within(&self, x: f64, r: f64, strict: bool) -> usize {
        let out = |d: f64| if strict { d >= r } else { d > r };
        let lo = self.sorted.partition_point(|&v| v < x && out(x - v));
        let hi = self.sorted.partition_point(|&v| v <= x || !out(v - x));
        hi - lo
    }

    /// As [`count_within`](Self::count_within) for the value of original row `row`, searching
    /// outward from its own position (galloping): O(log count) and cache-local.
    #[inline]
    pub fn count_within_row(&self, row: usize, r: f64, strict: bool) -> usize {
        if strict {
            self.count_row_impl(row, r, |d| d < r)
        } else {
            self.count_row_impl(row, r, |d| d <= r)
        }
    }

    /// Original rows in sorted order.
    pub fn rows_in_order(&self) -> &[u32] {
        &self.rows
    }

    /// As [`count_within_row`](Self::count_within_row) for the value at sorted position `p`:
    /// walking positions in order keeps every access cache-local.
    #[inline]
    pub fn count_within_position(&self, p: usize, r: f64, strict: bool) -> usize {
        if strict {
            self.count_pos_impl(p, r, |d| d < r)
        } else {
            self.count_pos_impl(p, r, |d| d <= r)
        }
    }

    #[inline(always)]
    fn count_row_impl(&self, row: usize, r: f64, inside: impl Fn(f64) -> bool) -> usize {
        self.count_pos_impl(self.pos[row] as usize, r, inside)
    }

    /// Points within `r` of the value at position `p` (`inside` is the strict or non-strict
    /// test of a distance against `r`). The bucket table guesses where each end of the ball
    /// lies; [`first_false`] then finds it exactly by evaluating `inside` on `v − x` (right)
    /// and `x − v` (left), so the count equals a linear scan's.
    #[inline(always)]
    fn count_pos_impl(&self, p: usize, r: f64, inside: impl Fn(f64) -> bool) -> usize {
        let s = &self.sorted;
        let x = s[p];
        if !inside(0.0) {
            return 0;
        }
        let n = s.len();
        // Right: positions p+1.. with v − x inside form a prefix.
        let guess = self.buckets.first_at_least(x + r);
        let right = first_false(s, p + 1, n, guess, |v| inside(v - x));
        // Left: positions ..p with x − v outside form a prefix.
        let guess = self.buckets.first_at_least(x - r);
        let left = first_false(s, 0, p, guess, |v| !inside(x - v));
        right - left
    }
}

/// Positions [`first_false`] checks at once past its guess before searching.
const FIRST_FALSE_WINDOW: usize = 4;

/// The first position in `lo..hi` where `pred` (true on a prefix of `s[lo..hi]`, false after)
/// is false, or `hi`: galloping outward from `guess`, then bisecting. O(log |answer − guess|).
#[inline(always)]
fn first_false(s: &[f64], lo: usize, hi: usize, guess: usize, pred: impl Fn(f64) -> bool) -> usize {
    let g = guess.clamp(lo, hi);
    // Fast path, no data-dependent branch: the guess is right or a few positions short.
    if (g == lo || pred(s[g - 1])) && g + FIRST_FALSE_WINDOW <= hi {
        let w: &[f64; FIRST_FALSE_WINDOW] =
            s[g..g + FIRST_FALSE_WINDOW].try_into().expect("window");
        let inside = w.iter().fold(0, |c, &v| c + pred(v) as usize);
        if inside < FIRST_FALSE_WINDOW {
            // `pred` holds on a prefix, so the trues are the first `inside` of the window.
            return g + inside;
        }
    }
    // The answer is in a..=b.
    let (mut a, mut b) = (lo, hi);
    if g < hi && pred(s[g]) {
        a = g + 1;
        let mut step = 1;
        loop {
            let probe = a + step - 1;
            if probe >= hi {
                break;
            }
            if pred(s[probe]) {
                a = probe + 1;
                step *= 2;
            } else {
                b = probe;
                break;
            }
        }
    } else {
        b = g;
        let mut step = 1;
        loop {
            if b < lo + step {
                break;
            }
            let probe = b - step;
            if pred(s[probe]) {
                a = probe + 1;
                break;
            }
            b = probe;
            step *= 2;
        }
    }
    while a < b {
        let mid = a + (b - a) / 2;
        if pred(s[mid]) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    a
}

/// Guesses where a value falls in a sorted column: equal-width buckets over the central 99 %
/// of the values (the tails share the two end buckets), each holding its first position.
/// A guess is only a starting point for [`first_false`], so rounding cannot change a count.
#[derive(Debug, Clone)]
struct Buckets {
    lo: f64,
    scale: f64,
    /// `start[b]`: the first position whose value falls in bucket `b` or later.
    start: Vec<u32>,
}

impl Buckets {
    fn new(sorted: &[f64]) -> Self {
        let n = sorted.len();
        let nb = n.max(1);
        let trim = n / 200;
        let (lo, hi) = if n == 0 {
            (0.0, 0.0)
        } else {
            (sorted[trim], sorted[n - 1 - trim])
        };
        let scale = if hi > lo && (hi - lo).is_finite() {
            nb as f64 / (hi - lo)
        } else {
            0.0
        };
        let mut b = Buckets {
            lo,
            scale,
            start: vec![n as u32; nb + 1],
        };
        let mut next = 0;
        for (i, &v) in sorted.iter().enumerate() {
            let bi = b.bucket(v);
            while next <= bi {
                b.start[next] = i as u32;
                next += 1;
            }
        }
        b
    }

    #[inline(always)]
    fn bucket(&self, v: f64) -> usize {
        let t = (v - self.lo) * self.scale;
        let last = self.start.len() - 2;
        if t >= last as f64 {
            last
        } else if t > 0.0 {
            t as usize
        } else {
            0
        }
    }

    #[inline(always)]
    fn first_at_least(&self, v: f64) -> usize {
        self.start[self.bucket(v)] as usize
    }
}

/// Rows ordered by `f64::total_cmp` of their values, ties by row: a stable LSD radix sort on
/// the order-preserving integer image of the bits (11-bit digits, passes whose digit is the
/// same for every value skipped), `O(N)`; plain comparison sort for short inputs.
pub(crate) fn sort_rows(values: &[f64]) -> Vec<u32> {
    let n = values.len();
    if n < 512 {
        let mut idx: Vec<u32> = (0..n as u32).collect();
        idx.sort_unstable_by(|&a, &b| {
            values[a as usize]
                .total_cmp(&values[b as usize])
                .then(a.cmp(&b))
        });
        return idx;
    }
    // total_cmp's order as unsigned integers: flip all bits of negatives, the sign of the rest.
    let key = |v: f64| {
        let b = v.to_bits();
        b ^ (((b as i64 >> 63) as u64) | (1u64 << 63))
    };
    let mut keys: Vec<(u64, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (key(v), i as u32))
        .collect();
    let mut tmp = vec![(0u64, 0u32); n];
    const BITS: u32 = 11;
    const RADIX: usize = 1 << BITS;
    let mut shift = 0u32;
    while shift < 64 {
        let digit = |k: u64| ((k >> shift) as usize) & (RADIX - 1);
        let mut count = vec![0usize; RADIX];
        for &(k, _) in &keys {
            count[digit(k)] += 1;
        }
        if count.contains(&n) {
            shift += BITS;
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &e in &keys {
            let d = digit(e.0);
            tmp[count[d]] = e;
            count[d] += 1;
        }
        std::mem::swap(&mut keys, &mut tmp);
        shift += BITS;
    }
    keys.into_iter().map(|(_, r)| r).collect()
}

/// Brute-force reference implementations for tests and for tiny inputs.
pub mod brute {
    use super::chebyshev;

    /// The k-th smallest max-norm distance from row `row` to any other row.
    pub fn kth_distance(data: &[f64], dim: usize, row: usize, k: usize) -> f64 {
        let q = &data[row * dim..(row + 1) * dim];
        let mut d: Vec<f64> = (0..data.len() / dim)
            .filter(|&j| j != row)
            .map(|j| chebyshev(q, &data[j * dim..(j + 1) * dim]))
            .collect();
        d.sort_unstable_by(f64::total_cmp);
        d[k - 1]
    }

    /// Points within `r` of `q` (strictly, or inside or on), by a linear scan.
    pub fn count_within(data: &[f64], dim: usize, q: &[f64], r: f64, strict: bool) -> usize {
        (0..data.len() / dim)
            .filter(|&j| {
                let d = chebyshev(q, &data[j * dim..(j + 1) * dim]);
                if strict {
                    d < r
                } else {
                    d <= r
                }
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn radix_order_equals_total_cmp(
            v in proptest::collection::vec(
                prop_oneof![
                    any::<f64>().prop_filter("finite", |x| x.is_finite()),
                    (-3i32..3).prop_map(|i| i as f64),
                    Just(-0.0f64),
                    Just(0.0f64),
                ],
                500..1500,
            )
        ) {
            let mut want: Vec<u32> = (0..v.len() as u32).collect();
            want.sort_by(|&a, &b| v[a as usize].total_cmp(&v[b as usize]).then(a.cmp(&b)));
            prop_assert_eq!(sort_rows(&v), want);
        }
    }

    fn grid_points() -> impl Strategy<Value = (Vec<f64>, usize)> {
        // Coarse values force many exact ties, the hard case for boundary handling.
        (1usize..4, 5usize..80).prop_flat_map(|(dim, n)| {
            (
                proptest::collection::vec((0i32..7).prop_map(|v| v as f64 * 0.25), dim * n),
                Just(dim),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn knn_and_counts_equal_brute_force((data, dim) in grid_points(), k in 1usize..5, r in 0.0f64..1.0) {
            let n = data.len() / dim;
            prop_assume!(n > k);
            let tree = KdTree::new(&data, dim);
            let mut out = Vec::new();
            for row in 0..n {
                tree.knn(row, k, &mut out);
                prop_assert_eq!(out.len(), k);
                prop_assert_eq!(out[k - 1].0, brute::kth_distance(&data, dim, row, k));
                let q = &data[row * dim..(row + 1) * dim];
                for &rr in &[r, out[k - 1].0] {
                    for strict in [true, false] {
                        prop_assert_eq!(
                            tree.count_within(q, rr, strict),
                            brute::count_within(&data, dim, q, rr, strict)
                        );
                    }
                }
            }
            if dim == 1 {
                let s = Sorted1d::new(&data);
                for row in 0..n {
                    for strict in [true, false] {
                        let b = brute::count_within(&data, 1, &data[row..row + 1], r, strict);
                        prop_assert_eq!(s.count_within(data[row], r, strict), b);
                        prop_assert_eq!(s.count_within_row(row, r, strict), b);
                    }
                }
            }
        }

        #[test]
        fn counts_equal_brute_force_on_continuous_values(
            data in proptest::collection::vec(-1e3f64..1e3, 2..300), r in 0.0f64..50.0,
        ) {
            let tree = KdTree::new(&data, 1);
            let s = Sorted1d::new(&data);
            for row in 0..data.len() {
                let q = &data[row..row + 1];
                for strict in [true, false] {
                    let b = brute::count_within(&data, 1, q, r, strict);
                    prop_assert_eq!(tree.count_within(q, r, strict), b);
                    prop_assert_eq!(s.count_within(data[row], r, strict), b);
                    prop_assert_eq!(s.count_within_row(row, r, strict), b);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Heavy tails crowd most values into a few buckets and ties make runs of equal
        /// values, so the bucket guesses are often far off: the counts must not change.
        #[test]
        fn bucketed_counts_equal_brute_force_on_heavy_tails_and_ties(
            u in proptest::collection::vec(0.001f64..0.999, 200..1200),
            tail in 0.0f64..3.0, ties in 0usize..4, r in 0.0f64..2.0,
        ) {
            let data: Vec<f64> = u
                .iter()
                .enumerate()
                .map(|(i, &p)| {
                    let v = (std::f64::consts::PI * (p - 0.5)).tan() * tail.exp();
                    if ties > 0 && i % (ties + 2) == 0 { v.round() } else { v }
                })
                .collect();
            let s = Sorted1d::new(&data);
            for row in (0..data.len()).step_by(7) {
                for strict in [true, false] {
                    for rr in [r, r * 1e-3, r * 1e3, 0.0] {
                        let b = brute::count_within(&data, 1, &data[row..row + 1], rr, strict);
                        prop_assert_eq!(s.count_within_row(row, rr, strict), b);
                        let p = s.pos[row] as usize;
                        prop_assert_eq!(s.count_within_position(p, rr, strict), b);
                    }
                }
            }
        }
    }

    #[test]
    fn knn_breaks_ties_by_row() {
        // Rows 1, 2 and 3 are all at distance 1 from row 0.
        let data = [0.0, 1.0, -1.0, 1.0, 5.0];
        let tree = KdTree::new(&data, 1);
        let mut out = Vec::new();
        tree.knn(0, 2, &mut out);
        assert_eq!(out, vec![(1.0, 1), (1.0, 2)]);
    }
}
