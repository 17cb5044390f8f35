//! Erlang C (M/M/N) and Erlang A (M/M/N+M) queueing formulas and staffing.
//!
//! Conventions: `a` is the offered load in erlangs (arrival rate × AHT), `n`
//! the number of agents on line, `t_s` the answer-time threshold of the
//! service level in seconds. Everything is computed in `f64` with recursions
//! or log-space sums, never factorials, so results stay finite for
//! `n` up to (and well beyond) 10,000.
//!
//! # Erlang C
//! Erlang B by the stable recursion `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`;
//! then `P_wait = C = n·B / (n − a·(1 − B))` for `n > a` (1 otherwise),
//! `SL(T) = 1 − C·e^{−(n−a)·T/AHT}`, `ASA = C·AHT/(n − a)`, occupancy `a/n`.
//!
//! # Erlang A
//! Birth–death chain on the number of callers in the system: birth rate λ,
//! death rate `min(k,n)·μ + max(k−n,0)·θ` (μ = 1/AHT, θ = 1/mean patience).
//! Stationary probabilities are built in log-space and the chain is truncated
//! once the state is past `n`, the death rate exceeds λ and the probability
//! is below e^{−45} of the largest one.
//!
//! By PASTA an arrival sees the stationary state. A caller who finds `k ≥ n`
//! in the system has `j = k − n` callers ahead. With `i` callers ahead, the
//! next event that concerns them happens at total rate
//! `r_i = n·μ + i·θ + θ`: with rate `n·μ + i·θ` one caller ahead leaves
//! (served or abandoned — FCFS, so a completion takes the head of the queue),
//! or, when `i = 0`, the caller is served; with rate θ the caller abandons.
//! Because the holding time in each stage is `Exp(r_i)` whatever the
//! outcome, the caller
//! - is served with probability `p_j = Π_{i=0..j} (n·μ + i·θ) / r_i`,
//! - and, if served, waited `W = Σ_{i=0..j} E_i`, `E_i ~ Exp(r_i)` independent
//!   (a hypoexponential time), so `P(served, W ≤ T) = p_j · F_j(T)` and
//!   `E[W·1{served}] = p_j · Σ_{i=0..j} 1/r_i`.
//!
//! Hence, with `π` the stationary distribution:
//! - `P_wait = Σ_{k≥n} π_k`,
//! - `SL(T) = Σ_{k<n} π_k + Σ_{k≥n} π_k·p_{k−n}·F_{k−n}(T)` — answered within T
//!   over offered (the KPI default with short-abandon threshold 0),
//! - abandonment `= Σ_{k≥n} π_k·(1 − p_{k−n})` (equals θ·E[queue]/λ),
//! - `ASA = Σ_{k≥n} π_k·p_{k−n}·Σ 1/r_i / (1 − abandonment)` (answered callers),
//! - occupancy `= Σ_k min(k,n)·π_k / n`.
//!
//! `F_j(T)` is computed for all `j` at once by uniformisation of the pure
//! stage chain (rate Λ = max r_i): `F_j(T) = Σ_m Poisson(ΛT; m)·g_m[j]` with
//! `g_{m+1}[j] = (r_j/Λ)·g_m[j−1] + (1 − r_j/Λ)·g_m[j]`, `g_m[−1] = 1`.
//! The simulator's tests (`sim/tests.rs`) check all of this against the
//! discrete-event simulation of `crate::sim`.

use crate::{Error, Result};

/// Largest number of agents the staffing search will consider.
pub const MAX_AGENTS: u32 = 1_000_000;

