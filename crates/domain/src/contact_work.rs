//! Work on a contact besides its status: internal notes, attachments, links
//! to other contacts and orders, written replies, and the notices a customer
//! is sent when their contact changes status. Pure rules shared by the store
//! (which enforces them) and the server (which shows them).
//! Sources: 003:125 (log every contact), 003:135 (written replies),
//! 002 glossary 12 and 003:218–231 (tell the customer of each decision).

use serde::{Deserialize, Serialize};

use crate::contact::Status;
use crate::validate::Invalid;

/// Longest internal note, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Longest written reply, in characters.
pub const MAX_REPLY_CHARS: usize = 4000;
/// Largest attachment, in bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest stored file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 120;
/// Longest order reference, in characters.
pub const MAX_ORDER_REF_CHARS: usize = 64;

/// Checks the text of an internal note: not blank, at most [`MAX_NOTE_CHARS`].
pub fn validate_note(text: &str) -> Result<(), Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid { field: "text", code: "note-required" });
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(Invalid { field: "text", code: "note-too-long" });
    }
    Ok(())
}

/// Checks a written reply: not blank, at most [`MAX_REPLY_CHARS`].
pub fn validate_reply(text: &str) -> Result<(), Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid { field: "text", code: "reply-required" });
    }
    if text.chars().count() > MAX_REPLY_CHARS {
        return Err(Invalid { field: "text", code: "reply-too-long" });
    }
    Ok(())
}

/// A file name safe to store and to send back in `Content-Disposition`: the
/// last path component only, control characters, quotes and path separators
/// replaced by `_`, leading dots dropped (no hidden or `..` names), cut to
/// [`MAX_FILENAME_CHARS`] keeping the extension. `None` when nothing usable
/// remains.
pub fn sanitize_filename(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        last.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '"' | '\'' | ';' | ':' | '<' | '>' | '|' | '?' | '*') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        return None;
    }
    if cleaned.chars().count() <= MAX_FILENAME_CHARS {
        return Some(cleaned.to_string());
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, Some(e)),
        _ => (cleaned, None),
    };
    let room = MAX_FILENAME_CHARS - ext.map(|e| e.chars().count() + 1).unwrap_or(0);
    let stem: String = stem.chars().take(room).collect();
    Some(match ext {
        Some(e) => format!("{stem}.{e}"),
        None => stem,
    })
}

/// A MIME type as `type/subtype` of token characters; anything else becomes
/// `application/octet-stream` (never trusted for display anyway).
pub fn sanitize_content_type(raw: &str) -> String {
    let essence = raw.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.' | '_'))
    };
    match essence.split_once('/') {
        Some((t, s)) if token(t) && token(s) => essence,
        _ => "application/octet-stream".to_string(),
    }
}

/// Checks an attachment before it is stored; returns the sanitised name.
pub fn validate_attachment(filename: &str, size: usize) -> Result<String, Invalid> {
    if size == 0 {
        return Err(Invalid { field: "file", code: "attachment-empty" });
    }
    if size > MAX_ATTACHMENT_BYTES {
        return Err(Invalid { field: "file", code: "attachment-too-large" });
    }
    sanitize_filename(filename).ok_or(Invalid { field: "filename", code: "attachment-bad-name" })
}

/// How one contact relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// About the same matter.
    Related,
    /// The same request registered twice; this one is the copy.
    DuplicateOf,
    /// About an order (a free reference until the order desk exists).
    Order,
}

impl LinkKind {
    pub const ALL: [LinkKind; 3] = [LinkKind::Related, LinkKind::DuplicateOf, LinkKind::Order];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Related => "related",
            LinkKind::DuplicateOf => "duplicate_of",
            LinkKind::Order => "order",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a contact is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Another contact (related or duplicate-of).
    Contact { kind: LinkKind, id: i64 },
    /// An order number.
    Order(String),
}

impl LinkTarget {
    pub fn kind(&self) -> LinkKind {
        match self {
            LinkTarget::Contact { kind, .. } => *kind,
            LinkTarget::Order(_) => LinkKind::Order,
        }
    }
}

/// Builds and checks a link from contact `from`: a contact link needs another
/// contact's number (never itself), an order link a reference of letters,
/// digits and `-_/.#` (at most [`MAX_ORDER_REF_CHARS`]).
pub fn link_target(
    from: i64,
    kind: LinkKind,
    contact: Option<i64>,
    order_ref: Option<&str>,
) -> Result<LinkTarget, Invalid> {
    match kind {
        LinkKind::Related | LinkKind::DuplicateOf => {
            let id = contact.ok_or(Invalid { field: "contact_id", code: "link-contact-required" })?;
            if id == from {
                return Err(Invalid { field: "contact_id", code: "link-self" });
            }
            Ok(LinkTarget::Contact { kind, id })
        }
        LinkKind::Order => {
            let r = order_ref.map(str::trim).unwrap_or_default();
            let ok = !r.is_empty()
                && r.chars().count() <= MAX_ORDER_REF_CHARS
                && r.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '#'));
            if !ok {
                return Err(Invalid { field: "order_ref", code: "link-order-invalid" });
            }
            Ok(LinkTarget::Order(r.to_string()))
        }
    }
}

/// Who may close a resolved contact: the operator who resolved it (still
/// recorded as its operator), or a supervisor (`supervises`: may manage
/// queues). Reopening is open to every desk user: the customer may come back
/// to anyone.
pub fn may_close(operator: Option<i64>, user: i64, supervises: bool) -> bool {
    supervises || operator == Some(user)
}

