//! Vacation planning: spread each operator's annual-leave entitlement over
//! the weeks of a horizon so that coverage suffers least.
//!
//! Leave is cut into blocks of `block_days` (default 7, a calendar week) plus
//! one shorter block for the remainder (28 days → 4 weeks; 24 days → 3 weeks
//! and 3 days). Blocks are handed out in rounds (every operator's first
//! block, then every second block, …). Each block goes to a week the operator
//! has no leave in yet: a wished week if, after the leave, that week still
//! has at least the required staff (the wished week with most surplus); else
//! the week with the largest surplus. Surplus is `available − required` in
//! FTE, where an operator on leave for `d` days of a week removes `fte·d/7`.
//! Taking the largest surplus first is the greedy rule for keeping the
//! minimum surplus as high as possible (water filling).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacationOperator {
    pub id: String,
    /// Leave days to place in the horizon.
    pub entitlement_days: u32,
    /// Weeks (0-based) the operator would like leave in.
    #[serde(default)]
    pub wished_weeks: Vec<usize>,
    /// Share of a full-time position (default 1).
    #[serde(default = "one")]
    pub fte: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacationInput {
    /// FTE required per week of the horizon.
    pub required: Vec<f64>,
    pub operators: Vec<VacationOperator>,
    #[serde(default)]
    pub block_days: Option<u32>,
}

/// One block of leave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LeaveBlock {
    pub week: usize,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VacationPlan {
    /// Per operator (input order): blocks sorted by week.
    pub leave: Vec<Vec<LeaveBlock>>,
    /// FTE available per week after leave.
    pub available: Vec<f64>,
    /// `Σ max(required − available, 0)` over weeks.
    pub coverage_loss: f64,
    pub wishes_met: usize,
    pub wishes_total: usize,
}

/// One week of a plan: what was required, what is left after leave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeekCoverage {
    pub week: usize,
    pub required: f64,
    pub available: f64,
    /// FTE on leave that week.
    pub on_leave: f64,
    /// `available − required` (negative when short).
    pub surplus: f64,
    /// `max(required − available, 0)`: this week's share of the coverage loss.
    pub loss: f64,
}

/// One operator's leave in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatorLeave {
    pub id: String,
    pub leave_days: u32,
    pub blocks: Vec<LeaveBlock>,
    /// Wished weeks that got a block.
    pub wishes_met: Vec<usize>,
}

/// A plan as people read it (the `switchboard wfm vacation` output and the
/// planner's table): per operator and per week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VacationReport {
    pub operators: Vec<OperatorLeave>,
    pub weeks: Vec<WeekCoverage>,
    pub coverage_loss: f64,
    pub weeks_short: usize,
    pub wishes_met: usize,
    pub wishes_total: usize,
}

/// Plans `input` ([`plan`]) and lays the result out per operator and week.
pub fn report(input: &VacationInput) -> Result<VacationReport> {
    let p = plan(input)?;
    let total: f64 = input.operators.iter().map(|o| o.fte).sum();
    let weeks: Vec<WeekCoverage> = input
        .required
        .iter()
        .zip(&p.available)
        .enumerate()
        .map(|(week, (&required, &available))| WeekCoverage {
            week,
            required,
            available,
            on_leave: total - available,
            surplus: available - required,
            loss: (required - available).max(0.0),
        })
        .collect();
    let operators = input
        .operators
        .iter()
        .zip(p.leave)
        .map(|(o, blocks)| OperatorLeave {
            id: o.id.clone(),
            leave_days: blocks.iter().map(|b| b.days).sum(),
            wishes_met: blocks.iter().map(|b| b.week).filter(|w| o.wished_weeks.contains(w)).collect(),
            blocks,
        })
        .collect();
    Ok(VacationReport {
        operators,
        weeks_short: weeks.iter().filter(|w| w.loss > 1e-9).count(),
        weeks,
        coverage_loss: p.coverage_loss,
        wishes_met: p.wishes_met,
        wishes_total: p.wishes_total,
    })
}

