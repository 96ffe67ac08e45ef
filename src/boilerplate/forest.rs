//! The boilerplate classifier's tree stages: gradient-boosted trees read from `trees.tsv`
//! ([`super::Rules::load_model`]), checked before use, and evaluated in QuickScorer form where
//! the trees allow it, by a lockstep walk otherwise.

use wide::{f32x8, u32x8};

use super::ROW_WIDTH;

/// A gradient-boosted tree ensemble: splits `x <= threshold` go left; a negative child `c`
/// is leaf `!c`.
#[derive(Debug, Default)]
pub(super) struct Forest {
    bias: f32,
    roots: Vec<u32>,
    nodes: Vec<TreeNode>,
    leaves: Vec<f32>,
    /// Offsets of the tree being read into `nodes` and `leaves`.
    node_base: i32,
    leaf_base: i32,
    /// Every child points forward inside its tree or at a leaf, and every feature is inside a
    /// row ([`Forest::check`]): only then is the forest evaluated.
    sound: bool,
    /// The form [`Forest::check`] builds to be walked: the splits of `nodes`, then each leaf
    /// as a node whose children are itself, so a walk may take more steps than its path has.
    walk: Vec<TreeNode>,
    /// The value of each `walk` node that is a leaf (0 for splits).
    walk_value: Vec<f32>,
    /// Each tree's root in `walk` and its depth: the steps after which every walk is at a leaf.
    walk_trees: Vec<(u32, u32)>,
    /// The QuickScorer form of a sound forest whose trees are trees (no split shared by two
    /// parents) of at most [`MAX_LEAVES`] leaves.
    bits: Option<BitForest>,
}

/// Lines whose rows go through each tree together ([`Forest::eval_block`],
/// [`BitForest::eval_block`]): eight, the lanes of the `f32x8` and `u32x8` the latter uses.
pub(super) const TREE_BLOCK: usize = 8;

/// A split or (in `Forest::walk`) a leaf, 16 bytes: a hundred trees of 15 leaves take 46 KB.
#[derive(Debug, Clone, Copy)]
struct TreeNode {
    /// The largest `f32` at most the trained `f64` threshold: for an `f32` feature `x`,
    /// `x <= threshold` then says exactly what `x as f64 <= trained` says.
    threshold: f32,
    feature: u16,
    /// The child for `x <= threshold`, then the one for the rest (NaN included).
    children: [i32; 2],
}

/// The largest `f32` not above `t` (NaN stays NaN, so the split still goes right).
fn f32_at_most(t: f64) -> f32 {
    let c = t as f32;
    if f64::from(c) > t { c.next_down() } else { c }
}

impl Forest {
    pub(super) fn new(bias: f32) -> Forest {
        Forest {
            bias,
            ..Forest::default()
        }
    }

    pub(super) fn is_sound(&self) -> bool {
        self.sound
    }

    #[cfg(test)]
    pub(super) fn split_count(&self) -> usize {
        self.nodes.len()
    }

    pub(super) fn push_leaf(&mut self, value: f32) {
        self.leaves.push(value);
    }

    pub(super) fn start_tree(&mut self) {
        self.node_base = self.nodes.len() as i32;
        self.leaf_base = self.leaves.len() as i32;
        self.roots.push(self.nodes.len() as u32);
    }

    /// Adds a split whose children are tree-local (node `c >= 0`, leaf `-(c + 1)`).
    pub(super) fn push_split(&mut self, feature: u16, threshold: f64, left: i32, right: i32) {
        // Wrapping: a child out of range in the file stays out of range, and `check` rejects it.
        let global = |c: i32| {
            if c >= 0 {
                c.wrapping_add(self.node_base)
            } else {
                !(!c).wrapping_add(self.leaf_base)
            }
        };
        let node = TreeNode {
            feature,
            threshold: f32_at_most(threshold),
            children: [global(left), global(right)],
        };
        self.nodes.push(node);
    }

