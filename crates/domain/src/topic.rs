//! The topic tree that classifies contacts (e.g. Доставка → Сроки доставки):
//! codes, names in three languages, an optional suggested contact type, and
//! the shape rules — at most [`MAX_DEPTH`] levels and no cycles when a topic
//! moves. The store checks these inside its transaction; the API and the
//! admin page get the same answers.

use crate::contact::ContactType;
use crate::validate::Invalid;

/// Levels of the tree: a root, its children and their children.
pub const MAX_DEPTH: usize = 3;
/// Longest name in any language, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Codes: 2–64 characters of lower-case Latin letters, digits, `.`, `_`, `-`.
/// A code never changes once created, so contacts keep pointing at it.
pub fn code(s: &str) -> Result<(), Invalid> {
    let ok_len = (2..=64).contains(&s.len());
    let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(Invalid { field: "code", code: "invalid-topic-code" })
    }
}

/// What a topic says about itself, apart from its place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNames<'a> {
    pub name_ru: &'a str,
    pub name_kk: &'a str,
    pub name_en: &'a str,
}

impl TopicNames<'_> {
    /// Each name is non-empty (after trimming) and at most [`MAX_NAME_CHARS`].
    pub fn validate(&self) -> Result<(), Invalid> {
        for (field, name) in [("name_ru", self.name_ru), ("name_kk", self.name_kk), ("name_en", self.name_en)] {
            if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
                return Err(Invalid { field, code: "invalid-topic-name" });
            }
        }
        Ok(())
    }
}

/// The suggested contact type of a topic as stored (`None` for no suggestion).
pub fn contact_type(s: Option<&str>) -> Result<Option<ContactType>, Invalid> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => ContactType::parse(v).map(Some).ok_or(Invalid { field: "contact_type", code: "invalid-topic-type" }),
    }
}

/// Checks that topic `id` (`None` for a new topic) may sit under `parent`
/// given the tree as it stands, `nodes` being every topic as (id, parent id):
/// the parent exists, is not the topic itself or one of its descendants, and
/// the topic with everything below it still fits in [`MAX_DEPTH`] levels.
pub fn check_parent(nodes: &[(i64, Option<i64>)], id: Option<i64>, parent: Option<i64>) -> Result<(), Invalid> {
    let parent_of = |n: i64| nodes.iter().find(|(i, _)| *i == n).map(|(_, p)| *p);
    let Some(parent) = parent else {
        return fits(1, height(nodes, id));
    };
    if parent_of(parent).is_none() {
        return Err(Invalid { field: "parent_id", code: "unknown-topic-parent" });
    }
    // Walk up from the new parent: its depth, and whether we meet the topic.
    let mut depth = 0;
    let mut at = Some(parent);
    while let Some(n) = at {
        if Some(n) == id {
            return Err(Invalid { field: "parent_id", code: "topic-cycle" });
        }
        depth += 1;
        if depth > nodes.len() {
            // The stored tree already loops; refuse rather than spin.
            return Err(Invalid { field: "parent_id", code: "topic-cycle" });
        }
        at = parent_of(n).flatten();
    }
    fits(depth + 1, height(nodes, id))
}

fn fits(depth: usize, height: usize) -> Result<(), Invalid> {
    if depth + height - 1 > MAX_DEPTH {
        Err(Invalid { field: "parent_id", code: "topic-too-deep" })
    } else {
        Ok(())
    }
}

/// Levels in the subtree of `id`, itself included (1 for a leaf or a new topic).
fn height(nodes: &[(i64, Option<i64>)], id: Option<i64>) -> usize {
    let Some(id) = id else { return 1 };
    let mut level = vec![id];
    let mut levels = 1;
    // Bounded by the depth limit plus one, so a looping tree cannot hang us.
    while levels <= MAX_DEPTH {
        level = nodes.iter().filter(|(_, p)| p.is_some_and(|p| level.contains(&p))).map(|(i, _)| *i).collect();
        if level.is_empty() {
            break;
        }
        levels += 1;
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 → 2 → 3, and 4 alone; 5 under 4.
    const TREE: &[(i64, Option<i64>)] = &[(1, None), (2, Some(1)), (3, Some(2)), (4, None), (5, Some(4))];

    fn refused(id: Option<i64>, parent: Option<i64>) -> Option<&'static str> {
        check_parent(TREE, id, parent).err().map(|e| e.code)
    }

    #[test]
    fn codes() {
        for ok in ["delivery", "orders.status", "a1", "return_money", "tech-app"] {
            assert_eq!(code(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a", "Delivery", "доставка", "a b", "x/y", &"a".repeat(65)] {
            assert_eq!(code(bad).map_err(|e| e.code), Err("invalid-topic-code"), "{bad}");
        }
    }

    #[test]
    fn names() {
        let ok = TopicNames { name_ru: "Доставка", name_kk: "Жеткізу", name_en: "Delivery" };
        assert_eq!(ok.validate(), Ok(()));
        let long = "я".repeat(MAX_NAME_CHARS);
        assert_eq!(TopicNames { name_ru: &long, ..ok.clone() }.validate(), Ok(()));
        let longer = "я".repeat(MAX_NAME_CHARS + 1);
        let e = TopicNames { name_ru: &longer, ..ok.clone() }.validate().unwrap_err();
        assert_eq!((e.field, e.code), ("name_ru", "invalid-topic-name"));
        let e = TopicNames { name_kk: "  ", ..ok.clone() }.validate().unwrap_err();
        assert_eq!((e.field, e.code), ("name_kk", "invalid-topic-name"));
        let e = TopicNames { name_en: "", ..ok }.validate().unwrap_err();
        assert_eq!(e.field, "name_en");
    }

    #[test]
    fn suggested_types() {
        assert_eq!(contact_type(None), Ok(None));
        assert_eq!(contact_type(Some("")), Ok(None));
        assert_eq!(contact_type(Some("complaint")), Ok(Some(ContactType::Complaint)));
        assert_eq!(contact_type(Some("sale")).map_err(|e| e.code), Err("invalid-topic-type"));
    }

    #[test]
    fn new_topics_fit_three_levels() {
        assert_eq!(refused(None, None), None);
        assert_eq!(refused(None, Some(1)), None);
        assert_eq!(refused(None, Some(2)), None);
        assert_eq!(refused(None, Some(3)), Some("topic-too-deep"));
        assert_eq!(refused(None, Some(99)), Some("unknown-topic-parent"));
    }

    #[test]
    fn moves_keep_depth_and_refuse_cycles() {
        assert_eq!(refused(Some(1), Some(1)), Some("topic-cycle"), "under itself");
        assert_eq!(refused(Some(1), Some(3)), Some("topic-cycle"), "under its grandchild");
        assert_eq!(refused(Some(2), Some(3)), Some("topic-cycle"), "under its child");
        // 4 has a child: under 1 it makes three levels, under 2 four.
        assert_eq!(refused(Some(4), Some(1)), None);
        assert_eq!(refused(Some(4), Some(2)), Some("topic-too-deep"));
        // 1 has three levels below and including it: only a root.
        assert_eq!(refused(Some(1), Some(4)), Some("topic-too-deep"));
        assert_eq!(refused(Some(1), None), None);
        assert_eq!(refused(Some(3), None), None, "a leaf becomes a root");
        assert_eq!(refused(Some(3), Some(5)), None);
    }

    #[test]
    fn a_looping_store_is_refused_not_followed() {
        let looped = [(1, Some(2)), (2, Some(1)), (3, None)];
        assert_eq!(check_parent(&looped, Some(3), Some(1)).map_err(|e| e.code), Err("topic-cycle"));
    }
}
