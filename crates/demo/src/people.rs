//! Demo staff, queues and customers.

use std::collections::HashSet;

use domain::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A demo account; `password` is plain text for the CLI to print and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub login: String,
    pub name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub locale: &'static str,
}

/// The demo staff: 21 accounts covering all eight roles — eight operators,
/// two senior operators, two quality specialists, two resource planners, two
/// supervisors, a head of centre, two store managers, an administrator and a
/// team coach holding two roles. The password of each is `demo-{login}`.
pub fn users() -> Vec<DemoUser> {
    use Role::*;
    const STAFF: &[(&str, &str, &[Role], &str)] = &[
        ("operator1", "Әбенова Айгерім Серікқызы", &[Operator], "kk"),
        ("operator2", "Иванов Сергей Петрович", &[Operator], "ru"),
        ("operator3", "Нұрланов Дәурен Қайратұлы", &[Operator], "kk"),
        ("operator4", "Смирнова Екатерина Андреевна", &[Operator], "ru"),
        ("operator5", "Жұмабаева Мөлдір Ерланқызы", &[Operator], "ru"),
        ("operator6", "Ким Денис Вячеславович", &[Operator], "ru"),
        ("operator7", "Сәрсенбаев Ерболат Мұратұлы", &[Operator], "ru"),
        ("operator8", "Кузнецова Ольга Викторовна", &[Operator], "ru"),
        ("senior1", "Оспанова Гүлнар Бақытқызы", &[SeniorOperator], "kk"),
        ("senior2", "Морозов Алексей Николаевич", &[SeniorOperator], "ru"),
        ("quality1", "Ахметова Сәуле Жақсылыққызы", &[QualitySpecialist], "ru"),
        ("quality2", "Волкова Наталья Сергеевна", &[QualitySpecialist], "ru"),
        ("planner1", "Қасымов Асқар Оразбекұлы", &[ResourcePlanner], "ru"),
        ("planner2", "Павлова Ирина Владимировна", &[ResourcePlanner], "ru"),
        ("supervisor1", "Тоқаев Бауыржан Серікұлы", &[Supervisor], "kk"),
        ("supervisor2", "Егорова Марина Юрьевна", &[Supervisor], "ru"),
        ("head", "Ғабдуллин Нұрсұлтан Әбдірахманұлы", &[HeadOfCentre], "ru"),
        ("manager1", "Байжанова Әсел Ұланқызы", &[StoreManager], "kk"),
        ("manager2", "Соколов Павел Игоревич", &[StoreManager], "ru"),
        ("admin", "Андреев Михаил Олегович", &[Administrator], "en"),
        ("coach", "Үсенова Жансая Ізбасарқызы", &[Supervisor, QualitySpecialist], "ru"),
    ];
    STAFF
        .iter()
        .map(|&(login, name, roles, locale)| DemoUser {
            login: login.to_string(),
            name: name.to_string(),
            password: format!("demo-{login}"),
            roles: roles.to_vec(),
            locale,
        })
        .collect()
}

/// Codes of the queues a demo user serves: operators 1–4 support, 5–6
/// sales, 7–8 complaints; senior operators and supervisors (the coach among
/// them) all three; everyone else none.
pub fn queue_codes(user: &DemoUser) -> &'static [&'static str] {
    const ALL: &[&str] = &["sales", "support", "complaints"];
    if user.roles.iter().any(|r| matches!(r, Role::SeniorOperator | Role::Supervisor)) {
        return ALL;
    }
    match user.login.as_str() {
        "operator1" | "operator2" | "operator3" | "operator4" => &["support"],
        "operator5" | "operator6" => &["sales"],
        "operator7" | "operator8" => &["complaints"],
        _ => &[],
    }
}

/// A demo queue with its names in the three interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoQueue {
    pub code: &'static str,
    pub name_ru: &'static str,
    pub name_kk: &'static str,
    pub name_en: &'static str,
}

/// Sales, support and complaints.
pub fn queues() -> Vec<DemoQueue> {
    vec![
        DemoQueue { code: "sales", name_ru: "Продажи", name_kk: "Сату", name_en: "Sales" },
        DemoQueue { code: "support", name_ru: "Поддержка", name_kk: "Қолдау", name_en: "Support" },
        DemoQueue { code: "complaints", name_ru: "Жалобы", name_kk: "Шағымдар", name_en: "Complaints" },
    ]
}