    /// Sets [`Forest::sound`]: each tree has a split, children point forward within their
    /// tree (so every walk ends) or at an existing leaf, features are inside a row.
    pub(super) fn check(&mut self) {
        let n = self.nodes.len();
        let ends = self.roots.iter().skip(1).map(|&r| r as usize).chain([n]);
        // Every split belongs to a tree: none before the first `tree` line.
        let all_in_trees = self.roots.first().map_or(n == 0, |&r| r == 0);
        let sound = all_in_trees
            && self.roots.iter().zip(ends).all(|(&root, end)| {
                let root = root as usize;
                root < end
                    && (root..end).all(|i| {
                        let node = &self.nodes[i];
                        let child_ok = |c: i32| {
                            if c >= 0 {
                                (c as usize) > i && (c as usize) < end
                            } else {
                                (!c as usize) < self.leaves.len()
                            }
                        };
                        (node.feature as usize) < ROW_WIDTH
                            && node.children.iter().all(|&c| child_ok(c))
                    })
            });
        self.sound = sound;
        self.bits = None;
        if sound {
            self.build_walk();
            self.bits = BitForest::build(self);
        }
    }

    /// Builds `walk`, `walk_value` and `walk_trees` from a sound forest.
    fn build_walk(&mut self) {
        let splits = self.nodes.len();
        let target = |c: i32| {
            if c >= 0 {
                c as u32
            } else {
                (splits + !c as usize) as u32
            }
        };
        self.walk = self
            .nodes
            .iter()
            .map(|n| TreeNode {
                children: n.children.map(|c| target(c) as i32),
                ..*n
            })
            .collect();
        self.walk.extend((0..self.leaves.len()).map(|j| TreeNode {
            threshold: 0.0,
            feature: 0,
            children: [(splits + j) as i32; 2],
        }));
        self.walk_value = vec![0.0; splits];
        self.walk_value.extend_from_slice(&self.leaves);
        // Children point forward, so one backward pass gives every split its depth.
        let mut depth = vec![0u32; self.walk.len()];
        for i in (0..splits).rev() {
            let [l, r] = self.walk[i].children;
            depth[i] = 1 + depth[l as usize].max(depth[r as usize]);
        }
        self.walk_trees = self.roots.iter().map(|&r| (r, depth[r as usize])).collect();
    }

    /// The ensemble's logits for `rows` into `out` (as many as the shorter has); only called
    /// on a [`Forest::sound`] forest. `words` is scratch space for the QuickScorer form.
    pub(super) fn eval_rows(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        out: &mut [f32],
        words: &mut Vec<u32x8>,
    ) {
        match &self.bits {
            Some(bits) => {
                for (block, out) in rows.chunks(TREE_BLOCK).zip(out.chunks_mut(TREE_BLOCK)) {
                    bits.eval_block(block, self.bias, out, words);
                }
            }
            None => {
                for (block, out) in rows.chunks(TREE_BLOCK).zip(out.chunks_mut(TREE_BLOCK)) {
                    self.eval_block(block, out);
                }
            }
        }
    }

    /// The ensemble's logits for up to [`TREE_BLOCK`] rows into `out`; only called on a
    /// [`Forest::sound`] forest. Each tree walks all the rows in lockstep, up to its depth: the
    /// rows' walks do not wait on each other, and no branch depends on a single row's data,
    /// which made a walk per row latency-bound; a block stops early once all its walks are at
    /// leaves. Sums are taken in tree order, as one row at a time would.
    fn eval_block(&self, rows: &[[f32; ROW_WIDTH]], out: &mut [f32]) {
        let n = rows.len().min(TREE_BLOCK).min(out.len());
        let (rows, out) = (&rows[..n], &mut out[..n]);
        out.fill(self.bias);
        let first_leaf = self.nodes.len() as u32;
        for &(root, depth) in &self.walk_trees {
            let mut at = [root; TREE_BLOCK];
            let at = &mut at[..n];
            for _ in 0..depth {
                for (a, row) in at.iter_mut().zip(rows) {
                    let node = &self.walk[*a as usize];
                    let left = row[node.feature as usize] <= node.threshold;
                    *a = node.children[usize::from(!left)] as u32;
                }
                // Most walks end above the tree's deepest leaf.
                if at.iter().all(|&a| a >= first_leaf) {
                    break;
                }
            }
            for (o, &a) in out.iter_mut().zip(at.iter()) {
                *o += self.walk_value[a as usize];
            }
        }
    }
}