/// Erlang B blocking probability for `n` servers and load `a` erlangs.
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Erlang C probability of waiting from Erlang B; 1 when `n ≤ a`.
pub fn erlang_c_from_b(n: u32, a: f64, b: f64) -> f64 {
    let nf = n as f64;
    if nf <= a {
        return 1.0;
    }
    (nf * b / (nf - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C probability of waiting for `n` agents and load `a` erlangs.
pub fn erlang_c(n: u32, a: f64) -> f64 {
    erlang_c_from_b(n, a, erlang_b(n, a))
}

/// The performance of `agents` agents on one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    pub agents: u32,
    /// Probability a caller is answered within the threshold.
    pub service_level: f64,
    /// Average speed of answer of answered callers, seconds (infinite when
    /// the queue is unstable).
    pub asa_s: f64,
    /// Share of agents' time spent handling.
    pub occupancy: f64,
    /// Probability an arriving caller has to wait.
    pub p_wait: f64,
    /// Probability an arriving caller abandons (Erlang A only).
    pub abandon_rate: Option<f64>,
}

/// An interval's demand: `calls` arriving over `interval_s` seconds, each
/// taking `aht_s` seconds on average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    pub calls: f64,
    pub interval_s: f64,
    pub aht_s: f64,
}

impl Load {
    pub fn new(calls: f64, interval_s: f64, aht_s: f64) -> Result<Self> {
        if !(calls.is_finite() && calls >= 0.0) {
            return Err(Error::InvalidInput(format!("calls must be a finite number ≥ 0, got {calls}")));
        }
        positive("interval length", interval_s)?;
        positive("average handling time", aht_s)?;
        Ok(Load { calls, interval_s, aht_s })
    }

    /// Arrival rate per second.
    pub fn rate(&self) -> f64 {
        self.calls / self.interval_s
    }

    /// Offered load in erlangs.
    pub fn erlangs(&self) -> f64 {
        self.rate() * self.aht_s
    }
}

fn positive(what: &str, x: f64) -> Result<()> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!("{what} must be a finite number > 0, got {x}")))
    }
}

/// Erlang C metrics for `n` agents.
pub fn erlang_c_metrics(load: &Load, n: u32, t_s: f64) -> Metrics {
    let a = load.erlangs();
    c_metrics_with_b(a, load.aht_s, n, t_s, erlang_b(n, a))
}

fn c_metrics_with_b(a: f64, aht_s: f64, n: u32, t_s: f64, b: f64) -> Metrics {
    let nf = n as f64;
    let p_wait = erlang_c_from_b(n, a, b);
    let (service_level, asa_s) = if nf > a {
        ((1.0 - p_wait * (-(nf - a) * t_s / aht_s).exp()).clamp(0.0, 1.0), p_wait * aht_s / (nf - a))
    } else {
        (0.0, f64::INFINITY)
    };
    let occupancy = if n == 0 { 1.0 } else { (a / nf).min(1.0) };
    Metrics { agents: n, service_level, asa_s, occupancy, p_wait, abandon_rate: None }
}

/// Erlang A metrics for `n` agents with exponential patience of mean
/// `patience_s` seconds (see the module documentation for the formulas).
pub fn erlang_a_metrics(load: &Load, n: u32, t_s: f64, patience_s: f64) -> Metrics {
    let lambda = load.rate();
    let mu = 1.0 / load.aht_s;
    let theta = 1.0 / patience_s;
    if lambda <= 0.0 {
        return Metrics {
            agents: n,
            service_level: 1.0,
            asa_s: 0.0,
            occupancy: 0.0,
            p_wait: 0.0,
            abandon_rate: Some(0.0),
        };
    }
    let pi = birth_death(lambda, mu, theta, n);
    let nn = n as usize;
    let served_rate = n as f64 * mu;
    let p_wait: f64 = pi.iter().skip(nn).sum();
    let busy: f64 = pi.iter().enumerate().map(|(k, p)| k.min(nn) as f64 * p).sum();
    let tail = &pi[nn.min(pi.len())..];
    let cdf = stage_cdfs(served_rate, theta, tail.len(), t_s);
    let mut answered_within = pi.iter().take(nn).sum::<f64>();
    let mut abandon = 0.0;
    let mut wait_served = 0.0;
    let mut p_served = 1.0; // p_j, built up stage by stage
    let mut mean_time = 0.0; // Σ 1/r_i
    for (j, &pk) in tail.iter().enumerate() {
        let r = served_rate + (j as f64 + 1.0) * theta;
        p_served *= (served_rate + j as f64 * theta) / r;
        mean_time += 1.0 / r;
        answered_within += pk * p_served * cdf[j];
        abandon += pk * (1.0 - p_served);
        wait_served += pk * p_served * mean_time;
    }
    let answered = 1.0 - abandon;
    let asa_s = if answered > 0.0 { wait_served / answered } else { f64::INFINITY };
    let occupancy = if n == 0 { 0.0 } else { (busy / n as f64).clamp(0.0, 1.0) };
    Metrics {
        agents: n,
        service_level: answered_within.clamp(0.0, 1.0),
        asa_s,
        occupancy,
        p_wait: p_wait.clamp(0.0, 1.0),
        abandon_rate: Some(abandon.clamp(0.0, 1.0)),
    }
}

