//! The shape of a reply letter: its Message-ID, threading headers, subject
//! with the contact number, and a body with the operator's signature and only
//! the customer's last message quoted (their own quoted history trimmed).

/// Lines of the customer's last message quoted under a reply, at most.
pub const QUOTE_LINES: usize = 20;
/// References kept in a reply (the oldest and the newest ones).
pub const MAX_REFERENCES: usize = 12;

/// Our Message-ID for reply `reply_id` on `contact_id` (without brackets):
/// `sb.<contact>.<reply>.<nonce hex>@<domain>`.
pub fn message_id(contact_id: i64, reply_id: i64, nonce: u64, domain: &str) -> String {
    format!("sb.{contact_id}.{reply_id}.{nonce:x}@{domain}")
}

/// Our Message-ID for customer notice `notice_id` on `contact_id`:
/// `sb.<contact>.n<notice>.<nonce hex>@<domain>` (ours by [`is_ours`] too).
pub fn notice_message_id(contact_id: i64, notice_id: i64, nonce: u64, domain: &str) -> String {
    format!("sb.{contact_id}.n{notice_id}.{nonce:x}@{domain}")
}

/// The subject of a notice letter: its line with the contact token, so the
/// customer's answer threads into the contact (`Статус обращения [#42]`).
pub fn notice_subject(contact_id: i64, line: &str) -> String {
    let line = line.trim();
    if line.is_empty() {
        format!("[#{contact_id}]")
    } else {
        format!("{line} [#{contact_id}]")
    }
}

/// Whether a Message-ID is one we made (see [`message_id`]).
pub fn is_ours(id: &str, domain: &str) -> bool {
    !domain.is_empty()
        && id.starts_with("sb.")
        && id.len() > domain.len() + 1
        && id[id.len() - domain.len()..].eq_ignore_ascii_case(domain)
        && id.as_bytes()[id.len() - domain.len() - 1] == b'@'
}

/// The domain of an address (what our Message-IDs end with).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map(|(_, d)| d.trim()).filter(|d| !d.is_empty()).unwrap_or("switchboard.invalid")
}

/// `Re: <subject> [#<contact>]`: reply prefixes and an older contact token removed first.
pub fn subject(contact_id: i64, original: &str) -> String {
    let mut s = original.trim();
    loop {
        let lower = s.to_lowercase();
        let cut = ["re:", "fw:", "fwd:", "ответ:", "aw:"].iter().find(|p| lower.starts_with(*p)).map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => break,
        }
    }
    let mut base = s.to_string();
    if let Some(n) = crate::contact_number_in_subject(&base) {
        base = base.replace(&format!("[#{n}]"), "").trim().to_string();
    }
    if base.is_empty() {
        format!("Re: [#{contact_id}]")
    } else {
        format!("Re: {base} [#{contact_id}]")
    }
}

/// The `References` of a reply to `parent` (whose own references are
/// `parent_refs`): the parent's chain plus the parent, the first and the
/// newest kept when long.
pub fn references(parent_refs: &[String], parent: Option<&str>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for id in parent_refs.iter().map(String::as_str).chain(parent) {
        if !id.is_empty() && !all.iter().any(|x| x == id) {
            all.push(id.to_string());
        }
    }
    if all.len() > MAX_REFERENCES {
        let tail = all.split_off(all.len() - (MAX_REFERENCES - 1));
        all.truncate(1);
        all.extend(tail);
    }
    all
}

/// The new text of a letter: everything before the quoted history (an
/// "On … wrote:" / "… писал(а):" attribution, an Outlook "Original Message"
/// divider, or the first block of `>` lines that runs to the end).
pub fn trim_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let attribution = (lower.ends_with("wrote:")
            || lower.ends_with("писал:")
            || lower.ends_with("писала:")
            || lower.ends_with("написал:")
            || lower.ends_with("написала:")
            || lower.ends_with("писал(а):")
            || lower.ends_with("жазды:"))
            && lines.get(i + 1).is_none_or(|n| n.trim().is_empty() || n.trim_start().starts_with('>'));
        let divider = lower.starts_with("-----original message")
            || lower.starts_with("-----исходное сообщение")
            || lower.starts_with("________________________________");
        let quote_to_end =
            t.starts_with('>') && lines[i..].iter().all(|l| l.trim().is_empty() || l.trim().starts_with('>'));
        if attribution || divider || quote_to_end {
            end = i;
            break;
        }
    }
    let kept = lines[..end].join("\n");
    kept.trim_end().to_string()
}