/// One split in QuickScorer form: when a row's feature is above `threshold` (or NaN) the test
/// `x <= threshold` fails, and `mask` clears the leaves of the split's left subtree in word
/// `tree`.
#[derive(Debug, Clone, Copy)]
struct FalseMask {
    threshold: f32,
    tree: u32,
    mask: u32,
}

/// A forest in the form of QuickScorer (Lucchese et al., SIGIR 2015). Each tree's leaves, left
/// to right, are the bits of a word; every split whose test fails for a row clears the leaves
/// of its left subtree, and the row's leaf is then the lowest bit left (the leaf its walk
/// reaches: no failed split above that leaf has it on its left). Splits are grouped by
/// feature and sorted by threshold, so the failed tests on a feature are a prefix of its list.
/// Eight rows go through the list together, a split costing one SIMD compare and mask for all
/// of them, instead of a chain of dependent node loads per row: the boilerplate stage takes
/// 1.08 → 0.82 s of CPU on the bench corpus with the shipped 100 trees.
#[derive(Debug, Default)]
struct BitForest {
    /// Each feature some split reads, with its range in `masks`, sorted by threshold.
    features: Vec<(u16, u32, u32)>,
    masks: Vec<FalseMask>,
    /// Each tree's word before any test: a bit per leaf, less the left subtrees of splits with
    /// a NaN threshold, whose test fails for every row.
    start: Vec<u32>,
    /// Each tree's first leaf in `leaf_values`, where its leaves are left to right.
    leaf_base: Vec<u32>,
    leaf_values: Vec<f32>,
    /// The CPU has AVX2 (checked once, in [`BitForest::build`]): blocks then go through
    /// [`BitForest::eval_block_avx2`], which gives the same bits in about half the instructions.
    avx2: bool,
}

/// The most leaves a tree may have for the QuickScorer form: one bit each in a `u32`, which
/// takes LightGBM's default of 31.
const MAX_LEAVES: u32 = 32;

/// Bits `0..n` set, for `n <= 32`.
fn low_bits(n: u32) -> u32 {
    if n >= 32 { u32::MAX } else { (1u32 << n) - 1 }
}

impl BitForest {
    /// The QuickScorer form of a sound forest, or `None` when a tree has more than
    /// [`MAX_LEAVES`] leaves or a split reached from two parents (the walk handles those).
    fn build(forest: &Forest) -> Option<BitForest> {
        let mut bits = BitForest::default();
        let mut by_feature: Vec<Vec<FalseMask>> = vec![Vec::new(); ROW_WIDTH];
        let mut seen = vec![false; forest.nodes.len()];
        for (tree, &root) in forest.roots.iter().enumerate() {
            let base = bits.leaf_values.len() as u32;
            bits.leaf_base.push(base);
            let mut start = u32::MAX;
            let mut splits = Vec::new();
            bits.lay_out(forest, root as i32, 0, &mut seen, &mut splits)?;
            let leaves = bits.leaf_values.len() as u32 - base;
            start &= low_bits(leaves);
            for (node, left_first, left_end) in splits {
                let mask = !(low_bits(left_end - base) & !low_bits(left_first - base));
                let split = &forest.nodes[node];
                let false_mask = FalseMask {
                    threshold: split.threshold,
                    tree: tree as u32,
                    mask,
                };
                if split.threshold.is_nan() {
                    start &= mask;
                } else {
                    by_feature[usize::from(split.feature)].push(false_mask);
                }
            }
            bits.start.push(start);
        }
        for (feature, mut masks) in by_feature.into_iter().enumerate() {
            if masks.is_empty() {
                continue;
            }
            // Stable, so equal thresholds keep tree order (the result does not depend on it).
            masks.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
            let first = bits.masks.len() as u32;
            bits.masks.extend(masks);
            bits.features
                .push((feature as u16, first, bits.masks.len() as u32));
        }
        // The AVX2 kernel indexes leaves with `i32` lanes.
        bits.avx2 = cpu_has_avx2() && i32::try_from(bits.leaf_values.len()).is_ok();
        Some(bits)
    }

