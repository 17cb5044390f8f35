//! The demo knowledge base: articles and reply templates of a food and household goods
//! wholesaler-retailer, in Russian and Kazakh, embedded in the binary from `demo/*.json`.
//!
//! Times in the files are milliseconds since the epoch; the demo seeds them as they are.

use std::collections::HashSet;

use crate::template::{check, Template};
use crate::{Article, Error, Result};

const ARTICLES_FILE: &str = "demo/articles.json";
const TEMPLATES_FILE: &str = "demo/templates.json";
const ARTICLES_JSON: &str = include_str!("../demo/articles.json");
const TEMPLATES_JSON: &str = include_str!("../demo/templates.json");

/// The demo articles (current versions), checked: unique ids, non-empty title and body,
/// versions from 1, validity windows that are not empty.
pub fn demo_articles() -> Result<Vec<Article>> {
    let articles: Vec<Article> =
        serde_json::from_str(ARTICLES_JSON).map_err(|source| Error::Demo { file: ARTICLES_FILE, source })?;
    let invalid = |message: String| Error::DemoInvalid { file: ARTICLES_FILE, message };
    let mut ids = HashSet::new();
    for article in &articles {
        if !ids.insert(article.id) {
            return Err(invalid(format!("article id {} appears twice", article.id)));
        }
        if article.title.trim().is_empty() || article.body.trim().is_empty() || article.category.trim().is_empty() {
            return Err(invalid(format!("article {} has an empty title, body or category", article.id)));
        }
        if article.version < 1 {
            return Err(invalid(format!("article {} has version {}", article.id, article.version)));
        }
        if let (Some(from), Some(until)) = (article.valid_from, article.valid_until) {
            if from >= until {
                return Err(invalid(format!("article {} is never valid", article.id)));
            }
        }
    }
    Ok(articles)
}

/// The demo reply templates, checked: unique ids and only known, well-formed variables.
pub fn demo_templates() -> Result<Vec<Template>> {
    let templates: Vec<Template> =
        serde_json::from_str(TEMPLATES_JSON).map_err(|source| Error::Demo { file: TEMPLATES_FILE, source })?;
    let mut ids = HashSet::new();
    for template in &templates {
        if !ids.insert(template.id) {
            return Err(Error::DemoInvalid {
                file: TEMPLATES_FILE,
                message: format!("template id {} appears twice", template.id),
            });
        }
        check(&template.body).map_err(|e| Error::DemoInvalid {
            file: TEMPLATES_FILE,
            message: format!("template {}: {e}", template.id),
        })?;
    }
    Ok(templates)
}
