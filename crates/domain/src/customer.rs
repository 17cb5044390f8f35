//! Customers' identities and the rules around them: how phones, e-mails,
//! chat handles and names are normalised (so one person typed two ways is one
//! value), what a quick-search query means, how alike two customers are
//! (duplicate scoring), and the client types of 004:219.
//!
//! Everything here is pure: the store keeps the normalised values and asks
//! these functions; the server validates what people type with them.

use serde::{Deserialize, Serialize};

use crate::masking::{mask_email, mask_name, mask_phone};
use crate::validate::Invalid;
use crate::Role;

/// Client types (004:219: key client, marketer, own outlet, retail, regional…;
/// `new` is a first-time caller with no manager yet, 004:246).
pub const CLIENT_TYPES: [&str; 6] = ["retail", "key", "regional", "new", "marketer", "own_outlet"];

pub fn client_type(s: &str) -> Result<(), Invalid> {
    if CLIENT_TYPES.contains(&s) {
        Ok(())
    } else {
        Err(Invalid { field: "client_type", code: "invalid-client-type" })
    }
}

/// Roles that can be a client's assigned manager (the key-account manager of
/// 004:221–246 and the senior staff calls escalate to).
pub const MANAGER_ROLES: [Role; 4] = [Role::StoreManager, Role::SeniorOperator, Role::Supervisor, Role::HeadOfCentre];

/// True when a user holding `roles` may be assigned as a client's manager.
pub fn can_be_manager(roles: &[Role]) -> bool {
    roles.iter().any(|r| MANAGER_ROLES.contains(r))
}

/// How a customer can be reached and recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Phone,
    Email,
    /// A chat or messenger handle (web chat, Telegram, WhatsApp …).
    Chat,
}

impl IdentityKind {
    pub const ALL: [IdentityKind; 3] = [IdentityKind::Phone, IdentityKind::Email, IdentityKind::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Phone => "phone",
            IdentityKind::Email => "email",
            IdentityKind::Chat => "chat",
        }
    }

    pub fn parse(s: &str) -> Option<IdentityKind> {
        IdentityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One normalised identity of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Identity {
    pub kind: IdentityKind,
    pub value: String,
}

impl Identity {
    /// Normalises what someone typed for an identity of `kind`.
    pub fn new(kind: IdentityKind, raw: &str) -> Result<Identity, Invalid> {
        let value = match kind {
            IdentityKind::Phone => normalize_phone(raw)?,
            IdentityKind::Email => normalize_email(raw)?,
            IdentityKind::Chat => normalize_chat(raw)?,
        };
        Ok(Identity { kind, value })
    }

    /// The value masked for lists.
    pub fn masked(&self) -> String {
        mask_identity(self.kind, &self.value)
    }
}

/// Masks an identity's value for lists and roles that need no full view.
pub fn mask_identity(kind: IdentityKind, value: &str) -> String {
    match kind {
        IdentityKind::Phone => mask_phone(value),
        IdentityKind::Email => mask_email(value),
        IdentityKind::Chat => mask_name(value).chars().take(2).chain("***".chars()).collect(),
    }
}

const BAD_PHONE: Invalid = Invalid { field: "phone", code: "invalid-phone" };

/// Phones to `+` and digits with the country code: `8 (701) 123-45-67`,
/// `87011234567`, `7011234567` and `+7 701 123 45 67` all become
/// `+77011234567`. A leading `8` or a bare ten-digit number is taken as the
/// Russian/Kazakh `+7` zone; `00` is the international prefix. Accepts
/// spaces, dashes, dots and parentheses as separators and nothing else.
pub fn normalize_phone(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let (plus, rest) = match s.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(BAD_PHONE),
        }
    }
    let international = if plus {
        digits
    } else if let Some(d) = digits.strip_prefix("00") {
        d.to_string()
    } else if digits.len() == 11 && digits.starts_with('8') {
        format!("7{}", &digits[1..])
    } else if digits.len() == 10 {
        format!("7{digits}")
    } else {
        digits
    };
    // E.164: at most 15 digits; 11 for the +7 zone; no country code starts with 0.
    let ok = (10..=15).contains(&international.len())
        && !international.starts_with('0')
        && (!international.starts_with('7') || international.len() == 11);
    if ok {
        Ok(format!("+{international}"))
    } else {
        Err(BAD_PHONE)
    }
}

