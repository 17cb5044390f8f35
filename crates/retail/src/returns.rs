//! Returns and exchanges checked against the statutory windows of a
//! jurisdiction, and claims (претензии) mapped to a complaint with its legal
//! answer deadline.
//!
//! Presets live in `crates/retail/data/return_windows.toml` (editable, each
//! entry with its source and confidence), read with `domain::datafile`.
//! The decision for a request:
//! - defective goods: accepted within the item's warranty, or without one
//!   within the jurisdiction's `defect_no_warranty` term; the goods go to
//!   the defective stock and the full price is refunded;
//! - goods of proper quality: refused for a non-returnable class; else
//!   accepted within the `proper_quality` window (RU distance selling: the
//!   3-month `proper_quality_no_written_terms` window when the return terms
//!   were not given in writing); the goods go back to sellable stock and the
//!   refund is the price paid less the seller's cost of getting them back
//!   (ЗоЗПП ст. 26.1 п. 4). An exchange refunds nothing and ships the same
//!   quantity out.

use domain::calendar::HolidaySet;
use domain::datafile;
use domain::legal::{LegalDeadline, LegalPreset, LegalPresets};
use domain::time::{days_in_month, Date, UtcOffset};
use serde::{Deserialize, Serialize};

use crate::{Error, Money};

/// The presets as shipped.
pub const RETURN_PRESETS: &str = include_str!("../data/return_windows.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    ProperQuality,
    ProperQualityNoWrittenTerms,
    DefectNoWarranty,
}

/// A term in days or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    Days(u32),
    Months(u32),
}

impl Term {
    /// The last day of a term that runs from the day after `from`.
    pub fn last_day(self, from: Date) -> Date {
        match self {
            Term::Days(d) => from.add_days(d as i64),
            Term::Months(m) => add_months(from, m),
        }
    }
}

/// `date` plus `months` calendar months, clamped to the month's last day.
pub fn add_months(date: Date, months: u32) -> Date {
    let (y, m, d) = date.ymd();
    let total = (y as i64) * 12 + (m as i64 - 1) + months as i64;
    let (ny, nm) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u32 + 1);
    let nd = d.min(days_in_month(ny, nm));
    Date::from_ymd(ny, nm, nd).unwrap_or(date)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub id: String,
    pub jurisdiction: String,
    pub kind: WindowKind,
    pub term: Term,
    pub source: String,
    pub confidence: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonReturnable {
    pub jurisdiction: String,
    pub classes: Vec<String>,
    pub source: String,
    pub confidence: String,
    pub note: String,
}

/// The return presets of an installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnPresets {
    pub windows: Vec<Window>,
    pub non_returnable: Vec<NonReturnable>,
}

impl ReturnPresets {
    /// The shipped presets.
    pub fn shipped() -> Result<ReturnPresets, Error> {
        ReturnPresets::parse(RETURN_PRESETS)
    }

