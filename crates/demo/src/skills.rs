//! The demo skill catalogue and who has what: languages, products and case
//! types at levels 1–5 on the demo operators (Kazakh speakers high in
//! `lang_kk`, sales in credit cards, complaints in delivery and returns),
//! and capacities per channel — operators the default (1 call, 3 chats, 8
//! letters), senior operators more chats, supervisors fewer. Pure data.

use domain::contact::Channel;

/// A skill of the demo catalogue: code and names in ru, kk, en.
pub struct DemoSkill {
    pub code: &'static str,
    pub name_ru: &'static str,
    pub name_kk: &'static str,
    pub name_en: &'static str,
}

pub const SKILLS: &[DemoSkill] = &[
    DemoSkill {
        code: "lang_kk", name_ru: "Казахский язык", name_kk: "Қазақ тілі", name_en: "Kazakh language"
    },
    DemoSkill {
        code: "lang_ru", name_ru: "Русский язык", name_kk: "Орыс тілі", name_en: "Russian language"
    },
    DemoSkill {
        code: "lang_en", name_ru: "Английский язык", name_kk: "Ағылшын тілі", name_en: "English language"
    },
    DemoSkill {
        code: "credit_cards",
        name_ru: "Кредитные карты",
        name_kk: "Кредит карталары",
        name_en: "Credit cards",
    },
    DemoSkill {
        code: "delivery_returns",
        name_ru: "Доставка и возвраты",
        name_kk: "Жеткізу және қайтару",
        name_en: "Delivery and returns",
    },
    DemoSkill {
        code: "tech_support",
        name_ru: "Техническая поддержка",
        name_kk: "Техникалық қолдау",
        name_en: "Technical support",
    },
];

/// The skills and levels of a demo user (empty for those who hold none).
pub fn skills_of(login: &str) -> &'static [(&'static str, i64)] {
    match login {
        "operator1" => &[("lang_kk", 5), ("lang_ru", 4), ("tech_support", 3)],
        "operator2" => &[("lang_ru", 5), ("tech_support", 4)],
        "operator3" => &[("lang_kk", 5), ("lang_ru", 3), ("tech_support", 2)],
        "operator4" => &[("lang_ru", 5), ("lang_en", 3), ("tech_support", 3)],
        "operator5" => &[("lang_kk", 3), ("lang_ru", 5), ("credit_cards", 4)],
        "operator6" => &[("lang_ru", 5), ("lang_en", 2), ("credit_cards", 3)],
        "operator7" => &[("lang_kk", 4), ("lang_ru", 4), ("delivery_returns", 4)],
        "operator8" => &[("lang_ru", 5), ("delivery_returns", 3)],
        "senior1" => &[("lang_kk", 5), ("lang_ru", 5), ("credit_cards", 5), ("delivery_returns", 4)],
        "senior2" => &[("lang_ru", 5), ("lang_en", 4), ("credit_cards", 4), ("tech_support", 5)],
        "supervisor1" => &[("lang_kk", 5), ("lang_ru", 5), ("delivery_returns", 5)],
        "supervisor2" => &[("lang_ru", 5), ("lang_en", 3), ("credit_cards", 3)],
        "coach" => &[("lang_kk", 3), ("lang_ru", 5), ("tech_support", 4)],
        _ => &[],
    }
}

/// Capacity per channel a demo user holds beyond the defaults: senior
/// operators take five chats at once, supervisors (who also supervise) two.
pub fn capacity_of(login: &str) -> &'static [(Channel, i64)] {
    match login {
        "senior1" | "senior2" => &[(Channel::Chat, 5), (Channel::Messenger, 5)],
        "supervisor1" | "supervisor2" | "coach" => &[(Channel::Chat, 2), (Channel::Email, 4)],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_and_assignments_are_valid() {
        for s in SKILLS {
            domain::skill::code(s.code).unwrap_or_else(|e| panic!("{}: {e}", s.code));
            domain::skill::names(s.name_ru, s.name_kk, s.name_en).unwrap_or_else(|e| panic!("{}: {e}", s.code));
        }
        let logins: Vec<String> = crate::users().into_iter().map(|u| u.login).collect();
        for login in &logins {
            let set: Vec<domain::skill::SkillLevel> = skills_of(login)
                .iter()
                .map(|(skill, level)| domain::skill::SkillLevel { skill: skill.to_string(), level: *level })
                .collect();
            domain::skill::check_levels(&set).unwrap_or_else(|e| panic!("{login}: {e}"));
            assert!(set.iter().all(|s| SKILLS.iter().any(|k| k.code == s.skill)), "{login}");
            domain::skill::check_capacity(capacity_of(login), true).unwrap_or_else(|e| panic!("{login}: {e}"));
        }
        let kazakh: Vec<&String> =
            logins.iter().filter(|l| skills_of(l).iter().any(|(s, _)| *s == "lang_kk")).collect();
        assert!(kazakh.len() >= 4, "Kazakh speakers in every queue: {kazakh:?}");
        assert!(capacity_of("senior1").contains(&(Channel::Chat, 5)));
    }
}
