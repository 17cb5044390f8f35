//! Delivering customer notices: which way a notice goes (the pure routing
//! rule), how often a failed attempt is retried, how the address is shown,
//! and what a notice gateway's settings must be.
//!
//! The rule ([`route`]): the contact's own channel first when it can carry a
//! notice (email → email; chat → chat while the visitor is online; messenger
//! → the messenger sender), otherwise e-mail when the customer has an address
//! and a mailbox exists, otherwise an SMS gateway by phone, otherwise
//! undeliverable with a reason. Without the customer's consent to
//! personal-data processing only the channel they themselves wrote on is
//! used: we do not reach out to them elsewhere. Calls write no notices.

use crate::contact::Channel;
use crate::validate::Invalid;

/// A way a notice can leave (the `via` of a delivery). The server's senders
/// register under these names; more can be added as channels arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    Email,
    Chat,
    Sms,
    Messenger,
}

impl Via {
    pub const ALL: [Via; 4] = [Via::Email, Via::Chat, Via::Sms, Via::Messenger];

    pub fn as_str(self) -> &'static str {
        match self {
            Via::Email => "email",
            Via::Chat => "chat",
            Via::Sms => "sms",
            Via::Messenger => "messenger",
        }
    }

    pub fn parse(s: &str) -> Option<Via> {
        Via::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What is known about the customer and the senders when a notice is due.
#[derive(Debug, Clone, Default)]
pub struct RouteInput<'a> {
    /// The contact's channel (`None`: unknown, treated like a web form).
    pub channel: Option<Channel>,
    /// The customer's e-mail addresses and phones (normalised), first = preferred.
    pub emails: Vec<&'a str>,
    pub phones: Vec<&'a str>,
    /// The customer's chat / messenger handles.
    pub chats: Vec<&'a str>,
    /// Consent to personal-data processing.
    pub consent: bool,
    /// Which senders can carry this notice now (email: a mailbox exists;
    /// chat: the visitor is online; sms / messenger: a gateway is active).
    pub available: Vec<Via>,
}

/// Why a notice cannot be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undeliverable {
    /// Calls are told in the call; they write no notices.
    VoiceChannel,
    /// No consent, and the contact's own channel cannot carry it.
    NoConsent,
    /// The customer has no address any available sender can use.
    NoAddress,
    /// The customer has addresses, but no sender for them is configured.
    NoSender,
}

impl Undeliverable {
    /// The stable reason stored with the notice (and the message key suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            Undeliverable::VoiceChannel => "voice-channel",
            Undeliverable::NoConsent => "no-consent",
            Undeliverable::NoAddress => "no-address",
            Undeliverable::NoSender => "no-sender",
        }
    }
}

/// The decision for one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Send through `via` to `to` (an e-mail address, a phone, or a chat handle;
    /// empty for chat/messenger when the sender finds the peer by contact).
    Send {
        via: Via,
        to: String,
    },
    Undeliverable(Undeliverable),
}

/// Decides how a notice goes (see the module docs).
pub fn route(input: &RouteInput<'_>) -> Route {
    let has = |v: Via| input.available.contains(&v);
    let first = |list: &[&str]| list.iter().find(|s| !s.trim().is_empty()).map(|s| s.trim().to_string());
    let own = match input.channel {
        Some(Channel::Voice) => return Route::Undeliverable(Undeliverable::VoiceChannel),
        Some(Channel::Email) => first(&input.emails).filter(|_| has(Via::Email)).map(|to| (Via::Email, to)),
        Some(Channel::Chat) if has(Via::Chat) => Some((Via::Chat, first(&input.chats).unwrap_or_default())),
        Some(Channel::Messenger) if has(Via::Messenger) => {
            Some((Via::Messenger, first(&input.chats).unwrap_or_default()))
        }
        _ => None,
    };
    if let Some((via, to)) = own {
        return Route::Send { via, to };
    }
    // Reaching out on another channel needs the customer's consent, except
    // by e-mail for a contact that came by e-mail or from the web form,
    // where the customer gave that address for this very request.
    let own_address_channel = matches!(input.channel, Some(Channel::Email) | Some(Channel::WebForm) | None);
    if !input.consent && !own_address_channel {
        return Route::Undeliverable(Undeliverable::NoConsent);
    }
    if let (Some(to), true) = (first(&input.emails), has(Via::Email)) {
        return Route::Send { via: Via::Email, to };
    }
    if let (Some(to), true) = (first(&input.phones), has(Via::Sms)) {
        return match input.consent {
            true => Route::Send { via: Via::Sms, to },
            false => Route::Undeliverable(Undeliverable::NoConsent),
        };
    }
    if first(&input.emails).is_none() && first(&input.phones).is_none() {
        Route::Undeliverable(Undeliverable::NoAddress)
    } else {
        Route::Undeliverable(Undeliverable::NoSender)
    }
}

/// Attempts before a notice is given up as `failed`.
pub const MAX_ATTEMPTS: i64 = 4;