const RU_SURNAMES: &[&str] = &[
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
];
const RU_MALE: &[&str] = &[
    "Александр",
    "Сергей",
    "Дмитрий",
    "Андрей",
    "Алексей",
    "Максим",
    "Евгений",
    "Иван",
    "Михаил",
    "Николай",
    "Владимир",
    "Павел",
    "Артём",
    "Игорь",
    "Олег",
    "Роман",
    "Виктор",
    "Денис",
    "Константин",
    "Юрий",
    "Антон",
    "Вадим",
    "Илья",
    "Кирилл",
    "Григорий",
];
const RU_FEMALE: &[&str] = &[
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Екатерина",
    "Юлия",
    "Анастасия",
    "Марина",
    "Людмила",
    "Галина",
    "Дарья",
    "Ксения",
    "Виктория",
    "Алина",
    "Валентина",
    "Полина",
    "Вера",
    "Надежда",
    "Оксана",
    "Лариса",
    "Софья",
];
/// (male, female) patronymics.
const RU_PATRONYMICS: &[(&str, &str)] = &[
    ("Петрович", "Петровна"),
    ("Сергеевич", "Сергеевна"),
    ("Александрович", "Александровна"),
    ("Иванович", "Ивановна"),
    ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Андреевич", "Андреевна"),
    ("Михайлович", "Михайловна"),
    ("Юрьевич", "Юрьевна"),
    ("Алексеевич", "Алексеевна"),
    ("Дмитриевич", "Дмитриевна"),
    ("Олегович", "Олеговна"),
    ("Анатольевич", "Анатольевна"),
    ("Геннадьевич", "Геннадьевна"),
    ("Васильевич", "Васильевна"),
    ("Борисович", "Борисовна"),
    ("Евгеньевич", "Евгеньевна"),
];

const KK_SURNAMES: &[&str] = &[
    "Әбенов",
    "Нұрланов",
    "Қасымов",
    "Жұмабаев",
    "Сәрсенбаев",
    "Төлеуов",
    "Оспанов",
    "Мұқанов",
    "Бекмұхамбетов",
    "Ғабдуллин",
    "Ізбасаров",
    "Үсенов",
    "Өмірзақов",
    "Тоқаев",
    "Есенов",
    "Байжанов",
    "Серікбаев",
    "Құнанбаев",
    "Қалиев",
    "Шәріпов",
    "Ахметов",
    "Ибраһимов",
    "Нұрмағамбетов",
    "Сұлтанбеков",
    "Жақыпов",
    "Әлиев",
    "Исаев",
    "Бейсенов",
    "Омаров",
    "Тұрсынов",
    "Дүйсенов",
    "Садықов",
    "Мамыров",
    "Ержанов",
    "Смағұлов",
    "Көшербаев",
    "Қожахметов",
    "Рахымжанов",
    "Әуезов",
    "Бөкейханов",
];
const KK_MALE: &[&str] = &[
    "Нұрлан",
    "Ерлан",
    "Қайрат",
    "Дәурен",
    "Ғалым",
    "Асқар",
    "Бауыржан",
    "Серік",
    "Жәнібек",
    "Ерболат",
    "Темірлан",
    "Мұхтар",
    "Арман",
    "Нұрсұлтан",
    "Әлихан",
    "Айбек",
    "Ержан",
    "Марат",
    "Жандос",
    "Ақжол",
    "Дархан",
    "Қанат",
    "Әділет",
    "Ілияс",
    "Жаһангир",
];
const KK_FEMALE: &[&str] = &[
    "Айгерім",
    "Әсел",
    "Гүлнар",
    "Жансая",
    "Аружан",
    "Динара",
    "Мөлдір",
    "Ақбота",
    "Сәуле",
    "Назерке",
    "Перизат",
    "Балжан",
    "Гүлжан",
    "Айжан",
    "Томирис",
    "Жұлдыз",
    "Ләззат",
    "Қарлығаш",
    "Дана",
    "Аяулым",
    "Шаһизада",
    "Іңкәр",
    "Ұлжан",
    "Әйгерім",
    "Зере",
];
/// Fathers' names from which Kazakh patronymics (-ұлы / -қызы) are formed.
const KK_FATHERS: &[&str] = &[
    "Серік",
    "Нұрлан",
    "Қайрат",
    "Бақыт",
    "Мұрат",
    "Ерлан",
    "Жақсылық",
    "Оразбек",
    "Әбдірахман",
    "Болат",
    "Ғани",
    "Тұрсын",
    "Ермек",
    "Дәулет",
    "Ұлан",
    "Сағат",
    "Амангелді",
    "Талғат",
    "Бекболат",
    "Нұржан",
];