/// Stationary distribution of the Erlang A birth–death chain, truncated
/// where it becomes negligible, normalised to sum 1.
pub fn birth_death(lambda: f64, mu: f64, theta: f64, n: u32) -> Vec<f64> {
    let ln_lambda = lambda.ln();
    let mut logs = vec![0.0f64];
    let mut max = 0.0f64;
    let mut k: u64 = 0;
    loop {
        k += 1;
        let death = (k.min(n as u64)) as f64 * mu + (k.saturating_sub(n as u64)) as f64 * theta;
        let prev = logs[logs.len() - 1];
        let l = prev + ln_lambda - death.ln();
        logs.push(l);
        max = max.max(l);
        if k >= n as u64 && death > lambda && l < max - 45.0 {
            break;
        }
        if logs.len() > 50_000_000 {
            break; // unreachable for sane inputs; keeps memory bounded
        }
    }
    let mut pi: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = pi.iter().sum();
    for p in &mut pi {
        *p /= sum;
    }
    pi
}

/// `F_j(T)` for `j = 0..len`: the CDF at `t_s` of a sum of independent
/// exponentials with rates `served_rate + (i+1)·θ`, `i = 0..=j`, by
/// uniformisation.
pub fn stage_cdfs(served_rate: f64, theta: f64, len: usize, t_s: f64) -> Vec<f64> {
    if len == 0 {
        return Vec::new();
    }
    let rate = |i: usize| served_rate + (i as f64 + 1.0) * theta;
    let big = rate(len - 1);
    let x = big * t_s;
    if x <= 0.0 {
        return vec![0.0; len];
    }
    let weights = poisson_weights(x);
    let (lo, w) = (weights.0, weights.1);
    let hi = lo + w.len();
    let q: Vec<f64> = (0..len).map(|i| rate(i) / big).collect();
    let mut g = vec![0.0f64; len];
    let mut out = vec![0.0f64; len];
    for m in 0..hi {
        if m >= lo {
            let wm = w[m - lo];
            for (o, gi) in out.iter_mut().zip(&g) {
                *o += wm * gi;
            }
        }
        // One uniformised jump: from the back so g[j-1] is still the old value.
        for j in (0..len).rev() {
            let before = if j == 0 { 1.0 } else { g[j - 1] };
            g[j] = q[j] * before + (1.0 - q[j]) * g[j];
        }
    }
    out.iter().map(|v| v.clamp(0.0, 1.0)).collect()
}