    /// Appends the leaves under `child` (a split index or `!leaf`) to `leaf_values` left to
    /// right, and each split under it to `splits` with its left subtree's leaf range.
    fn lay_out(
        &mut self,
        forest: &Forest,
        child: i32,
        depth: u32,
        seen: &mut [bool],
        splits: &mut Vec<(usize, u32, u32)>,
    ) -> Option<()> {
        let base = *self.leaf_base.last()?;
        if child < 0 {
            if self.leaf_values.len() as u32 - base >= MAX_LEAVES {
                return None;
            }
            self.leaf_values.push(*forest.leaves.get(!child as usize)?);
            return Some(());
        }
        let node = child as usize;
        // A deeper split would make more leaves; a split reached twice makes a DAG, not a tree.
        if depth >= MAX_LEAVES || std::mem::replace(seen.get_mut(node)?, true) {
            return None;
        }
        let [left, right] = forest.nodes.get(node)?.children;
        let left_first = self.leaf_values.len() as u32;
        self.lay_out(forest, left, depth + 1, seen, splits)?;
        splits.push((node, left_first, self.leaf_values.len() as u32));
        self.lay_out(forest, right, depth + 1, seen, splits)
    }

    /// The logits of up to [`TREE_BLOCK`] rows into `out`, each condition tested on all the
    /// rows at once without a branch, up to the last threshold below the block's largest
    /// value: each lane ends with the word its row alone would.
    fn eval_block(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        bias: f32,
        out: &mut [f32],
        words: &mut Vec<u32x8>,
    ) {
        self.eval_block_with(rows, bias, out, words, self.avx2);
    }

    /// [`BitForest::eval_block`] by the AVX2 kernel where `avx2` (only ever true where the CPU
    /// has AVX2), by the portable one otherwise.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
    fn eval_block_with(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        bias: f32,
        out: &mut [f32],
        words: &mut Vec<u32x8>,
        avx2: bool,
    ) {
        let n = rows.len().min(TREE_BLOCK).min(out.len());
        if n == 0 {
            return;
        }
        let (rows, out) = (&rows[..n], &mut out[..n]);
        words.clear();
        words.extend(self.start.iter().map(|&w| u32x8::splat(w)));
        #[cfg(target_arch = "x86_64")]
        if avx2 {
            // SAFETY: `avx2` is set only where the CPU reports AVX2 (`BitForest::build`).
            unsafe { self.eval_block_avx2(rows, bias, out, words) };
            return;
        }
        self.eval_block_portable(rows, bias, out, words);
    }

    /// [`BitForest::eval_block_with`]'s portable kernel, in the SIMD of `wide`, for the `n`
    /// rows of a block (`out` as long) and `words` holding each tree's start.
    fn eval_block_portable(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        bias: f32,
        out: &mut [f32],
        words: &mut [u32x8],
    ) {
        let n = rows.len();
        for &(feature, first, end) in &self.features {
            let (xs, last) = self.block_values(rows, n, feature, first, end);
            let values = f32x8::from(xs);
            for m in &self.masks[first as usize..last] {
                // All ones in the lanes whose test holds, whose words keep their leaves.
                let holds: u32x8 = bytemuck::cast(values.simd_le(f32x8::splat(m.threshold)));
                let word = &mut words[m.tree as usize];
                *word &= u32x8::splat(m.mask) | holds;
            }
        }
        out.fill(bias);
        for (word, &base) in words.iter().zip(&self.leaf_base) {
            for (o, lane) in out.iter_mut().zip(word.to_array()) {
                let leaf = base as usize + lane.trailing_zeros() as usize;
                *o += self.leaf_values.get(leaf).copied().unwrap_or(0.0);
            }
        }
    }

