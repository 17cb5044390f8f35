//! The centre's service levels as an administrator edits them: SLA targets
//! per (contact type × priority), the legal deadline presets, and which
//! preset applies to complaints. Stored as one document; the shipped
//! defaults are below and in `data/legal_deadlines.toml`.

use serde::{Deserialize, Serialize};

use crate::contact::ContactType;
use crate::legal::{LegalPreset, LegalPresets};
use crate::sla::{SlaPolicies, SlaPolicy, ANY};
use crate::time::{MS_PER_HOUR, MS_PER_MINUTE};
use crate::validate::Invalid;

/// The calendar every shipped target is counted on.
pub const CENTRE_CALENDAR: &str = "centre";

/// Longest target accepted: 90 days of working time.
const MAX_TARGET_MS: i64 = 90 * 24 * MS_PER_HOUR;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLevels {
    pub sla: SlaPolicies,
    pub legal: LegalPresets,
    /// The legal preset complaints are held to (e.g. `kz.consumer_claim`).
    pub complaint_preset: String,
}

impl Default for ServiceLevels {
    fn default() -> Self {
        let mut sla = SlaPolicies::new();
        for &t in ContactType::ALL {
            let (first, resolution) = match t {
                ContactType::SaleOrder => (30 * MS_PER_MINUTE, 8 * MS_PER_HOUR),
                ContactType::Complaint => (4 * MS_PER_HOUR, 27 * MS_PER_HOUR),
                ContactType::Information | ContactType::TechnicalService | ContactType::Other => {
                    (MS_PER_HOUR, 18 * MS_PER_HOUR)
                }
            };
            let mut p = SlaPolicy::new(t.as_str(), ANY, CENTRE_CALENDAR);
            p.first_response = Some(first);
            p.next_response = Some(4 * MS_PER_HOUR);
            p.resolution = Some(resolution);
            sla.upsert(p);
        }
        ServiceLevels { sla, legal: LegalPresets::default(), complaint_preset: "kz.consumer_claim".into() }
    }
}

/// Priorities a policy may name: any, or 0 normal, 1 high, 2 urgent.
pub const PRIORITIES: [&str; 4] = [ANY, "0", "1", "2"];

/// Checks one SLA policy as typed by an administrator.
pub fn validate_policy(p: &SlaPolicy) -> Result<(), Invalid> {
    let bad = |field, code| Err(Invalid { field, code });
    if p.contact_type != ANY && ContactType::parse(&p.contact_type).is_none() {
        return bad("contact_type", "invalid-sla-type");
    }
    if !PRIORITIES.contains(&p.priority.as_str()) {
        return bad("priority", "invalid-sla-priority");
    }
    if p.calendar != CENTRE_CALENDAR {
        return bad("calendar", "invalid-sla-calendar");
    }
    for target in [p.first_response, p.next_response, p.resolution].into_iter().flatten() {
        if !(MS_PER_MINUTE..=MAX_TARGET_MS).contains(&target) {
            return bad("target", "invalid-sla-target");
        }
    }
    if !(1..=99).contains(&p.at_risk_percent) {
        return bad("at_risk_percent", "invalid-sla-at-risk");
    }
    Ok(())
}

/// Checks a legal preset: a known jurisdiction (its holidays are needed),
/// 1–365 days, a stated source.
pub fn validate_preset(p: &LegalPreset) -> Result<(), Invalid> {
    let bad = |field, code| Err(Invalid { field, code });
    let id_ok = (3..=64).contains(&p.id.len())
        && p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_'));
    if !id_ok {
        return bad("id", "invalid-legal-id");
    }
    if !matches!(p.jurisdiction.as_str(), "RU" | "KZ") {
        return bad("jurisdiction", "invalid-legal-jurisdiction");
    }
    if !(1..=365).contains(&p.days) {
        return bad("days", "invalid-legal-days");
    }
    if p.title.trim().is_empty() || p.source.trim().is_empty() {
        return bad("source", "invalid-legal-source");
    }
    Ok(())
}

impl ServiceLevels {
    /// Checks the whole document before it is stored.
    pub fn validate(&self) -> Result<(), Invalid> {
        for p in self.sla.all() {
            validate_policy(p)?;
        }
        for p in self.legal.all() {
            validate_preset(p)?;
        }
        if self.legal.get(&self.complaint_preset).is_none() {
            return Err(Invalid { field: "complaint_preset", code: "invalid-legal-id" });
        }
        Ok(())
    }

    /// The policy for a contact: its type and priority, else the wildcards.
    pub fn policy(&self, t: ContactType, priority: i64) -> Option<&SlaPolicy> {
        self.sla.find(t.as_str(), &priority.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_levels_are_valid_and_cover_every_type() {
        let s = ServiceLevels::default();
        assert_eq!(s.validate(), Ok(()));
        for &t in ContactType::ALL {
            assert!(s.policy(t, 2).is_some_and(|p| p.first_response.is_some()), "{t:?}");
        }
        assert_eq!(s.legal.get(&s.complaint_preset).map(|p| p.days), Some(10));
    }

    #[test]
    fn a_priority_specific_policy_wins() {
        let mut s = ServiceLevels::default();
        let mut urgent = SlaPolicy::new("complaint", "2", CENTRE_CALENDAR);
        urgent.first_response = Some(15 * MS_PER_MINUTE);
        s.sla.upsert(urgent);
        assert_eq!(s.policy(ContactType::Complaint, 2).and_then(|p| p.first_response), Some(15 * MS_PER_MINUTE));
        assert_eq!(s.policy(ContactType::Complaint, 0).and_then(|p| p.first_response), Some(4 * MS_PER_HOUR));
    }

    #[test]
    fn bad_policies_and_presets_are_refused() {
        let mut p = SlaPolicy::new("complaint", "*", CENTRE_CALENDAR);
        assert_eq!(validate_policy(&p), Ok(()));
        p.first_response = Some(1000);
        assert_eq!(validate_policy(&p).map_err(|e| e.code), Err("invalid-sla-target"));
        p.first_response = None;
        p.priority = "9".into();
        assert_eq!(validate_policy(&p).map_err(|e| e.code), Err("invalid-sla-priority"));
        p.priority = "*".into();
        p.contact_type = "gossip".into();
        assert_eq!(validate_policy(&p).map_err(|e| e.code), Err("invalid-sla-type"));

        let s = ServiceLevels::default();
        let mut preset = s.legal.get("ru.consumer_claim").cloned().expect("shipped");
        assert_eq!(validate_preset(&preset), Ok(()));
        preset.days = 0;
        assert_eq!(validate_preset(&preset).map_err(|e| e.code), Err("invalid-legal-days"));
        preset.days = 10;
        preset.jurisdiction = "FR".into();
        assert_eq!(validate_preset(&preset).map_err(|e| e.code), Err("invalid-legal-jurisdiction"));

        let missing = ServiceLevels { complaint_preset: "xx.none".into(), ..ServiceLevels::default() };
        assert!(missing.validate().is_err());
    }
}