/// E-mails trimmed and lower-cased; refused without exactly one `@`, a local
/// part, and a dotted domain, or with spaces or control characters.
pub fn normalize_email(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_lowercase();
    let bad = Invalid { field: "email", code: "invalid-email" };
    if s.chars().count() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad);
    }
    let Some((local, domain)) = s.split_once('@') else { return Err(bad) };
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(bad);
    }
    Ok(s)
}

/// Chat handles trimmed; 1–200 characters, no spaces inside or control
/// characters. Case is kept: some channels' ids are case-sensitive.
pub fn normalize_chat(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let n = s.chars().count();
    if (1..=200).contains(&n) && !s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(s.to_string())
    } else {
        Err(Invalid { field: "chat", code: "invalid-chat" })
    }
}

/// Names folded for comparison and search: Unicode lower case (Cyrillic and
/// Kazakh letters too), `ё` → `е`, single spaces, trimmed.
pub fn normalize_name(raw: &str) -> String {
    let lower = raw.to_lowercase().replace('ё', "е");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a quick-search query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// A normalised phone: exact match on phone identities.
    Phone(String),
    /// A normalised e-mail: exact match on e-mail identities.
    Email(String),
    /// A contact's number (`№ 123`, `#123` or a short bare number): its customer.
    ContactNumber(i64),
    /// A normalised name fragment: case-insensitive substring of the name.
    Name(String),
}

impl SearchQuery {
    /// Reads a query as typed into the quick-search box.
    pub fn parse(raw: &str) -> Result<SearchQuery, Invalid> {
        let too_short = Invalid { field: "q", code: "search-too-short" };
        let s = raw.trim();
        if s.chars().count() > 200 || s.chars().any(char::is_control) {
            return Err(Invalid { field: "q", code: "search-invalid" });
        }
        let number = s.strip_prefix('№').or_else(|| s.strip_prefix('#')).map(str::trim_start);
        if let Some(n) = number {
            return n.parse::<i64>().ok().filter(|n| *n > 0).map(SearchQuery::ContactNumber).ok_or(too_short);
        }
        if s.contains('@') {
            return normalize_email(s).map(SearchQuery::Email);
        }
        let phone_like = s.chars().any(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
        if phone_like {
            if let Ok(p) = normalize_phone(s) {
                return Ok(SearchQuery::Phone(p));
            }
            // Too short for a phone: a contact's number.
            if s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(n) = s.parse::<i64>() {
                    if n > 0 {
                        return Ok(SearchQuery::ContactNumber(n));
                    }
                }
            }
            return Err(BAD_PHONE);
        }
        let name = normalize_name(s);
        if name.chars().count() < 2 {
            return Err(too_short);
        }
        Ok(SearchQuery::Name(name))
    }

    /// Stable name of the key searched by.
    pub fn key(&self) -> &'static str {
        match self {
            SearchQuery::Phone(_) => "phone",
            SearchQuery::Email(_) => "email",
            SearchQuery::ContactNumber(_) => "contact",
            SearchQuery::Name(_) => "name",
        }
    }
}

/// What duplicate scoring looks at: the normalised name and identities.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name_norm: String,
    pub identities: Vec<Identity>,
}

/// Why two customers look like one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    SamePhone,
    SameEmail,
    SameChat,
    SameName,
}

impl DuplicateReason {
    pub const ALL: [DuplicateReason; 4] =
        [DuplicateReason::SamePhone, DuplicateReason::SameEmail, DuplicateReason::SameChat, DuplicateReason::SameName];

    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::SamePhone => "same_phone",
            DuplicateReason::SameEmail => "same_email",
            DuplicateReason::SameChat => "same_chat",
            DuplicateReason::SameName => "same_name",
        }
    }
}