const KZ_PREFIXES: &[&str] = &["700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778"];
const RU_PREFIXES: &[&str] =
    &["903", "905", "909", "912", "915", "916", "921", "925", "926", "950", "960", "977", "985", "999"];
const KZ_DOMAINS: &[(&str, u32)] = &[
    ("mail.ru", 30),
    ("gmail.com", 25),
    ("mail.kz", 15),
    ("yandex.kz", 10),
    ("inbox.ru", 8),
    ("bk.ru", 6),
    ("list.ru", 6),
];
const RU_DOMAINS: &[(&str, u32)] =
    &[("mail.ru", 30), ("yandex.ru", 30), ("gmail.com", 25), ("inbox.ru", 8), ("rambler.ru", 7)];
/// Shares of the client types (004:219): shoppers, new clients, regional
/// shops, key accounts, marketplace sellers, the company's own outlets.
const CLIENT_TYPES: &[(&str, u32)] =
    &[("retail", 66), ("new", 12), ("regional", 10), ("key", 6), ("marketer", 3), ("own_outlet", 3)];

const DAY_MS: i64 = 86_400_000;

/// `n` customers, deterministic for `seed`: Russian and Kazakh full names
/// (surname, given name, patronymic), unique E.164 phones (+7 7xx for
/// Kazakhstan, +7 9xx for Russia), unique e-mails with a transliterated local
/// part, a realistic mix of client types (mostly retail), locale `ru` or `kk`,
/// and `created_at` one to three years before `now_ms` (the last 90 days
/// for new clients), so a year of trade has every established client. About nine in ten gave consent to the processing
/// of personal data when they registered.
pub fn customers(n: usize, seed: u64, now_ms: i64) -> Vec<store::NewCustomer> {
    let mut rng = StdRng::seed_from_u64(seed);
    // Its own stream, so consent does not change who the customers are.
    let mut consent_rng = StdRng::seed_from_u64(seed ^ 0xc0_5e_47);
    let mut phones = HashSet::with_capacity(n);
    let mut emails = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let kazakh = rng.gen_bool(0.55);
        let female = rng.gen_bool(0.5);
        let (surname, given, patronymic) = if kazakh {
            let surname = feminine(pick(&mut rng, KK_SURNAMES), female);
            let given = pick(&mut rng, if female { KK_FEMALE } else { KK_MALE });
            let father = pick(&mut rng, KK_FATHERS);
            (surname, given, format!("{father}{}", if female { "қызы" } else { "ұлы" }))
        } else {
            let surname = feminine(pick(&mut rng, RU_SURNAMES), female);
            let given = pick(&mut rng, if female { RU_FEMALE } else { RU_MALE });
            let (m, f) = pick(&mut rng, RU_PATRONYMICS);
            (surname, given, if female { f } else { m }.to_string())
        };
        let full_name = format!("{surname} {given} {patronymic}");

        let kz_phone = rng.gen_bool(if kazakh { 0.95 } else { 0.7 });
        let phone = loop {
            let prefix = pick(&mut rng, if kz_phone { KZ_PREFIXES } else { RU_PREFIXES });
            let p = format!("+7{prefix}{:07}", rng.gen_range(0..10_000_000u32));
            if phones.insert(p.clone()) {
                break p;
            }
        };

        let email = {
            let first = translit(given);
            let last = translit(&surname);
            let domain = weighted(&mut rng, if kz_phone { KZ_DOMAINS } else { RU_DOMAINS });
            let mut local = match rng.gen_range(0..6) {
                0 | 1 => format!("{first}.{last}"),
                2 => format!("{last}.{first}"),
                3 => format!("{}.{last}", first.chars().next().unwrap_or('x')),
                4 => format!("{first}{last}{}", rng.gen_range(70..=99)),
                _ => format!("{last}_{first}{}", rng.gen_range(1..=2005)),
            };
            let base_len = local.len();
            loop {
                let e = format!("{local}@{domain}");
                if emails.insert(e.clone()) {
                    break e;
                }
                local.truncate(base_len);
                local.push_str(&rng.gen_range(1..1000).to_string());
            }
        };

        let client_type = weighted(&mut rng, CLIENT_TYPES);
        // Established clients registered one to three years ago, so the year
        // of trade has them all from its start; new ones in the last 90 days.
        let age_ms = if client_type == "new" {
            rng.gen_range(0..90 * DAY_MS)
        } else {
            rng.gen_range(366 * DAY_MS..1095 * DAY_MS)
        };
        let locale = if kazakh && rng.gen_bool(0.6) { "kk" } else { "ru" };
        let created_at = now_ms - age_ms;
        out.push(store::NewCustomer {
            full_name,
            phone,
            email,
            client_type: client_type.to_string(),
            locale: locale.to_string(),
            created_at,
            consent_at: consent_rng.gen_bool(0.9).then_some(created_at),
        });
    }
    out
}

