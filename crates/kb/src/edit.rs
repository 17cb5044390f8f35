//! Editing the knowledge base: what an editor submits for an article or a reply template, the
//! checks it must pass before anything is saved, and what changed between two versions (the
//! history's "what changed" line). Pure: the store keeps versions, the server re-indexes.

use std::fmt;

use crate::template::{check, TemplateError};
use crate::{Article, Lang};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest article body, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// Longest category or tag, in characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// Most tags on one article.
pub const MAX_TAGS: usize = 30;
/// Longest template body, in characters (a reply is at most 4000 characters once filled).
pub const MAX_TEMPLATE_CHARS: usize = 4000;

/// Why an edit is refused: the field, a stable code (also the message key of the UI) and,
/// where it helps, what exactly is wrong (the unknown variable's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError {
    pub field: &'static str,
    pub code: &'static str,
    pub detail: Option<String>,
}

impl EditError {
    fn new(field: &'static str, code: &'static str) -> EditError {
        EditError { field, code, detail: None }
    }
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.code)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for EditError {}

/// An article as an editor submits it (a new one or the next version of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    pub lang: Lang,
    pub title: String,
    pub body: String,
    pub category: String,
    pub tags: Vec<String>,
    pub valid_from: Option<i64>,
    pub valid_until: Option<i64>,
}

fn required(field: &'static str, text: &str, max: usize) -> Result<(), EditError> {
    if text.trim().is_empty() {
        return Err(EditError::new(field, "kb-field-required"));
    }
    if text.chars().count() > max {
        return Err(EditError { field, code: "kb-field-too-long", detail: Some(format!("max {max}")) });
    }
    Ok(())
}

impl ArticleDraft {
    /// Checks the draft: title, body and category present and not too long, tags short and
    /// few, and a validity window that is not empty (`valid_until` after `valid_from`).
    pub fn validate(&self) -> Result<(), EditError> {
        required("title", &self.title, MAX_TITLE_CHARS)?;
        required("body", &self.body, MAX_BODY_CHARS)?;
        required("category", &self.category, MAX_LABEL_CHARS)?;
        if self.tags.len() > MAX_TAGS {
            return Err(EditError { field: "tags", code: "kb-too-many-tags", detail: Some(format!("max {MAX_TAGS}")) });
        }
        if let Some(tag) = self.tags.iter().find(|t| t.trim().is_empty() || t.chars().count() > MAX_LABEL_CHARS) {
            return Err(EditError { field: "tags", code: "kb-tag-invalid", detail: Some(tag.clone()) });
        }
        if let (Some(from), Some(until)) = (self.valid_from, self.valid_until) {
            if until <= from {
                return Err(EditError::new("valid_until", "kb-validity-reversed"));
            }
        }
        Ok(())
    }

    /// The article this draft becomes as version `version` of `id`, saved at `at_ms`; text
    /// trimmed.
    pub fn to_article(&self, id: i64, version: i32, at_ms: i64) -> Article {
        Article {
            id,
            version,
            lang: self.lang,
            title: self.title.trim().to_string(),
            body: self.body.trim().to_string(),
            category: self.category.trim().to_string(),
            tags: self.tags.iter().map(|t| t.trim().to_string()).collect(),
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            updated_at: at_ms,
        }
    }
}

/// Tags typed as one line: split at commas, trimmed, empty pieces and repeats dropped, in order.
pub fn parse_tags(line: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in line.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|seen| seen == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

/// The fields that differ between two versions of an article, in form order: `lang`, `title`,
/// `body`, `category`, `tags`, `validity`.
pub fn changed_fields(old: &Article, new: &Article) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.lang != new.lang {
        out.push("lang");
    }
    if old.title != new.title {
        out.push("title");
    }
    if old.body != new.body {
        out.push("body");
    }
    if old.category != new.category {
        out.push("category");
    }
    if old.tags != new.tags {
        out.push("tags");
    }
    if (old.valid_from, old.valid_until) != (new.valid_from, new.valid_until) {
        out.push("validity");
    }
    out
}

/// Checks a reply template before it is saved: a name, a body within
/// [`MAX_TEMPLATE_CHARS`], well-formed placeholders and only known variables (the error names
/// the unknown ones).
pub fn check_template(name: &str, body: &str) -> Result<(), EditError> {
    required("name", name, MAX_LABEL_CHARS * 2)?;
    required("body", body, MAX_TEMPLATE_CHARS)?;
    check(body).map_err(|e| match e {
        TemplateError::Variables { unknown, .. } => {
            EditError { field: "body", code: "template-unknown-variable", detail: Some(unknown.join(", ")) }
        }
        malformed @ TemplateError::Malformed { .. } => {
            EditError { field: "body", code: "template-malformed", detail: Some(malformed.to_string()) }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ArticleDraft {
        ArticleDraft {
            lang: Lang::Ru,
            title: " Доставка по городу ".into(),
            body: "Доставляем заказы ежедневно.".into(),
            category: "delivery".into(),
            tags: vec!["доставка".into()],
            valid_from: Some(100),
            valid_until: Some(200),
        }
    }

    #[test]
    fn a_good_draft_passes_and_becomes_a_trimmed_article() {
        let d = draft();
        assert_eq!(d.validate(), Ok(()));
        let a = d.to_article(7, 2, 150);
        assert_eq!((a.id, a.version, a.updated_at, a.title.as_str()), (7, 2, 150, "Доставка по городу"));
        assert!(a.is_valid_at(150));
    }

    #[test]
    fn empty_fields_and_a_reversed_window_are_refused_by_field() {
        let refused = |change: fn(&mut ArticleDraft)| {
            let mut d = draft();
            change(&mut d);
            d.validate().map_err(|e| (e.field, e.code))
        };
        assert_eq!(refused(|d| d.title = "  ".into()), Err(("title", "kb-field-required")));
        assert_eq!(refused(|d| d.body.clear()), Err(("body", "kb-field-required")));
        assert_eq!(refused(|d| d.category.clear()), Err(("category", "kb-field-required")));
        assert_eq!(refused(|d| d.valid_until = Some(50)), Err(("valid_until", "kb-validity-reversed")));
        assert_eq!(refused(|d| d.valid_until = Some(100)), Err(("valid_until", "kb-validity-reversed")));
        assert_eq!(refused(|d| d.title = "я".repeat(MAX_TITLE_CHARS + 1)), Err(("title", "kb-field-too-long")));
        assert_eq!(refused(|d| d.valid_from = None), Ok(()));
    }

    #[test]
    fn tags_split_and_changes_are_named() {
        assert_eq!(parse_tags(" акция, ,масло,акция "), vec!["акция", "масло"]);
        let old = draft().to_article(1, 1, 0);
        let mut new = old.clone();
        assert!(changed_fields(&old, &new).is_empty());
        new.body = "Другой текст".into();
        new.valid_until = None;
        assert_eq!(changed_fields(&old, &new), vec!["body", "validity"]);
    }

    #[test]
    fn templates_name_their_unknown_variables() {
        assert_eq!(check_template("Приветствие", "Здравствуйте, {{customer_name}}!"), Ok(()));
        let e = check_template("Приветствие", "Здравствуйте, {{customer_nam}} {{ x }}!").unwrap_err();
        assert_eq!(
            (e.field, e.code, e.detail.as_deref()),
            ("body", "template-unknown-variable", Some("customer_nam, x"))
        );
        assert_eq!(check_template(" ", "x").unwrap_err().field, "name");
        assert_eq!(check_template("n", "{{oops").unwrap_err().code, "template-malformed");
    }
}
