//! Reply templates with variables.
//!
//! A template body is text with placeholders `{{name}}` (spaces inside the braces are allowed:
//! `{{ name }}`). Names come from a fixed list ([`VARIABLES`]) so a typo is caught when the
//! template is saved ([`check`]), not when an operator sends it. [`render`] substitutes values in
//! one pass — a value that itself contains `{{…}}` is inserted as is — and refuses to render
//! with an unknown or missing variable, listing all of them. Text is never HTML-escaped here:
//! replies are plain text, and whoever shows them in HTML escapes them.
//!
//! Malformed braces never panic: a `{{` with no closing `}}` or with something other than a
//! variable name inside is a [`TemplateError::Malformed`]; single braces and a lone `}}` are
//! ordinary text.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::Lang;

/// The variables a template may use.
pub const VARIABLES: &[&str] = &[
    "customer_name",
    "contact_number",
    "operator_name",
    "order_number",
    "delivery_date",
    "delivery_window",
    "amount",
    "store_address",
    "deadline_date",
    "due_date",
    "company_name",
    "phone",
];

/// A reply template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    pub name: String,
    pub lang: Lang,
    pub body: String,
}

impl Template {
    /// Renders this template's body; see [`render`].
    pub fn render(&self, vars: &HashMap<String, String>) -> Result<String, TemplateError> {
        render(&self.body, vars)
    }
}

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` at byte `offset` is not closed by `}}`, or what is inside is not a variable name.
    #[error("malformed placeholder at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: &'static str },
    /// Placeholders name variables that do not exist (`unknown`) or that were not given a value
    /// (`missing`); both sorted, without duplicates.
    #[error("{}", describe_variables(unknown, missing))]
    Variables { unknown: Vec<String>, missing: Vec<String> },
}

fn describe_variables(unknown: &[String], missing: &[String]) -> String {
    let mut parts = Vec::new();
    if !unknown.is_empty() {
        parts.push(format!("unknown variables: {}", unknown.join(", ")));
    }
    if !missing.is_empty() {
        parts.push(format!("missing values for: {}", missing.join(", ")));
    }
    parts.join("; ")
}

/// A piece of a parsed template.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn parse(body: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = body;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        pieces.push(Piece::Text(&rest[..open]));
        let inner_start = open + 2;
        let Some(close) = rest[inner_start..].find("}}") else {
            return Err(TemplateError::Malformed { offset: offset + open, reason: "no closing }}" });
        };
        let name = rest[inner_start..inner_start + close].trim();
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(TemplateError::Malformed {
                offset: offset + open,
                reason: "expected a variable name of lowercase latin letters, digits and _",
            });
        }
        pieces.push(Piece::Var(name));
        let next = inner_start + close + 2;
        offset += next;
        rest = &rest[next..];
    }
    pieces.push(Piece::Text(rest));
    Ok(pieces)
}

/// The variables `body` uses, sorted, without duplicates.
pub fn variables(body: &str) -> Result<Vec<String>, TemplateError> {
    let names: BTreeSet<&str> =
        parse(body)?.into_iter().filter_map(|p| if let Piece::Var(name) = p { Some(name) } else { None }).collect();
    Ok(names.into_iter().map(str::to_string).collect())
}

/// Checks a template body before it is saved: well-formed and only known variables.
pub fn check(body: &str) -> Result<(), TemplateError> {
    let unknown: Vec<String> =
        variables(body)?.into_iter().filter(|name| !VARIABLES.contains(&name.as_str())).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(TemplateError::Variables { unknown, missing: Vec::new() })
    }
}

/// Fills the placeholders of `body` from `vars`.
///
/// Errors: [`TemplateError::Malformed`] for broken braces; [`TemplateError::Variables`] listing
/// every placeholder that is not in [`VARIABLES`] and every known one without a value in
/// `vars`. Extra entries in `vars` are ignored.
pub fn render(body: &str, vars: &HashMap<String, String>) -> Result<String, TemplateError> {
    let pieces = parse(body)?;
    let mut unknown = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for piece in &pieces {
        if let Piece::Var(name) = piece {
            if !VARIABLES.contains(name) {
                unknown.insert(name.to_string());
            } else if !vars.contains_key(*name) {
                missing.insert(name.to_string());
            }
        }
    }
    if !unknown.is_empty() || !missing.is_empty() {
        return Err(TemplateError::Variables {
            unknown: unknown.into_iter().collect(),
            missing: missing.into_iter().collect(),
        });
    }
    let mut out = String::with_capacity(body.len() + 64);
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Var(name) => out.push_str(vars.get(name).map(String::as_str).unwrap_or_default()),
        }
    }
    Ok(out)
}

/// Fills the placeholders of `body` that have a value in `vars` and leaves the others as
/// `{{name}}` for a person to complete (the reply composer's first draft). Returns the text and
/// the names left unfilled, sorted, without duplicates. Unknown names are an error as in
/// [`render`]; so are malformed braces.
pub fn fill(body: &str, vars: &HashMap<String, String>) -> Result<(String, Vec<String>), TemplateError> {
    check(body)?;
    let mut out = String::with_capacity(body.len() + 64);
    let mut left = BTreeSet::new();
    for piece in parse(body)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Var(name) => match vars.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    out.push_str("{{");
                    out.push_str(name);
                    out.push_str("}}");
                    left.insert(name.to_string());
                }
            },
        }
    }
    Ok((out, left.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn renders_every_placeholder_once_without_reparsing_values() {
        let body = "Здравствуйте, {{customer_name}}! Обращение № {{ contact_number }}. {{customer_name}}, с вами {{operator_name}}.";
        let out = render(
            body,
            &vars(&[
                ("customer_name", "Айгерим {{operator_name}}"),
                ("contact_number", "C-1024"),
                ("operator_name", "Борис"),
                ("amount", "unused"),
            ]),
        );
        assert_eq!(
            out.as_deref(),
            Ok("Здравствуйте, Айгерим {{operator_name}}! Обращение № C-1024. Айгерим {{operator_name}}, с вами Борис.")
        );
    }

    #[test]
    fn lists_all_unknown_and_missing_variables() {
        let body = "{{customer_name}} {{order_number}} {{custmer_name}} {{order_number}} {{bonus}}";
        let err = render(body, &vars(&[("customer_name", "A")]));
        assert_eq!(
            err,
            Err(TemplateError::Variables {
                unknown: vec!["bonus".into(), "custmer_name".into()],
                missing: vec!["order_number".into()],
            })
        );
        let message = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(message, "unknown variables: bonus, custmer_name; missing values for: order_number");
        assert_eq!(
            render("{{operator_name}}", &HashMap::new()),
            Err(TemplateError::Variables { unknown: vec![], missing: vec!["operator_name".into()] })
        );
    }

    #[test]
    fn malformed_braces_are_errors_or_text_never_panics() {
        let empty = HashMap::new();
        assert_eq!(render("a {{ b", &empty), Err(TemplateError::Malformed { offset: 2, reason: "no closing }}" }));
        assert!(matches!(render("{{}}", &empty), Err(TemplateError::Malformed { offset: 0, .. })));
        assert!(matches!(render("ok {{a b}}", &empty), Err(TemplateError::Malformed { offset: 3, .. })));
        assert!(matches!(render("x {{{{", &empty), Err(TemplateError::Malformed { .. })));
        assert!(matches!(render("ё{{Имя}}", &empty), Err(TemplateError::Malformed { offset: 2, .. })));
        assert_eq!(render("{ single } and }} alone", &empty).as_deref(), Ok("{ single } and }} alone"));
        assert_eq!(render("", &empty).as_deref(), Ok(""));
        // Every prefix of a tricky body, cut at char boundaries, renders or errors without panicking.
        let tricky = "{{{customer_name}}}}{{ё}}{{";
        let full = vars(&[("customer_name", "X")]);
        for (i, _) in tricky.char_indices() {
            let _ = render(&tricky[..i], &full);
        }
    }

    #[test]
    fn fill_leaves_what_it_cannot_fill_for_a_person() {
        let body = "{{customer_name}}, заказ № {{ order_number }} — {{operator_name}}";
        let (text, left) =
            fill(body, &vars(&[("customer_name", "Айгерим"), ("operator_name", "Борис")])).expect("fills");
        assert_eq!(text, "Айгерим, заказ № {{order_number}} — Борис");
        assert_eq!(left, vec!["order_number".to_string()]);
        assert_eq!(variables(&text), Ok(vec!["order_number".to_string()]), "what is left is still a placeholder");
        assert!(fill("{{bonus}}", &HashMap::new()).is_err());
    }

    #[test]
    fn check_accepts_known_variables_only() {
        assert_eq!(check("Hi {{customer_name}}, order {{order_number}}"), Ok(()));
        assert_eq!(
            check("Hi {{client}}"),
            Err(TemplateError::Variables { unknown: vec!["client".into()], missing: vec![] })
        );
        assert_eq!(variables("{{b}} {{a}} {{b}}"), Ok(vec!["a".to_string(), "b".to_string()]));
    }
}