/// How long to wait after failed attempt number `attempts` (1-based) before
/// the next one: 1 min, 5 min, 30 min; `None` once [`MAX_ATTEMPTS`] are spent.
pub fn retry_delay_ms(attempts: i64) -> Option<i64> {
    const MINUTE: i64 = 60_000;
    match attempts {
        i64::MIN..=1 => Some(MINUTE),
        2 => Some(5 * MINUTE),
        n if n < MAX_ATTEMPTS => Some(30 * MINUTE),
        _ => None,
    }
}

/// The address of a delivery as staff see it: e-mails and phones masked,
/// chat handles cut to their first characters.
pub fn masked_address(via: &str, address: &str) -> String {
    match via {
        "email" => crate::masking::mask_email(address),
        "sms" => crate::masking::mask_phone(address),
        _ if address.chars().count() > 4 => {
            let head: String = address.chars().take(3).collect();
            format!("{head}…")
        }
        _ => address.to_string(),
    }
}

/// Kinds of notice gateway (webhook senders).
pub const GATEWAY_KINDS: [&str; 2] = ["sms", "messenger"];

/// Checks a gateway's settings: a known kind, a name of 1–200 characters and
/// an absolute `http://` or `https://` URL with a host.
pub fn validate_gateway(kind: &str, name: &str, url: &str) -> Result<(), Invalid> {
    if !GATEWAY_KINDS.contains(&kind) {
        return Err(Invalid { field: "kind", code: "gateway-kind-unknown" });
    }
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(Invalid { field: "name", code: "gateway-name-invalid" });
    }
    let url = url.trim();
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default()).unwrap_or_default();
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
    if !host_ok || url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid { field: "url", code: "gateway-url-invalid" });
    }
    Ok(())
}

/// Longest administrator's text of a notice, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// Checks an administrator's text for a notice (1–1000 characters).
pub fn validate_text(text: &str) -> Result<(), Invalid> {
    let n = text.trim().chars().count();
    if n == 0 || n > MAX_TEXT_CHARS {
        return Err(Invalid { field: "text", code: "notice-text-invalid" });
    }
    Ok(())
}

/// An administrator's text with the contact number put in for `{number}`
/// (or the catalogue's `{ $number }`).
pub fn fill_text(text: &str, number: i64) -> String {
    let n = number.to_string();
    text.trim().replace("{ $number }", &n).replace("{$number}", &n).replace("{number}", &n)
}

/// The notices of orders (issue 6, docs/ORDERS.md): message keys taking
/// `$number` (the order id), `$carrier` and `$tracking`. Administrators
/// override them like the contact notices.
pub const ORDER_NOTICE_KEYS: [&str; 11] = [
    "order-created",
    "order-confirmed",
    "order-paid",
    "order-picked",
    "order-packed",
    "order-shipped",
    "order-delivered",
    "order-closed",
    "order-cancelled",
    "return-accepted",
    "return-refused",
];

