//! A small seeded generator (xoshiro256**, seeded through SplitMix64) and the
//! distributions the simulator samples: deterministic for a seed on every
//! platform, no dependency.

use crate::{Error, Result};

/// xoshiro256** (Blackman & Vigna), seeded from one `u64` by SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

/// One SplitMix64 step: advances `state` and returns a well-mixed output.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut st = seed;
        Rng { s: [splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st), splitmix64(&mut st)] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Exponential with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -self.uniform().ln() * mean
    }

    /// Standard normal (Box–Muller; one of the pair is used).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Uniform index in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        ((self.uniform() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// A distribution of durations in seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Exponential with this mean.
    Exponential { mean_s: f64 },
    /// Log-normal with this mean and coefficient of variation (sd / mean).
    LogNormal { mean_s: f64, cv: f64 },
    /// Every value equally likely (e.g. measured handling times).
    Empirical(Vec<f64>),
}

impl Dist {
    /// Exponential when `cv` is `None` or 1, log-normal otherwise.
    pub fn from_mean_cv(mean_s: f64, cv: Option<f64>) -> Dist {
        match cv {
            Some(cv) if cv != 1.0 => Dist::LogNormal { mean_s, cv },
            _ => Dist::Exponential { mean_s },
        }
    }

    /// Checks the parameters; `what` names the distribution in the message.
    pub fn validate(&self, what: &str) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(format!("{what}: {m}")));
        match self {
            Dist::Exponential { mean_s } | Dist::LogNormal { mean_s, .. } if !(mean_s.is_finite() && *mean_s > 0.0) => {
                bad(format!("mean must be a finite number of seconds > 0, got {mean_s}"))
            }
            Dist::LogNormal { cv, .. } if !(cv.is_finite() && *cv >= 0.0) => {
                bad(format!("coefficient of variation must be a finite number ≥ 0, got {cv}"))
            }
            Dist::Empirical(v) if v.is_empty() => bad("no values".into()),
            Dist::Empirical(v) => match v.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                Some(x) => bad(format!("values must be finite and ≥ 0, got {x}")),
                None if v.iter().all(|x| *x == 0.0) => bad("all values are 0".into()),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    pub fn mean(&self) -> f64 {
        match self {
            Dist::Exponential { mean_s } | Dist::LogNormal { mean_s, .. } => *mean_s,
            Dist::Empirical(v) => v.iter().sum::<f64>() / v.len().max(1) as f64,
        }
    }

    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match self {
            Dist::Exponential { mean_s } => rng.exp(*mean_s),
            Dist::LogNormal { mean_s, cv } => {
                let s2 = (1.0 + cv * cv).ln();
                let mu = mean_s.ln() - s2 / 2.0;
                (mu + s2.sqrt() * rng.normal()).exp()
            }
            Dist::Empirical(v) => v[rng.index(v.len())],
        }
    }
}
