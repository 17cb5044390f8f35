//! The shop manager's analytics room as one value: its settings (validated)
//! and every table of a period computed from sold lines with the rules of
//! [`crate::analytics`], plus the same tables as rows of text for CSV/XLSX
//! export. Pure: the store reads the lines, the server renders.

use std::collections::{BTreeMap, BTreeSet};

use domain::time::Date;
use domain::validate::Invalid;
use serde::{Deserialize, Serialize};

use crate::analytics::{
    self as an, Abc, AbcSettings, Basis, Dimension, PlanActual, RfmBins, SaleLine, Xyz, XyzSettings,
};
use crate::money::{format_amount, parse_amount};
use crate::Money;

/// The room's settings (one settings document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// What ABC ranks by.
    pub basis: Basis,
    pub abc: AbcSettings,
    pub xyz: XyzSettings,
    pub rfm: RfmBins,
    /// A client is dormant after this many days without an order (004:248).
    pub dormant_days: i64,
    /// The queue whose operators make the dormant clients' callbacks.
    pub callback_queue: String,
    /// Monthly sales plan: `YYYY-MM` → revenue in minor units.
    pub plan: BTreeMap<String, Money>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            basis: Basis::Revenue,
            abc: AbcSettings::default(),
            xyz: XyzSettings::default(),
            rfm: RfmBins::default(),
            dormant_days: 60,
            callback_queue: "sales".into(),
            plan: BTreeMap::new(),
        }
    }
}

fn bad(field: &'static str, code: &'static str) -> Invalid {
    Invalid { field, code }
}

/// True for `YYYY-MM` with a month 01–12.
pub fn is_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && s[..4].bytes().all(|c| c.is_ascii_digit())
        && s[5..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && s[5..].bytes().all(|c| c.is_ascii_digit())
}

fn ascending<T: PartialOrd + Copy>(v: &[T], min: T) -> bool {
    v.first().is_some_and(|f| *f >= min) && v.windows(2).all(|w| w[0] < w[1])
}

/// Most months a plan may hold (ten years).
pub const MAX_PLAN_MONTHS: usize = 120;

impl Settings {
    /// Every rule the form promises; the first broken one is reported.
    pub fn validate(&self) -> Result<(), Invalid> {
        if !(1..=99).contains(&self.abc.a) || self.abc.a + self.abc.b > 100 {
            return Err(bad("abc", "bad-thresholds"));
        }
        let (x, y) = (self.xyz.x, self.xyz.y);
        if !(x.is_finite() && y.is_finite() && x > 0.0 && x < y && y <= 1000.0) {
            return Err(bad("xyz", "bad-thresholds"));
        }
        if !ascending(&self.rfm.recency_days, 1) || self.rfm.recency_days[3] > 3650 {
            return Err(bad("rfm_recency", "not-ascending"));
        }
        if !ascending(&self.rfm.frequency, 2) {
            return Err(bad("rfm_frequency", "not-ascending"));
        }
        if !ascending(&self.rfm.monetary, 1) {
            return Err(bad("rfm_monetary", "not-ascending"));
        }
        if !(1..=3650).contains(&self.dormant_days) {
            return Err(bad("dormant_days", "out-of-range"));
        }
        let q = self.callback_queue.trim();
        if q.is_empty() || q.len() > 64 {
            return Err(bad("callback_queue", "required"));
        }
        if self.plan.len() > MAX_PLAN_MONTHS {
            return Err(bad("plan", "too-many-months"));
        }
        if self.plan.iter().any(|(m, v)| !is_month(m) || *v < 0 || *v > 1_000_000_000_000_000) {
            return Err(bad("plan", "bad-plan"));
        }
        Ok(())
    }
}

/// A plan typed as lines `YYYY-MM amount` (amount in major units, `1 500 000`,
/// `1500000,50`); blank lines are skipped, a month twice is refused.
pub fn parse_plan(text: &str) -> Result<BTreeMap<String, Money>, Invalid> {
    let mut plan = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (month, amount) = line.split_once([' ', '\t', '=', ';']).ok_or(bad("plan", "bad-plan"))?;
        let amount = amount.trim_start_matches([' ', '\t', '=', ';']);
        let amount = parse_amount(amount).ok_or(bad("plan", "bad-plan"))?;
        if !is_month(month) || plan.insert(month.to_string(), amount).is_some() {
            return Err(bad("plan", "bad-plan"));
        }
    }
    Ok(plan)
}

