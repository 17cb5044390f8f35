//! A raw letter → [`Letter`]: everything the channel needs, decoded.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// A file carried by a letter (an attachment or an inline image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    /// `type/subtype`, lower case.
    pub content_type: String,
    pub content: Vec<u8>,
    /// Shown inside the HTML body (`Content-Disposition: inline` or a `Content-ID`).
    pub inline: bool,
    /// `Content-ID` without the angle brackets (what `cid:` URLs name).
    pub content_id: Option<String>,
}

/// A delivery-status report (RFC 3464) about a letter we sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bounce {
    /// The Message-ID of the letter that failed, from the returned headers.
    pub original_message_id: Option<String>,
    pub recipient: Option<String>,
    /// `5.1.1` and the like.
    pub status: Option<String>,
    pub diagnostic: Option<String>,
}

/// What a letter says, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Letter {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// Lower case.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// Where answers go (`Reply-To`, else `From`), lower case.
    pub reply_address: Option<String>,
    pub subject: String,
    /// Seconds since the epoch, from `Date`.
    pub date: Option<i64>,
    /// The plain-text body (converted from HTML when there is no text
    /// part), with `\n` line ends.
    pub text: String,
    /// The HTML body sanitised for display (scripts, styles, event handlers
    /// and foreign URL schemes removed), when the letter has one.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    pub list_id: bool,
    /// `X-Auto-Response-Suppress` present (Exchange auto-replies).
    pub auto_response_suppressed: bool,
    /// `X-Autoreply` / `X-Autorespond` present.
    pub x_autoreply: bool,
    pub bounce: Option<Bounce>,
}

/// Parses a raw RFC 5322 letter. `None` when there is nothing that looks
/// like a letter (no headers at all).
pub fn parse(raw: &[u8]) -> Option<Letter> {
    let msg = MessageParser::default().parse(raw)?;
    if msg.headers().is_empty() {
        return None;
    }
    let from = msg.from().and_then(|a| a.first());
    let from_address = from.and_then(|a| a.address.as_deref()).map(|a| a.trim().to_lowercase());
    let reply_address = msg
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address.as_deref())
        .map(|a| a.trim().to_lowercase())
        .or_else(|| from_address.clone());
    // Line ends as the desk shows them.
    let text = msg.body_text(0).map(|t| t.replace("\r\n", "\n")).unwrap_or_default();
    let html = msg
        .html_part(0)
        .and_then(|p| match &p.body {
            PartType::Html(h) => Some(h.as_ref()),
            _ => None,
        })
        .map(sanitize_html);
    let header = |name: &str| msg.header_raw(name).map(|v| v.trim().to_string());
    let letter = Letter {
        message_id: msg.message_id().map(strip_brackets).filter(|s| !s.is_empty()),
        in_reply_to: id_list(msg.in_reply_to()),
        references: id_list(msg.references()),
        from_address,
        from_name: from.and_then(|a| a.name.as_deref()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        reply_address,
        subject: msg.subject().unwrap_or_default().trim().to_string(),
        date: msg.date().map(|d| d.to_timestamp()),
        text,
        html,
        attachments: attachments(&msg),
        auto_submitted: header("Auto-Submitted"),
        precedence: header("Precedence"),
        list_id: msg.header_raw("List-Id").is_some(),
        auto_response_suppressed: msg.header_raw("X-Auto-Response-Suppress").is_some(),
        x_autoreply: msg.header_raw("X-Autoreply").is_some() || msg.header_raw("X-Autorespond").is_some(),
        bounce: bounce(&msg),
    };
    Some(without_nul(letter))
}

/// NUL characters removed from every text (PostgreSQL's TEXT refuses them,
/// and a letter that cannot be stored would hold up its mailbox).
fn without_nul(mut l: Letter) -> Letter {
    let clean = |s: &mut String| {
        if s.contains('\0') {
            *s = s.replace('\0', "");
        }
    };
    for s in [&mut l.subject, &mut l.text].into_iter().chain(l.html.as_mut()).chain(l.message_id.as_mut()) {
        clean(s);
    }
    for s in l.from_address.iter_mut().chain(l.from_name.as_mut()).chain(l.reply_address.as_mut()) {
        clean(s);
    }
    for s in l.in_reply_to.iter_mut().chain(l.references.iter_mut()) {
        clean(s);
    }
    for a in &mut l.attachments {
        clean(&mut a.filename);
    }
    l
}

fn strip_brackets(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_string()
}

fn id_list(v: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match v {
        mail_parser::HeaderValue::Text(t) => vec![strip_brackets(t)],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| strip_brackets(t)).collect(),
        _ => Vec::new(),
    };
    list.into_iter().filter(|s| !s.is_empty()).collect()
}

