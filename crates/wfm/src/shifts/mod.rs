//! How many operators to put on each shift of each day: the problem of
//! pyworkforce's `MinAbsDifference` and `MinRequiredResources`, with the same
//! input and answer shape, solved exactly.
//!
//! # Model
//! Days are independent (no constraint links them), so each day is solved
//! alone. For one day with periods `p`, shifts `s`, coverage `a[s][p] ∈ {0,1}`,
//! requirement `r[p]`, shift cap `U` (`max_shift_concurrency`) and period cap
//! `M` (`max_period_concurrency`), with `y[p] = Σ_s a[s][p]·x[s]`:
//! - `MinAbsDifference`: minimise `Σ_p |y[p] − r[p]|`, `0 ≤ x ≤ U`, `y ≤ M`;
//! - `MinRequiredResources`: minimise `Σ_s cost[s]·x[s]`, `r ≤ y ≤ M`, `0 ≤ x ≤ U`.
//!
//! # Solver: a min-cost circulation (exact)
//! When a shift covers one block of consecutive periods `[b, e)` (the usual
//! case), the coverage matrix is an interval matrix, and the day is a
//! min-cost circulation on nodes `0..=P`: a *period arc* `p → p+1` carries
//! `y[p]`, a *shift arc* `e → b` carries `x[s]` (capacity `U`, cost `cost[s]`
//! or 0). Conservation at node `k` reads `y[k] − y[k−1] = starts(k) −
//! ends(k)`, which is exactly the definition of `y`. The convex cost of
//! `y[p]` is two parallel period arcs: capacity `min(r, M)` at cost −1 and
//! `M − min(r, M)` at cost +1 (`|y − r| = r − y` below the requirement, `y − r`
//! above); for `MinRequiredResources` the first arc costs −BIG (forcing
//! `y ≥ r` whenever possible) and the second 0. Interval matrices are
//! totally unimodular, so the integral min-cost flow is the integer optimum.
//! The negative arcs are saturated first and the resulting excesses are
//! routed by successive shortest paths (Dijkstra with potentials).
//!
//! A shift whose periods are *not* one block (pyworkforce's own example has a
//! night shift covering 21–24 and 0–5) is handled by fixing its count `w`:
//! its coverage is subtracted from `r` and `M`, and the remaining interval
//! shifts are solved exactly for every `w ∈ 0..=U`. With one such shift per
//! day the answer is still exact (status `OPTIMAL`); with several, their
//! counts are improved one at a time until nothing changes (coordinate
//! descent over exact sub-problems; status `FEASIBLE`, as not proven optimal).

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{Error, Result};

/// Input of pyworkforce's shift optimisers, field for field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShiftsInput {
    pub num_days: usize,
    pub periods: usize,
    /// `{name: [0/1 per period]}`, in the order of the file.
    pub shifts_coverage: OrderedShifts,
    /// `[[per period] per day]`.
    pub required_resources: Vec<Vec<f64>>,
    pub max_period_concurrency: u32,
    pub max_shift_concurrency: u32,
    /// Present for `MinRequiredResources`: cost of one resource on a shift.
    #[serde(default)]
    pub cost_dict: Option<OrderedCosts>,
}

/// Shift names with their coverage, in file order (pyworkforce answers in
/// the dict's insertion order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderedShifts(pub Vec<(String, Vec<f64>)>);

/// Shift names with their cost, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderedCosts(pub Vec<(String, f64)>);

struct PairsVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for PairsVisitor<T> {
    type Value = Vec<(String, T)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, T>()? {
            out.push((k, v));
        }
        Ok(out)
    }
}

impl<'de> Deserialize<'de> for OrderedShifts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(std::marker::PhantomData)).map(OrderedShifts)
    }
}

impl<'de> Deserialize<'de> for OrderedCosts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(std::marker::PhantomData)).map(OrderedCosts)
    }
}

/// One line of the answer, as pyworkforce prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceShift {
    pub day: i64,
    pub shift: String,
    pub resources: i64,
}

