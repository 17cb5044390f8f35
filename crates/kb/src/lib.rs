//! The knowledge base of the operator desk.
//!
//! Operators look answers up while they talk to a customer, so this crate gives them:
//!
//! - [`Article`]: a versioned knowledge article in Russian, Kazakh or English with a category,
//!   tags and an optional validity window (a promotion that ends, a rule that starts on a date);
//! - [`KbIndex`]: an in-memory full-text index (tantivy over a RAM directory) that finds
//!   articles by any word form in the three languages at once — Russian and English through the
//!   Snowball stemmers, Kazakh through the light suffix stripper in [`analysis`] — ranks title
//!   matches above body matches, leaves out articles not valid at the moment asked for, and
//!   returns highlighted, HTML-safe snippets ([`Hit`]);
//! - [`feed`]: the "what changed" feed (new and updated articles since a moment) and the pure
//!   rules of per-operator read acknowledgement (the acknowledgements themselves are stored by
//!   the `store` crate);
//! - [`template`]: reply templates with `{{variables}}` that refuse to render with an unknown or
//!   missing variable;
//! - [`demo`]: the demo knowledge base of a food and household goods wholesaler-retailer
//!   (articles and reply templates in Russian and Kazakh), embedded in the binary.
//!
//! Pure apart from the index's memory: no database, no clock (callers pass `at_ms`), no network.
//! Times are milliseconds since the Unix epoch, like everywhere in Switchboard.

pub mod analysis;
pub mod demo;
pub mod edit;
pub mod feed;
mod index;
pub mod template;

use serde::{Deserialize, Serialize};

pub use demo::{demo_articles, demo_templates};
pub use feed::{changes_since, Change, ChangeKind};
pub use index::KbIndex;
pub use template::{render, Template, TemplateError};

/// Errors of the knowledge base.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The search index failed (tantivy).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A lock around the index writer was poisoned by a panic in another thread.
    #[error("search index writer is unusable after a panic")]
    Poisoned,
    /// The embedded demo data did not parse.
    #[error("demo data {file}: {source}")]
    Demo {
        file: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The embedded demo data parsed but breaks a rule of the knowledge base.
    #[error("demo data {file}: {message}")]
    DemoInvalid { file: &'static str, message: String },
}

/// Result with the knowledge base's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The language of an article or template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    Kk,
    En,
}

impl Lang {
    /// All languages, in the order of the UI.
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    /// The ISO 639-1 code: `ru`, `kk`, `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 code (case-insensitive); `None` for any other text.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// One version of a knowledge article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    /// 1 for the first version, incremented by every edit.
    pub version: i32,
    pub lang: Lang,
    pub title: String,
    /// Plain text or simple markdown.
    pub body: String,
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The article applies from this moment (inclusive); `None`: always did.
    #[serde(default)]
    pub valid_from: Option<i64>,
    /// The article applies until this moment (exclusive); `None`: no end.
    #[serde(default)]
    pub valid_until: Option<i64>,
    /// When this version was saved.
    pub updated_at: i64,
}

impl Article {
    /// Whether the article applies at `at_ms`: `valid_from <= at_ms < valid_until`, a missing
    /// bound being open.
    pub fn is_valid_at(&self, at_ms: i64) -> bool {
        let started = match self.valid_from {
            Some(from) => from <= at_ms,
            None => true,
        };
        let ended = match self.valid_until {
            Some(until) => until <= at_ms,
            None => false,
        };
        started && !ended
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: i64,
    pub version: i32,
    pub lang: Lang,
    pub title: String,
    /// A fragment of the body, HTML-escaped, with the matched words wrapped in
    /// `<mark>…</mark>`; the start of the body when only the title matched. Safe to insert
    /// into HTML as is.
    pub snippet: String,
    /// Relevance (BM25, title matches boosted); higher is better. Comparable within one search.
    pub score: f32,
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_window_is_half_open() {
        let mut article = Article {
            id: 1,
            version: 1,
            lang: Lang::Ru,
            title: "t".into(),
            body: "b".into(),
            category: "c".into(),
            tags: vec![],
            valid_from: Some(100),
            valid_until: Some(200),
            updated_at: 0,
        };
        assert!(!article.is_valid_at(99));
        assert!(article.is_valid_at(100));
        assert!(article.is_valid_at(199));
        assert!(!article.is_valid_at(200));
        article.valid_from = None;
        article.valid_until = None;
        assert!(article.is_valid_at(i64::MIN) && article.is_valid_at(i64::MAX));
    }

    #[test]
    fn lang_codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code(" KK "), Some(Lang::Kk));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(serde_json::to_string(&Lang::Kk).ok().as_deref(), Some("\"kk\""));
    }

    #[test]
    fn html_escape_covers_markup_and_quotes() {
        assert_eq!(escape_html(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