/// HTML safe to show inside the desk: ammonia's defaults (no scripts,
/// styles, event handlers or `javascript:` URLs), links opened without a
/// referrer, and `cid:` kept on images so inline images can be resolved.
pub fn sanitize_html(html: &str) -> String {
    let mut schemes = std::collections::HashSet::new();
    for s in ["http", "https", "mailto", "tel", "cid"] {
        schemes.insert(s);
    }
    ammonia::Builder::default()
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

fn attachments(msg: &Message<'_>) -> Vec<Attachment> {
    let mut out = Vec::new();
    for (n, part) in msg.attachments().enumerate() {
        let (content_type, content) = match &part.body {
            PartType::Message(m) => ("message/rfc822".to_string(), m.raw_message().to_vec()),
            PartType::Multipart(_) => continue,
            _ => {
                let ct = part
                    .content_type()
                    .map(|c| match c.subtype() {
                        Some(sub) => format!("{}/{}", c.ctype(), sub),
                        None => c.ctype().to_string(),
                    })
                    .unwrap_or_else(|| "application/octet-stream".to_string())
                    .to_ascii_lowercase();
                (ct, part.contents().to_vec())
            }
        };
        let content_id = part.content_id().map(strip_brackets).filter(|s| !s.is_empty());
        let inline = part.content_disposition().is_some_and(|d| d.is_inline())
            || (content_id.is_some() && part.content_disposition().is_none_or(|d| !d.is_attachment()));
        let filename = part
            .attachment_name()
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| default_name(n + 1, &content_type));
        out.push(Attachment { filename, content_type, content, inline, content_id });
    }
    out
}

fn default_name(n: usize, content_type: &str) -> String {
    let ext = match content_type {
        "message/rfc822" => "eml",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/html" => "html",
        _ => "bin",
    };
    format!("attachment-{n}.{ext}")
}