/// The answer: pyworkforce's `status`, `cost`, `resources_shifts`, plus the
/// total absolute difference between coverage and requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShiftsSolution {
    /// `OPTIMAL`, `FEASIBLE` (not proven optimal) or `INFEASIBLE`.
    pub status: String,
    /// The objective: total absolute difference, or total shift cost.
    pub cost: f64,
    pub resources_shifts: Vec<ResourceShift>,
    /// `Σ |coverage − requirement|` over all days and periods (−1 if infeasible).
    pub total_abs_difference: f64,
    /// Which problem was solved: `MinAbsDifference` or `MinRequiredResources`.
    pub problem: String,
}

/// Checks the input and solves it (the problem is `MinRequiredResources`
/// when `cost_dict` is present).
pub fn solve(input: &ShiftsInput) -> Result<ShiftsSolution> {
    let shifts = validate(input)?;
    let costs = match &input.cost_dict {
        None => None,
        Some(c) => Some(
            shifts
                .iter()
                .map(|(name, _)| {
                    let v =
                        c.0.iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| *v)
                            .ok_or_else(|| Error::InvalidInput(format!("cost_dict has no cost for shift {name:?}")))?;
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(Error::InvalidInput(format!("cost of shift {name:?} must be ≥ 0, got {v}")));
                    }
                    Ok(v)
                })
                .collect::<Result<Vec<f64>>>()?,
        ),
    };
    let coverage: Vec<Vec<bool>> = shifts.iter().map(|(_, c)| c.iter().map(|v| *v != 0.0).collect()).collect();
    let day = DayProblem {
        coverage: &coverage,
        costs: costs.as_deref(),
        shift_cap: input.max_shift_concurrency,
        period_cap: input.max_period_concurrency,
    };
    let mut all = Vec::with_capacity(input.num_days * shifts.len());
    let mut exact = true;
    let mut objective = 0.0;
    let mut abs_diff = 0.0;
    for (d, req) in input.required_resources.iter().enumerate() {
        let req: Vec<i64> = req.iter().map(|v| v.round() as i64).collect();
        let Some((x, proven)) = day.solve(&req) else {
            return Ok(ShiftsSolution {
                status: "INFEASIBLE".into(),
                cost: -1.0,
                resources_shifts: vec![ResourceShift { day: -1, shift: "Unknown".into(), resources: -1 }],
                total_abs_difference: -1.0,
                problem: day.name().into(),
            });
        };
        exact &= proven;
        let y = day.cover(&x);
        let diff: i64 = y.iter().zip(&req).map(|(y, r)| (y - r).abs()).sum();
        abs_diff += diff as f64;
        objective += match &costs {
            None => diff as f64,
            Some(c) => x.iter().zip(c).map(|(x, c)| *x as f64 * c).sum(),
        };
        for ((name, _), n) in shifts.iter().zip(&x) {
            all.push(ResourceShift { day: d as i64, shift: name.clone(), resources: *n });
        }
    }
    Ok(ShiftsSolution {
        status: if exact { "OPTIMAL" } else { "FEASIBLE" }.into(),
        cost: objective,
        resources_shifts: all,
        total_abs_difference: abs_diff,
        problem: day.name().into(),
    })
}