/// Poisson(x) probabilities over the range holding all but ~1e-16 of the
/// mass: `(first index, weights)`, normalised; built outward from the mode so
/// large `x` neither underflows nor overflows.
fn poisson_weights(x: f64) -> (usize, Vec<f64>) {
    let mode = x.floor() as usize;
    let mut up = vec![1.0f64];
    let mut m = mode;
    loop {
        let next = up[up.len() - 1] * x / (m as f64 + 1.0);
        m += 1;
        if next < 1e-18 && m as f64 > x {
            break;
        }
        up.push(next);
    }
    let mut down = Vec::new();
    let mut cur = 1.0f64;
    let mut m = mode;
    while m > 0 {
        cur *= m as f64 / x;
        if cur < 1e-18 {
            break;
        }
        down.push(cur);
        m -= 1;
    }
    let lo = mode - down.len();
    let mut w: Vec<f64> = down.into_iter().rev().collect();
    w.extend(up);
    let sum: f64 = w.iter().sum();
    for v in &mut w {
        *v /= sum;
    }
    (lo, w)
}

/// What the staffing must achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Service level to reach, in (0, 1).
    pub service_level: f64,
    /// Answer-time threshold of the service level, seconds.
    pub answer_time_s: f64,
    /// Highest acceptable occupancy, in (0, 1]; `None` for no limit.
    pub max_occupancy: Option<f64>,
    /// Highest acceptable ASA in seconds; `None` for no limit.
    pub max_asa_s: Option<f64>,
}

impl Target {
    pub fn validate(&self) -> Result<()> {
        if !(self.service_level > 0.0 && self.service_level < 1.0) {
            return Err(Error::InvalidInput(format!(
                "target service level must be in (0, 1), got {}",
                self.service_level
            )));
        }
        if !(self.answer_time_s.is_finite() && self.answer_time_s >= 0.0) {
            return Err(Error::InvalidInput(format!("answer time must be ≥ 0 seconds, got {}", self.answer_time_s)));
        }
        if let Some(o) = self.max_occupancy {
            if !(o > 0.0 && o <= 1.0) {
                return Err(Error::InvalidInput(format!("max occupancy must be in (0, 1], got {o}")));
            }
        }
        if let Some(a) = self.max_asa_s {
            positive("ASA target", a)?;
        }
        Ok(())
    }

    fn met_by(&self, m: &Metrics) -> bool {
        m.service_level >= self.service_level
            && !matches!(self.max_occupancy, Some(o) if m.occupancy > o)
            && !matches!(self.max_asa_s, Some(a) if m.asa_s > a)
    }
}

/// The answer of a staffing computation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    /// Agents needed on line (handling contacts).
    pub on_line: u32,
    /// Agents to schedule once shrinkage is accounted for.
    pub scheduled: u32,
    /// Performance with `on_line` agents.
    pub metrics: Metrics,
}

/// Staff to schedule for `on_line` agents: `ceil(on_line / (1 − shrinkage))`.
pub fn scheduled(on_line: u32, shrinkage: f64) -> Result<u32> {
    if !(0.0..1.0).contains(&shrinkage) {
        return Err(Error::InvalidInput(format!("shrinkage must be in [0, 1), got {shrinkage}")));
    }
    // Guard against 14 / 0.7 = 20.000000000000004 style rounding.
    let raw = on_line as f64 / (1.0 - shrinkage);
    Ok((raw - 1e-9).ceil().max(0.0) as u32)
}

/// Smallest number of agents meeting `target` (Erlang C when `patience_s` is
/// `None`, Erlang A otherwise), and the staff to schedule under `shrinkage`.
pub fn staff(load: &Load, target: &Target, patience_s: Option<f64>, shrinkage: f64) -> Result<Staffing> {
    target.validate()?;
    scheduled(0, shrinkage)?;
    let metrics = match patience_s {
        None => staff_c(load, target)?,
        Some(p) => {
            positive("mean patience", p)?;
            staff_a(load, target, p)?
        }
    };
    Ok(Staffing { on_line: metrics.agents, scheduled: scheduled(metrics.agents, shrinkage)?, metrics })
}

