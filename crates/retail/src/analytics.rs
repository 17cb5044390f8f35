//! The shop manager's analytics: ABC (by revenue, margin or units), XYZ
//! (coefficient of variation of weekly demand), the 9-cell ABC×XYZ matrix,
//! RFM segments, demand per item, sales by period / channel / operator /
//! client type, plan vs actual per month and dormant clients for outbound
//! calls (004:248). Every result is sorted by a total order (value, then
//! key), so it does not depend on the order of the input.
//!
//! Conventions (also in docs/RETAIL.md):
//! - ABC: items sorted by value descending (ties by SKU); an item is **A**
//!   while the share accumulated *before* it is below `a` % (so the top item
//!   is always A), **B** while below `a + b` %, else **C**; an item with
//!   zero (or, by margin, negative) value is C. Defaults 80/15/5.
//! - XYZ: CV = population standard deviation / mean of the weekly units;
//!   X when CV ≤ `x` %, Y when ≤ `y` %, else Z; no demand at all is Z.
//!   Defaults 10 % / 25 %.
//! - RFM: fixed bins (not quintiles), so a customer's score depends only on
//!   their own orders — deterministic, stable under re-run and input order.

use std::collections::{BTreeMap, BTreeSet};

use domain::time::Date;
use serde::{Deserialize, Serialize};

use crate::Money;

/// One sold order line, as the store reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub order: i64,
    pub customer: i64,
    pub day: Date,
    pub channel: String,
    pub operator: Option<i64>,
    pub client_type: String,
    pub sku: String,
    pub units: i64,
    pub revenue: Money,
    pub cost: Money,
}

// ------------------------------------------------------------------- ABC

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Abc {
    A,
    B,
    C,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Revenue,
    Margin,
    Units,
}

/// ABC thresholds in percent: A up to `a`, B the next `b`, C the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbcSettings {
    pub a: u32,
    pub b: u32,
}

impl Default for AbcSettings {
    fn default() -> AbcSettings {
        AbcSettings { a: 80, b: 15 }
    }
}

/// An item's totals over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTotals {
    pub sku: String,
    pub units: i64,
    pub revenue: Money,
    pub cost: Money,
    /// Distinct orders.
    pub orders: usize,
}

impl ItemTotals {
    pub fn value(&self, basis: Basis) -> i64 {
        match basis {
            Basis::Revenue => self.revenue,
            Basis::Margin => self.revenue - self.cost,
            Basis::Units => self.units,
        }
        .max(0)
    }
}

/// Totals per item from sale lines; `catalogue` SKUs without sales are
/// included with zeros (what does not sell). Sorted by SKU.
pub fn item_totals(sales: &[SaleLine], catalogue: &[String]) -> Vec<ItemTotals> {
    let mut m: BTreeMap<&str, (ItemTotals, BTreeSet<i64>)> = BTreeMap::new();
    let blank =
        |sku: &str| (ItemTotals { sku: sku.to_string(), units: 0, revenue: 0, cost: 0, orders: 0 }, BTreeSet::new());
    for s in catalogue {
        m.entry(s.as_str()).or_insert_with(|| blank(s));
    }
    for l in sales {
        let e = m.entry(l.sku.as_str()).or_insert_with(|| blank(&l.sku));
        e.0.units += l.units;
        e.0.revenue += l.revenue;
        e.0.cost += l.cost;
        e.1.insert(l.order);
    }
    m.into_values()
        .map(|(mut t, orders)| {
            t.orders = orders.len();
            t
        })
        .collect()
}

/// Demand per item, best-selling first (units, then revenue, then SKU).
pub fn demand(sales: &[SaleLine], catalogue: &[String]) -> Vec<ItemTotals> {
    let mut t = item_totals(sales, catalogue);
    t.sort_by(|a, b| b.units.cmp(&a.units).then(b.revenue.cmp(&a.revenue)).then(a.sku.cmp(&b.sku)));
    t
}

/// ABC classes, in ranking order: `(sku, value, class)`.
pub fn abc(items: &[ItemTotals], basis: Basis, s: AbcSettings) -> Vec<(String, i64, Abc)> {
    let mut ranked: Vec<(String, i64)> = items.iter().map(|i| (i.sku.clone(), i.value(basis))).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: i128 = ranked.iter().map(|(_, v)| *v as i128).sum();
    let mut before: i128 = 0;
    ranked
        .into_iter()
        .map(|(sku, v)| {
            // before / total < a / 100  ⇔  before × 100 < a × total.
            let class = if v <= 0 || total == 0 {
                Abc::C
            } else if before * 100 < s.a as i128 * total {
                Abc::A
            } else if before * 100 < (s.a + s.b) as i128 * total {
                Abc::B
            } else {
                Abc::C
            };
            before += v as i128;
            (sku, v, class)
        })
        .collect()
}

