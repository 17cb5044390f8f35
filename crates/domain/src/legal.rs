//! Legal deadline clocks for complaints and claims: terms fixed by law,
//! counted in calendar days (or, where the law says so, working days), with
//! per-jurisdiction presets an administrator can edit.
//!
//! Unlike an SLA clock, a legal clock never pauses: waiting on the customer
//! does not stop a statutory term, so [`LegalClock`] has no pause at all.
//!
//! Counting follows the RF Civil Code (the RK Civil Code has the same rules):
//! a term in days starts the day after registration (art. 191) and ends at
//! 24:00 local time of its last day (art. 194); when the last day is not a
//! working day, the term ends on the next working day (art. 193). Which days
//! work comes from the jurisdiction's [`HolidaySet`].
//!
//! The shipped presets are in `crates/domain/data/legal_deadlines.toml`, each
//! with its source, how sure its authors are, and caveats.

use crate::calendar::HolidaySet;
use crate::datafile::{self, DataError};
use crate::time::{Date, UtcOffset};
use serde::{Deserialize, Serialize};

/// The legal deadline presets as shipped.
pub const LEGAL_PRESETS: &str = include_str!("../data/legal_deadlines.toml");

/// How the days of a term are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Every day counts.
    Calendar,
    /// Only working days of the five-day week under the country's holidays.
    Working,
}

/// One statutory term, e.g. 10 days to answer a consumer's claim in RU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalPreset {
    /// Stable key such as `ru.consumer_claim`.
    pub id: String,
    /// ISO 3166 country code whose holidays apply.
    pub jurisdiction: String,
    pub title: String,
    pub days: u32,
    pub counting: DayCount,
    /// Whether a term ending on a non-working day ends on the next working day.
    pub roll_forward: bool,
    /// The legal basis.
    pub source: String,
    /// `high`, `medium` or `low`: how sure the preset's authors are.
    pub confidence: String,
    pub note: String,
}

/// The presets of an installation (the shipped ones, possibly edited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalPresets {
    presets: Vec<LegalPreset>,
}

impl Default for LegalPresets {
    /// The shipped presets.
    fn default() -> LegalPresets {
        LegalPresets::parse(LEGAL_PRESETS).expect("shipped legal presets parse")
    }
}

impl LegalPresets {
    /// Reads `[[preset]]` tables in the format of `data/legal_deadlines.toml`.
    pub fn parse(text: &str) -> Result<LegalPresets, DataError> {
        let tables = datafile::parse(text)?;
        if let Some(e) = tables[0].entries.first() {
            return Err(DataError::new(e.line, "expected only [[preset]] tables"));
        }
        let mut presets: Vec<LegalPreset> = Vec::new();
        for t in &tables[1..] {
            if t.name != "preset" {
                return Err(DataError::new(t.line, format!("unknown table [{}]", t.name)));
            }
            t.only_keys(&[
                "id",
                "jurisdiction",
                "title",
                "days",
                "counting",
                "roll_forward",
                "source",
                "confidence",
                "note",
            ])?;
            let line_of = |key: &str| t.get(key).map_or(t.line, |e| e.line);
            let days = t.int("days")?;
            let days = u32::try_from(days)
                .ok()
                .filter(|d| (1..=3_660).contains(d))
                .ok_or_else(|| DataError::new(line_of("days"), "`days` must be between 1 and 3660"))?;
            let counting = match t.str("counting")? {
                "calendar" => DayCount::Calendar,
                "working" => DayCount::Working,
                other => {
                    return Err(DataError::new(
                        line_of("counting"),
                        format!("`counting` must be \"calendar\" or \"working\", not \"{other}\""),
                    ))
                }
            };
            let confidence = t.opt_str("confidence")?.unwrap_or("medium");
            if !["high", "medium", "low"].contains(&confidence) {
                return Err(DataError::new(line_of("confidence"), "`confidence` must be high, medium or low"));
            }
            let preset = LegalPreset {
                id: t.str("id")?.to_string(),
                jurisdiction: t.str("jurisdiction")?.to_ascii_uppercase(),
                title: t.str("title")?.to_string(),
                days,
                counting,
                roll_forward: t.opt_bool("roll_forward")?.unwrap_or(true),
                source: t.str("source")?.to_string(),
                confidence: confidence.to_string(),
                note: t.opt_str("note")?.unwrap_or_default().to_string(),
            };
            if preset.source.trim().is_empty() {
                return Err(DataError::new(line_of("source"), "every preset must document its source"));
            }
            if presets.iter().any(|p| p.id == preset.id) {
                return Err(DataError::new(line_of("id"), format!("preset `{}` defined twice", preset.id)));
            }
            presets.push(preset);
        }
        Ok(LegalPresets { presets })
    }