fn validate(input: &ShiftsInput) -> Result<&[(String, Vec<f64>)]> {
    let shifts = &input.shifts_coverage.0[..];
    if input.num_days == 0 || input.periods == 0 {
        return Err(Error::InvalidInput("num_days and periods must be at least 1".into()));
    }
    if shifts.is_empty() {
        return Err(Error::InvalidInput("shifts_coverage has no shifts".into()));
    }
    for (name, c) in shifts {
        if c.len() != input.periods {
            return Err(Error::InvalidInput(format!(
                "shift {name:?} covers {} periods, expected {}",
                c.len(),
                input.periods
            )));
        }
        if c.iter().any(|v| *v != 0.0 && *v != 1.0) {
            return Err(Error::InvalidInput(format!("shift {name:?}: coverage values must be 0 or 1")));
        }
    }
    if input.required_resources.len() != input.num_days {
        return Err(Error::InvalidInput(format!(
            "required_resources has {} days, expected num_days = {}",
            input.required_resources.len(),
            input.num_days
        )));
    }
    for (d, row) in input.required_resources.iter().enumerate() {
        if row.len() != input.periods {
            return Err(Error::InvalidInput(format!(
                "required_resources day {d} has {} periods, expected {}",
                row.len(),
                input.periods
            )));
        }
        if let Some(v) = row.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
            return Err(Error::InvalidInput(format!("required_resources day {d}: {v} is not a number ≥ 0")));
        }
    }
    Ok(shifts)
}

/// Costs are scaled to integers for the flow (1e-6 resolution).
const COST_SCALE: f64 = 1e6;
/// Weight of an unmet requirement unit in `MinRequiredResources`: larger than
/// any total shift cost, so meeting the requirement always comes first.
const BIG: i64 = 1_000_000_000_000_000;

struct DayProblem<'a> {
    coverage: &'a [Vec<bool>],
    costs: Option<&'a [f64]>,
    shift_cap: u32,
    period_cap: u32,
}