    /// The block's values of `feature` (rows past `n` repeat the first, so they move nothing
    /// the block does not need), and the end of the masks `first..end` that can fail for them:
    /// a NaN fails every test; otherwise no test with a threshold at or above the largest value
    /// fails.
    #[inline(always)]
    fn block_values(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        n: usize,
        feature: u16,
        first: u32,
        end: u32,
    ) -> ([f32; TREE_BLOCK], usize) {
        let feature = usize::from(feature);
        let mut xs = [0.0f32; TREE_BLOCK];
        for (j, x) in xs.iter_mut().enumerate() {
            *x = rows[if j < n { j } else { 0 }][feature];
        }
        let (first, end) = (first as usize, end as usize);
        if xs.iter().any(|x| x.is_nan()) {
            return (xs, end);
        }
        let largest = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let masks = &self.masks[first..end];
        // Often no test on the feature fails: one look settles it.
        if masks.first().is_none_or(|m| m.threshold >= largest) {
            return (xs, first);
        }
        (xs, first + masks.partition_point(|m| m.threshold < largest))
    }

    /// [`BitForest::eval_block`] in AVX2: a split is one compare and one masked AND of eight
    /// lanes, and each tree's leaves are found and gathered for all eight lanes at once. The
    /// sums are taken in the same order as the portable form's, so the bits agree.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn eval_block_avx2(
        &self,
        rows: &[[f32; ROW_WIDTH]],
        bias: f32,
        out: &mut [f32],
        words: &mut [u32x8],
    ) {
        use std::arch::x86_64::*;
        let n = rows.len();
        let words: &mut [[u32; TREE_BLOCK]] = bytemuck::cast_slice_mut(words);
        for &(feature, first, end) in &self.features {
            let (xs, last) = self.block_values(rows, n, feature, first, end);
            // SAFETY: `xs` holds eight `f32`.
            let values = unsafe { _mm256_loadu_ps(xs.as_ptr()) };
            for m in &self.masks[first as usize..last] {
                // `_CMP_LE_OQ` is false for NaN, as `x <= t` is.
                let holds = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_LE_OQ>(
                    values,
                    _mm256_set1_ps(m.threshold),
                ));
                let keep = _mm256_or_si256(_mm256_set1_epi32(m.mask as i32), holds);
                debug_assert!((m.tree as usize) < words.len());
                // SAFETY: every mask's tree is one of the forest's (`BitForest::build`), and
                // `words` holds a word per tree.
                let word = unsafe { words.get_unchecked_mut(m.tree as usize) };
                let word = word.as_mut_ptr().cast::<__m256i>();
                // SAFETY: `word` points at eight `u32` of `words`; unaligned access is allowed.
                unsafe {
                    _mm256_storeu_si256(word, _mm256_and_si256(_mm256_loadu_si256(word), keep))
                };
            }
        }
        // Each lane's leaf is its word's lowest set bit, `1 << k`: as an `f32` its exponent
        // field is `127 + k` (bit 31 converts to -2^31, the same exponent), and an empty word
        // gives 0, which the unsigned minimum turns into k = 32 as `trailing_zeros` does.
        let leaf_count = _mm256_set1_epi32(self.leaf_values.len() as i32);
        let mut sums = _mm256_set1_ps(bias);
        for (word, &base) in words.iter().zip(&self.leaf_base) {
            // SAFETY: `word` is eight `u32`.
            let w = unsafe { _mm256_loadu_si256(word.as_ptr().cast()) };
            let lowest = _mm256_and_si256(w, _mm256_sub_epi32(_mm256_setzero_si256(), w));
            let field = _mm256_srli_epi32::<23>(_mm256_castps_si256(_mm256_cvtepi32_ps(lowest)));
            let field = _mm256_and_si256(field, _mm256_set1_epi32(0xff));
            let zeros = _mm256_min_epu32(
                _mm256_sub_epi32(field, _mm256_set1_epi32(127)),
                _mm256_set1_epi32(32),
            );
            let leaf = _mm256_add_epi32(_mm256_set1_epi32(base as i32), zeros);
            // Leaves past the last read 0, as `get(..).unwrap_or(0.0)` does.
            let inside = _mm256_castsi256_ps(_mm256_cmpgt_epi32(leaf_count, leaf));
            // SAFETY: only lanes with `0 <= leaf < leaf_values.len()` are read (`inside`; `base`
            // and `zeros` are not negative, and the length fits an `i32`, `BitForest::build`).
            let value = unsafe {
                _mm256_mask_i32gather_ps::<4>(
                    _mm256_setzero_ps(),
                    self.leaf_values.as_ptr(),
                    leaf,
                    inside,
                )
            };
            sums = _mm256_add_ps(sums, value);
        }
        let mut lanes = [0.0f32; TREE_BLOCK];
        // SAFETY: `lanes` holds eight `f32`.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sums) };
        out.copy_from_slice(&lanes[..n]);
    }
}