    /// Reads `[[window]]` and `[[non_returnable]]` tables.
    pub fn parse(text: &str) -> Result<ReturnPresets, Error> {
        use datafile::DataError;
        let tables = datafile::parse(text)?;
        if let Some(e) = tables.first().and_then(|t| t.entries.first()) {
            return Err(DataError::new(e.line, "expected only [[window]] and [[non_returnable]] tables").into());
        }
        let mut p = ReturnPresets { windows: Vec::new(), non_returnable: Vec::new() };
        for t in tables.iter().skip(1) {
            let line_of = |key: &str| t.get(key).map_or(t.line, |e| e.line);
            let confidence = t.opt_str("confidence")?.unwrap_or("medium").to_string();
            if !["high", "medium", "low"].contains(&confidence.as_str()) {
                return Err(DataError::new(line_of("confidence"), "`confidence` must be high, medium or low").into());
            }
            let source = t.str("source")?.to_string();
            if source.trim().is_empty() {
                return Err(DataError::new(line_of("source"), "every entry must document its source").into());
            }
            let note = t.opt_str("note")?.unwrap_or_default().to_string();
            let jurisdiction = t.str("jurisdiction")?.to_ascii_uppercase();
            match t.name.as_str() {
                "window" => {
                    t.only_keys(&["id", "jurisdiction", "kind", "days", "months", "source", "confidence", "note"])?;
                    let kind = match t.str("kind")? {
                        "proper_quality" => WindowKind::ProperQuality,
                        "proper_quality_no_written_terms" => WindowKind::ProperQualityNoWrittenTerms,
                        "defect_no_warranty" => WindowKind::DefectNoWarranty,
                        other => {
                            return Err(DataError::new(line_of("kind"), format!("unknown kind \"{other}\"")).into())
                        }
                    };
                    let term = match (t.opt_int("days")?, t.opt_int("months")?) {
                        (Some(d), None) if (1..=3660).contains(&d) => Term::Days(d as u32),
                        (None, Some(m)) if (1..=120).contains(&m) => Term::Months(m as u32),
                        _ => {
                            return Err(DataError::new(
                                t.line,
                                "give exactly one of `days` (1–3660) or `months` (1–120)",
                            )
                            .into())
                        }
                    };
                    let id = t.str("id")?.to_string();
                    if p.windows.iter().any(|w| w.id == id) {
                        return Err(DataError::new(line_of("id"), format!("window `{id}` defined twice")).into());
                    }
                    if p.windows.iter().any(|w| w.jurisdiction == jurisdiction && w.kind == kind) {
                        return Err(
                            DataError::new(t.line, format!("a second {kind:?} window for {jurisdiction}")).into()
                        );
                    }
                    p.windows.push(Window { id, jurisdiction, kind, term, source, confidence, note });
                }
                "non_returnable" => {
                    t.only_keys(&["jurisdiction", "classes", "source", "confidence", "note"])?;
                    let classes = t.str_array("classes")?.into_iter().map(|(s, _)| s.to_string()).collect();
                    p.non_returnable.push(NonReturnable { jurisdiction, classes, source, confidence, note });
                }
                other => return Err(DataError::new(t.line, format!("unknown table [{other}]")).into()),
            }
        }
        Ok(p)
    }

    pub fn window(&self, jurisdiction: &str, kind: WindowKind) -> Option<&Window> {
        self.windows.iter().find(|w| w.jurisdiction.eq_ignore_ascii_case(jurisdiction) && w.kind == kind)
    }

    /// The non-returnable entry listing a goods class, if any.
    pub fn non_returnable(&self, jurisdiction: &str, class: &str) -> Option<&NonReturnable> {
        self.non_returnable
            .iter()
            .find(|n| n.jurisdiction.eq_ignore_ascii_case(jurisdiction) && n.classes.iter().any(|c| c == class))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    Return,
    Exchange,
}

/// A return or exchange request for one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequest {
    pub jurisdiction: String,
    pub kind: RequestKind,
    /// The customer says the goods are defective.
    pub defective: bool,
    pub goods_class: String,
    pub warranty_months: u32,
    /// Whether written return terms were handed over at delivery.
    pub written_terms_given: bool,
    pub delivered_on: Date,
    pub requested_on: Date,
    pub qty: i64,
    /// What the customer paid per unit (after discounts).
    pub unit_paid: Money,
    /// The seller's cost of getting the goods back (deducted for goods of
    /// proper quality).
    pub return_shipping: Money,
}

/// Where returned goods go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockTo {
    Sellable,
    Defective,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "code")]
pub enum Refusal {
    NotDelivered,
    BadQuantity,
    UnknownJurisdiction,
    NonReturnable { class: String },
    OutsideWindow { last_day: Date },
    WarrantyExpired { last_day: Date },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotDelivered => "not-delivered",
            Refusal::BadQuantity => "bad-quantity",
            Refusal::UnknownJurisdiction => "unknown-jurisdiction",
            Refusal::NonReturnable { .. } => "non-returnable",
            Refusal::OutsideWindow { .. } => "outside-window",
            Refusal::WarrantyExpired { .. } => "warranty-expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Accepted {
        /// The preset id (or `warranty`) the request was accepted under.
        basis: String,
        last_day: Date,
        /// Units coming back and where they go.
        stock_in: i64,
        stock_to: StockTo,
        /// Units going out again (exchange).
        stock_out: i64,
        refund: Money,
    },
    Refused {
        reason: Refusal,
        /// The legal basis to quote to the customer.
        source: String,
    },
}

