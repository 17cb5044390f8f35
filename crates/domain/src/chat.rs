//! Web chat rules, pure: what the pre-chat and offline forms must hold, which
//! files a visitor may send, and the plain-text transcript e-mailed on request
//! (headings in the session's language, times on the centre's clock).

use crate::customer::{Identity, IdentityKind};
use crate::time::UtcOffset;

/// Longest chat message, in characters (the same bound as a note).
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest visitor name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Largest file a visitor may send.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// File types a visitor may send.
pub const FILE_TYPES: [&str; 5] = ["image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"];
/// Longest `cid` the widget may give a message.
pub const MAX_CID_CHARS: usize = 64;

/// The pre-chat (or offline) form as sent.
#[derive(Debug, Clone, Default)]
pub struct Form<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub text: &'a str,
    pub consent: bool,
    /// The offline form: an e-mail and a text are required (the answer goes by e-mail).
    pub offline: bool,
}

/// A checked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub identities: Vec<Identity>,
    /// The text, trimmed; empty when none.
    pub text: String,
}

/// Checks a form; every refused field is listed as (field, reason).
pub fn check_form(f: &Form<'_>) -> Result<Checked, Vec<(&'static str, &'static str)>> {
    let mut bad = Vec::new();
    let name = f.name.trim();
    if name.is_empty() {
        bad.push(("name", "required"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        bad.push(("name", "too-long"));
    }
    let mut identities = Vec::new();
    if !f.email.trim().is_empty() {
        match Identity::new(IdentityKind::Email, f.email) {
            Ok(i) => identities.push(i),
            Err(_) => bad.push(("email", "invalid")),
        }
    } else if f.offline {
        bad.push(("email", "required"));
    }
    if !f.phone.trim().is_empty() {
        match Identity::new(IdentityKind::Phone, f.phone) {
            Ok(i) => identities.push(i),
            Err(_) => bad.push(("phone", "invalid")),
        }
    }
    if f.email.trim().is_empty() && f.phone.trim().is_empty() && !f.offline {
        bad.push(("email", "email-or-phone-required"));
    }
    let text = f.text.trim();
    if text.chars().count() > MAX_TEXT_CHARS {
        bad.push(("text", "too-long"));
    } else if f.offline && text.is_empty() {
        bad.push(("text", "required"));
    }
    if !f.consent {
        bad.push(("consent", "required"));
    }
    if bad.is_empty() {
        Ok(Checked { name: name.to_string(), identities, text: text.to_string() })
    } else {
        Err(bad)
    }
}

/// A message text: not blank, at most [`MAX_TEXT_CHARS`]; returns it trimmed.
pub fn check_text(text: &str) -> Result<&str, &'static str> {
    let t = text.trim();
    if t.is_empty() {
        Err("required")
    } else if t.chars().count() > MAX_TEXT_CHARS {
        Err("too-long")
    } else {
        Ok(t)
    }
}

/// A widget's message id: 1–64 characters of `[A-Za-z0-9_.:-]`.
pub fn check_cid(cid: &str) -> bool {
    !cid.is_empty()
        && cid.len() <= MAX_CID_CHARS
        && cid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    Empty,
    TooLarge,
    WrongType,
}

/// Checks a visitor's file by size and declared type (`type/subtype`, parameters ignored).
pub fn check_file(content_type: &str, size: usize) -> Result<&'static str, FileRefusal> {
    if size > MAX_FILE_BYTES {
        return Err(FileRefusal::TooLarge);
    }
    let base = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(t) = FILE_TYPES.iter().find(|t| **t == base) else { return Err(FileRefusal::WrongType) };
    if size == 0 {
        return Err(FileRefusal::Empty);
    }
    Ok(t)
}

/// One line of a transcript.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    pub at_ms: i64,
    /// Who wrote it; empty for the system.
    pub name: &'a str,
    pub text: &'a str,
    pub file: Option<&'a str>,
}

fn words(locale: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match locale {
        "kk" => ("Чат жазбасы", "Өтініш", "Уақыт белдеуі", "Файл"),
        "en" => ("Chat transcript", "Request", "Time zone", "File"),
        _ => ("Расшифровка чата", "Обращение", "Часовой пояс", "Файл"),
    }
}