impl DayProblem<'_> {
    fn name(&self) -> &'static str {
        if self.costs.is_some() {
            "MinRequiredResources"
        } else {
            "MinAbsDifference"
        }
    }

    fn cover(&self, x: &[i64]) -> Vec<i64> {
        let periods = self.coverage.first().map_or(0, Vec::len);
        let mut y = vec![0i64; periods];
        for (c, n) in self.coverage.iter().zip(x) {
            for (yp, on) in y.iter_mut().zip(c) {
                if *on {
                    *yp += n;
                }
            }
        }
        y
    }

    /// Objective of a full assignment, `None` if it breaks a hard constraint.
    fn objective(&self, x: &[i64], req: &[i64]) -> Option<i64> {
        let y = self.cover(x);
        if y.iter().any(|v| *v > i64::from(self.period_cap)) {
            return None;
        }
        match self.costs {
            None => Some(y.iter().zip(req).map(|(y, r)| (y - r).abs()).sum()),
            Some(c) => {
                if y.iter().zip(req).any(|(y, r)| y < r) {
                    return None;
                }
                Some(x.iter().zip(c).map(|(x, c)| x * scaled(*c)).sum())
            }
        }
    }

    /// Best shift counts for one day and whether they are proven optimal;
    /// `None` when no assignment meets the hard constraints.
    fn solve(&self, req: &[i64]) -> Option<(Vec<i64>, bool)> {
        let blocks: Vec<Option<(usize, usize)>> = self.coverage.iter().map(|c| block(c)).collect();
        let general: Vec<usize> = (0..self.coverage.len()).filter(|s| blocks[*s].is_none()).collect();
        let mut fixed = vec![0i64; self.coverage.len()];
        let mut best = self.solve_fixed(req, &blocks, &fixed);
        if general.is_empty() {
            return best.map(|x| (x, true));
        }
        let mut best_obj = best.as_ref().and_then(|x| self.objective(x, req));
        // Coordinate descent over the non-block shifts (exact when there is one).
        for _round in 0..20 {
            let mut improved = false;
            for &g in &general {
                let eval = |w: i64| {
                    let mut f = fixed.clone();
                    f[g] = w;
                    let x = self.solve_fixed(req, &blocks, &f)?;
                    Some((self.objective(&x, req)?, x, f))
                };
                let candidates: Vec<i64> = if self.costs.is_none() {
                    // MinAbsDifference: the optimum as a function of one fixed
                    // count is convex (the LP value is convex in its right-hand
                    // side and the day is totally unimodular for each count), so
                    // a binary search on the slope finds its minimum.
                    let (mut lo, mut hi) = (0i64, i64::from(self.shift_cap));
                    let value = |w: i64| eval(w).map_or(i64::MAX, |(o, _, _)| o);
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2;
                        if value(mid + 1) < value(mid) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                    vec![lo]
                } else {
                    (0..=i64::from(self.shift_cap)).collect()
                };
                let tried: Vec<_> =
                    candidates.into_iter().filter(|w| *w != fixed[g] || best.is_none()).filter_map(eval).collect();
                for (obj, x, f) in tried {
                    {
                        if best_obj.is_none_or(|b| obj < b) {
                            best_obj = Some(obj);
                            best = Some(x);
                            fixed = f;
                            improved = true;
                        }
                    }
                }
            }
            if !improved || general.len() == 1 {
                break;
            }
        }
        best.map(|x| (x, general.len() == 1))
    }

    /// Exact optimum over the block shifts with the others fixed at `fixed`.
    fn solve_fixed(&self, req: &[i64], blocks: &[Option<(usize, usize)>], fixed: &[i64]) -> Option<Vec<i64>> {
        let periods = req.len();
        // Requirement and cap left for the block shifts.
        let mut r = req.to_vec();
        let mut cap = vec![i64::from(self.period_cap); periods];
        for (s, c) in self.coverage.iter().enumerate() {
            if blocks[s].is_none() && fixed[s] > 0 {
                for p in 0..periods {
                    if c[p] {
                        r[p] -= fixed[s];
                        cap[p] -= fixed[s];
                    }
                }
            }
        }
        if cap.iter().any(|c| *c < 0) {
            return None;
        }
        let mut g = Flow::new(periods + 1);
        for p in 0..periods {
            let lo = r[p].clamp(0, cap[p]);
            match self.costs {
                None => {
                    g.add(p, p + 1, lo, -1);
                    g.add(p, p + 1, cap[p] - lo, 1);
                }
                Some(_) => {
                    if r[p] > cap[p] {
                        return None;
                    }
                    g.add(p, p + 1, lo, -BIG);
                    g.add(p, p + 1, cap[p] - lo, 0);
                }
            }
        }
        let mut arcs = vec![None; self.coverage.len()];
        for (s, b) in blocks.iter().enumerate() {
            if let Some((start, end)) = b {
                let cost = self.costs.map_or(0, |c| scaled(c[s]));
                arcs[s] = Some(g.add(*end, *start, i64::from(self.shift_cap), cost));
            }
        }
        g.min_cost_circulation();
        let x: Vec<i64> = (0..self.coverage.len()).map(|s| arcs[s].map_or(fixed[s], |e| g.flow(e))).collect();
        // For MinRequiredResources an unmet requirement means infeasible.
        if self.costs.is_some() && self.cover(&x).iter().zip(req).any(|(y, r)| y < r) {
            return None;
        }
        Some(x)
    }
}

fn scaled(c: f64) -> i64 {
    (c * COST_SCALE).round() as i64
}

/// `[start, end)` when the shift covers one block of consecutive periods.
/// A shift covering nothing is the empty block `[0, 0)`.
fn block(c: &[bool]) -> Option<(usize, usize)> {
    let Some(start) = c.iter().position(|v| *v) else {
        return Some((0, 0));
    };
    let end = start + c[start..].iter().take_while(|v| **v).count();
    if c[end..].iter().any(|v| *v) {
        None
    } else {
        Some((start, end))
    }
}

/// A small min-cost circulation: negative arcs are saturated, the excesses
/// routed by successive shortest paths with Dijkstra and potentials.
struct Flow {
    nodes: usize,
    // (to, cap, cost); the reverse of edge e is e ^ 1.
    to: Vec<usize>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    orig: Vec<i64>,
    adj: Vec<Vec<usize>>,
}

impl Flow {
    fn new(nodes: usize) -> Self {
        Flow { nodes, to: vec![], cap: vec![], cost: vec![], orig: vec![], adj: vec![vec![]; nodes + 2] }
    }