/// An administrator's notice text with its arguments put in: `{name}`,
/// `{$name}` or the catalogue's `{ $name }` for each (name, value).
pub fn fill_args(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = text.trim().to_string();
    for (name, value) in args {
        out = out
            .replace(&format!("{{ ${name} }}"), value)
            .replace(&format!("{{${name}}}"), value)
            .replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(
        channel: Channel,
        emails: &[&'a str],
        phones: &[&'a str],
        consent: bool,
        av: &[Via],
    ) -> RouteInput<'a> {
        RouteInput {
            channel: Some(channel),
            emails: emails.to_vec(),
            phones: phones.to_vec(),
            chats: vec!["visitor-7"],
            consent,
            available: av.to_vec(),
        }
    }

    fn send(via: Via, to: &str) -> Route {
        Route::Send { via, to: to.into() }
    }

    #[test]
    fn the_table_of_routes() {
        use Channel as C;
        use Via as V;
        let e = "a@mail.kz";
        let p = "+77011234567";
        let all = [V::Email, V::Chat, V::Sms, V::Messenger];
        let cases: Vec<(RouteInput, Route)> = vec![
            // The contact's own channel first.
            (input(C::Email, &[e], &[p], true, &all), send(V::Email, e)),
            (input(C::Chat, &[e], &[p], true, &all), send(V::Chat, "visitor-7")),
            (input(C::Messenger, &[e], &[p], true, &all), send(V::Messenger, "visitor-7")),
            // Chat with the visitor gone: fall back to e-mail, then SMS.
            (input(C::Chat, &[e], &[p], true, &[V::Email, V::Sms]), send(V::Email, e)),
            (input(C::Chat, &[], &[p], true, &[V::Email, V::Sms]), send(V::Sms, p)),
            // A web form: e-mail when a mailbox exists, else SMS.
            (input(C::WebForm, &[e], &[p], true, &all), send(V::Email, e)),
            (input(C::WebForm, &[e], &[p], true, &[V::Sms]), send(V::Sms, p)),
            (input(C::WebForm, &[], &[p], true, &[V::Email, V::Sms]), send(V::Sms, p)),
            // Nothing to send with, or nowhere to send to.
            (input(C::WebForm, &[e], &[p], true, &[]), Route::Undeliverable(Undeliverable::NoSender)),
            (input(C::WebForm, &[], &[], true, &all), Route::Undeliverable(Undeliverable::NoAddress)),
            (input(C::WebForm, &[], &[p], true, &[V::Email]), Route::Undeliverable(Undeliverable::NoSender)),
            // Calls are told in the call.
            (input(C::Voice, &[e], &[p], true, &all), Route::Undeliverable(Undeliverable::VoiceChannel)),
            // Without consent: the customer's own channel and the e-mail they gave for this request only.
            (input(C::Email, &[e], &[p], false, &all), send(V::Email, e)),
            (input(C::WebForm, &[e], &[p], false, &all), send(V::Email, e)),
            (input(C::WebForm, &[], &[p], false, &all), Route::Undeliverable(Undeliverable::NoConsent)),
            (input(C::Chat, &[e], &[p], false, &[V::Email, V::Sms]), Route::Undeliverable(Undeliverable::NoConsent)),
            (input(C::Chat, &[e], &[p], false, &all), send(V::Chat, "visitor-7")),
            (input(C::WalkIn, &[e], &[], false, &all), Route::Undeliverable(Undeliverable::NoConsent)),
            (input(C::WalkIn, &[e], &[], true, &all), send(V::Email, e)),
            // An email contact whose mailbox is gone still reaches the phone.
            (input(C::Email, &[e], &[p], true, &[V::Sms]), send(V::Sms, p)),
            // Blank addresses do not count.
            (input(C::WebForm, &["  "], &[p], true, &all), send(V::Sms, p)),
        ];
        for (i, (input, want)) in cases.iter().enumerate() {
            assert_eq!(&route(input), want, "case {i}: {input:?}");
        }
    }

    #[test]
    fn messenger_without_its_sender_falls_back() {
        let i = input(Channel::Messenger, &["b@x.kz"], &[], true, &[Via::Email]);
        assert_eq!(route(&i), send(Via::Email, "b@x.kz"));
        let mut i = input(Channel::Chat, &[], &[], true, &[Via::Chat]);
        i.chats.clear();
        assert_eq!(route(&i), send(Via::Chat, ""), "the chat sender finds the visitor by contact");
    }

    #[test]
    fn retries_back_off_then_give_up() {
        assert_eq!(retry_delay_ms(1), Some(60_000));
        assert_eq!(retry_delay_ms(2), Some(300_000));
        assert_eq!(retry_delay_ms(3), Some(1_800_000));
        assert_eq!(retry_delay_ms(MAX_ATTEMPTS), None);
        assert_eq!(retry_delay_ms(MAX_ATTEMPTS + 3), None);
    }

    #[test]
    fn addresses_are_masked_by_kind() {
        assert_eq!(masked_address("email", "aigerim@mail.kz"), "a******@mail.kz");
        assert_eq!(masked_address("sms", "+77011234567"), "+7701*****67");
        assert_eq!(masked_address("chat", "visitor-12345"), "vis…");
        assert_eq!(masked_address("", ""), "");
    }

    #[test]
    fn administrators_texts_take_the_number() {
        assert_eq!(fill_text(" Заявка {number} готова ", 42), "Заявка 42 готова");
        assert_eq!(fill_text("№ { $number }", 7), "№ 7");
        assert_eq!(
            fill_args(
                "{number}: { $carrier } {tracking}",
                &[("number", "5"), ("carrier", "Kazpost"), ("tracking", "RR1")]
            ),
            "5: Kazpost RR1"
        );
        assert!(validate_text("Өтініш {number} шешілді").is_ok());
        assert_eq!(validate_text("  ").map_err(|e| e.code), Err("notice-text-invalid"));
        assert!(validate_text(&"я".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(validate_text(&"я".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }

    #[test]
    fn gateway_settings_are_checked() {
        assert!(validate_gateway("sms", "SMS Центр", "http://127.0.0.1:8080/send").is_ok());
        assert!(validate_gateway("messenger", "WA", "https://gw.example.kz/hook?x=1").is_ok());
        let code = |k, n, u| validate_gateway(k, n, u).map_err(|e| e.code);
        assert_eq!(code("fax", "x", "http://a"), Err("gateway-kind-unknown"));
        assert_eq!(code("sms", " ", "http://a"), Err("gateway-name-invalid"));
        assert_eq!(code("sms", "x", "ftp://a"), Err("gateway-url-invalid"));
        assert_eq!(code("sms", "x", "http://"), Err("gateway-url-invalid"));
        assert_eq!(code("sms", "x", "not a url"), Err("gateway-url-invalid"));
        assert_eq!(code("sms", "x", "http://a b/"), Err("gateway-url-invalid"));
        assert_eq!(code("sms", "x", "http://user@host/"), Err("gateway-url-invalid"));
    }
}