/// A reply's plain-text body: the operator's text, the signature after the
/// standard `-- ` separator, then the customer's last message (trimmed of its
/// own history, at most [`QUOTE_LINES`] lines) quoted under `attribution`.
pub fn body(reply: &str, signature: &str, quote: Option<(&str, &str)>) -> String {
    let mut out = reply.trim_end().replace("\r\n", "\n");
    if !signature.trim().is_empty() {
        out.push_str("\n\n-- \n");
        out.push_str(signature.trim());
    }
    if let Some((attribution, text)) = quote {
        let last = trim_quoted(text);
        if !last.trim().is_empty() {
            out.push_str("\n\n");
            out.push_str(attribution.trim());
            out.push('\n');
            let lines: Vec<&str> = last.lines().collect();
            for line in lines.iter().take(QUOTE_LINES) {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
            if lines.len() > QUOTE_LINES {
                out.push_str("> …\n");
            }
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_letters_carry_the_contact_token() {
        let id = notice_message_id(42, 7, 255, "shop.kz");
        assert_eq!(id, "sb.42.n7.ff@shop.kz");
        assert!(is_ours(&id, "shop.kz"));
        assert_eq!(notice_subject(42, "Обращение решено"), "Обращение решено [#42]");
        assert_eq!(crate::contact_number_in_subject(&notice_subject(42, "Өтініш")), Some(42));
        assert_eq!(notice_subject(5, " "), "[#5]");
    }

    #[test]
    fn our_ids_are_recognised_and_others_are_not() {
        let id = message_id(12, 5, 0xabc, "shop.kz");
        assert_eq!(id, "sb.12.5.abc@shop.kz");
        assert!(is_ours(&id, "shop.kz"));
        assert!(is_ours(&id, "SHOP.KZ"));
        assert!(!is_ours(&id, "op.kz"), "a suffix of the domain is another domain");
        assert!(!is_ours("sb.1@evil.shop.kz.example", "shop.kz"));
        assert!(!is_ours("abc@shop.kz", "shop.kz"));
        assert!(!is_ours(&id, ""));
        assert_eq!(domain_of("Support@Shop.kz"), "Shop.kz");
        assert_eq!(domain_of("nobody"), "switchboard.invalid");
    }

    #[test]
    fn subjects_carry_one_contact_token() {
        assert_eq!(subject(9, "Где заказ?"), "Re: Где заказ? [#9]");
        assert_eq!(subject(9, "RE: Re: Где заказ? [#9]"), "Re: Где заказ? [#9]");
        assert_eq!(subject(9, "Ответ: Fwd: x [#3]"), "Re: x [#9]");
        assert_eq!(subject(9, "  "), "Re: [#9]");
    }

    #[test]
    fn references_grow_by_the_parent_and_stay_bounded() {
        assert_eq!(references(&[], Some("a@x")), vec!["a@x"]);
        assert_eq!(references(&["a@x".into()], Some("b@x")), vec!["a@x", "b@x"]);
        assert_eq!(references(&["a@x".into()], Some("a@x")), vec!["a@x"]);
        let long: Vec<String> = (0..30).map(|i| format!("{i}@x")).collect();
        let r = references(&long, Some("new@x"));
        assert_eq!(r.len(), MAX_REFERENCES);
        assert_eq!(r.first().map(String::as_str), Some("0@x"));
        assert_eq!(r.last().map(String::as_str), Some("new@x"));
    }

    #[test]
    fn quoted_history_is_trimmed() {
        let t = "Спасибо, получил.\n\nВ пн, 1 июн. 2026 г. в 10:00, Support <s@x> писал:\n> Ваш заказ отправлен\n> > старое\n";
        assert_eq!(trim_quoted(t), "Спасибо, получил.");
        assert_eq!(trim_quoted("ok\n-----Original Message-----\nFrom: x"), "ok");
        assert_eq!(trim_quoted("see below\n> a\n> b\n"), "see below");
        assert_eq!(trim_quoted("> inline\nmy answer\n"), "> inline\nmy answer", "interleaved quotes stay");
        assert_eq!(trim_quoted("He wrote: fine"), "He wrote: fine");
    }

    #[test]
    fn reply_body_has_signature_and_a_short_quote() {
        let quoted: String = (0..30).map(|i| format!("line {i}\n")).collect();
        let text = format!("{quoted}\nOn Mon, A <a@x> wrote:\n> old\n");
        let b = body("Здравствуйте!\r\nЗаказ в пути.", "Анна, служба поддержки", Some(("Вы писали:", &text)));
        assert!(
            b.starts_with("Здравствуйте!\nЗаказ в пути.\n\n-- \nАнна, служба поддержки\n\nВы писали:\n> line 0\n"),
            "{b}"
        );
        assert!(b.contains("> line 19\n> …\n") && !b.contains("line 20") && !b.contains("old"), "{b}");
        assert_eq!(body("ok", "", None), "ok\n");
    }
}