/// Ends a term on a working day when a holiday set is given.
fn roll(mut d: Date, holidays: Option<&HolidaySet>) -> Date {
    if let Some(h) = holidays {
        for _ in 0..30 {
            if h.is_working_day(d) {
                break;
            }
            d = d.add_days(1);
        }
    }
    d
}

/// Decides a request under the presets. `holidays` (the jurisdiction's)
/// moves a term ending on a non-working day to the next working day.
pub fn decide(p: &ReturnPresets, r: &ReturnRequest, holidays: Option<&HolidaySet>) -> Decision {
    let refuse = |reason: Refusal, source: &str| Decision::Refused { reason, source: source.to_string() };
    if r.qty <= 0 {
        return refuse(Refusal::BadQuantity, "");
    }
    if r.requested_on < r.delivered_on {
        return refuse(Refusal::NotDelivered, "");
    }
    if r.defective {
        let (basis, term, source) = if r.warranty_months > 0 {
            ("warranty".to_string(), Term::Months(r.warranty_months), "the item's warranty period".to_string())
        } else {
            match p.window(&r.jurisdiction, WindowKind::DefectNoWarranty) {
                Some(w) => (w.id.clone(), w.term, w.source.clone()),
                None => return refuse(Refusal::UnknownJurisdiction, ""),
            }
        };
        let last_day = roll(term.last_day(r.delivered_on), holidays);
        if r.requested_on > last_day {
            return refuse(Refusal::WarrantyExpired { last_day }, &source);
        }
        let (refund, stock_out) = match r.kind {
            RequestKind::Return => (r.unit_paid.saturating_mul(r.qty), 0),
            RequestKind::Exchange => (0, r.qty),
        };
        return Decision::Accepted {
            basis,
            last_day,
            stock_in: r.qty,
            stock_to: StockTo::Defective,
            stock_out,
            refund,
        };
    }
    if let Some(n) = p.non_returnable(&r.jurisdiction, &r.goods_class) {
        return refuse(Refusal::NonReturnable { class: r.goods_class.clone() }, &n.source);
    }
    let kind = if r.written_terms_given { WindowKind::ProperQuality } else { WindowKind::ProperQualityNoWrittenTerms };
    let Some(w) = p.window(&r.jurisdiction, kind).or_else(|| p.window(&r.jurisdiction, WindowKind::ProperQuality))
    else {
        return refuse(Refusal::UnknownJurisdiction, "");
    };
    let last_day = roll(w.term.last_day(r.delivered_on), holidays);
    if r.requested_on > last_day {
        return refuse(Refusal::OutsideWindow { last_day }, &w.source);
    }
    let (refund, stock_out) = match r.kind {
        RequestKind::Return => ((r.unit_paid.saturating_mul(r.qty) - r.return_shipping).max(0), 0),
        RequestKind::Exchange => (0, r.qty),
    };
    Decision::Accepted {
        basis: w.id.clone(),
        last_day,
        stock_in: r.qty,
        stock_to: StockTo::Sellable,
        stock_out,
        refund,
    }
}

/// A claim (претензия) becomes a complaint contact with this legal preset
/// (`domain::legal`, e.g. `ru.consumer_claim`, 10 days).
pub fn claim_preset<'a>(legal: &'a LegalPresets, jurisdiction: &str) -> Option<&'a LegalPreset> {
    legal.get(&format!("{}.consumer_claim", jurisdiction.to_ascii_lowercase()))
}