// ------------------------------------------------------------------- XYZ

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Xyz {
    X,
    Y,
    Z,
}

/// XYZ thresholds on the coefficient of variation, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct XyzSettings {
    pub x: f64,
    pub y: f64,
}

impl Default for XyzSettings {
    fn default() -> XyzSettings {
        XyzSettings { x: 10.0, y: 25.0 }
    }
}

/// The coefficient of variation of a series in percent (population
/// standard deviation / mean × 100); `None` for an empty or all-zero series.
pub fn cv_percent(series: &[i64]) -> Option<f64> {
    if series.is_empty() {
        return None;
    }
    let n = series.len() as f64;
    let mean = series.iter().sum::<i64>() as f64 / n;
    if mean <= 0.0 {
        return None;
    }
    let var = series.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    Some(var.sqrt() / mean * 100.0)
}

pub fn xyz(series: &[i64], s: XyzSettings) -> (Option<f64>, Xyz) {
    let cv = cv_percent(series);
    let class = match cv {
        Some(c) if c <= s.x => Xyz::X,
        Some(c) if c <= s.y => Xyz::Y,
        _ => Xyz::Z,
    };
    (cv, class)
}

/// Weekly units of an item over `weeks` weeks starting on `from`
/// (week k = days `from + 7k ..= from + 7k + 6`); sales outside are ignored.
pub fn weekly_units(sales: &[SaleLine], sku: &str, from: Date, weeks: usize) -> Vec<i64> {
    let mut w = vec![0i64; weeks];
    for l in sales.iter().filter(|l| l.sku == sku) {
        let d = l.day.days() - from.days();
        if d >= 0 {
            if let Some(slot) = w.get_mut((d / 7) as usize) {
                *slot += l.units;
            }
        }
    }
    w
}

/// The 9-cell ABC×XYZ matrix: every cell present (`"AX"` … `"CZ"`), SKUs sorted.
pub fn matrix(abc: &[(String, i64, Abc)], xyz: &BTreeMap<String, Xyz>) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in ["A", "B", "C"] {
        for x in ["X", "Y", "Z"] {
            m.insert(format!("{a}{x}"), Vec::new());
        }
    }
    for (sku, _, a) in abc {
        let x = xyz.get(sku).copied().unwrap_or(Xyz::Z);
        if let Some(cell) = m.get_mut(&format!("{a:?}{x:?}")) {
            cell.push(sku.clone());
        }
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

// ------------------------------------------------------------------- RFM

/// Fixed RFM bins. Recency: score 5 when the last order is at most
/// `recency_days[0]` days ago, 4 at most `[1]`, …, 1 beyond `[3]`.
/// Frequency and monetary: score 1 + the number of thresholds reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmBins {
    pub recency_days: [i64; 4],
    pub frequency: [usize; 4],
    pub monetary: [Money; 4],
}

impl Default for RfmBins {
    fn default() -> RfmBins {
        RfmBins {
            recency_days: [30, 60, 120, 240],
            frequency: [2, 4, 8, 16],
            // 10 000, 50 000, 200 000, 1 000 000 in major units.
            monetary: [1_000_000, 5_000_000, 20_000_000, 100_000_000],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    pub customer: i64,
    pub recency_days: i64,
    pub frequency: usize,
    pub monetary: Money,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: &'static str,
}

/// The segment of scores, first rule that holds:
/// champions (R≥4, F≥4, M≥4), loyal (R≥3, F≥3), new (R≥4, F=1),
/// promising (R≥4), at_risk (R≤2, F≥3), lost (R=1), need_attention.
pub fn segment(r: u8, f: u8, m: u8) -> &'static str {
    match (r, f, m) {
        (4.., 4.., 4..) => "champions",
        (3.., 3.., _) => "loyal",
        (4.., 1, _) => "new",
        (4.., _, _) => "promising",
        (..=2, 3.., _) => "at_risk",
        (1, _, _) => "lost",
        _ => "need_attention",
    }
}

/// RFM per customer from sale lines (an order counts once; its amount is
/// the sum of its lines), as of `today`. Sorted by customer id.
pub fn rfm(sales: &[SaleLine], today: Date, bins: &RfmBins) -> Vec<Rfm> {
    // customer → (last day, orders, money)
    let mut per: BTreeMap<i64, (Date, BTreeSet<i64>, Money)> = BTreeMap::new();
    for l in sales {
        let e = per.entry(l.customer).or_insert((l.day, BTreeSet::new(), 0));
        e.0 = e.0.max(l.day);
        e.1.insert(l.order);
        e.2 += l.revenue;
    }
    per.into_iter()
        .map(|(customer, (last, orders, monetary))| {
            let recency_days = today.days() - last.days();
            let r = 5 - bins.recency_days.iter().filter(|&&b| recency_days > b).count() as u8;
            let frequency = orders.len();
            let f = 1 + bins.frequency.iter().filter(|&&b| frequency >= b).count() as u8;
            let m = 1 + bins.monetary.iter().filter(|&&b| monetary >= b).count() as u8;
            Rfm { customer, recency_days, frequency, monetary, r, f, m, segment: segment(r, f, m) }
        })
        .collect()
}

// ------------------------------------------------------------- reports

/// What to group sales by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Day,
    /// ISO-like week starting Monday, keyed by its Monday's date.
    Week,
    Month,
    Channel,
    Operator,
    ClientType,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub orders: usize,
    pub units: i64,
    pub revenue: Money,
    pub margin: Money,
}