pub fn plan(input: &VacationInput) -> Result<VacationPlan> {
    let weeks = input.required.len();
    let block = input.block_days.unwrap_or(7);
    if weeks == 0 || block == 0 || block > 7 {
        return Err(Error::InvalidInput("need at least one week and block_days in 1..=7".into()));
    }
    if input.required.iter().any(|r| !(r.is_finite() && *r >= 0.0)) {
        return Err(Error::InvalidInput("required must be numbers ≥ 0".into()));
    }
    for o in &input.operators {
        if !(o.fte.is_finite() && o.fte > 0.0) {
            return Err(Error::InvalidInput(format!("operator {}: fte must be > 0", o.id)));
        }
        let blocks = o.entitlement_days.div_ceil(block) as usize;
        if blocks > weeks {
            return Err(Error::InvalidInput(format!(
                "operator {}: {} days of leave need {blocks} weeks, the horizon has {weeks}",
                o.id, o.entitlement_days
            )));
        }
        if let Some(w) = o.wished_weeks.iter().find(|w| **w >= weeks) {
            return Err(Error::InvalidInput(format!("operator {}: wished week {w} outside the horizon", o.id)));
        }
    }
    let total: f64 = input.operators.iter().map(|o| o.fte).sum();
    let mut available = vec![total; weeks];
    let mut leave: Vec<Vec<LeaveBlock>> = vec![vec![]; input.operators.len()];
    let mut left: Vec<u32> = input.operators.iter().map(|o| o.entitlement_days).collect();
    let mut wishes_met = 0;
    while left.iter().any(|l| *l > 0) {
        for (k, o) in input.operators.iter().enumerate() {
            if left[k] == 0 {
                continue;
            }
            let days = left[k].min(block);
            let cost = o.fte * f64::from(days) / 7.0;
            let free = |w: &usize| !leave[k].iter().any(|b| b.week == *w);
            let surplus = |w: usize| available[w] - input.required[w];
            let best_of = |ws: &mut dyn Iterator<Item = usize>| {
                ws.max_by(|a, b| surplus(*a).total_cmp(&surplus(*b)).then(b.cmp(a)))
            };
            let wished = best_of(&mut o.wished_weeks.iter().copied().filter(|w| free(w) && surplus(*w) - cost >= 0.0));
            let week = match wished {
                Some(w) => {
                    wishes_met += 1;
                    w
                }
                None => best_of(&mut (0..weeks).filter(free))
                    .ok_or_else(|| Error::InvalidInput(format!("operator {}: no week left for leave", o.id)))?,
            };
            available[week] -= cost;
            leave[k].push(LeaveBlock { week, days });
            left[k] -= days;
        }
    }
    for l in &mut leave {
        l.sort_by_key(|b| b.week);
    }
    let coverage_loss = input.required.iter().zip(&available).map(|(r, a)| (r - a).max(0.0)).sum();
    let wishes_total = input.operators.iter().map(|o| o.wished_weeks.len()).sum();
    Ok(VacationPlan { leave, available, coverage_loss, wishes_met, wishes_total })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, days: u32, wished: Vec<usize>) -> VacationOperator {
        VacationOperator { id: id.into(), entitlement_days: days, wished_weeks: wished, fte: 1.0 }
    }

    #[test]
    fn leave_goes_to_surplus_weeks_and_wishes_when_affordable() {
        // 10 operators; weeks 0–3 need 9.5, weeks 4–7 need 6 (a quiet month).
        let mut required = vec![9.5; 4];
        required.extend([6.0; 4]);
        let mut ops: Vec<VacationOperator> = (0..10).map(|i| op(&format!("op{i}"), 14, vec![])).collect();
        ops[0].wished_weeks = vec![5]; // affordable
        ops[1].wished_weeks = vec![0]; // would push week 0 below its requirement
        let p = plan(&VacationInput { required: required.clone(), operators: ops.clone(), block_days: None }).unwrap();
        for (k, blocks) in p.leave.iter().enumerate() {
            assert_eq!(blocks.iter().map(|b| b.days).sum::<u32>(), 14, "operator {k}");
            let mut weeks: Vec<usize> = blocks.iter().map(|b| b.week).collect();
            weeks.dedup();
            assert_eq!(weeks.len(), blocks.len(), "one block per week");
        }
        assert!(p.leave[0].iter().any(|b| b.week == 5));
        assert!(!p.leave[1].iter().any(|b| b.week == 0));
        assert_eq!((p.wishes_met, p.wishes_total), (1, 2));
        // 20 weeks of leave fit in the quiet month's surplus (4 × 4 FTE = 16) plus the busy weeks' 0.5 each.
        assert!(p.coverage_loss <= 2.0 + 1e-9, "{}", p.coverage_loss);
        // Naive plan: everyone takes weeks 0 and 1 → much worse.
        let naive_loss: f64 =
            required.iter().enumerate().map(|(w, r)| (r - if w < 2 { 0.0 } else { 10.0 }).max(0.0)).sum();
        assert!(p.coverage_loss < naive_loss);
        // A remainder block: 24 days → 3 weeks and 3 days.
        let p = plan(&VacationInput { required, operators: vec![op("a", 24, vec![])], block_days: None }).unwrap();
        let days: Vec<u32> = p.leave[0].iter().map(|b| b.days).collect();
        assert_eq!(days.iter().sum::<u32>(), 24);
        assert!(days.contains(&3));
    }

    #[test]
    fn the_report_gives_loss_per_week() {
        // Two operators, two weeks needing 2 and 1 FTE, a week of leave each:
        // a takes week 1 (surplus 1); b's wish for week 1 would leave it short,
        // so b takes the earlier of two weeks with surplus 0: week 0 ends 1 short.
        let input = VacationInput {
            required: vec![2.0, 1.0],
            operators: vec![op("a", 7, vec![]), op("b", 7, vec![1])],
            block_days: None,
        };
        let r = report(&input).unwrap();
        assert_eq!(r.weeks.iter().map(|w| w.available).collect::<Vec<_>>(), vec![1.0, 1.0]);
        assert_eq!(r.weeks.iter().map(|w| w.loss).collect::<Vec<_>>(), vec![1.0, 0.0]);
        assert_eq!(r.weeks.iter().map(|w| w.surplus).collect::<Vec<_>>(), vec![-1.0, 0.0]);
        assert_eq!((r.coverage_loss, r.weeks_short), (1.0, 1));
        assert_eq!((r.wishes_met, r.wishes_total), (0, 1));
        assert_eq!(r.operators[1].blocks, vec![LeaveBlock { week: 0, days: 7 }]);
        assert!(r.operators[1].wishes_met.is_empty());
        assert_eq!(r.operators[0].leave_days, 7);
        let unknown = serde_json::from_str::<VacationInput>(r#"{"required":[1],"operators":[],"block":3}"#);
        assert!(unknown.unwrap_err().to_string().contains("unknown field `block`"));
    }

    #[test]
    fn too_much_leave_is_refused() {
        let e = plan(&VacationInput { required: vec![1.0; 2], operators: vec![op("a", 28, vec![])], block_days: None })
            .unwrap_err();
        assert!(e.to_string().contains("need 4 weeks"), "{e}");
    }
}