    fn add(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        let e = self.to.len();
        self.to.extend([to, from]);
        self.cap.extend([cap, 0]);
        self.cost.extend([cost, -cost]);
        self.orig.extend([cap, 0]);
        self.adj[from].push(e);
        self.adj[to].push(e + 1);
        e
    }

    /// Flow on the forward edge `e`.
    fn flow(&self, e: usize) -> i64 {
        self.orig[e] - self.cap[e]
    }

    fn min_cost_circulation(&mut self) {
        let (src, sink) = (self.nodes, self.nodes + 1);
        let mut excess = vec![0i64; self.nodes];
        let forward = self.to.len();
        for e in (0..forward).step_by(2) {
            if self.cost[e] < 0 && self.cap[e] > 0 {
                let c = self.cap[e];
                let from = self.to[e + 1];
                self.cap[e] = 0;
                self.cap[e + 1] += c;
                excess[self.to[e]] += c;
                excess[from] -= c;
            }
        }
        let mut need = 0;
        for (v, x) in excess.iter().enumerate() {
            if *x > 0 {
                self.add(src, v, *x, 0);
                need += x;
            } else if *x < 0 {
                self.add(v, sink, -x, 0);
            }
        }
        let n = self.nodes + 2;
        let mut pot = vec![0i64; n];
        let mut dist = vec![i64::MAX; n];
        let mut level = vec![u32::MAX; n];
        let mut next = vec![0usize; n];
        while need > 0 {
            // Shortest reduced distances (all reduced costs are ≥ 0).
            dist.fill(i64::MAX);
            dist[src] = 0;
            let mut heap = std::collections::BinaryHeap::new();
            heap.push(std::cmp::Reverse((0i64, src)));
            while let Some(std::cmp::Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                for &e in &self.adj[u] {
                    if self.cap[e] <= 0 {
                        continue;
                    }
                    let v = self.to[e];
                    let nd = d + self.cost[e] + pot[u] - pot[v];
                    if nd < dist[v] {
                        dist[v] = nd;
                        heap.push(std::cmp::Reverse((nd, v)));
                    }
                }
            }
            if dist[sink] == i64::MAX {
                break; // cannot happen: every excess can flow back
            }
            let reach = dist[sink];
            for v in 0..n {
                pot[v] += dist[v].min(reach);
            }
            // Blocking flows on the admissible arcs (reduced cost 0): every
            // shortest path of this round at once, Dinic-style.
            loop {
                level.fill(u32::MAX);
                level[src] = 0;
                let mut queue = std::collections::VecDeque::from([src]);
                while let Some(u) = queue.pop_front() {
                    for &e in &self.adj[u] {
                        let v = self.to[e];
                        if self.cap[e] > 0 && level[v] == u32::MAX && self.cost[e] + pot[u] - pot[v] == 0 {
                            level[v] = level[u] + 1;
                            queue.push_back(v);
                        }
                    }
                }
                if level[sink] == u32::MAX {
                    break;
                }
                next.fill(0);
                loop {
                    let pushed = self.augment(src, sink, need, &level, &mut next, &pot);
                    if pushed == 0 {
                        break;
                    }
                    need -= pushed;
                    if need == 0 {
                        return;
                    }
                }
            }
        }
    }

    /// One augmenting path along admissible level-increasing arcs.
    fn augment(&mut self, u: usize, sink: usize, limit: i64, level: &[u32], next: &mut [usize], pot: &[i64]) -> i64 {
        if u == sink {
            return limit;
        }
        while next[u] < self.adj[u].len() {
            let e = self.adj[u][next[u]];
            let v = self.to[e];
            if self.cap[e] > 0 && level[v] == level[u] + 1 && self.cost[e] + pot[u] - pot[v] == 0 {
                let got = self.augment(v, sink, limit.min(self.cap[e]), level, next, pot);
                if got > 0 {
                    self.cap[e] -= got;
                    self.cap[e ^ 1] += got;
                    return got;
                }
            }
            next[u] += 1;
        }
        0
    }
}

#[cfg(test)]
mod tests;