fn staff_c(load: &Load, target: &Target) -> Result<Metrics> {
    let a = load.erlangs();
    if a <= 0.0 {
        // No load: one agent answers everything at once (B = 0).
        return Ok(c_metrics_with_b(a, load.aht_s, 1, target.answer_time_s, 0.0));
    }
    if a >= f64::from(MAX_AGENTS) {
        return Err(Error::InvalidInput(format!("no staffing up to {MAX_AGENTS} agents meets the target")));
    }
    // No n ≤ a can meet any target (the queue is unstable), nor any n whose
    // occupancy a/n is above the cap, so the search starts past both.
    // (`as` truncates, which is floor for a ≥ 0; no libm call on this path.)
    let mut start = a as u32 + 1;
    if let Some(cap) = target.max_occupancy {
        let by_cap = a / cap;
        start = start.max((by_cap as u32).max(1));
        while start < MAX_AGENTS && a / f64::from(start) > cap {
            start += 1;
        }
    }
    if start > MAX_AGENTS {
        return Err(Error::InvalidInput(format!("no staffing up to {MAX_AGENTS} agents meets the target")));
    }
    // Erlang B through its reciprocal, 1/B(k) = 1 + (k/a)·1/B(k−1): the
    // same stable recursion with one multiply-add per step instead of a
    // division (this loop is the whole cost of staffing an interval). The
    // reciprocal only overflows when B underflows, i.e. B = 0 in f64 anyway.
    let inv_a = 1.0 / a;
    let mut inv_b = inv_erlang_b(start - 1, inv_a);
    for n in start..=MAX_AGENTS {
        inv_b = 1.0 + inv_b * (n as f64 * inv_a);
        let m = c_metrics_with_b(a, load.aht_s, n, target.answer_time_s, 1.0 / inv_b);
        if target.met_by(&m) {
            return Ok(m);
        }
    }
    Err(Error::InvalidInput(format!("no staffing up to {MAX_AGENTS} agents meets the target")))
}

/// `1/B(n)` for load `1/inv_a` by the recursion `x_k = 1 + (k/a)·x_{k−1}`,
/// four steps at a time: `x_{k+3} = S + P·x_{k−1}` with `P = c_k⋯c_{k+3}` and
/// `S = 1 + c_{k+3}(1 + c_{k+2}(1 + c_{k+1}))`, `c_k = k/a`. S and P do not
/// depend on x, so the chain the processor waits on is one multiply-add per
/// four steps; every term is positive, so it is as stable as the plain one.
fn inv_erlang_b(n: u32, inv_a: f64) -> f64 {
    let mut x = 1.0_f64;
    let mut k = 1u32;
    while k + 3 <= n {
        let kf = k as f64;
        let (c0, c1, c2, c3) = (kf * inv_a, (kf + 1.0) * inv_a, (kf + 2.0) * inv_a, (kf + 3.0) * inv_a);
        let p = (c0 * c1) * (c2 * c3);
        let s = 1.0 + c3 * (1.0 + c2 * (1.0 + c1));
        x = s + p * x;
        k += 4;
    }
    while k <= n {
        x = 1.0 + x * (k as f64 * inv_a);
        k += 1;
    }
    x
}

fn staff_a(load: &Load, target: &Target, patience_s: f64) -> Result<Metrics> {
    let eval = |n: u32| erlang_a_metrics(load, n, target.answer_time_s, patience_s);
    // Exponential search for a feasible upper bound, then bisection (SL and
    // abandonment improve, occupancy falls, as agents are added).
    let mut hi = 1u32;
    let mut hi_m = eval(hi);
    while !target.met_by(&hi_m) {
        if hi >= MAX_AGENTS {
            return Err(Error::InvalidInput(format!("no staffing up to {MAX_AGENTS} agents meets the target")));
        }
        hi = (hi * 2).min(MAX_AGENTS);
        hi_m = eval(hi);
    }
    let mut lo = hi / 2; // infeasible (or 0)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let m = eval(mid);
        if target.met_by(&m) {
            hi = mid;
            hi_m = m;
        } else {
            lo = mid;
        }
    }
    Ok(hi_m)
}

#[cfg(test)]
mod tests;