/// Whether the CPU runs AVX2 instructions.
fn cpu_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boilerplate::Rules;

    #[test]
    fn a_malformed_forest_is_not_walked() {
        let names: Vec<&str> = Rules::tree_feature_names().collect();
        let a = names[0];
        // A split before any tree, with children nowhere; a child pointing back; a leaf missing.
        for tsv in [
            format!("forest\t0\nn\t{a}\t1\t7\t9\ntree\nn\t{a}\t1\t-1\t-2\nl\t1\nl\t2\n"),
            format!("forest\t0\ntree\nn\t{a}\t1\t1\t-1\nn\t{a}\t1\t0\t-2\nl\t1\nl\t2\n"),
            format!("forest\t0\ntree\nn\t{a}\t1\t-1\t-3\nl\t1\nl\t2\n"),
            format!("forest\t0\nl\t0\ntree\nn\t{a}\t1\t-2147483648\t2147483647\nl\t1\n"),
        ] {
            let mut rules = Rules::builtin();
            rules.load_model(&tsv);
            assert!(!rules.forests[0].sound, "{tsv}");
            // The page is still classified, by the linear stages alone.
            let _ = rules.removals("Home\nA line of text that goes on for a while.\nContact");
        }
    }

    #[test]
    fn forest_walks_blocks_of_rows_like_one_row_at_a_time() {
        let names: Vec<&str> = Rules::tree_feature_names().collect();
        let (a, b) = (names[0], names[3]);
        // Tree 1 is lopsided (depths 1 and 3), tree 2 a single split; the walk takes the
        // deepest path's steps for every row, leaves holding still.
        let tsv = format!(
            "forest\t0.5\ntree\nn\t{a}\t1.0\t-1\t1\nn\t{b}\t2.0\t2\t-2\nn\t{a}\t3.0\t-3\t-4\n\
             l\t-1\nl\t2\nl\t10\nl\t20\ntree\nn\t{b}\t0.0\t-1\t-2\nl\t0.25\nl\t-0.25\n"
        );
        let mut forest = Forest::default();
        let mut rules = Rules::builtin();
        rules.forests.clear();
        rules.load_model(&tsv);
        std::mem::swap(&mut forest, &mut rules.forests[0]);
        assert!(forest.sound);
        let direct = |row: &[f32; ROW_WIDTH]| {
            let leaf1 = if row[0] <= 1.0 {
                -1.0
            } else if row[3] <= 2.0 {
                if row[0] <= 3.0 { 10.0 } else { 20.0 }
            } else {
                2.0
            };
            0.5 + leaf1 + if row[3] <= 0.0 { 0.25 } else { -0.25 }
        };
        let cases = [
            (0.0, 0.0),
            (2.0, 1.0),
            (5.0, 1.0),
            (2.0, 9.0),
            (f32::NAN, -1.0),
            (4.0, f32::NAN),
        ];
        let rows: Vec<[f32; ROW_WIDTH]> = (0..TREE_BLOCK + 3)
            .map(|k| {
                let mut row = [0.0; ROW_WIDTH];
                (row[0], row[3]) = cases[k % cases.len()];
                row
            })
            .collect();
        for block in rows.chunks(TREE_BLOCK) {
            let mut out = vec![0.0; block.len()];
            forest.eval_block(block, &mut out);
            let want: Vec<f32> = block.iter().map(direct).collect();
            assert_eq!(out, want);
        }
        // NaN fails every `x <= t`, so it goes right, twice here: to tree 1's last leaf.
        let mut out = [0.0];
        forest.eval_block(&rows[4..5], &mut out);
        assert_eq!(out[0], 0.5 + 20.0 + 0.25);
    }

    /// Logits of `rows` by the lockstep walk alone.
    fn walked(forest: &Forest, rows: &[[f32; ROW_WIDTH]]) -> Vec<f32> {
        let mut out = vec![0.0; rows.len()];
        for (block, out) in rows.chunks(TREE_BLOCK).zip(out.chunks_mut(TREE_BLOCK)) {
            forest.eval_block(block, out);
        }
        out
    }

    /// Logits of `rows` by the portable QuickScorer kernel, whatever the CPU has.
    fn portable(forest: &Forest, rows: &[[f32; ROW_WIDTH]]) -> Vec<f32> {
        let bits = forest.bits.as_ref().expect("a forest in QuickScorer form");
        let mut out = vec![0.0; rows.len()];
        for (block, out) in rows.chunks(TREE_BLOCK).zip(out.chunks_mut(TREE_BLOCK)) {
            bits.eval_block_with(block, forest.bias, out, &mut Vec::new(), false);
        }
        out
    }

    fn bits_of(values: &[f32]) -> Vec<u32> {
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn the_shipped_forest_scores_real_lines_in_quickscorer_form_as_the_walk_does() {
        let rules = Rules::builtin();
        let forest = &rules.forests[0];
        let bits = forest
            .bits
            .as_ref()
            .expect("the shipped trees fit the QuickScorer form");
        let mut rows: Vec<[f32; ROW_WIDTH]> = Vec::new();
        for name in [
            "en-stalingrad-anniversary.txt",
            "pt-batalha-de-stalingrado.txt",
        ] {
            let path = format!("{}/raw/{name}", env!("CARGO_MANIFEST_DIR"));
            let page = std::fs::read_to_string(&path).expect("a sample page in raw/");
            let page_rows = rules.tree_rows(&page, "", None, None).x1;
            rows.extend(
                page_rows
                    .iter()
                    .filter_map(|r| <[f32; ROW_WIDTH]>::try_from(r.as_slice()).ok()),
            );
        }
        assert!(rows.len() > 50, "{} lines", rows.len());
        // Each threshold met exactly, just above and just below, and NaN, on a real line.
        let template = rows[rows.len() / 2];
        for node in &forest.nodes {
            let t = node.threshold;
            for x in [t, t.next_up(), t.next_down(), f32::NAN] {
                let mut row = template;
                row[usize::from(node.feature)] = x;
                rows.push(row);
            }
        }
        let mut out = vec![0.0; rows.len()];
        forest.eval_rows(&rows, &mut out, &mut Vec::new());
        let want = bits_of(&walked(forest, &rows));
        assert_eq!(bits_of(&out), want);
        assert_eq!(bits_of(&portable(forest, &rows)), want);
        if !bits.avx2 {
            eprintln!("no AVX2 on this CPU: only the portable QuickScorer kernel was checked");
        }
        // The lines differ, and so do their scores: the comparison is not of constants.
        let distinct: std::collections::BTreeSet<u32> = out.iter().map(|v| v.to_bits()).collect();
        assert!(distinct.len() > 20, "{} distinct logits", distinct.len());
        assert_eq!(bits.start.len(), forest.roots.len());
    }

    #[test]
    fn forests_that_are_not_small_trees_are_walked() {
        let names: Vec<&str> = Rules::tree_feature_names().collect();
        let a = names[0];
        // Node 2 has two parents: sound (every walk ends) but a DAG.
        let dag = format!(
            "forest\t0\ntree\nn\t{a}\t0\t1\t2\nn\t{a}\t-1\t2\t-1\nn\t{a}\t1\t-2\t-3\n\
             l\t1\nl\t2\nl\t3\n"
        );
        // A chain of 40 splits has 41 leaves, more than a word holds.
        let mut chain = String::from("forest\t0\ntree\n");
        for i in 0..40 {
            let next = if i == 39 { -41 } else { i + 1 };
            chain.push_str(&format!("n\t{a}\t{i}\t-{}\t{next}\n", i + 1));
        }
        for i in 0..41 {
            chain.push_str(&format!("l\t{i}\n"));
        }
        // The leaf each row reaches, worked out by hand: the walk must give these.
        let dag_leaves = [2.0, 1.0, 2.0, 3.0, 3.0, 3.0];
        let chain_leaves = [0.0, 0.0, 1.0, 4.0, 40.0, 40.0];
        for (tsv, want) in [(dag, dag_leaves), (chain, chain_leaves)] {
            let mut rules = Rules::builtin();
            rules.load_model(&tsv);
            let forest = &rules.forests[0];
            assert!(forest.sound && forest.bits.is_none(), "{tsv}");
            let rows: Vec<[f32; ROW_WIDTH]> = [-2.0, -0.5, 0.5, 3.5, 100.0, f32::NAN]
                .iter()
                .map(|&x| {
                    let mut row = [0.0; ROW_WIDTH];
                    row[0] = x;
                    row
                })
                .collect();
            let mut out = vec![0.0; rows.len()];
            forest.eval_rows(&rows, &mut out, &mut Vec::new());
            assert_eq!(out, want, "{tsv}");
        }
    }

    /// Edge values for thresholds and features: signed zeros, infinities, NaN, a tiny value.
    const EDGES: [f32; 10] = [
        -1.0,
        -0.0,
        0.0,
        1e-30,
        0.5,
        1.0,
        2.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ];

    /// A random forest in the `trees.tsv` format over the first three features, from `seed`:
    /// splits in pre-order (children after their parent), thresholds from [`EDGES`].
    fn random_forest_tsv(seed: u64) -> String {
        let mut state = seed | 1;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let names: Vec<&str> = Rules::tree_feature_names().take(3).collect();
        let mut tsv = String::from("forest\t0.125\n");
        for _ in 0..1 + next(4) {
            let mut splits: Vec<(usize, f32, i32, i32)> = Vec::new();
            let mut leaves = 0i32;
            fn grow(
                depth: u32,
                next: &mut dyn FnMut(usize) -> usize,
                splits: &mut Vec<(usize, f32, i32, i32)>,
                leaves: &mut i32,
            ) -> i32 {
                if depth == 0 || next(3) == 0 {
                    *leaves += 1;
                    return -*leaves;
                }
                let at = splits.len();
                splits.push((next(3), EDGES[next(EDGES.len())], 0, 0));
                let left = grow(depth - 1, next, splits, leaves);
                let right = grow(depth - 1, next, splits, leaves);
                (splits[at].2, splits[at].3) = (left, right);
                at as i32
            }
            let root = grow(5, &mut next, &mut splits, &mut leaves);
            if root < 0 {
                // A lone leaf is no tree in the format: make it one split.
                splits.push((0, 0.0, -1, -2));
                leaves = 2;
            }
            tsv.push_str("tree\n");
            for (feature, threshold, left, right) in splits {
                tsv.push_str(&format!(
                    "n\t{}\t{threshold}\t{left}\t{right}\n",
                    names[feature]
                ));
            }
            for leaf in 0..leaves {
                tsv.push_str(&format!("l\t{}\n", 1 << leaf.min(20)));
            }
        }
        tsv
    }

    proptest::proptest! {
        #[test]
        fn quickscorer_agrees_with_the_walk_on_random_forests(
            seed in proptest::prelude::any::<u64>(),
            picks in proptest::collection::vec((0..EDGES.len(), 0..EDGES.len(), 0..EDGES.len()), 1..20),
        ) {
            let tsv = random_forest_tsv(seed);
            let mut rules = Rules::builtin();
            rules.load_model(&tsv);
            let forest = &rules.forests[0];
            proptest::prop_assert!(forest.sound, "{}", tsv);
            proptest::prop_assert!(forest.bits.is_some(), "{}", tsv);
            let rows: Vec<[f32; ROW_WIDTH]> = picks
                .iter()
                .map(|&(a, b, c)| {
                    let mut row = [0.0; ROW_WIDTH];
                    row[..3].copy_from_slice(&[EDGES[a], EDGES[b], EDGES[c]]);
                    row
                })
                .collect();
            let mut out = vec![0.0; rows.len()];
            forest.eval_rows(&rows, &mut out, &mut Vec::new());
            let want = bits_of(&walked(forest, &rows));
            proptest::prop_assert_eq!(bits_of(&out), want.clone(), "{}", tsv);
            proptest::prop_assert_eq!(bits_of(&portable(forest, &rows)), want, "{}", tsv);
        }
    }
}
