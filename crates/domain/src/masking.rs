//! Masking of personal data for roles that do not need to see it in full.

/// `+77011234567` → `+7701*****67`: keeps the operator code and the last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    let keep_head = if n > 8 { 5 } else { 1 };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i >= n - 2 || !c.is_ascii_digit() { *c } else { '*' })
        .collect()
}

/// `aigerim.n@mail.kz` → `a*******@mail.kz`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let mut out = String::with_capacity(email.len());
            let mut chars = local.chars();
            if let Some(first) = chars.next() {
                out.push(first);
            }
            out.extend(chars.map(|_| '*'));
            out.push('@');
            out.push_str(domain);
            out
        }
        None => "*".repeat(email.chars().count()),
    }
}

/// `Ахметова Айгерим` → `Ахметова А.`: surname and initial only.
pub fn mask_name(full_name: &str) -> String {
    let mut parts = full_name.split_whitespace();
    let Some(first) = parts.next() else {
        return String::new();
    };
    let mut out = first.to_string();
    for p in parts {
        if let Some(c) = p.chars().next() {
            out.push(' ');
            out.push(c);
            out.push('.');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_code_and_tail() {
        assert_eq!(mask_phone("+77011234567"), "+7701*****67");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn emails_keep_first_letter_and_domain() {
        assert_eq!(mask_email("aigerim@mail.kz"), "a******@mail.kz");
        assert_eq!(mask_email("broken"), "******");
    }

    #[test]
    fn names_keep_surname_and_initials() {
        assert_eq!(mask_name("Ахметова Айгерим Сериковна"), "Ахметова А. С.");
        assert_eq!(mask_name(""), "");
    }
}
