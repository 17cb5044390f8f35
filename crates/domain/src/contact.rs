//! Contacts (обращения): their channels, types, lifecycle and wrap-up rules.
//! Sources: 003:29 (types), 003:125 and 003:133 (registration and wrap-up),
//! 002 glossary 12 (redirection with status tracking).

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable identifier used in the database and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

string_enum! {
    /// How the customer reached us.
    Channel {
        Voice = "voice",
        Email = "email",
        Chat = "chat",
        WebForm = "web_form",
        Messenger = "messenger",
        WalkIn = "walk_in",
    }
}

string_enum! {
    /// Who started the contact.
    Direction {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

string_enum! {
    /// What the customer needs (003:29).
    ContactType {
        Information = "information",
        SaleOrder = "sale_order",
        TechnicalService = "technical_service",
        Complaint = "complaint",
        Other = "other",
    }
}

string_enum! {
    /// Where a contact is in its life.
    Status {
        New = "new",
        Queued = "queued",
        Offered = "offered",
        InWork = "in_work",
        WaitingCustomer = "waiting_customer",
        WaitingDepartment = "waiting_department",
        Resolved = "resolved",
        Closed = "closed",
    }
}

impl Status {
    /// The lifecycle: which status may follow which.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (New, Queued)
                // A call the PBX routes (CTI) may be offered or answered
                // straight from the start, and an abandoned call ends unworked.
                | (New, Offered)
                | (New, InWork)
                | (New | Queued | Offered, Closed)
                | (Queued, Offered)
                | (Offered, InWork)
                | (Offered, Queued)
                | (InWork, WaitingCustomer)
                | (InWork, WaitingDepartment)
                | (InWork, Resolved)
                | (InWork, Queued)
                | (WaitingCustomer, InWork)
                | (WaitingCustomer, Queued)
                | (WaitingCustomer, Resolved)
                | (WaitingDepartment, InWork)
                | (WaitingDepartment, Queued)
                | (WaitingDepartment, Resolved)
                | (Resolved, Closed)
                | (Resolved, Queued)
                | (Closed, Queued)
        )
    }

    /// Still needs someone's work.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

/// What the operator records when finishing a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WrapUp {
    /// Short summary of the contact.
    pub summary: String,
    /// Outcome code, e.g. `answered`, `order_created`, `complaint_registered`.
    pub outcome: String,
    /// Organisation-defined fields (name → value).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
    /// Resolved on this first contact.
    #[serde(default)]
    pub first_contact_resolution: bool,
}

/// Fields an organisation requires in the wrap-up of a contact type.
pub fn required_wrapup_fields(t: ContactType) -> &'static [&'static str] {
    match t {
        ContactType::Complaint => &["cause", "responsible_unit"],
        ContactType::SaleOrder => &["order_number"],
        ContactType::TechnicalService => &["product"],
        ContactType::Information | ContactType::Other => &[],
    }
}

/// Checks a wrap-up: summary and outcome present, required fields filled.
pub fn validate_wrapup(t: ContactType, w: &WrapUp) -> Result<(), crate::validate::Invalid> {
    use crate::validate::Invalid;
    if w.summary.trim().is_empty() || w.summary.chars().count() > 4000 {
        return Err(Invalid { field: "summary", code: "wrapup-summary-required" });
    }
    if w.outcome.trim().is_empty() || w.outcome.chars().count() > 64 {
        return Err(Invalid { field: "outcome", code: "wrapup-outcome-required" });
    }
    for f in required_wrapup_fields(t) {
        if w.fields.get(*f).is_none_or(|v| v.trim().is_empty()) {
            return Err(Invalid { field: "fields", code: "wrapup-field-required" });
        }
    }
    Ok(())
}

/// Priority levels: 0 normal, 1 high, 2 urgent.
pub const MAX_PRIORITY: i64 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        assert_eq!(ContactType::parse("complaint"), Some(ContactType::Complaint));
        assert_eq!(ContactType::parse("Complaint"), None);
    }

    #[test]
    fn lifecycle() {
        assert!(Status::Queued.can_become(Status::Offered));
        assert!(Status::InWork.can_become(Status::Queued), "transfer");
        assert!(Status::Closed.can_become(Status::Queued), "reopen");
        assert!(!Status::Queued.can_become(Status::Resolved), "no resolving unworked contacts");
        assert!(!Status::Closed.can_become(Status::InWork));
        assert!(Status::Queued.can_become(Status::Closed), "an abandoned call");
        assert!(!Status::InWork.can_become(Status::Closed), "worked contacts are resolved first");
        assert!(!Status::Resolved.is_open() && Status::WaitingCustomer.is_open());
    }

    #[test]
    fn wrapup_rules_per_type() {
        let mut w = WrapUp {
            summary: "Клиент спросил о доставке".into(),
            outcome: "answered".into(),
            fields: Default::default(),
            first_contact_resolution: true,
        };
        assert!(validate_wrapup(ContactType::Information, &w).is_ok());
        let e = validate_wrapup(ContactType::Complaint, &w).expect_err("cause needed");
        assert_eq!(e.code, "wrapup-field-required");
        w.fields.insert("cause".into(), "delivery".into());
        w.fields.insert("responsible_unit".into(), "logistics".into());
        assert!(validate_wrapup(ContactType::Complaint, &w).is_ok());
        w.summary = "  ".into();
        assert_eq!(validate_wrapup(ContactType::Complaint, &w).map_err(|e| e.code), Err("wrapup-summary-required"));
    }
}