fn key(l: &SaleLine, dim: Dimension) -> String {
    match dim {
        Dimension::Day => l.day.to_string(),
        Dimension::Week => l.day.add_days(-(l.day.weekday() as i64)).to_string(),
        Dimension::Month => format!("{:04}-{:02}", l.day.year(), l.day.month()),
        Dimension::Channel => l.channel.clone(),
        Dimension::Operator => l.operator.map_or_else(|| "-".to_string(), |o| o.to_string()),
        Dimension::ClientType => l.client_type.clone(),
    }
}

/// Sales grouped by a dimension, sorted by key (orders are distinct orders).
pub fn sales_by(sales: &[SaleLine], dim: Dimension) -> Vec<(String, Totals)> {
    let mut m: BTreeMap<String, (Totals, BTreeSet<i64>)> = BTreeMap::new();
    for l in sales {
        let e = m.entry(key(l, dim)).or_default();
        e.0.units += l.units;
        e.0.revenue += l.revenue;
        e.0.margin += l.revenue - l.cost;
        e.1.insert(l.order);
    }
    m.into_iter()
        .map(|(k, (mut t, o))| {
            t.orders = o.len();
            (k, t)
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanActual {
    /// `YYYY-MM`.
    pub month: String,
    pub plan: Money,
    pub actual: Money,
    /// actual / plan in basis points (10 000 = 100 %), half-up; `None` without a plan.
    pub done_bp: Option<i64>,
}

/// Plan vs actual revenue per month, for every month in the plan or the sales.
pub fn plan_vs_actual(plan: &BTreeMap<String, Money>, sales: &[SaleLine]) -> Vec<PlanActual> {
    let actual: BTreeMap<String, Money> =
        sales_by(sales, Dimension::Month).into_iter().map(|(k, t)| (k, t.revenue)).collect();
    let months: BTreeSet<&String> = plan.keys().chain(actual.keys()).collect();
    months
        .into_iter()
        .map(|mo| {
            let p = plan.get(mo).copied().unwrap_or(0);
            let a = actual.get(mo).copied().unwrap_or(0);
            let done_bp = (p > 0).then(|| crate::money::mul_div_half_up(a, 10_000, p));
            PlanActual { month: mo.clone(), plan: p, actual: a, done_bp }
        })
        .collect()
}

/// Clients to call (004:248): no order for at least `days` days as of
/// `today`, or never. `clients` are (id, last order day). Longest silence
/// first (never-ordered first of all), ties by id.
pub fn dormant(clients: &[(i64, Option<Date>)], today: Date, days: i64) -> Vec<(i64, Option<i64>)> {
    let mut out: Vec<(i64, Option<i64>)> = clients
        .iter()
        .map(|(id, last)| (*id, last.map(|d| today.days() - d.days())))
        .filter(|(_, since)| since.is_none_or(|s| s >= days))
        .collect();
    out.sort_by(|a, b| match (a.1, b.1) {
        (None, None) => a.0.cmp(&b.0),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x).then(a.0.cmp(&b.0)),
    });
    out.dedup_by_key(|c| c.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        order: i64,
        customer: i64,
        day: &str,
        channel: &str,
        op: Option<i64>,
        ct: &str,
        sku: &str,
        units: i64,
        revenue: Money,
        cost: Money,
    ) -> SaleLine {
        SaleLine {
            order,
            customer,
            day: d(day),
            channel: channel.into(),
            operator: op,
            client_type: ct.into(),
            sku: sku.into(),
            units,
            revenue,
            cost,
        }
    }

    fn totals(sku: &str, units: i64, revenue: Money, cost: Money) -> ItemTotals {
        ItemTotals { sku: sku.into(), units, revenue, cost, orders: 1 }
    }

    /// Hand-computed ABC fixture.
    ///
    /// | SKU | revenue | cost | margin | units |
    /// |-----|--------:|-----:|-------:|------:|
    /// | P1  |   5 000 | 4 500|    500 |    10 |
    /// | P2  |   3 000 | 1 000|  2 000 |    60 |
    /// | P3  |   1 000 |   500|    500 |    20 |
    /// | P4  |     600 |   100|    500 |     5 |
    /// | P5  |     400 |   500|   −100 |     5 |
    /// | P6  |       0 |     0|      0 |     0 |
    #[test]
    fn abc_matches_the_hand_computed_fixture() {
        let items = vec![
            totals("P1", 10, 5_000, 4_500),
            totals("P2", 60, 3_000, 1_000),
            totals("P3", 20, 1_000, 500),
            totals("P4", 5, 600, 100),
            totals("P5", 5, 400, 500),
            totals("P6", 0, 0, 0),
        ];
        let classes =
            |basis| abc(&items, basis, AbcSettings::default()).into_iter().map(|(s, _, c)| (s, c)).collect::<Vec<_>>();
        let s = |x: &str| x.to_string();
        // Revenue, total 10 000. Share accumulated before each item:
        // P1 0 % → A; P2 50 % → A; P3 80 % (not < 80) → B; P4 90 % (< 95) → B;
        // P5 96 % → C; P6 zero → C.
        assert_eq!(
            classes(Basis::Revenue),
            vec![
                (s("P1"), Abc::A),
                (s("P2"), Abc::A),
                (s("P3"), Abc::B),
                (s("P4"), Abc::B),
                (s("P5"), Abc::C),
                (s("P6"), Abc::C)
            ]
        );
        // Margin (negative counts as 0), total 2 000 + 500 × 3 = 3 500. Order: P2 2 000,
        // then P1, P3, P4 at 500 each (ties by SKU), P5 0, P6 0.
        // Before: P2 0 → A; P1 2 000/3 500 = 57.1 % → A; P3 2 500/3 500 = 71.4 % → A;
        // P4 3 000/3 500 = 85.7 % → B; P5, P6 zero → C.
        assert_eq!(
            classes(Basis::Margin),
            vec![
                (s("P2"), Abc::A),
                (s("P1"), Abc::A),
                (s("P3"), Abc::A),
                (s("P4"), Abc::B),
                (s("P5"), Abc::C),
                (s("P6"), Abc::C)
            ]
        );
        // Units, total 100: P2 60 (before 0 → A), P3 20 (60 % → A), P1 10 (80 % → B),
        // P4 5 (90 % → B), P5 5 (95 %, not < 95 → C), P6 → C.
        assert_eq!(
            classes(Basis::Units),
            vec![
                (s("P2"), Abc::A),
                (s("P3"), Abc::A),
                (s("P1"), Abc::B),
                (s("P4"), Abc::B),
                (s("P5"), Abc::C),
                (s("P6"), Abc::C)
            ]
        );
        // Thresholds are settings: 50/30 → P1 A (0), P2 B (50 %), P3 C (80 %).
        let t = abc(&items, Basis::Revenue, AbcSettings { a: 50, b: 30 });
        assert_eq!(t.iter().take(3).map(|x| x.2).collect::<Vec<_>>(), vec![Abc::A, Abc::B, Abc::C]);
    }

    /// Hand-computed XYZ fixture (population SD):
    /// - S1 [9, 11, 10, 10]: mean 10, var (1+1+0+0)/4 = 0.5, SD 0.707, CV 7.07 % → X
    /// - S2 [8, 12, 8, 12]: mean 10, var 4, SD 2, CV 20 % → Y
    /// - S3 [0, 20, 0, 20]: mean 10, var 100, SD 10, CV 100 % → Z
    /// - S4 [0, 0, 0, 0]: no demand → Z
    #[test]
    fn xyz_and_the_matrix_match_the_hand_computed_fixture() {
        let s = XyzSettings::default();
        let (cv1, x1) = xyz(&[9, 11, 10, 10], s);
        assert!((cv1.unwrap() - 7.0711).abs() < 1e-3);
        assert_eq!(x1, Xyz::X);
        assert_eq!(xyz(&[8, 12, 8, 12], s), (Some(20.0), Xyz::Y));
        assert_eq!(xyz(&[0, 20, 0, 20], s), (Some(100.0), Xyz::Z));
        assert_eq!(xyz(&[0, 0, 0, 0], s), (None, Xyz::Z));
        // Weekly series from sale lines: week 0 = 2026-03-02 … 03-08.
        let sales = vec![
            line(1, 1, "2026-03-02", "call", None, "retail", "S2", 5, 0, 0),
            line(2, 1, "2026-03-08", "call", None, "retail", "S2", 3, 0, 0),
            line(3, 1, "2026-03-09", "call", None, "retail", "S2", 12, 0, 0),
            line(4, 1, "2026-03-17", "call", None, "retail", "S2", 8, 0, 0),
            line(5, 1, "2026-03-29", "call", None, "retail", "S2", 12, 0, 0),
            line(6, 1, "2026-03-30", "call", None, "retail", "S2", 99, 0, 0),
        ];
        assert_eq!(weekly_units(&sales, "S2", d("2026-03-02"), 4), vec![8, 12, 8, 12]);
        let abc_rows = vec![
            ("S1".to_string(), 9, Abc::A),
            ("S2".to_string(), 5, Abc::A),
            ("S3".to_string(), 2, Abc::B),
            ("S4".to_string(), 0, Abc::C),
        ];
        let xyz_map: BTreeMap<String, Xyz> =
            [("S1", Xyz::X), ("S2", Xyz::Y), ("S3", Xyz::Z)].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let m = matrix(&abc_rows, &xyz_map);
        assert_eq!(m.len(), 9);
        assert_eq!(m["AX"], vec!["S1"]);
        assert_eq!(m["AY"], vec!["S2"]);
        assert_eq!(m["BZ"], vec!["S3"]);
        assert_eq!(m["CZ"], vec!["S4"], "no XYZ data counts as Z");
        assert!(m["CX"].is_empty());
    }

    fn rfm_fixture() -> Vec<SaleLine> {
        // Today 2026-06-30. Amounts in minor units.
        vec![
            // Customer 1: 4 orders, last 10 days ago, 60 000.00 → R5 F3 M3 → loyal.
            line(1, 1, "2026-06-20", "call", Some(7), "key", "A", 1, 1_500_000, 0),
            line(2, 1, "2026-05-20", "call", Some(7), "key", "A", 1, 1_500_000, 0),
            line(3, 1, "2026-04-20", "call", Some(7), "key", "A", 1, 1_500_000, 0),
            line(4, 1, "2026-03-20", "call", Some(7), "key", "A", 1, 1_000_000, 0),
            line(4, 1, "2026-03-20", "call", Some(7), "key", "B", 1, 500_000, 0),
            // Customer 2: 1 order 5 days ago, 5 000.00 → R5 F1 M1 → new.
            line(5, 2, "2026-06-25", "web_form", None, "retail", "A", 1, 500_000, 0),
            // Customer 3: 8 orders, last 200 days ago... (2025-12-12) 2 000 000.00 → R2 F4 M5 → at_risk.
            line(6, 3, "2025-12-12", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(7, 3, "2025-12-01", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(8, 3, "2025-11-20", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(9, 3, "2025-11-10", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(10, 3, "2025-11-01", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(11, 3, "2025-10-20", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(12, 3, "2025-10-10", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            line(13, 3, "2025-10-01", "call", Some(8), "regional", "A", 1, 25_000_000, 0),
            // Customer 4: 1 order 400 days ago, 100.00 → R1 F1 M1 → lost.
            line(14, 4, "2025-05-26", "chat", None, "retail", "C", 2, 10_000, 0),
        ]
    }

    #[test]
    fn rfm_segments_match_the_fixture_and_are_stable_under_rerun_and_order() {
        let today = d("2026-06-30");
        let bins = RfmBins::default();
        let sales = rfm_fixture();
        let got = rfm(&sales, today, &bins);
        let summary: Vec<(i64, i64, usize, u8, u8, u8, &str)> =
            got.iter().map(|r| (r.customer, r.recency_days, r.frequency, r.r, r.f, r.m, r.segment)).collect();
        assert_eq!(
            summary,
            vec![
                // 10 days ≤ 30 → R5; 4 orders ≥ 2, ≥ 4 → F3; 6 000 000 ≥ 1 000 000, ≥ 5 000 000 → M3.
                (1, 10, 4, 5, 3, 3, "loyal"),
                // 5 days → R5; 1 order → F1; 500 000 < 1 000 000 → M1.
                (2, 5, 1, 5, 1, 1, "new"),
                // 200 days: > 30, 60, 120, ≤ 240 → R2; 8 orders → F4; 200 000 000 → M5.
                (3, 200, 8, 2, 4, 5, "at_risk"),
                // 400 days > 240 → R1; F1; 10 000 → M1.
                (4, 400, 1, 1, 1, 1, "lost"),
            ]
        );
        assert_eq!(rfm(&sales, today, &bins), got, "re-run");
        let mut reversed = sales.clone();
        reversed.reverse();
        assert_eq!(rfm(&reversed, today, &bins), got, "input order");
        let mut rotated = sales;
        rotated.rotate_left(7);
        assert_eq!(rfm(&rotated, today, &bins), got, "input order");
        assert_eq!(segment(5, 5, 5), "champions");
        assert_eq!(segment(4, 2, 2), "promising");
        assert_eq!(segment(3, 2, 5), "need_attention");
    }

    #[test]
    fn reports_group_by_dimension_and_plan_vs_actual() {
        let sales = rfm_fixture();
        let by_ct = sales_by(&sales, Dimension::ClientType);
        let keys: Vec<&str> = by_ct.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["key", "regional", "retail"]);
        // key: orders 1–4 (order 4 has two lines) → 4 orders, 5 units, 6 000 000.
        assert_eq!(by_ct[0].1, Totals { orders: 4, units: 5, revenue: 6_000_000, margin: 6_000_000 });
        let by_op = sales_by(&sales, Dimension::Operator);
        assert_eq!(
            by_op.iter().map(|(k, t)| (k.as_str(), t.orders)).collect::<Vec<_>>(),
            vec![("-", 2), ("7", 4), ("8", 8)]
        );
        let by_ch = sales_by(&sales, Dimension::Channel);
        assert_eq!(by_ch.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), vec!["call", "chat", "web_form"]);
        // 2026-06-25 is a Thursday → its week starts Monday 2026-06-22.
        assert!(sales_by(&sales, Dimension::Week).iter().any(|(k, _)| k == "2026-06-22"));
        assert!(sales_by(&sales, Dimension::Day).iter().any(|(k, _)| k == "2026-06-25"));

        let plan: BTreeMap<String, Money> =
            [("2026-06".to_string(), 3_000_000), ("2026-07".to_string(), 1_000_000)].into();
        let pa = plan_vs_actual(&plan, &sales);
        let june = pa.iter().find(|p| p.month == "2026-06").unwrap();
        // June actual: 1 500 000 + 500 000 = 2 000 000 of 3 000 000 → 66.67 % = 6 667 bp.
        assert_eq!((june.actual, june.done_bp), (2_000_000, Some(6_667)));
        let july = pa.iter().find(|p| p.month == "2026-07").unwrap();
        assert_eq!((july.actual, july.done_bp), (0, Some(0)));
        let may25 = pa.iter().find(|p| p.month == "2025-05").unwrap();
        assert_eq!((may25.plan, may25.done_bp), (0, None));
    }

    #[test]
    fn demand_lists_what_sells_and_what_does_not() {
        let sales = rfm_fixture();
        let catalogue = vec!["A".to_string(), "B".to_string(), "C".to_string(), "D".to_string()];
        let dm = demand(&sales, &catalogue);
        let got: Vec<(&str, i64, usize)> = dm.iter().map(|t| (t.sku.as_str(), t.units, t.orders)).collect();
        // A: 4 + 1 + 8 = 13 units in 13 orders; C 2; B 1; D never sold.
        assert_eq!(got, vec![("A", 13, 13), ("C", 2, 1), ("B", 1, 1), ("D", 0, 0)]);
    }

    #[test]
    fn dormant_clients_longest_silence_first() {
        let today = d("2026-06-30");
        let clients = vec![
            (5, Some(d("2026-06-01"))),
            (3, None),
            (1, Some(d("2026-01-01"))),
            (2, Some(d("2026-05-31"))),
            (4, Some(d("2026-06-29"))),
        ];
        // 5: 29 days, 1: 180, 2: 30, 4: 1, 3: never.
        assert_eq!(dormant(&clients, today, 30), vec![(3, None), (1, Some(180)), (2, Some(30))]);
    }
}
