//! The "what changed" feed and the rules of read acknowledgement.
//!
//! Operators must read new and changed articles; supervisors see who has. The store keeps who
//! acknowledged which version of which article ([`Ack`]); this module is the pure part: which
//! articles changed since a moment ([`changes_since`]), which of them an operator still has to
//! read ([`unacknowledged`]) and who has read a change ([`readers`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::{Article, Lang};

/// Whether the article is new to the reader or an edit of one they could have seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Updated,
}

/// One entry of the feed: the newest version of an article changed in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: i64,
    pub version: i32,
    pub lang: Lang,
    pub title: String,
    pub category: String,
    pub kind: ChangeKind,
    pub updated_at: i64,
}

/// An operator's acknowledgement that they read `version` of article `article_id`. It covers
/// that version and every older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Ack {
    pub article_id: i64,
    pub version: i32,
}

/// The articles changed after `since_ms` (exclusive), newest change first.
///
/// `articles` may hold several versions of an article (its history) or only the current ones;
/// the feed lists each article once, at its newest version. An article is
/// [`ChangeKind::New`] when its first version falls in the window — its version is 1, or the
/// slice holds its version 1 saved after `since_ms` — and [`ChangeKind::Updated`] otherwise.
/// Equal times are ordered by id for a stable feed.
pub fn changes_since(articles: &[Article], since_ms: i64) -> Vec<Change> {
    let mut newest: HashMap<i64, &Article> = HashMap::new();
    let mut first_in_window: HashMap<i64, bool> = HashMap::new();
    for article in articles.iter().filter(|a| a.updated_at > since_ms) {
        if article.version <= 1 {
            first_in_window.insert(article.id, true);
        }
        match newest.get(&article.id) {
            Some(seen) if (seen.version, seen.updated_at) >= (article.version, article.updated_at) => {}
            _ => {
                newest.insert(article.id, article);
            }
        }
    }
    let mut changes: Vec<Change> = newest
        .into_values()
        .map(|a| Change {
            id: a.id,
            version: a.version,
            lang: a.lang,
            title: a.title.clone(),
            category: a.category.clone(),
            kind: if a.version <= 1 || first_in_window.contains_key(&a.id) {
                ChangeKind::New
            } else {
                ChangeKind::Updated
            },
            updated_at: a.updated_at,
        })
        .collect();
    changes.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
    changes
}

/// Whether `acks` (one operator's) cover `change`: an ack of the same article at the same or a
/// newer version.
pub fn is_acknowledged(change: &Change, acks: &[Ack]) -> bool {
    covers(acks, change.id, change.version)
}

fn covers(acks: &[Ack], article_id: i64, version: i32) -> bool {
    acks.iter().any(|ack| ack.article_id == article_id && ack.version >= version)
}

/// The changes one operator still has to read, in feed order.
pub fn unacknowledged<'a>(changes: &'a [Change], acks: &[Ack]) -> Vec<&'a Change> {
    changes.iter().filter(|change| !is_acknowledged(change, acks)).collect()
}

/// For a supervisor: which operators (keys of `acks_by_operator`) have and have not read
/// `change`, each list sorted.
pub fn readers<K: Clone + Ord>(change: &Change, acks_by_operator: &HashMap<K, Vec<Ack>>) -> (Vec<K>, Vec<K>) {
    readers_of(change.id, change.version, acks_by_operator)
}

/// [`readers`] of `version` of article `article_id` (e.g. its newest version in the editor).
pub fn readers_of<K: Clone + Ord>(
    article_id: i64,
    version: i32,
    acks_by_operator: &HashMap<K, Vec<Ack>>,
) -> (Vec<K>, Vec<K>) {
    let (mut read, mut unread): (Vec<K>, Vec<K>) = (Vec::new(), Vec::new());
    for (operator, acks) in acks_by_operator {
        if covers(acks, article_id, version) {
            read.push(operator.clone());
        } else {
            unread.push(operator.clone());
        }
    }
    read.sort();
    unread.sort();
    (read, unread)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: i64, version: i32, updated_at: i64) -> Article {
        Article {
            id,
            version,
            lang: Lang::Ru,
            title: format!("article {id} v{version}"),
            body: String::new(),
            category: "delivery".into(),
            tags: vec![],
            valid_from: None,
            valid_until: None,
            updated_at,
        }
    }

    #[test]
    fn feed_lists_new_and_updated_once_newest_first() {
        let history = [
            article(1, 1, 100), // old, untouched
            article(2, 1, 100),
            article(2, 2, 600), // edited in the window
            article(3, 1, 700), // created in the window
            article(4, 1, 550), // created in the window, then edited
            article(4, 2, 800),
            article(5, 3, 500), // only the current version given, edited exactly at `since`
        ];
        let feed = changes_since(&history, 500);
        let summary: Vec<(i64, i32, ChangeKind)> = feed.iter().map(|c| (c.id, c.version, c.kind)).collect();
        assert_eq!(summary, vec![(4, 2, ChangeKind::New), (3, 1, ChangeKind::New), (2, 2, ChangeKind::Updated)]);
        assert_eq!(feed[0].title, "article 4 v2");
        assert!(changes_since(&history, 800).is_empty());
        assert_eq!(changes_since(&history, i64::MIN).len(), 5);
    }

    #[test]
    fn acks_cover_the_version_read_and_older_ones() {
        let feed = changes_since(&[article(1, 3, 10), article(2, 1, 20), article(3, 2, 30)], 0);
        let acks = [
            Ack { article_id: 1, version: 3 },
            Ack { article_id: 3, version: 1 }, // read an older version: must read again
        ];
        let pending: Vec<i64> = unacknowledged(&feed, &acks).iter().map(|c| c.id).collect();
        assert_eq!(pending, vec![3, 2]);

        let mut by_operator = HashMap::new();
        by_operator.insert("aigerim", vec![Ack { article_id: 3, version: 2 }]);
        by_operator.insert("boris", acks.to_vec());
        by_operator.insert("dana", vec![]);
        let change_3 = &feed[0];
        assert_eq!(change_3.id, 3);
        assert_eq!(readers(change_3, &by_operator), (vec!["aigerim"], vec!["boris", "dana"]));
    }
}