/// The transcript's subject and plain-text body: a heading with the
/// contact number, then one line per message `[YYYY-MM-DD HH:MM] Name: text`
/// on the clock `tz`, file names marked.
pub fn transcript(locale: &str, number: i64, lines: &[Line<'_>], tz: UtcOffset) -> (String, String) {
    let (title, request, zone, file) = words(locale);
    let subject = format!("{title} [#{number}]");
    let mut body = format!("{title} — {request} № {number}\n{zone}: UTC{tz}\n\n");
    for l in lines {
        let (date, ms) = tz.to_local(l.at_ms);
        let minutes = ms / 60_000;
        let who = if l.name.is_empty() { "—" } else { l.name };
        body.push_str(&format!("[{date} {:02}:{:02}] {who}: ", minutes / 60, minutes % 60));
        let mut parts = Vec::new();
        if !l.text.is_empty() {
            parts.push(l.text.to_string());
        }
        if let Some(f) = l.file {
            parts.push(format!("[{file}: {f}]"));
        }
        body.push_str(&parts.join(" ").replace('\n', "\n    "));
        body.push('\n');
    }
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(name: &'a str, email: &'a str, phone: &'a str) -> Form<'a> {
        Form { name, email, phone, text: "", consent: true, offline: false }
    }

    #[test]
    fn a_form_needs_a_name_a_way_back_and_consent() {
        let ok = check_form(&form(" Айгерим ", " A@Mail.KZ", "8 (701) 123-45-67")).expect("valid");
        assert_eq!(ok.name, "Айгерим");
        assert_eq!(ok.identities.iter().map(|i| i.value.as_str()).collect::<Vec<_>>(), ["a@mail.kz", "+77011234567"]);
        assert_eq!(check_form(&form("", "a@mail.kz", "")).unwrap_err(), [("name", "required")]);
        assert_eq!(check_form(&form("А", "", "")).unwrap_err(), [("email", "email-or-phone-required")]);
        assert_eq!(check_form(&form("А", "not-mail", "")).unwrap_err(), [("email", "invalid")]);
        let long = "я".repeat(201);
        assert_eq!(check_form(&form(&long, "a@mail.kz", "")).unwrap_err(), [("name", "too-long")]);
        let no_consent = Form { consent: false, ..form("А", "a@mail.kz", "") };
        assert_eq!(check_form(&no_consent).unwrap_err(), [("consent", "required")]);
        let text = "a".repeat(4001);
        let too_long = Form { text: &text, ..form("А", "a@mail.kz", "") };
        assert_eq!(check_form(&too_long).unwrap_err(), [("text", "too-long")]);
    }

    #[test]
    fn the_offline_form_needs_an_email_and_a_text() {
        let f = Form { offline: true, ..form("А", "", "+77011234567") };
        assert_eq!(check_form(&f).unwrap_err(), [("email", "required"), ("text", "required")]);
        let f = Form { offline: true, text: "Перезвоните", ..form("А", "a@mail.kz", "") };
        assert!(check_form(&f).is_ok());
    }

    #[test]
    fn files_are_limited_by_size_and_type() {
        assert_eq!(check_file("image/png", 10), Ok("image/png"));
        assert_eq!(check_file("text/plain; charset=utf-8", 10), Ok("text/plain"));
        assert_eq!(check_file("application/x-msdownload", 10), Err(FileRefusal::WrongType));
        assert_eq!(check_file("image/png", MAX_FILE_BYTES + 1), Err(FileRefusal::TooLarge));
        assert_eq!(check_file("image/png", MAX_FILE_BYTES), Ok("image/png"));
        assert_eq!(check_file("image/png", 0), Err(FileRefusal::Empty));
    }

    #[test]
    fn texts_and_cids() {
        assert_eq!(check_text("  привет "), Ok("привет"));
        assert_eq!(check_text("   "), Err("required"));
        assert_eq!(check_text(&"x".repeat(4001)), Err("too-long"));
        assert!(check_cid("m-1712.3:a_b"));
        assert!(!check_cid(""));
        assert!(!check_cid("a b"));
        assert!(!check_cid(&"a".repeat(65)));
    }

    #[test]
    fn the_transcript_is_on_the_centres_clock_in_the_sessions_language() {
        // 2026-12-03 06:05 UTC = 11:05 in Almaty.
        let at = 1_796_277_900_000;
        let lines = [
            Line { at_ms: at, name: "Айгерим", text: "Сәлем", file: None },
            Line {
                at_ms: at + 60_000, name: "Оператор Дана", text: "Сәлеметсіз бе", file: None
            },
            Line { at_ms: at + 120_000, name: "Айгерим", text: "", file: Some("чек.pdf") },
            Line { at_ms: at + 180_000, name: "", text: "Чат завершён", file: None },
        ];
        let (subject, body) = transcript("kk", 42, &lines, UtcOffset::ALMATY);
        assert_eq!(subject, "Чат жазбасы [#42]");
        assert!(body.contains("Өтініш № 42"), "{body}");
        assert!(body.contains("UTC+05:00"), "{body}");
        assert!(body.contains("[2026-12-03 11:05] Айгерим: Сәлем"), "{body}");
        assert!(body.contains("[2026-12-03 11:06] Оператор Дана: Сәлеметсіз бе"), "{body}");
        assert!(body.contains("Айгерим: [Файл: чек.pdf]"), "{body}");
        assert!(body.contains("— : Чат завершён") || body.contains("—: Чат завершён"), "{body}");
        let (en, _) = transcript("en", 42, &lines, UtcOffset::ALMATY);
        assert_eq!(en, "Chat transcript [#42]");
    }
}
