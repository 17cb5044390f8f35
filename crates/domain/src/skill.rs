//! Skills and capacity: the catalogue of skills (Kazakh language, credit
//! cards, …) with codes and names in three languages, an operator's skills
//! with levels 1–5, the skills a contact or a queue requires (a minimum
//! level each), and how many contacts of each channel an operator may hold
//! at once. The routing engine takes them as they are; the limits live here
//! so the API, the pages and the store refuse the same things.

use serde::{Deserialize, Serialize};

use crate::contact::Channel;
use crate::topic::TopicNames;
use crate::validate::Invalid;

/// Lowest and highest skill level.
pub const MIN_LEVEL: i64 = 1;
pub const MAX_LEVEL: i64 = 5;
/// Most contacts of one channel an operator may hold at once.
pub const MAX_CAPACITY: i64 = 20;

/// Codes: 2–64 lower-case Latin letters, digits, `.`, `_`, `-` (the topic
/// code format), e.g. `lang_kk`, `credit_cards`. A code never changes.
pub fn code(s: &str) -> Result<(), Invalid> {
    crate::topic::code(s).map_err(|_| Invalid { field: "code", code: "invalid-skill-code" })
}

/// Each name is non-empty and at most 200 characters (the topic rule).
pub fn names(name_ru: &str, name_kk: &str, name_en: &str) -> Result<(), Invalid> {
    TopicNames { name_ru, name_kk, name_en }
        .validate()
        .map_err(|e| Invalid { field: e.field, code: "invalid-skill-name" })
}

/// A skill code with a level: an operator's level, or the minimum level a
/// contact or queue requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillLevel {
    pub skill: String,
    pub level: i64,
}

/// Checks a set of skills with levels: every level in 1–5 and no skill twice.
/// Whether each code names an active skill is the store's to check.
pub fn check_levels(set: &[SkillLevel]) -> Result<(), Invalid> {
    for (i, s) in set.iter().enumerate() {
        if !(MIN_LEVEL..=MAX_LEVEL).contains(&s.level) {
            return Err(Invalid { field: "skills", code: "invalid-skill-level" });
        }
        if set[..i].iter().any(|o| o.skill == s.skill) {
            return Err(Invalid { field: "skills", code: "duplicate-skill" });
        }
    }
    Ok(())
}

/// Requirements from two sources (the contact's own and its queue's) as one
/// set: each skill once, at the higher of its minimum levels, by skill id.
pub fn merge(a: &[(i64, u8)], b: &[(i64, u8)]) -> Vec<(i64, u8)> {
    let mut out: Vec<(i64, u8)> = Vec::with_capacity(a.len() + b.len());
    for &(skill, level) in a.iter().chain(b) {
        match out.iter_mut().find(|(s, _)| *s == skill) {
            Some(have) => have.1 = have.1.max(level),
            None => out.push((skill, level)),
        }
    }
    out.sort_unstable();
    out
}

/// How many contacts of a channel an operator holds at once unless set:
/// one call, three chats, eight letters, eight web forms, three messenger
/// dialogues, one visitor (the routing engine's default).
pub fn default_capacity(channel: Channel) -> i64 {
    match channel {
        Channel::Voice | Channel::WalkIn => 1,
        Channel::Chat | Channel::Messenger => 3,
        Channel::Email | Channel::WebForm => 8,
    }
}

/// An operator's capacity per channel: the set values (channels not listed
/// keep [`default_capacity`]), each 0–20. An operator who serves a queue
/// must be able to hold something on at least one channel.
pub fn check_capacity(set: &[(Channel, i64)], serves_a_queue: bool) -> Result<(), Invalid> {
    for (i, (ch, max)) in set.iter().enumerate() {
        if !(0..=MAX_CAPACITY).contains(max) {
            return Err(Invalid { field: "capacity", code: "invalid-capacity" });
        }
        if set[..i].iter().any(|(o, _)| o == ch) {
            return Err(Invalid { field: "capacity", code: "duplicate-channel" });
        }
    }
    if serves_a_queue && effective_capacity(set).iter().all(|(_, max)| *max == 0) {
        return Err(Invalid { field: "capacity", code: "capacity-all-zero" });
    }
    Ok(())
}

/// Every channel with its capacity: the set value, else the default.
pub fn effective_capacity(set: &[(Channel, i64)]) -> Vec<(Channel, i64)> {
    Channel::ALL
        .iter()
        .map(|ch| (*ch, set.iter().find(|(c, _)| c == ch).map_or(default_capacity(*ch), |(_, max)| *max)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lvl(skill: &str, level: i64) -> SkillLevel {
        SkillLevel { skill: skill.into(), level }
    }

    #[test]
    fn codes_and_names() {
        assert_eq!(code("lang_kk"), Ok(()));
        assert_eq!(code("credit_cards"), Ok(()));
        assert_eq!(code("Lang KK").map_err(|e| e.code), Err("invalid-skill-code"));
        assert_eq!(names("Казахский язык", "Қазақ тілі", "Kazakh"), Ok(()));
        let e = names("Казахский язык", " ", "Kazakh").unwrap_err();
        assert_eq!((e.field, e.code), ("name_kk", "invalid-skill-name"));
    }

    #[test]
    fn levels_are_one_to_five_and_each_skill_once() {
        assert_eq!(check_levels(&[lvl("lang_kk", 1), lvl("credit_cards", 5)]), Ok(()));
        assert_eq!(check_levels(&[]), Ok(()));
        for bad in [0, 6, -1] {
            assert_eq!(check_levels(&[lvl("lang_kk", bad)]).map_err(|e| e.code), Err("invalid-skill-level"), "{bad}");
        }
        let twice = [lvl("lang_kk", 3), lvl("lang_kk", 4)];
        assert_eq!(check_levels(&twice).map_err(|e| e.code), Err("duplicate-skill"));
    }

    #[test]
    fn merged_requirements_keep_the_higher_level() {
        assert_eq!(merge(&[(2, 3), (1, 1)], &[(2, 4), (5, 2)]), vec![(1, 1), (2, 4), (5, 2)]);
        assert_eq!(merge(&[(2, 5)], &[(2, 3)]), vec![(2, 5)]);
        assert_eq!(merge(&[], &[]), Vec::<(i64, u8)>::new());
    }

    #[test]
    fn capacity_limits() {
        assert_eq!(check_capacity(&[(Channel::Chat, 2), (Channel::Voice, 0)], true), Ok(()));
        assert_eq!(check_capacity(&[(Channel::Chat, 20)], true), Ok(()));
        for bad in [-1, 21] {
            let r = check_capacity(&[(Channel::Chat, bad)], false);
            assert_eq!(r.map_err(|e| e.code), Err("invalid-capacity"), "{bad}");
        }
        let twice = [(Channel::Chat, 2), (Channel::Chat, 3)];
        assert_eq!(check_capacity(&twice, false).map_err(|e| e.code), Err("duplicate-channel"));
        let none: Vec<(Channel, i64)> = Channel::ALL.iter().map(|c| (*c, 0)).collect();
        assert_eq!(check_capacity(&none, true).map_err(|e| e.code), Err("capacity-all-zero"));
        assert_eq!(check_capacity(&none, false), Ok(()), "nobody waits on an operator outside queues");
    }

    #[test]
    fn unset_channels_keep_their_default() {
        let eff = effective_capacity(&[(Channel::Chat, 5)]);
        assert_eq!(eff.len(), Channel::ALL.len());
        assert!(eff.contains(&(Channel::Chat, 5)));
        assert!(eff.contains(&(Channel::Voice, 1)));
        assert!(eff.contains(&(Channel::Email, 8)));
    }
}