/// Positions in [`customers`] of the customers [`duplicates`] registers twice.
pub const DUPLICATED: [usize; 3] = [7, 42, 137];

/// The same people registered a second time, as happens when a caller is not
/// recognised: the phone typed in another format (`8 (701) 123-45-67`), the
/// name in another case, another or no e-mail — so the card shows them as
/// duplicates and the merge can be shown. Recent, type `new`, no consent yet.
/// Empty when `base` is shorter than [`DUPLICATED`] needs.
pub fn duplicates(base: &[store::NewCustomer], now_ms: i64) -> Vec<store::NewCustomer> {
    let mut out = Vec::new();
    for (n, &i) in DUPLICATED.iter().enumerate() {
        let Some(c) = base.get(i) else { continue };
        let mut words = c.full_name.split_whitespace();
        let surname = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.collect();
        let (full_name, phone, email) = match n {
            // Surname in capitals, trunk-prefix phone, no e-mail.
            0 => (format!("{} {}", surname.to_uppercase(), rest.join(" ")), trunk_format(&c.phone), String::new()),
            // No patronymic, spaced phone, a work e-mail.
            1 => {
                let given = rest.first().copied().unwrap_or_default();
                let work = c.email.split_once('@').map(|(l, _)| format!("{l}@work.kz")).unwrap_or_default();
                (format!("{surname} {given}"), spaced_format(&c.phone), work)
            }
            // Only the e-mail, typed in capitals.
            _ => (c.full_name.to_lowercase(), String::new(), c.email.to_uppercase()),
        };
        out.push(store::NewCustomer {
            full_name,
            phone,
            email,
            client_type: "new".into(),
            locale: c.locale.clone(),
            created_at: now_ms - (n as i64 + 1) * DAY_MS,
            consent_at: None,
        });
    }
    out
}

/// `+77011234567` → `8 (701) 123-45-67`; anything else unchanged.
fn trunk_format(phone: &str) -> String {
    match (phone.get(2..5), phone.get(5..8), phone.get(8..10), phone.get(10..12)) {
        (Some(a), Some(b), Some(c), Some(d)) if phone.len() == 12 => format!("8 ({a}) {b}-{c}-{d}"),
        _ => phone.to_string(),
    }
}

/// `+77011234567` → `+7 701 123 45 67`; anything else unchanged.
fn spaced_format(phone: &str) -> String {
    match (phone.get(2..5), phone.get(5..8), phone.get(8..10), phone.get(10..12)) {
        (Some(a), Some(b), Some(c), Some(d)) if phone.len() == 12 => format!("+7 {a} {b} {c} {d}"),
        _ => phone.to_string(),
    }
}

/// The login of the manager a demo customer is assigned to: key clients go
/// to the store managers by language (004:221), Kazakh-speaking to
/// `manager1`, the others to `manager2`; a few of the rest to the senior
/// operators. Everyone else (new clients above all, 004:246) has none.
pub fn manager_login(index: usize, c: &store::NewCustomer) -> Option<&'static str> {
    match c.client_type.as_str() {
        "key" if c.locale == "kk" => Some("manager1"),
        "key" => Some("manager2"),
        "regional" => match index % 20 {
            0 => Some("senior1"),
            10 => Some("senior2"),
            _ => None,
        },
        _ => None,
    }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

pub(crate) fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    let mut r = rng.gen_range(0..total.max(1));
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

/// Иванов → Иванова, Ильин → Ильина (all surnames listed here take `-а`).
fn feminine(surname: &str, female: bool) -> String {
    if female {
        format!("{surname}а")
    } else {
        surname.to_string()
    }
}

