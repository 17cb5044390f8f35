//! The email channel's rules, without I/O: what a raw letter says
//! ([`parse`]: headers, text and sanitised HTML bodies, attachments and inline
//! images, any charset mail-parser knows — KOI8-R and Windows-1251 included),
//! whether it should become work at all ([`classify`]: auto-replies, bulk and
//! list mail, our own letters, delivery-status bounces), which contact it
//! belongs to ([`thread_keys`], [`contact_number_in_subject`]) and how a reply
//! is shaped ([`outgoing`]). The server's poller and sender do the talking.

pub mod outgoing;
mod parse;

pub use parse::{parse, Attachment, Bounce, Letter};

/// A letter's fate before threading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Becomes (or joins) a contact.
    Accept,
    /// A delivery-status report about one of our letters: attached to its
    /// contact as a delivery failure, never a contact of its own.
    Bounce,
    /// Noise or a loop: recorded as processed, nothing else happens.
    Ignore(&'static str),
}

/// What marks a letter as ours.
#[derive(Debug, Clone, Default)]
pub struct Own<'a> {
    /// The mailbox's from-address (and any other address we send as).
    pub addresses: &'a [String],
    /// The domain part our Message-IDs end with (see [`outgoing::message_id`]).
    pub message_id_domain: &'a str,
}

/// Decides what happens to a letter. Order matters: a bounce carries
/// `Auto-Submitted` too, and must still reach its contact.
pub fn classify(letter: &Letter, own: &Own<'_>) -> Disposition {
    if letter.message_id.as_deref().is_some_and(|id| outgoing::is_ours(id, own.message_id_domain)) {
        return Disposition::Ignore("own-message-id");
    }
    if letter.bounce.is_some() {
        return Disposition::Bounce;
    }
    if let Some(from) = &letter.from_address {
        if own.addresses.iter().any(|a| a.eq_ignore_ascii_case(from)) {
            return Disposition::Ignore("own-address");
        }
    }
    if letter.auto_submitted.as_deref().is_some_and(|v| !v.trim().eq_ignore_ascii_case("no")) {
        return Disposition::Ignore("auto-submitted");
    }
    if let Some(p) = &letter.precedence {
        let p = p.trim().to_ascii_lowercase();
        if matches!(p.as_str(), "bulk" | "list" | "junk") {
            return Disposition::Ignore("precedence");
        }
    }
    if letter.list_id {
        return Disposition::Ignore("list-id");
    }
    // Common auto-responders that do not set Auto-Submitted (RFC 3834 §5).
    if letter.auto_response_suppressed || letter.x_autoreply {
        return Disposition::Ignore("auto-reply");
    }
    if letter.from_address.is_none() {
        return Disposition::Ignore("no-sender");
    }
    Disposition::Accept
}

/// The Message-IDs a letter answers, nearest first: `In-Reply-To`, then
/// `References` from the newest to the oldest, each once.
pub fn thread_keys(letter: &Letter) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for id in letter.in_reply_to.iter().chain(letter.references.iter().rev()) {
        if !keys.contains(id) {
            keys.push(id.clone());
        }
    }
    keys
}

/// The contact number in a subject: the `[#123]` token our replies carry.
pub fn contact_number_in_subject(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(']') && digits.len() <= 18 {
            if let Ok(n) = digits.parse::<i64>() {
                if n > 0 {
                    return Some(n);
                }
            }
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(raw: &str) -> Letter {
        parse(raw.as_bytes()).expect("parses")
    }

    const OWN_DOMAIN: &str = "switchboard.test";

    fn own_addresses() -> Vec<String> {
        vec!["support@switchboard.test".to_string()]
    }

    fn fate(raw: &str) -> Disposition {
        let addresses = own_addresses();
        classify(&letter(raw), &Own { addresses: &addresses, message_id_domain: OWN_DOMAIN })
    }

    #[test]
    fn customers_letters_are_accepted_and_noise_is_not() {
        let base = "From: Анна <anna@example.test>\r\nTo: support@switchboard.test\r\nSubject: Заказ\r\n";
        assert_eq!(fate(&format!("{base}Message-ID: <a@x>\r\n\r\nГде заказ?\r\n")), Disposition::Accept);
        assert_eq!(fate(&format!("{base}Auto-Submitted: no\r\n\r\nhi\r\n")), Disposition::Accept);
        assert_eq!(
            fate(&format!("{base}Auto-Submitted: auto-replied\r\n\r\nI am away\r\n")),
            Disposition::Ignore("auto-submitted")
        );
        assert_eq!(fate(&format!("{base}Precedence: bulk\r\n\r\nsale\r\n")), Disposition::Ignore("precedence"));
        assert_eq!(fate(&format!("{base}Precedence: List\r\n\r\nx\r\n")), Disposition::Ignore("precedence"));
        assert_eq!(fate(&format!("{base}List-Id: <news.example.test>\r\n\r\nx\r\n")), Disposition::Ignore("list-id"));
        assert_eq!(fate(&format!("{base}X-Autoreply: yes\r\n\r\nx\r\n")), Disposition::Ignore("auto-reply"));
        let ours = "From: support@switchboard.test\r\nSubject: x\r\n\r\nx\r\n";
        assert_eq!(fate(ours), Disposition::Ignore("own-address"));
        let own_id = format!("{base}Message-ID: {}\r\n\r\nx\r\n", outgoing::message_id(7, 3, 42, OWN_DOMAIN));
        assert_eq!(fate(&own_id), Disposition::Ignore("own-message-id"));
        assert_eq!(fate("Subject: nobody\r\n\r\nx\r\n"), Disposition::Ignore("no-sender"));
    }

    #[test]
    fn threading_keys_and_subject_numbers() {
        let l = letter(
            "From: a@b.test\r\nIn-Reply-To: <r2@x>\r\nReferences: <r0@x> <r1@x>\r\n <r2@x>\r\nSubject: Re: x\r\n\r\nx\r\n",
        );
        assert_eq!(thread_keys(&l), vec!["r2@x", "r1@x", "r0@x"]);
        assert_eq!(contact_number_in_subject("Re: Заказ [#1234]"), Some(1234));
        assert_eq!(contact_number_in_subject("[#] [#x1] [#12 ] [#77]"), Some(77));
        assert_eq!(contact_number_in_subject("Заказ № 5"), None);
        assert_eq!(contact_number_in_subject("[#0]"), None);
        assert_eq!(contact_number_in_subject("[#99999999999999999999999]"), None);
    }
}