/// The plan as the form shows it (one `YYYY-MM amount` line per month).
pub fn format_plan(plan: &BTreeMap<String, Money>) -> String {
    plan.iter().map(|(m, v)| format!("{m} {}\n", format_amount(*v))).collect()
}

/// A catalogue item as the room lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub listed: bool,
}

/// A customer with their last order day over all time (`None`: never ordered).
/// `name` is what the caller may see (masked or full).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: i64,
    pub name: String,
    pub client_type: String,
    pub last_order: Option<Date>,
}

/// Everything a report is computed from.
pub struct Input<'a> {
    /// Sold lines of the period `from ..= to` (local days).
    pub sales: &'a [SaleLine],
    pub items: &'a [Item],
    pub clients: &'a [Client],
    /// Operator id → name.
    pub operators: &'a BTreeMap<i64, String>,
    pub from: Date,
    pub to: Date,
    /// Today (local), for the dormant list.
    pub today: Date,
    /// Sales by period: day, week or month.
    pub grain: Dimension,
    pub basis: Basis,
    pub settings: &'a Settings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcRow {
    pub sku: String,
    pub name: String,
    pub value: i64,
    /// This item's share of the total, and the share up to and including it, in basis points.
    pub share_bp: i64,
    pub cumulative_bp: i64,
    pub class: Abc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XyzRow {
    pub sku: String,
    pub name: String,
    pub weekly: Vec<i64>,
    /// Coefficient of variation in percent (`None`: no demand).
    pub cv: Option<f64>,
    pub class: Xyz,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// `AX` … `CZ`.
    pub cell: String,
    pub count: usize,
    pub skus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandRow {
    pub sku: String,
    pub name: String,
    pub listed: bool,
    pub units: i64,
    pub revenue: Money,
    pub orders: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmRow {
    pub customer: i64,
    pub name: String,
    pub recency_days: i64,
    pub frequency: usize,
    pub monetary: Money,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub segment: String,
    pub count: usize,
    pub customers: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesRow {
    /// What sales are grouped by: a day, a Monday, `YYYY-MM`, a channel, an operator id (`-` none), a client type.
    pub key: String,
    /// The key for people (the operator's name; else the key).
    pub label: String,
    pub orders: usize,
    pub units: i64,
    pub revenue: Money,
    pub margin: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DormantRow {
    pub customer: i64,
    pub name: String,
    pub client_type: String,
    pub last_order: Option<Date>,
    /// Days since the last order (`None`: never ordered).
    pub days: Option<i64>,
}

/// Every table of the room for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: Date,
    pub to: Date,
    pub basis: Basis,
    pub weeks: usize,
    pub abc: Vec<AbcRow>,
    pub xyz: Vec<XyzRow>,
    pub matrix: Vec<MatrixCell>,
    pub demand: Vec<DemandRow>,
    pub rfm: Vec<RfmRow>,
    pub segments: Vec<Segment>,
    pub by_period: Vec<SalesRow>,
    pub by_channel: Vec<SalesRow>,
    pub by_operator: Vec<SalesRow>,
    pub by_client_type: Vec<SalesRow>,
    pub plan: Vec<PlanActual>,
    pub dormant: Vec<DormantRow>,
}

/// The RFM segments in the order the room shows them.
pub const SEGMENTS: [&str; 7] = ["champions", "loyal", "new", "promising", "need_attention", "at_risk", "lost"];

/// Number of whole or partial weeks in `from ..= to`.
pub fn weeks_in(from: Date, to: Date) -> usize {
    let days = (to.days() - from.days() + 1).max(1);
    ((days + 6) / 7) as usize
}

fn bp(part: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        crate::money::mul_div_half_up(part, 10_000, total)
    }
}

/// Computes the report. Items are the listed catalogue items plus anything
/// sold in the period; RFM is as of the period's last day (so a re-run gives
/// the same segments), the dormant list as of `today`.
pub fn build(inp: &Input) -> Report {
    let names: BTreeMap<&str, &str> = inp.items.iter().map(|i| (i.sku.as_str(), i.name.as_str())).collect();
    let name = |sku: &str| names.get(sku).map_or_else(|| sku.to_string(), |n| n.to_string());
    let listed: Vec<String> = inp.items.iter().filter(|i| i.listed).map(|i| i.sku.clone()).collect();
    let totals = an::item_totals(inp.sales, &listed);

    let ranked = an::abc(&totals, inp.basis, inp.settings.abc);
    let total: i64 = ranked.iter().map(|r| r.1).sum();
    let mut cum = 0;
    let abc: Vec<AbcRow> = ranked
        .iter()
        .map(|(sku, v, class)| {
            cum += v;
            AbcRow {
                sku: sku.clone(),
                name: name(sku),
                value: *v,
                share_bp: bp(*v, total),
                cumulative_bp: bp(cum, total),
                class: *class,
            }
        })
        .collect();

    // Weekly units per SKU in one pass over the lines.
    let weeks = weeks_in(inp.from, inp.to);
    let mut weekly: BTreeMap<&str, Vec<i64>> = totals.iter().map(|t| (t.sku.as_str(), vec![0; weeks])).collect();
    for l in inp.sales {
        let d = l.day.days() - inp.from.days();
        if d >= 0 {
            if let Some(slot) = weekly.get_mut(l.sku.as_str()).and_then(|w| w.get_mut((d / 7) as usize)) {
                *slot += l.units;
            }
        }
    }
    let xyz: Vec<XyzRow> = weekly
        .into_iter()
        .map(|(sku, series)| {
            let (cv, class) = an::xyz(&series, inp.settings.xyz);
            XyzRow { sku: sku.to_string(), name: name(sku), weekly: series, cv, class }
        })
        .collect();
    let xyz_map: BTreeMap<String, Xyz> = xyz.iter().map(|r| (r.sku.clone(), r.class)).collect();
    let matrix = an::matrix(&ranked, &xyz_map)
        .into_iter()
        .map(|(cell, skus)| MatrixCell { cell, count: skus.len(), skus })
        .collect();

    let listed_set: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let demand = an::demand(inp.sales, &listed)
        .into_iter()
        .map(|t| DemandRow {
            name: name(&t.sku),
            listed: listed_set.contains(t.sku.as_str()),
            sku: t.sku,
            units: t.units,
            revenue: t.revenue,
            orders: t.orders,
        })
        .collect();

    let client_names: BTreeMap<i64, &Client> = inp.clients.iter().map(|c| (c.id, c)).collect();
    let client_name = |id: i64| client_names.get(&id).map_or_else(|| format!("#{id}"), |c| c.name.clone());
    let rfm: Vec<RfmRow> = an::rfm(inp.sales, inp.to, &inp.settings.rfm)
        .into_iter()
        .map(|r| RfmRow {
            name: client_name(r.customer),
            customer: r.customer,
            recency_days: r.recency_days,
            frequency: r.frequency,
            monetary: r.monetary,
            r: r.r,
            f: r.f,
            m: r.m,
            segment: r.segment.to_string(),
        })
        .collect();
    let segments = SEGMENTS
        .iter()
        .map(|s| {
            let customers: Vec<i64> = rfm.iter().filter(|r| r.segment == *s).map(|r| r.customer).collect();
            Segment { segment: s.to_string(), count: customers.len(), customers }
        })
        .collect();

    let by = |dim: Dimension| -> Vec<SalesRow> {
        an::sales_by(inp.sales, dim)
            .into_iter()
            .map(|(key, t)| {
                let label = match dim {
                    Dimension::Operator => key
                        .parse::<i64>()
                        .ok()
                        .and_then(|id| inp.operators.get(&id).cloned())
                        .unwrap_or_else(|| key.clone()),
                    _ => key.clone(),
                };
                SalesRow { key, label, orders: t.orders, units: t.units, revenue: t.revenue, margin: t.margin }
            })
            .collect()
    };
    let grain = match inp.grain {
        Dimension::Day | Dimension::Week => inp.grain,
        _ => Dimension::Month,
    };
    let first_month = format!("{:04}-{:02}", inp.from.year(), inp.from.month());
    let last_month = format!("{:04}-{:02}", inp.to.year(), inp.to.month());
    let plan: Vec<PlanActual> = an::plan_vs_actual(&inp.settings.plan, inp.sales)
        .into_iter()
        .filter(|p| p.month >= first_month && p.month <= last_month)
        .collect();

    let last: Vec<(i64, Option<Date>)> = inp.clients.iter().map(|c| (c.id, c.last_order)).collect();
    let dormant = an::dormant(&last, inp.today, inp.settings.dormant_days)
        .into_iter()
        .map(|(id, days)| {
            let c = client_names.get(&id);
            DormantRow {
                customer: id,
                name: client_name(id),
                client_type: c.map(|c| c.client_type.clone()).unwrap_or_default(),
                last_order: c.and_then(|c| c.last_order),
                days,
            }
        })
        .collect();

    Report {
        from: inp.from,
        to: inp.to,
        basis: inp.basis,
        weeks,
        abc,
        xyz,
        matrix,
        demand,
        rfm,
        segments,
        by_period: by(grain),
        by_channel: by(Dimension::Channel),
        by_operator: by(Dimension::Operator),
        by_client_type: by(Dimension::ClientType),
        plan,
        dormant,
    }
}

/// The tables that export (`?report=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Abc,
    Xyz,
    Matrix,
    Rfm,
    Demand,
    Sales,
    Plan,
    Dormant,
}

impl Table {
    pub const ALL: [Table; 8] =
        [Table::Abc, Table::Xyz, Table::Matrix, Table::Rfm, Table::Demand, Table::Sales, Table::Plan, Table::Dormant];

    pub fn parse(s: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Abc => "abc",
            Table::Xyz => "xyz",
            Table::Matrix => "matrix",
            Table::Rfm => "rfm",
            Table::Demand => "demand",
            Table::Sales => "sales",
            Table::Plan => "plan",
            Table::Dormant => "dormant",
        }
    }
}

