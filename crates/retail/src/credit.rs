//! The credit gate of 004:225–227: before taking an order the operator
//! checks the client's receivables; an order is taken only when there is no
//! overdue debt and the order keeps the client within the credit limit.
//! Otherwise the contact goes to the client's manager or, without one, to
//! the finance service.

use serde::{Deserialize, Serialize};

use crate::Money;

/// A client's receivables as the accounting system reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receivables {
    /// Everything the client owes now.
    pub balance: Money,
    /// The part of `balance` past its due date.
    pub overdue: Money,
    /// Credit limit; `None` = the client buys only with prepayment.
    pub credit_limit: Option<Money>,
    /// The client's assigned manager (user id), if any.
    pub manager: Option<i64>,
}

/// Why an order is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockReason {
    Overdue,
    OverLimit,
}

impl BlockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BlockReason::Overdue => "overdue",
            BlockReason::OverLimit => "over-limit",
        }
    }
}

/// Where a blocked contact goes (004:226).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Redirect {
    Manager(i64),
    Finance,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gate {
    Open,
    /// Blocked: every reason that holds (overdue first), where to send the
    /// contact, and by how much the order would exceed the limit.
    Blocked {
        reasons: Vec<BlockReason>,
        redirect: Redirect,
        over_by: Money,
    },
}

/// Checks an order of `order_total`. `on_credit` is false for orders paid
/// before shipping (card link, prepaid invoice): those do not use the limit,
/// but overdue debt still blocks them (004:225 — "only when there is none").
pub fn gate(r: &Receivables, order_total: Money, on_credit: bool) -> Gate {
    let mut reasons = Vec::new();
    if r.overdue > 0 {
        reasons.push(BlockReason::Overdue);
    }
    let mut over_by = 0;
    if on_credit {
        let limit = r.credit_limit.unwrap_or(0);
        let after = r.balance.saturating_add(order_total);
        if after > limit {
            over_by = after - limit;
            reasons.push(BlockReason::OverLimit);
        }
    }
    if reasons.is_empty() {
        return Gate::Open;
    }
    let redirect = r.manager.map_or(Redirect::Finance, Redirect::Manager);
    Gate::Blocked { reasons, redirect, over_by }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: Receivables =
        Receivables { balance: 100_000, overdue: 0, credit_limit: Some(1_000_000), manager: Some(7) };

    #[test]
    fn a_good_client_passes_up_to_the_limit() {
        assert_eq!(gate(&GOOD, 900_000, true), Gate::Open);
        assert_eq!(
            gate(&GOOD, 900_001, true),
            Gate::Blocked { reasons: vec![BlockReason::OverLimit], redirect: Redirect::Manager(7), over_by: 1 }
        );
        assert_eq!(gate(&GOOD, 5_000_000, false), Gate::Open, "prepaid orders do not use credit");
    }

    #[test]
    fn overdue_debt_blocks_every_order_and_goes_to_finance_without_a_manager() {
        let r = Receivables { overdue: 1, manager: None, ..GOOD };
        assert_eq!(
            gate(&r, 0, false),
            Gate::Blocked { reasons: vec![BlockReason::Overdue], redirect: Redirect::Finance, over_by: 0 }
        );
        let Gate::Blocked { reasons, .. } = gate(&r, 2_000_000, true) else { panic!() };
        assert_eq!(reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(), vec!["overdue", "over-limit"]);
    }

    #[test]
    fn no_limit_means_prepayment_only() {
        let r = Receivables { balance: 0, overdue: 0, credit_limit: None, manager: Some(3) };
        assert_eq!(gate(&r, 1, false), Gate::Open);
        assert!(matches!(gate(&r, 1, true), Gate::Blocked { over_by: 1, .. }));
    }
}