/// A `multipart/report; report-type=delivery-status` letter's report.
fn bounce(msg: &Message<'_>) -> Option<Bounce> {
    let root = msg.root_part().content_type()?;
    let is_report = root.ctype().eq_ignore_ascii_case("multipart")
        && root.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
        && root.attribute("report-type").is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"));
    if !is_report {
        return None;
    }
    let mut b = Bounce::default();
    for part in &msg.parts {
        let Some(ct) = part.content_type() else { continue };
        let sub = ct.subtype().unwrap_or_default().to_ascii_lowercase();
        let ctype = ct.ctype().to_ascii_lowercase();
        match (ctype.as_str(), sub.as_str()) {
            ("message", "delivery-status") | ("message", "global-delivery-status") => {
                let text = String::from_utf8_lossy(part.contents()).to_string();
                for line in text.lines() {
                    let Some((name, value)) = line.split_once(':') else { continue };
                    let value = value.trim();
                    let after_type = value.split_once(';').map(|(_, v)| v.trim()).unwrap_or(value);
                    match name.trim().to_ascii_lowercase().as_str() {
                        "final-recipient" | "original-recipient" if b.recipient.is_none() => {
                            b.recipient = Some(after_type.to_string())
                        }
                        "status" if b.status.is_none() => b.status = Some(value.to_string()),
                        "diagnostic-code" if b.diagnostic.is_none() => b.diagnostic = Some(after_type.to_string()),
                        _ => {}
                    }
                }
            }
            ("message", "rfc822") | ("message", "global") => {
                if let PartType::Message(m) = &part.body {
                    if b.original_message_id.is_none() {
                        b.original_message_id = m.message_id().map(strip_brackets);
                    }
                }
            }
            ("text", "rfc822-headers") if b.original_message_id.is_none() => {
                let mut headers = part.contents().to_vec();
                headers.extend_from_slice(b"\r\n\r\n");
                b.original_message_id =
                    MessageParser::default().parse(&headers[..]).and_then(|m| m.message_id().map(strip_brackets));
            }
            _ => {}
        }
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn koi8r_and_windows_1251_bodies_and_subjects_are_decoded() {
        // "Привет, где мой заказ?" in KOI8-R, and the subject in Windows-1251 (B-encoded).
        let koi8: &[u8] = &[
            0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x2c, 0x20, 0xc7, 0xc4, 0xc5, 0x20, 0xcd, 0xcf, 0xca, 0x20, 0xda, 0xc1,
            0xcb, 0xc1, 0xda, 0x3f,
        ];
        let mut raw = b"From: =?koi8-r?B?8NXby8nO?= <pushkin@example.test>\r\nSubject: =?windows-1251?B?x+Dq4Oc=?=\r\n\
Message-ID: <k1@example.test>\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            .to_vec();
        raw.extend_from_slice(koi8);
        raw.extend_from_slice(b"\r\n");
        let l = parse(&raw).expect("parses");
        assert_eq!(l.text.trim(), "Привет, где мой заказ?");
        assert_eq!(l.from_name.as_deref(), Some("Пушкин"));
        assert_eq!(l.from_address.as_deref(), Some("pushkin@example.test"));
        assert_eq!(l.subject, "Заказ");
        assert_eq!(l.message_id.as_deref(), Some("k1@example.test"));
        let cp1251: &[u8] = &[0xc4, 0xee, 0xe1, 0xf0, 0xfb, 0xe9, 0x20, 0xe4, 0xe5, 0xed, 0xfc];
        let mut raw = b"From: a@b.test\r\nContent-Type: text/plain; charset=windows-1251\r\n\r\n".to_vec();
        raw.extend_from_slice(cp1251);
        assert_eq!(parse(&raw).expect("parses").text.trim(), "Добрый день");
    }

    #[test]
    fn html_is_sanitised_and_attachments_and_inline_images_are_kept() {
        let raw = "From: a@b.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"OUT\"\r\n\r\n\
--OUT\r\nContent-Type: multipart/related; boundary=\"REL\"\r\n\r\n\
--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p onclick=\"x()\">Hello <b>there</b><script>alert(1)</script><img src=\"cid:logo@x\"><a href=\"javascript:evil()\">x</a></p>\r\n\
--REL\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
--REL--\r\n\
--OUT\r\nContent-Type: application/pdf; name=\"=?utf-8?B?0YHRh9GR0YIucGRm?=\"\r\n\
Content-Disposition: attachment; filename=\"=?utf-8?B?0YHRh9GR0YIucGRm?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n\
--OUT--\r\n";
        let l = parse(raw.as_bytes()).expect("parses");
        let html = l.html.expect("html");
        assert!(html.contains("<b>there</b>"), "{html}");
        assert!(!html.contains("script") && !html.contains("onclick") && !html.contains("javascript"), "{html}");
        assert!(html.contains("cid:logo@x"), "{html}");
        assert!(l.text.contains("Hello"), "{}", l.text);
        assert_eq!(l.attachments.len(), 2, "{:?}", l.attachments);
        let img = l.attachments.iter().find(|a| a.content_type == "image/png").expect("inline image");
        assert!(img.inline);
        assert_eq!(img.content_id.as_deref(), Some("logo@x"));
        assert_eq!(img.content, b"\x89PNG\r\n\x1a\n");
        let pdf = l.attachments.iter().find(|a| a.content_type == "application/pdf").expect("pdf");
        assert_eq!(pdf.filename, "счёт.pdf");
        assert!(!pdf.inline);
        assert_eq!(pdf.content, b"%PDF-1.4\n");
    }

    #[test]
    fn delivery_status_reports_name_the_failed_letter() {
        let raw = "From: MAILER-DAEMON@mx.test\r\nTo: support@switchboard.test\r\nSubject: Undelivered\r\n\
Auto-Submitted: auto-replied\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n\
--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.test\r\n\r\n\
Final-Recipient: rfc822; gone@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n\
--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <sb.7.3.99@switchboard.test>\r\nSubject: Re: x\r\n\
--B--\r\n";
        let l = parse(raw.as_bytes()).expect("parses");
        let b = l.bounce.expect("bounce");
        assert_eq!(b.original_message_id.as_deref(), Some("sb.7.3.99@switchboard.test"));
        assert_eq!(b.recipient.as_deref(), Some("gone@example.test"));
        assert_eq!(b.status.as_deref(), Some("5.1.1"));
        assert_eq!(b.diagnostic.as_deref(), Some("550 5.1.1 no such user"));
        assert!(parse(b"From: a@b.test\r\nSubject: x\r\n\r\nx").expect("parses").bounce.is_none());
    }

    #[test]
    fn nul_characters_never_reach_storage() {
        let l = parse(b"From: a@b.test\r\nSubject: x\x00y\r\n\r\nbo\x00dy\r\n").expect("parses");
        assert!(!l.text.contains('\0') && l.text.contains("body"), "{:?}", l.text);
        assert!(!l.subject.contains('\0'), "{:?}", l.subject);
    }

    #[test]
    fn garbage_does_not_panic() {
        assert!(parse(b"").is_none());
        for raw in [&b"\xff\xfe\x00"[..], b"From:\r\n\r\n", b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n"] {
            let _ = parse(raw);
        }
    }
}