/// A status change the customer is told about (002 glossary 12: timely
/// notice of the decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    Registered,
    Transferred,
    WaitingCustomer,
    Resolved,
    Closed,
    Reopened,
}

impl Notice {
    pub const ALL: [Notice; 6] = [
        Notice::Registered,
        Notice::Transferred,
        Notice::WaitingCustomer,
        Notice::Resolved,
        Notice::Closed,
        Notice::Reopened,
    ];

    /// The message key of the notice text in the catalogue (takes `$number`).
    pub fn key(self) -> &'static str {
        match self {
            Notice::Registered => "notice-registered",
            Notice::Transferred => "notice-transferred",
            Notice::WaitingCustomer => "notice-waiting-customer",
            Notice::Resolved => "notice-resolved",
            Notice::Closed => "notice-closed",
            Notice::Reopened => "notice-reopened",
        }
    }

    /// The notice for a waiting/in-work change, if the customer is told of it.
    pub fn for_status(s: Status) -> Option<Notice> {
        match s {
            Status::WaitingCustomer => Some(Notice::WaitingCustomer),
            Status::Resolved => Some(Notice::Resolved),
            Status::Closed => Some(Notice::Closed),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_replies_have_bounds() {
        assert!(validate_note("Клиент просил перезвонить после 18:00").is_ok());
        assert_eq!(validate_note("  \n").map_err(|e| e.code), Err("note-required"));
        assert!(validate_note(&"я".repeat(4000)).is_ok(), "4000 characters, not bytes");
        assert_eq!(validate_note(&"я".repeat(4001)).map_err(|e| e.code), Err("note-too-long"));
        assert_eq!(validate_reply("").map_err(|e| e.code), Err("reply-required"));
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(sanitize_filename("Скан чека.pdf").as_deref(), Some("Скан чека.pdf"));
        assert_eq!(sanitize_filename("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_filename("C:\\Users\\a\\photo.jpg").as_deref(), Some("photo.jpg"));
        assert_eq!(sanitize_filename("a\"b;\r\nc.txt").as_deref(), Some("a_b___c.txt"));
        assert_eq!(sanitize_filename(".hidden").as_deref(), Some("hidden"));
        assert_eq!(sanitize_filename(".."), None);
        assert_eq!(sanitize_filename(""), None);
        assert_eq!(sanitize_filename("dir/"), None);
        let long = format!("{}.docx", "ж".repeat(300));
        let cut = sanitize_filename(&long).expect("cut");
        assert_eq!(cut.chars().count(), MAX_FILENAME_CHARS);
        assert!(cut.ends_with(".docx"));
    }

    #[test]
    fn attachments_need_content_within_the_limit() {
        assert_eq!(validate_attachment("a.txt", 0).map_err(|e| e.code), Err("attachment-empty"));
        assert_eq!(
            validate_attachment("a.txt", MAX_ATTACHMENT_BYTES + 1).map_err(|e| e.code),
            Err("attachment-too-large")
        );
        assert_eq!(validate_attachment("/", 3).map_err(|e| e.code), Err("attachment-bad-name"));
        assert_eq!(validate_attachment("a.txt", MAX_ATTACHMENT_BYTES).as_deref(), Ok("a.txt"));
        assert_eq!(sanitize_content_type("image/PNG; charset=x"), "image/png");
        assert_eq!(sanitize_content_type("text/html\r\nX: y"), "application/octet-stream");
        assert_eq!(sanitize_content_type(""), "application/octet-stream");
    }

    #[test]
    fn links_refuse_self_and_bad_orders() {
        assert_eq!(link_target(5, LinkKind::Related, Some(5), None).map_err(|e| e.code), Err("link-self"));
        assert_eq!(link_target(5, LinkKind::DuplicateOf, None, None).map_err(|e| e.code), Err("link-contact-required"));
        assert_eq!(
            link_target(5, LinkKind::DuplicateOf, Some(3), None),
            Ok(LinkTarget::Contact { kind: LinkKind::DuplicateOf, id: 3 })
        );
        assert_eq!(
            link_target(5, LinkKind::Order, None, Some(" ЗК-2024/17 ")),
            Ok(LinkTarget::Order("ЗК-2024/17".into()))
        );
        assert!(link_target(5, LinkKind::Order, None, Some("a b")).is_err());
        assert!(link_target(5, LinkKind::Order, None, None).is_err());
        for k in LinkKind::ALL {
            assert_eq!(LinkKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn close_is_for_the_resolver_or_a_supervisor() {
        assert!(may_close(Some(3), 3, false));
        assert!(!may_close(Some(3), 4, false));
        assert!(!may_close(None, 4, false));
        assert!(may_close(Some(3), 4, true));
    }

    #[test]
    fn customer_is_told_of_visible_changes_only() {
        assert_eq!(Notice::for_status(Status::WaitingCustomer), Some(Notice::WaitingCustomer));
        assert_eq!(Notice::for_status(Status::WaitingDepartment), None);
        assert_eq!(Notice::for_status(Status::InWork), None);
        let keys: std::collections::BTreeSet<_> = Notice::ALL.iter().map(|n| n.key()).collect();
        assert_eq!(keys.len(), Notice::ALL.len());
    }
}