/// The answer deadline of a claim registered at `registered_at`.
pub fn claim_deadline(
    legal: &LegalPresets,
    jurisdiction: &str,
    registered_at: i64,
    offset: UtcOffset,
    holidays: &HolidaySet,
) -> Option<(String, LegalDeadline)> {
    let preset = claim_preset(legal, jurisdiction)?;
    Some((preset.id.clone(), domain::legal::deadline(preset, registered_at, offset, holidays)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn req(j: &str, delivered: &str, requested: &str) -> ReturnRequest {
        ReturnRequest {
            jurisdiction: j.into(),
            kind: RequestKind::Return,
            defective: false,
            goods_class: "non_food".into(),
            warranty_months: 0,
            written_terms_given: true,
            delivered_on: d(delivered),
            requested_on: d(requested),
            qty: 2,
            unit_paid: 50_000,
            return_shipping: 15_000,
        }
    }

    #[test]
    fn shipped_presets_parse_with_sources() {
        let p = ReturnPresets::shipped().unwrap();
        assert_eq!(p.window("RU", WindowKind::ProperQuality).unwrap().term, Term::Days(7));
        assert_eq!(p.window("ru", WindowKind::ProperQualityNoWrittenTerms).unwrap().term, Term::Months(3));
        assert_eq!(p.window("KZ", WindowKind::ProperQuality).unwrap().term, Term::Days(14));
        assert!(p.windows.iter().all(|w| !w.source.is_empty()));
        assert!(p.window("RU", WindowKind::ProperQuality).unwrap().source.contains("26.1"));
        assert!(p.non_returnable("KZ", "food").is_some());
    }

    #[test]
    fn bad_presets_are_refused_with_the_line() {
        let e = ReturnPresets::parse("[[window]]\nid = \"x\"\njurisdiction = \"RU\"\nkind = \"proper_quality\"\ndays = 7\nmonths = 1\nsource = \"s\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let e = ReturnPresets::parse(
            "[[window]]\nid = \"x\"\njurisdiction = \"RU\"\nkind = \"soon\"\ndays = 7\nsource = \"s\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 4") && e.to_string().contains("soon"), "{e}");
        assert!(ReturnPresets::parse(
            "[[window]]\nid = \"x\"\njurisdiction = \"RU\"\nkind = \"proper_quality\"\ndays = 7\nsource = \"\"\n"
        )
        .is_err());
        assert!(ReturnPresets::parse("[[other]]\njurisdiction = \"RU\"\nsource = \"s\"\n").is_err());
    }

    #[test]
    fn ru_seven_days_after_delivery_then_refused_with_the_reason() {
        let p = ReturnPresets::shipped().unwrap();
        // Delivered 2026-03-02: the 7 days run 03-03 … 03-09.
        match decide(&p, &req("RU", "2026-03-02", "2026-03-09"), None) {
            Decision::Accepted { basis, last_day, stock_in, stock_to, stock_out, refund } => {
                assert_eq!(
                    (basis.as_str(), last_day, stock_in, stock_to, stock_out),
                    ("ru.distance", d("2026-03-09"), 2, StockTo::Sellable, 0)
                );
                // 2 × 500.00 − 150.00 return shipping = 850.00.
                assert_eq!(refund, 85_000);
            }
            other => panic!("{other:?}"),
        }
        match decide(&p, &req("RU", "2026-03-02", "2026-03-10"), None) {
            Decision::Refused { reason, source } => {
                assert_eq!(reason, Refusal::OutsideWindow { last_day: d("2026-03-09") });
                assert!(source.contains("26.1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ru_three_months_without_written_terms_clamped_to_month_end() {
        let p = ReturnPresets::shipped().unwrap();
        let mut r = req("RU", "2025-11-30", "2026-02-28");
        r.written_terms_given = false;
        assert!(matches!(decide(&p, &r, None), Decision::Accepted { last_day, .. } if last_day == d("2026-02-28")));
        r.requested_on = d("2026-03-01");
        assert!(matches!(decide(&p, &r, None), Decision::Refused { reason: Refusal::OutsideWindow { .. }, .. }));
        assert_eq!(add_months(d("2024-01-31"), 1), d("2024-02-29"));
        assert_eq!(add_months(d("2025-12-15"), 14), d("2027-02-15"));
    }

    #[test]
    fn kz_fourteen_days_food_is_not_returnable_exchange_refunds_nothing() {
        let p = ReturnPresets::shipped().unwrap();
        let mut r = req("KZ", "2026-03-02", "2026-03-16");
        r.kind = RequestKind::Exchange;
        assert!(matches!(
            decide(&p, &r, None),
            Decision::Accepted { refund: 0, stock_in: 2, stock_out: 2, ref basis, .. } if basis == "kz.proper_quality"
        ));
        r.requested_on = d("2026-03-17");
        assert!(matches!(decide(&p, &r, None), Decision::Refused { reason: Refusal::OutsideWindow { .. }, .. }));
        r.goods_class = "food".into();
        r.requested_on = d("2026-03-03");
        assert!(matches!(decide(&p, &r, None), Decision::Refused { reason: Refusal::NonReturnable { .. }, .. }));
    }

    #[test]
    fn a_window_ending_on_a_holiday_rolls_to_the_next_working_day() {
        let p = ReturnPresets::shipped().unwrap();
        // Delivered Wed 2026-03-04 → last day Wed 03-11 (no roll). Delivered
        // Thu 2026-03-05 → 03-12 Thu. Delivered Sat 2026-03-07 → 03-14 Sat → Mon 03-16.
        let r = req("RU", "2026-03-07", "2026-03-16");
        let h = HolidaySet::ru();
        assert!(matches!(decide(&p, &r, Some(&h)), Decision::Accepted { last_day, .. } if last_day == d("2026-03-16")));
        assert!(matches!(decide(&p, &r, None), Decision::Refused { .. }));
    }

    #[test]
    fn defective_goods_use_the_warranty_and_go_to_defective_stock() {
        let p = ReturnPresets::shipped().unwrap();
        let mut r = req("RU", "2025-01-10", "2026-01-09");
        r.defective = true;
        r.goods_class = "food".into();
        r.warranty_months = 12;
        assert!(matches!(
            decide(&p, &r, None),
            Decision::Accepted { stock_to: StockTo::Defective, refund: 100_000, ref basis, .. } if basis == "warranty"
        ));
        r.requested_on = d("2026-01-11");
        assert!(matches!(decide(&p, &r, None), Decision::Refused { reason: Refusal::WarrantyExpired { .. }, .. }));
        r.warranty_months = 0;
        assert!(
            matches!(decide(&p, &r, None), Decision::Accepted { ref basis, .. } if basis == "ru.defect_no_warranty")
        );
    }

    #[test]
    fn impossible_requests_are_refused() {
        let p = ReturnPresets::shipped().unwrap();
        let codes: Vec<&str> = [
            ReturnRequest { qty: 0, ..req("RU", "2026-03-02", "2026-03-03") },
            req("RU", "2026-03-02", "2026-03-01"),
            req("DE", "2026-03-02", "2026-03-03"),
        ]
        .iter()
        .map(|r| match decide(&p, r, None) {
            Decision::Refused { reason, .. } => reason.code(),
            Decision::Accepted { .. } => "accepted",
        })
        .collect();
        assert_eq!(codes, vec!["bad-quantity", "not-delivered", "unknown-jurisdiction"]);
    }

    #[test]
    fn a_claim_gets_the_legal_answer_deadline() {
        let legal = LegalPresets::default();
        let (id, dl) =
            claim_deadline(&legal, "RU", 1_772_000_000, UtcOffset::parse("+03:00").unwrap(), &HolidaySet::ru())
                .unwrap();
        assert_eq!(id, "ru.consumer_claim");
        assert!(dl.due_at > 1_772_000_000 + 10 * 86_400 - 86_400);
        assert_eq!(claim_preset(&legal, "kz").unwrap().id, "kz.consumer_claim");
        assert!(claim_preset(&legal, "DE").is_none());
    }
}