/// A CV as text: two decimals, empty for no demand.
pub fn format_cv(cv: Option<f64>) -> String {
    cv.map(|c| format!("{c:.2}")).unwrap_or_default()
}

/// Basis points as a percent with two decimals (`6667` → `66.67`).
pub fn format_bp(bp: i64) -> String {
    format!("{}.{:02}", bp / 100, (bp % 100).abs())
}

fn sales_rows(dim: &str, rows: &[SalesRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                dim.to_string(),
                r.key.clone(),
                r.label.clone(),
                r.orders.to_string(),
                r.units.to_string(),
                format_amount(r.revenue),
                format_amount(r.margin),
            ]
        })
        .collect()
}

impl Report {
    /// One table as a header and text rows (money as `1234.50`, shares as
    /// percents with two decimals), the same for CSV and XLSX.
    pub fn table(&self, t: Table) -> (Vec<&'static str>, Vec<Vec<String>>) {
        match t {
            Table::Abc => (
                vec!["sku", "name", "value", "share_pct", "cumulative_pct", "class"],
                self.abc
                    .iter()
                    .map(|r| {
                        let value = match self.basis {
                            Basis::Units => r.value.to_string(),
                            _ => format_amount(r.value),
                        };
                        vec![
                            r.sku.clone(),
                            r.name.clone(),
                            value,
                            format_bp(r.share_bp),
                            format_bp(r.cumulative_bp),
                            format!("{:?}", r.class),
                        ]
                    })
                    .collect(),
            ),
            Table::Xyz => (
                vec!["sku", "name", "weekly_units", "cv_pct", "class"],
                self.xyz
                    .iter()
                    .map(|r| {
                        let weekly = r.weekly.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
                        vec![r.sku.clone(), r.name.clone(), weekly, format_cv(r.cv), format!("{:?}", r.class)]
                    })
                    .collect(),
            ),
            Table::Matrix => (
                vec!["cell", "count", "skus"],
                self.matrix.iter().map(|c| vec![c.cell.clone(), c.count.to_string(), c.skus.join(" ")]).collect(),
            ),
            Table::Rfm => (
                vec!["customer", "name", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"],
                self.rfm
                    .iter()
                    .map(|r| {
                        vec![
                            r.customer.to_string(),
                            r.name.clone(),
                            r.recency_days.to_string(),
                            r.frequency.to_string(),
                            format_amount(r.monetary),
                            r.r.to_string(),
                            r.f.to_string(),
                            r.m.to_string(),
                            r.segment.clone(),
                        ]
                    })
                    .collect(),
            ),
            Table::Demand => (
                vec!["sku", "name", "listed", "units", "revenue", "orders"],
                self.demand
                    .iter()
                    .map(|r| {
                        vec![
                            r.sku.clone(),
                            r.name.clone(),
                            if r.listed { "yes" } else { "no" }.to_string(),
                            r.units.to_string(),
                            format_amount(r.revenue),
                            r.orders.to_string(),
                        ]
                    })
                    .collect(),
            ),
            Table::Sales => {
                let mut rows = sales_rows("period", &self.by_period);
                rows.extend(sales_rows("channel", &self.by_channel));
                rows.extend(sales_rows("operator", &self.by_operator));
                rows.extend(sales_rows("client_type", &self.by_client_type));
                (vec!["dimension", "key", "label", "orders", "units", "revenue", "margin"], rows)
            }
            Table::Plan => (
                vec!["month", "plan", "actual", "done_pct"],
                self.plan
                    .iter()
                    .map(|p| {
                        vec![
                            p.month.clone(),
                            format_amount(p.plan),
                            format_amount(p.actual),
                            p.done_bp.map(format_bp).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
            Table::Dormant => (
                vec!["customer", "name", "client_type", "last_order", "days"],
                self.dormant
                    .iter()
                    .map(|d| {
                        vec![
                            d.customer.to_string(),
                            d.name.clone(),
                            d.client_type.clone(),
                            d.last_order.map(|x| x.to_string()).unwrap_or_default(),
                            d.days.map(|x| x.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn sale(order: i64, customer: i64, day: &str, sku: &str, units: i64, revenue: Money) -> SaleLine {
        SaleLine {
            order,
            customer,
            day: d(day),
            channel: "call".into(),
            operator: Some(7),
            client_type: "retail".into(),
            sku: sku.into(),
            units,
            revenue,
            cost: revenue / 2,
        }
    }

    #[test]
    fn settings_validate_and_plan_parses() {
        assert_eq!(Settings::default().validate(), Ok(()));
        let mut s = Settings::default();
        s.abc.a = 90;
        s.abc.b = 20;
        assert_eq!(s.validate(), Err(bad("abc", "bad-thresholds")));
        let s = Settings { xyz: XyzSettings { x: 30.0, y: 20.0 }, ..Settings::default() };
        assert_eq!(s.validate(), Err(bad("xyz", "bad-thresholds")));
        let mut s = Settings::default();
        s.rfm.recency_days = [30, 30, 120, 240];
        assert_eq!(s.validate(), Err(bad("rfm_recency", "not-ascending")));
        let s = Settings { dormant_days: 0, ..Settings::default() };
        assert!(s.validate().is_err());
        let plan = parse_plan("2026-01 1 500 000\n\n2026-02=2000000,50\n").unwrap();
        assert_eq!(plan["2026-01"], 150_000_000);
        assert_eq!(plan["2026-02"], 200_000_050);
        assert_eq!(parse_plan(&format_plan(&plan)).unwrap(), plan);
        assert!(parse_plan("2026-13 5").is_err());
        assert!(parse_plan("2026-01 5\n2026-01 6").is_err());
        assert!(parse_plan("2026-01 lots").is_err());
        assert!(is_month("2026-12") && !is_month("2026-1") && !is_month("26-01-01"));
    }

    #[test]
    fn report_puts_the_rules_together_and_exports_the_same_rows() {
        let sales = vec![
            sale(1, 1, "2026-03-02", "P1", 10, 600_000),
            sale(1, 1, "2026-03-02", "P2", 1, 150_000),
            sale(2, 2, "2026-03-10", "P1", 10, 250_000),
        ];
        let items = vec![
            Item { sku: "P1".into(), name: "Молоко".into(), listed: true },
            Item { sku: "P2".into(), name: "Хлеб".into(), listed: true },
            Item { sku: "P3".into(), name: "Соль".into(), listed: true },
            Item { sku: "P4".into(), name: "Снято".into(), listed: false },
        ];
        let clients = vec![
            Client { id: 1, name: "А***".into(), client_type: "retail".into(), last_order: Some(d("2026-03-02")) },
            Client { id: 2, name: "Б***".into(), client_type: "key".into(), last_order: Some(d("2026-03-10")) },
            Client { id: 3, name: "В***".into(), client_type: "key".into(), last_order: None },
        ];
        let ops = BTreeMap::from([(7, "Оператор".to_string())]);
        let settings = Settings { plan: BTreeMap::from([("2026-03".into(), 2_000_000)]), ..Settings::default() };
        let inp = Input {
            sales: &sales,
            items: &items,
            clients: &clients,
            operators: &ops,
            from: d("2026-03-02"),
            to: d("2026-03-15"),
            today: d("2026-05-01"),
            grain: Dimension::Week,
            basis: Basis::Revenue,
            settings: &settings,
        };
        let r = build(&inp);
        // Revenue 850 000 / 150 000 / 0 → P1 A (before 0), P2 B (85 %: not < 80, < 95), P3 C (zero).
        let classes: Vec<(&str, Abc)> = r.abc.iter().map(|a| (a.sku.as_str(), a.class)).collect();
        assert_eq!(classes, vec![("P1", Abc::A), ("P2", Abc::B), ("P3", Abc::C)]);
        assert_eq!((r.abc[0].share_bp, r.abc[1].cumulative_bp), (8_500, 10_000));
        // Two weeks: P1 [10, 10] → CV 0 → X; P2 [1, 0] → CV 100 % → Z.
        assert_eq!(r.weeks, 2);
        let x: Vec<(&str, Xyz)> = r.xyz.iter().map(|a| (a.sku.as_str(), a.class)).collect();
        assert_eq!(x, vec![("P1", Xyz::X), ("P2", Xyz::Z), ("P3", Xyz::Z)]);
        let cell = |c: &str| r.matrix.iter().find(|m| m.cell == c).unwrap().skus.clone();
        assert_eq!(
            (cell("AX"), cell("BZ"), cell("CZ")),
            (vec!["P1".to_string()], vec!["P2".into()], vec!["P3".into()])
        );
        assert_eq!(r.matrix.len(), 9);
        assert_eq!(r.demand.last().map(|x| (x.sku.as_str(), x.units)), Some(("P3", 0)));
        assert!(r.demand.iter().all(|x| x.sku != "P4"), "delisted and unsold is not listed");
        assert_eq!(r.by_period.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), vec!["2026-03-02", "2026-03-09"]);
        assert_eq!(r.by_operator[0].label, "Оператор");
        assert_eq!((r.plan[0].actual, r.plan[0].done_bp), (1_000_000, Some(5_000)));
        // As of 2026-05-01 with 60 days: 3 never, 1 (60 days) dormant; 2 (52 days) not.
        let dormant: Vec<(i64, Option<i64>)> = r.dormant.iter().map(|x| (x.customer, x.days)).collect();
        assert_eq!(dormant, vec![(3, None), (1, Some(60))]);
        assert_eq!(r.rfm.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), vec!["А***", "Б***"]);
        assert_eq!(build(&inp), r, "a re-run is the same report");
        let (h, rows) = r.table(Table::Abc);
        assert_eq!(h[5], "class");
        assert_eq!(rows[0], vec!["P1", "Молоко", "8500.00", "85.00", "85.00", "A"]);
        let (_, rows) = r.table(Table::Xyz);
        assert_eq!(rows[1], vec!["P2", "Хлеб", "1 0", "100.00", "Z"]);
        for t in Table::ALL {
            assert_eq!(Table::parse(t.as_str()), Some(t));
            let (h, rows) = r.table(t);
            assert!(rows.iter().all(|row| row.len() == h.len()), "{t:?}");
        }
    }
}