    pub fn all(&self) -> &[LegalPreset] {
        &self.presets
    }

    pub fn get(&self, id: &str) -> Option<&LegalPreset> {
        self.presets.iter().find(|p| p.id == id)
    }

    pub fn for_jurisdiction<'a>(&'a self, country: &'a str) -> impl Iterator<Item = &'a LegalPreset> + 'a {
        self.presets.iter().filter(move |p| p.jurisdiction.eq_ignore_ascii_case(country))
    }

    /// Adds a preset, replacing one with the same id.
    pub fn upsert(&mut self, preset: LegalPreset) {
        match self.presets.iter_mut().find(|p| p.id == preset.id) {
            Some(p) => *p = preset,
            None => self.presets.push(preset),
        }
    }
}

/// The computed end of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalDeadline {
    /// The last local date on which the answer is in time.
    pub last_day: Date,
    /// 24:00 local time of `last_day`: an answer before this instant is in time.
    pub due_at: i64,
    /// False when the term reaches past the years the holiday data covers, so
    /// a holiday may have been missed and the date should be checked.
    pub holidays_known: bool,
}

/// Computes the deadline of a term for something registered at `registered_at`
/// in a place with local time `offset` and the jurisdiction's `holidays`.
pub fn deadline(preset: &LegalPreset, registered_at: i64, offset: UtcOffset, holidays: &HolidaySet) -> LegalDeadline {
    let registered = offset.local_date(registered_at);
    let mut last = match preset.counting {
        DayCount::Calendar => registered.add_days(preset.days as i64),
        DayCount::Working => {
            let mut d = registered;
            let mut counted = 0;
            while counted < preset.days {
                d = d.add_days(1);
                if holidays.is_working_day(d) {
                    counted += 1;
                }
            }
            d
        }
    };
    if preset.roll_forward {
        while !holidays.is_working_day(last) {
            last = last.add_days(1);
        }
    }
    LegalDeadline {
        last_day: last,
        due_at: offset.start_of_day(last.add_days(1)),
        holidays_known: holidays.covers(registered) && holidays.covers(last),
    }
}

/// Where a legal clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalState {
    Running,
    /// Running, and today (local) is the last day.
    DueToday,
    Overdue,
    AnsweredInTime,
    AnsweredLate,
}

/// The legal deadline of one complaint. It runs from registration to the
/// answer and has no pause: waiting on the customer does not stop it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalClock {
    pub preset_id: String,
    pub registered_at: i64,
    pub offset: UtcOffset,
    pub deadline: LegalDeadline,
    pub answered_at: Option<i64>,
}

impl LegalClock {
    pub fn start(preset: &LegalPreset, registered_at: i64, offset: UtcOffset, holidays: &HolidaySet) -> LegalClock {
        LegalClock {
            preset_id: preset.id.clone(),
            registered_at,
            offset,
            deadline: deadline(preset, registered_at, offset, holidays),
            answered_at: None,
        }
    }

    /// Records the answer to the customer; the first answer counts.
    pub fn answer(&mut self, at: i64) {
        self.answered_at.get_or_insert(at);
    }

    pub fn due_at(&self) -> i64 {
        self.deadline.due_at
    }

    /// Wall-clock ms until the deadline at `now` (negative when overdue); after
    /// the answer, the margin the answer had.
    pub fn remaining(&self, now: i64) -> i64 {
        self.deadline.due_at - self.answered_at.unwrap_or(now)
    }

    /// Calendar days left including today: 1 on the last day, 0 or less when overdue.
    pub fn days_left(&self, now: i64) -> i64 {
        self.deadline.last_day.days() - self.offset.local_date(now).days() + 1
    }