/// A candidate duplicate: a score (higher is likelier) and the reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateScore {
    pub score: u32,
    pub reasons: Vec<DuplicateReason>,
}

/// How alike two customers are; `None` when they share no identity. A shared
/// identity alone makes a candidate (phone 60, e-mail 50, chat 40 points per
/// shared value); the same normalised name adds 30 points but never makes a
/// candidate on its own, since namesakes are common. At most 100.
pub fn duplicate_score(a: &Profile, b: &Profile) -> Option<DuplicateScore> {
    let mut score = 0u32;
    let mut reasons = Vec::new();
    for ia in &a.identities {
        if b.identities.contains(ia) {
            let (points, reason) = match ia.kind {
                IdentityKind::Phone => (60, DuplicateReason::SamePhone),
                IdentityKind::Email => (50, DuplicateReason::SameEmail),
                IdentityKind::Chat => (40, DuplicateReason::SameChat),
            };
            score += points;
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
    }
    if reasons.is_empty() {
        return None;
    }
    if !a.name_norm.is_empty() && a.name_norm == b.name_norm {
        score += 30;
        reasons.push(DuplicateReason::SameName);
    }
    Some(DuplicateScore { score: score.min(100), reasons })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_any_format_become_one() {
        for raw in ["+77011234567", "8 (701) 123-45-67", "87011234567", "7011234567", "+7 701 123 45 67", "77011234567"]
        {
            assert_eq!(normalize_phone(raw), Ok("+77011234567".into()), "{raw}");
        }
        assert_eq!(normalize_phone("8-916-123-45-67"), Ok("+79161234567".into()));
        assert_eq!(normalize_phone("00 998 90 123 45 67"), Ok("+998901234567".into()));
        assert_eq!(normalize_phone("+998 90 123 45 67"), Ok("+998901234567".into()));
        for bad in ["", "123", "+7 701 123", "phone", "+7701123456a", "+7 701 123 45 678", "+0123456789"] {
            assert!(normalize_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(normalize_email("  Aigerim.N@Mail.KZ "), Ok("aigerim.n@mail.kz".into()));
        for bad in ["", "aigerim", "@mail.kz", "a@b", "a b@mail.kz", "a@@mail.kz", "a@mail..kz", "a@.kz"] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chats_keep_case_and_refuse_spaces() {
        assert_eq!(normalize_chat(" @AigerimN "), Ok("@AigerimN".into()));
        assert!(normalize_chat("").is_err());
        assert!(normalize_chat("a b").is_err());
    }

    #[test]
    fn names_fold_cyrillic_case_and_yo() {
        assert_eq!(normalize_name("  АХМЕТОВА   Айгерим "), "ахметова айгерим");
        assert_eq!(normalize_name("Фёдоров"), "федоров");
        assert_eq!(normalize_name("ӘБЕНОВ Нұрлан"), "әбенов нұрлан");
    }

    #[test]
    fn identities_validate_by_kind() {
        let p = Identity::new(IdentityKind::Phone, "8 701 123 45 67").expect("phone");
        assert_eq!(p.value, "+77011234567");
        assert_eq!(p.masked(), "+7701*****67");
        assert_eq!(Identity::new(IdentityKind::Email, "x"), Err(Invalid { field: "email", code: "invalid-email" }));
        assert_eq!(IdentityKind::parse("chat"), Some(IdentityKind::Chat));
        assert_eq!(IdentityKind::parse("fax"), None);
        assert!(!Identity::new(IdentityKind::Chat, "@aigerim_n").expect("chat").masked().contains("aigerim"));
    }

    #[test]
    fn search_queries_are_recognised() {
        use SearchQuery::*;
        assert_eq!(SearchQuery::parse("8 (701) 123-45-67"), Ok(Phone("+77011234567".into())));
        assert_eq!(SearchQuery::parse(" Aigerim@Mail.kz"), Ok(Email("aigerim@mail.kz".into())));
        assert_eq!(SearchQuery::parse("№ 123"), Ok(ContactNumber(123)));
        assert_eq!(SearchQuery::parse("#77"), Ok(ContactNumber(77)));
        assert_eq!(SearchQuery::parse("123"), Ok(ContactNumber(123)));
        assert_eq!(SearchQuery::parse("АХМЕТОВА"), Ok(Name("ахметова".into())));
        assert_eq!(SearchQuery::parse("ahmetova a"), Ok(Name("ahmetova a".into())));
        assert!(SearchQuery::parse("").is_err());
        assert!(SearchQuery::parse("а").is_err());
        assert!(SearchQuery::parse("№ abc").is_err());
        assert!(SearchQuery::parse("12345678901234567").is_err());
        assert_eq!(SearchQuery::parse("123").map(|q| q.key()), Ok("contact"));
    }

    fn profile(name: &str, ids: &[(IdentityKind, &str)]) -> Profile {
        Profile {
            name_norm: normalize_name(name),
            identities: ids.iter().map(|(k, v)| Identity::new(*k, v).expect("identity")).collect(),
        }
    }

    #[test]
    fn duplicates_need_a_shared_identity_and_same_name_adds() {
        use IdentityKind::*;
        let a = profile("Ахметова Айгерим", &[(Phone, "+77011234567"), (Email, "a@mail.kz")]);
        let same_phone = profile("Иванов Иван", &[(Phone, "8 701 123 45 67")]);
        let same_all = profile("АХМЕТОВА айгерим", &[(Phone, "87011234567"), (Email, "A@mail.kz")]);
        let namesake = profile("Ахметова Айгерим", &[(Phone, "+77019999999")]);
        let s = duplicate_score(&a, &same_phone).expect("shared phone");
        assert_eq!((s.score, s.reasons.as_slice()), (60, &[DuplicateReason::SamePhone][..]));
        let s = duplicate_score(&a, &same_all).expect("all shared");
        assert_eq!(s.score, 100);
        assert_eq!(s.reasons, vec![DuplicateReason::SamePhone, DuplicateReason::SameEmail, DuplicateReason::SameName]);
        assert_eq!(duplicate_score(&a, &namesake), None, "a namesake alone is no duplicate");
        let with_name = profile("Иванов Иван", &[(Email, "a@mail.kz")]);
        assert_eq!(duplicate_score(&a, &with_name).map(|s| s.score), Some(50));
    }

    #[test]
    fn client_types_and_managers() {
        assert!(client_type("key").is_ok());
        assert!(client_type("vip").is_err());
        assert!(can_be_manager(&[Role::Operator, Role::StoreManager]));
        assert!(!can_be_manager(&[Role::Operator, Role::Administrator]));
    }
}

/// Who should take a contact first, in order, under the key-client rule
/// (004:221–246): a key client goes to their own manager, else another
/// key-account manager, else the department head; a new client (or a key
/// client without a manager) goes to a department head, who assigns a
/// manager. Other clients are routed as usual (empty list).
pub fn preferred_operators(client_type: &str, manager: Option<i64>, key_managers: &[i64], heads: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    let mut push = |id: i64| {
        if !out.contains(&id) {
            out.push(id);
        }
    };
    match (client_type, manager) {
        ("key", Some(own)) => {
            push(own);
            key_managers.iter().copied().for_each(&mut push);
            heads.iter().copied().for_each(&mut push);
        }
        ("key", None) | ("new", _) => heads.iter().copied().for_each(&mut push),
        _ => {}
    }
    out
}

#[cfg(test)]
mod key_client_tests {
    use super::preferred_operators;

    #[test]
    fn key_clients_go_to_their_manager_then_other_managers_then_the_head() {
        assert_eq!(preferred_operators("key", Some(5), &[7, 5, 9], &[2]), vec![5, 7, 9, 2]);
        assert_eq!(preferred_operators("key", None, &[7], &[2, 3]), vec![2, 3]);
        assert_eq!(preferred_operators("new", None, &[7], &[2]), vec![2]);
        assert_eq!(preferred_operators("retail", Some(5), &[7], &[2]), Vec::<i64>::new());
    }
}