/// Lower-case Latin transliteration of a Russian or Kazakh word for e-mail
/// addresses.
fn translit(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        let s = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'й' => "y",
            'к' => "k",
            'қ' => "q",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' => "kh",
            'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' => "",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KAZAKH_LETTERS: &[char] =
        &['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і', 'Ә', 'Ғ', 'Қ', 'Ң', 'Ө', 'Ұ', 'Ү', 'Һ', 'І'];

    #[test]
    fn users_cover_every_role_with_valid_logins_and_passwords() {
        let users = users();
        assert!(users.len() >= 20, "{} users", users.len());
        for role in Role::ALL {
            assert!(users.iter().any(|u| u.roles.contains(&role)), "{role:?} missing");
        }
        let logins: HashSet<&str> = users.iter().map(|u| u.login.as_str()).collect();
        assert_eq!(logins.len(), users.len(), "logins unique");
        assert!(logins.contains("admin"));
        for i in 1..=8 {
            assert!(logins.contains(format!("operator{i}").as_str()));
        }
        for u in &users {
            domain::validate::login(&u.login).unwrap_or_else(|e| panic!("{}: {e}", u.login));
            domain::validate::password(&u.password).unwrap_or_else(|e| panic!("{}: {e}", u.login));
            domain::validate::display_name(&u.name).unwrap_or_else(|e| panic!("{}: {e}", u.login));
            domain::validate::locale(u.locale).unwrap_or_else(|e| panic!("{}: {e}", u.login));
            assert_eq!(u.password, format!("demo-{}", u.login));
            assert_eq!(u.name.split(' ').count(), 3, "{}", u.name);
            assert!(!u.roles.is_empty());
        }
        assert!(users.iter().any(|u| u.roles.len() >= 2), "someone holds two roles");
        assert!(users.iter().any(|u| u.locale == "kk"));
        assert!(users.iter().any(|u| u.locale == "en"));
        assert!(users.iter().filter(|u| u.locale == "ru").count() > users.len() / 2);
        assert!(users.iter().any(|u| u.name.contains(KAZAKH_LETTERS)));
    }

    #[test]
    fn queues_have_three_languages() {
        let q = queues();
        let codes: Vec<&str> = q.iter().map(|q| q.code).collect();
        assert_eq!(codes, ["sales", "support", "complaints"]);
        assert!(q.iter().all(|q| !q.name_ru.is_empty() && !q.name_kk.is_empty() && !q.name_en.is_empty()));
    }

    #[test]
    fn operators_serve_queues() {
        let users = users();
        let serving = |code: &str| -> Vec<&str> {
            users.iter().filter(|u| queue_codes(u).contains(&code)).map(|u| u.login.as_str()).collect()
        };
        let leads = ["senior1", "senior2", "supervisor1", "supervisor2", "coach"];
        for (code, operators) in [
            ("support", &["operator1", "operator2", "operator3", "operator4"][..]),
            ("sales", &["operator5", "operator6"][..]),
            ("complaints", &["operator7", "operator8"][..]),
        ] {
            let mut expected: Vec<&str> = operators.iter().chain(&leads).copied().collect();
            expected.sort_unstable();
            let mut got = serving(code);
            got.sort_unstable();
            assert_eq!(got, expected, "{code}");
        }
        let codes: Vec<&str> = queues().iter().map(|q| q.code).collect();
        for u in &users {
            assert!(queue_codes(u).iter().all(|c| codes.contains(c)), "{}", u.login);
            let desk = u.roles.iter().any(|r| matches!(r, Role::Operator | Role::SeniorOperator | Role::Supervisor));
            assert_eq!(!queue_codes(u).is_empty(), desk, "{}", u.login);
        }
    }

    #[test]
    fn customers_are_unique_varied_and_deterministic() {
        let now = 1_750_000_000_000;
        let cs = customers(2000, 7, now);
        assert_eq!(cs.len(), 2000);
        let phones: HashSet<&str> = cs.iter().map(|c| c.phone.as_str()).collect();
        let emails: HashSet<&str> = cs.iter().map(|c| c.email.as_str()).collect();
        assert_eq!(phones.len(), 2000, "phones unique");
        assert_eq!(emails.len(), 2000, "emails unique");
        for c in &cs {
            assert_eq!(c.full_name.split(' ').count(), 3, "{}", c.full_name);
            assert!(domain::validate::display_name(&c.full_name).is_ok());
            let digits = c.phone.strip_prefix("+7").unwrap_or_else(|| panic!("{}", c.phone));
            assert!(digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()), "{}", c.phone);
            assert!(digits.starts_with('7') || digits.starts_with('9'), "{}", c.phone);
            let (local, domain) = c.email.split_once('@').unwrap_or_else(|| panic!("{}", c.email));
            assert!(!local.is_empty() && local.is_ascii() && domain.contains('.'), "{}", c.email);
            assert!(
                local.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'),
                "{}",
                c.email
            );
            assert!(domain::customer::CLIENT_TYPES.contains(&c.client_type.as_str()));
            assert!(c.locale == "ru" || c.locale == "kk");
            assert!(c.created_at <= now && c.created_at > now - 1095 * DAY_MS);
            assert!(c.client_type == "new" || c.created_at < now - 365 * DAY_MS);
        }
        let kazakh = cs.iter().filter(|c| c.full_name.contains(KAZAKH_LETTERS)).count();
        assert!(kazakh > 500, "{kazakh} names with Kazakh letters");
        assert!(cs.iter().any(|c| c.full_name.contains('һ')));
        let retail = cs.iter().filter(|c| c.client_type == "retail").count();
        assert!(retail > 1200 && retail < 1600, "{retail} retail");
        for t in domain::customer::CLIENT_TYPES {
            assert!(cs.iter().any(|c| c.client_type == t), "{t}");
        }
        assert!(cs.iter().any(|c| c.locale == "kk"));
        assert!(cs.iter().any(|c| c.phone.starts_with("+79")));
        assert!(cs.iter().any(|c| c.phone.starts_with("+7777") || c.phone.starts_with("+7747")));
        assert!(cs.iter().any(|c| c.email.ends_with("@mail.kz")));

        let again = customers(2000, 7, now);
        assert!(cs.iter().zip(&again).all(|(a, b)| a.phone == b.phone && a.full_name == b.full_name));
        let other = customers(2000, 8, now);
        assert!(cs.iter().zip(&other).any(|(a, b)| a.phone != b.phone));
    }

    #[test]
    fn most_consent_and_duplicates_share_an_identity_in_another_format() {
        use domain::customer::{duplicate_score, normalize_name, Identity, IdentityKind, Profile};
        let now = 1_750_000_000_000;
        let cs = customers(2000, 7, now);
        let consented = cs.iter().filter(|c| c.consent_at == Some(c.created_at)).count();
        assert!(consented > 1700 && consented < 1900, "{consented} consented");
        assert!(cs.iter().all(|c| c.consent_at.is_none() || c.consent_at == Some(c.created_at)));
        let profile = |c: &store::NewCustomer| Profile {
            name_norm: normalize_name(&c.full_name),
            identities: [(IdentityKind::Phone, &c.phone), (IdentityKind::Email, &c.email)]
                .into_iter()
                .filter_map(|(k, v)| Identity::new(k, v).ok())
                .collect(),
        };
        let dups = duplicates(&cs, now);
        assert_eq!(dups.len(), DUPLICATED.len());
        for (d, &i) in dups.iter().zip(&DUPLICATED) {
            let original = &cs[i];
            assert!(d.phone != original.phone && d.full_name != original.full_name, "{d:?}");
            let score = duplicate_score(&profile(original), &profile(d)).unwrap_or_else(|| panic!("{d:?}"));
            assert!(score.score >= 50, "{d:?}: {score:?}");
            assert!(domain::validate::display_name(&d.full_name).is_ok());
        }
        assert!(dups[0].phone.starts_with("8 (") && dups[1].phone.starts_with("+7 "));
        assert_eq!(duplicates(&cs[..10], now).len(), 1, "only those that exist");

        let managed: Vec<_> = cs.iter().enumerate().filter_map(|(i, c)| manager_login(i, c).map(|m| (m, c))).collect();
        assert!(managed.iter().all(|(m, c)| c.client_type != "key" || m.starts_with("manager")));
        assert_eq!(
            managed.iter().filter(|(_, c)| c.client_type == "key").count(),
            cs.iter().filter(|c| c.client_type == "key").count(),
            "every key client has a manager"
        );
        for login in ["manager1", "manager2", "senior1", "senior2"] {
            assert!(managed.iter().any(|(m, _)| *m == login), "{login}");
            let u = users().into_iter().find(|u| u.login == login).expect("demo user");
            assert!(domain::customer::can_be_manager(&u.roles), "{login}");
        }
    }

    #[test]
    fn transliteration() {
        assert_eq!(translit("Әбенова"), "abenova");
        assert_eq!(translit("Жұмабаев"), "zhumabaev");
        assert_eq!(translit("Соловьёв"), "solovev");
        assert_eq!(translit("Шаһизада"), "shahizada");
        assert_eq!(translit("Іңкәр"), "inkar");
    }
}