    pub fn state(&self, now: i64) -> LegalState {
        match self.answered_at {
            Some(at) if at < self.deadline.due_at => LegalState::AnsweredInTime,
            Some(_) => LegalState::AnsweredLate,
            None if now >= self.deadline.due_at => LegalState::Overdue,
            None if self.offset.local_date(now) == self.deadline.last_day => LegalState::DueToday,
            None => LegalState::Running,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{BusinessCalendar, TimeRange};
    use crate::sla::{ContactSla, SlaEvent, SlaPolicy, SlaState};
    use crate::time::{MS_PER_DAY, MS_PER_HOUR};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn msk(date: &str, h: u32, m: u32) -> i64 {
        UtcOffset::MOSCOW.at(d(date), h, m)
    }

    fn preset(id: &str) -> LegalPreset {
        LegalPresets::default().get(id).unwrap().clone()
    }

    #[test]
    fn shipped_presets_document_their_sources() {
        let presets = LegalPresets::default();
        let ru = preset("ru.consumer_claim");
        assert_eq!((ru.days, ru.counting), (10, DayCount::Calendar));
        assert!(ru.source.contains("2300-1") && ru.source.contains("art. 22"));
        let appeal = preset("ru.citizen_appeal");
        assert_eq!(appeal.days, 30);
        assert!(appeal.source.contains("59-FZ") && appeal.source.contains("art. 12"));
        let kz = preset("kz.consumer_claim");
        assert_eq!((kz.days, kz.counting), (10, DayCount::Calendar));
        assert!(kz.source.contains("274-IV"));
        let kz_appeal = preset("kz.appeal");
        assert_eq!((kz_appeal.days, kz_appeal.counting), (15, DayCount::Working));
        assert!(kz_appeal.source.contains("art. 76"));
        for p in presets.all() {
            assert!(!p.source.is_empty() && !p.title.is_empty(), "{}", p.id);
            assert!(p.id.starts_with(&p.jurisdiction.to_ascii_lowercase()), "{}", p.id);
        }
        assert_eq!(presets.for_jurisdiction("kz").count(), 2);
        assert_eq!(presets.for_jurisdiction("RU").count(), 3);
    }

    #[test]
    fn calendar_day_terms_start_the_next_day_and_end_at_midnight() {
        let ru = HolidaySet::ru();
        // Registered Wednesday 4 Feb 2026 at 23:30: day 1 is 5 Feb, day 10 is 14 Feb
        // (a Saturday), which rolls to Monday 16 Feb.
        let dl = deadline(&preset("ru.consumer_claim"), msk("2026-02-04", 23, 30), UtcOffset::MOSCOW, &ru);
        assert_eq!(dl.last_day, d("2026-02-16"));
        assert_eq!(dl.due_at, msk("2026-02-17", 0, 0));
        assert!(dl.holidays_known);
        // Without rolling forward the Saturday stands.
        let mut strict = preset("ru.consumer_claim");
        strict.roll_forward = false;
        let dl = deadline(&strict, msk("2026-02-04", 23, 30), UtcOffset::MOSCOW, &ru);
        assert_eq!(dl.last_day, d("2026-02-14"));
        // The local date decides: 23:30 UTC on 4 Feb is already 5 Feb in Moscow.
        let utc_late = UtcOffset::UTC.at(d("2026-02-04"), 23, 30);
        assert_eq!(
            deadline(&preset("ru.consumer_claim"), utc_late, UtcOffset::MOSCOW, &ru).last_day,
            d("2026-02-16"),
            "15 Feb is a Sunday, rolls to Monday 16 Feb"
        );
        let registered_tue = msk("2026-02-03", 12, 0);
        assert_eq!(deadline(&strict, registered_tue, UtcOffset::MOSCOW, &ru).last_day, d("2026-02-13"));
    }

    #[test]
    fn a_term_ending_in_the_new_year_holidays_rolls_past_them() {
        // Registered 22 Dec 2025: day 10 is 1 Jan 2026; 1–9 Jan are days off
        // (9 Jan by the 2026 transfer decree), 10–11 Jan a weekend.
        let dl = deadline(&preset("ru.consumer_claim"), msk("2025-12-22", 10, 0), UtcOffset::MOSCOW, &HolidaySet::ru());
        assert_eq!(dl.last_day, d("2026-01-12"));
    }

    #[test]
    fn working_day_terms_skip_weekends_and_kz_holidays() {
        let kz = HolidaySet::kz();
        let almaty = |date: &str| UtcOffset::ALMATY.at(d(date), 10, 0);
        // Registered Thursday 19 Mar 2026: 20 Mar (1), then Nauryz 21–25 Mar and
        // the weekend are skipped: 26 (2), 27 (3), 30 Mar–3 Apr (4–8),
        // 6–10 Apr (9–13), 13 (14), 14 Apr (15).
        let dl = deadline(&preset("kz.appeal"), almaty("2026-03-19"), UtcOffset::ALMATY, &kz);
        assert_eq!(dl.last_day, d("2026-04-14"));
        // A KZ consumer claim of 10 calendar days from 11 Dec 2026 ends on 21 Dec;
        // from 6 Dec it would end on Independence Day (16 Dec) and roll to 17 Dec.
        let claim = preset("kz.consumer_claim");
        assert_eq!(deadline(&claim, almaty("2026-12-11"), UtcOffset::ALMATY, &kz).last_day, d("2026-12-21"));
        assert_eq!(deadline(&claim, almaty("2026-12-06"), UtcOffset::ALMATY, &kz).last_day, d("2026-12-17"));
        // Beyond the data's years the result is flagged.
        assert!(!deadline(&claim, almaty("2027-12-28"), UtcOffset::ALMATY, &kz).holidays_known);
    }

    #[test]
    fn clock_states_and_answer() {
        let ru = HolidaySet::ru();
        let mut clock =
            LegalClock::start(&preset("ru.consumer_claim"), msk("2026-02-03", 12, 0), UtcOffset::MOSCOW, &ru);
        assert_eq!(clock.deadline.last_day, d("2026-02-13"));
        assert_eq!(clock.state(msk("2026-02-12", 23, 59)), LegalState::Running);
        assert_eq!(clock.days_left(msk("2026-02-12", 23, 59)), 2);
        assert_eq!(clock.state(msk("2026-02-13", 0, 0)), LegalState::DueToday);
        assert_eq!(clock.days_left(msk("2026-02-13", 18, 0)), 1);
        assert_eq!(clock.state(msk("2026-02-14", 0, 0)), LegalState::Overdue);
        assert_eq!(clock.remaining(msk("2026-02-14", 1, 0)), -MS_PER_HOUR);
        clock.answer(msk("2026-02-13", 22, 0));
        clock.answer(msk("2026-02-20", 9, 0));
        assert_eq!(clock.state(msk("2026-03-01", 0, 0)), LegalState::AnsweredInTime);
        assert_eq!(clock.remaining(msk("2026-03-01", 0, 0)), 2 * MS_PER_HOUR);
        let mut late = clock.clone();
        late.answered_at = Some(msk("2026-02-14", 0, 0));
        assert_eq!(late.state(0), LegalState::AnsweredLate);
    }

    /// The acceptance case: a complaint registered on a Friday before a
    /// holiday; the SLA clock pauses for two days while waiting on the
    /// customer, the legal clock does not.
    #[test]
    fn complaint_before_a_holiday_sla_pauses_but_legal_term_does_not() {
        let ru = HolidaySet::ru();
        let ranges = [TimeRange::parse("09:00-13:00").unwrap(), TimeRange::parse("14:00-18:00").unwrap()];
        let mut cal = BusinessCalendar::five_day_week("Moscow", UtcOffset::MOSCOW, &ranges).unwrap();
        cal.apply_holidays(&ru);
        let mut policy = SlaPolicy::new("complaint", "normal", "Moscow");
        policy.resolution = Some(8 * MS_PER_HOUR);

        // Friday 8 May 2026, 16:00. 9 May (Victory Day) is a Saturday, so
        // Monday 11 May is a day off too.
        let registered = msk("2026-05-08", 16, 0);
        let mut sla = ContactSla::new(&policy);
        sla.apply(&cal, SlaEvent::Opened, registered).unwrap();
        let legal = LegalClock::start(&preset("ru.consumer_claim"), registered, UtcOffset::MOSCOW, &ru);
        let resolution = |sla: &ContactSla| sla.resolution.clone().unwrap();

        // Without a pause: 2h on Friday, then 6h on Tuesday 12 May → 16:00.
        assert_eq!(resolution(&sla).due(&cal, registered), Some(msk("2026-05-12", 16, 0)));
        // Legal: day 1 = 9 May, day 10 = Monday 18 May, ends at 24:00 Moscow time.
        assert_eq!(legal.deadline.last_day, d("2026-05-18"));
        assert_eq!(legal.due_at(), msk("2026-05-19", 0, 0));

        // Tuesday 10:00 the operator asks the customer for documents; the
        // customer answers on Thursday 10:00 (two days of waiting).
        let asked = msk("2026-05-12", 10, 0);
        let replied = msk("2026-05-14", 10, 0);
        sla.apply(&cal, SlaEvent::WaitingOnCustomer, asked).unwrap();
        let during = msk("2026-05-13", 15, 0);
        assert_eq!(resolution(&sla).state(&cal, during), SlaState::Paused);
        assert_eq!(resolution(&sla).remaining(&cal, during), Some(5 * MS_PER_HOUR));
        // The legal clock keeps running during the wait.
        let legal_left_at_ask = legal.remaining(asked);
        assert_eq!(legal.remaining(during), legal_left_at_ask - (during - asked));
        assert_eq!(legal.state(during), LegalState::Running);

        sla.apply(&cal, SlaEvent::CustomerReplied, replied).unwrap();
        // The SLA due time moved by the paused working time (16h: Tue 10–18, Wed, Thu 9–10).
        assert_eq!(cal.working_between(asked, replied), 16 * MS_PER_HOUR);
        assert_eq!(resolution(&sla).due(&cal, replied), Some(msk("2026-05-14", 16, 0)));
        assert_eq!(
            resolution(&sla).due(&cal, replied).unwrap() - msk("2026-05-12", 16, 0),
            2 * MS_PER_DAY,
            "two working days of pause move the due time by two days here"
        );
        // The legal deadline has not moved.
        assert_eq!(legal.deadline.last_day, d("2026-05-18"));
        // At Thursday 15:30 the SLA is at risk (30 min of 8h left), not breached;
        // the legal clock shows 5 days left including today.
        let check = msk("2026-05-14", 15, 30);
        assert_eq!(resolution(&sla).state(&cal, check), SlaState::AtRisk);
        assert_eq!(legal.days_left(check), 5);
        // Without the pause the SLA would have been breached by then.
        let mut unpaused = ContactSla::new(&policy);
        unpaused.apply(&cal, SlaEvent::Opened, registered).unwrap();
        assert_eq!(resolution(&unpaused).state(&cal, check), SlaState::Breached);
    }

    #[test]
    fn administrator_edited_presets_are_parsed_and_used() {
        let edited = r#"
            [[preset]]
            id = "ru.consumer_claim"
            jurisdiction = "ru"
            title = "Consumer's claim (internal policy: 7 days)"
            days = 7
            counting = "calendar"
            roll_forward = false
            source = "Law No. 2300-1 art. 22; shortened by internal policy"
            confidence = "high"

            [[preset]]
            id = "kz.bank_complaint"
            jurisdiction = "KZ"
            title = "Bank customer's complaint"
            days = 15
            counting = "working"
            source = "Internal policy (admin)"
        "#;
        let presets = LegalPresets::parse(edited).unwrap();
        let claim = presets.get("ru.consumer_claim").unwrap();
        assert_eq!(claim.jurisdiction, "RU");
        assert!(!claim.roll_forward);
        let dl = deadline(claim, msk("2026-02-04", 12, 0), UtcOffset::MOSCOW, &HolidaySet::ru());
        assert_eq!(dl.last_day, d("2026-02-11"));
        assert!(presets.get("kz.bank_complaint").unwrap().roll_forward, "roll_forward defaults to true");
        assert_eq!(presets.get("kz.bank_complaint").unwrap().confidence, "medium");

        let mut all = LegalPresets::default();
        all.upsert(claim.clone());
        assert_eq!(all.get("ru.consumer_claim").unwrap().days, 7);
        assert_eq!(all.all().len(), LegalPresets::default().all().len());
    }

    #[test]
    fn malformed_presets_are_refused() {
        let ok = "[[preset]]\nid = \"x\"\njurisdiction = \"RU\"\ntitle = \"t\"\ndays = 10\ncounting = \"calendar\"\nsource = \"s\"\n";
        assert!(LegalPresets::parse(ok).is_ok());
        let cases = [
            (ok.replace("days = 10", "days = 0"), 5),
            (ok.replace("\"calendar\"", "\"business\""), 6),
            (ok.replace("source = \"s\"", "source = \" \""), 7),
            (ok.replace("title", "titel"), 4),
            (format!("{ok}{ok}"), 9),
            (format!("top = 1\n{ok}"), 1),
            (ok.replace("[[preset]]", "[[presets]]"), 1),
        ];
        for (text, line) in cases {
            let err = LegalPresets::parse(&text).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err}");
        }
    }
}
