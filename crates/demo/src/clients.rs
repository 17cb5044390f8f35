//! Named demo clients for the order desk: whom to call up to show the
//! credit gate blocking a debtor and an order going through for a good
//! client. They are registered after the generated customers and their
//! duplicates, with histories of trade that make their accounts what the
//! names below say.

/// How a client stands with the shop, which the year of trade makes true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Whatever the year gives (most clients).
    Usual,
    /// Buys regularly on credit, pays on time, well within the limit.
    Good,
    /// Deferred invoices past their due date: the credit gate blocks.
    Overdue,
    /// Owes more than the credit limit (nothing overdue): the gate blocks.
    OverLimit,
}

/// A named client of the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Showcase {
    pub full_name: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub client_type: &'static str,
    pub locale: &'static str,
    /// Login of the assigned manager (the gate redirects to them), if any.
    pub manager: Option<&'static str>,
    pub standing: Standing,
    pub city: &'static str,
}

/// The named clients (see the crate doc):
/// - Жақыпов Ерлан Серікұлы — regional shop in Taldykorgan, manager
///   `senior1`, overdue invoices: the gate blocks and redirects to the manager.
/// - Сейітова Айгүл Маратқызы — regional shop in Taraz, manager `senior2`,
///   good standing: the order goes through.
/// - Омарова Динара Қайратқызы — key client (supermarket chain) in Almaty,
///   manager `manager1`, good standing with a large limit.
/// - Ким Виктор Александрович — key client in Almaty, manager `manager2`,
///   over the credit limit.
/// - Ли Ольга Николаевна — marketplace seller (marketer) in Shymkent, no
///   manager, overdue: the gate redirects to finance.
pub const SHOWCASE: [Showcase; 5] = [
    Showcase {
        full_name: "Жақыпов Ерлан Серікұлы",
        phone: "+77282400101",
        email: "erlan.zhakypov@taldyk-market.kz",
        client_type: "regional",
        locale: "kk",
        manager: Some("senior1"),
        standing: Standing::Overdue,
        city: "Талдыкорган",
    },
    Showcase {
        full_name: "Сейітова Айгүл Маратқызы",
        phone: "+77262400202",
        email: "aigul.seitova@taraz-dukeni.kz",
        client_type: "regional",
        locale: "kk",
        manager: Some("senior2"),
        standing: Standing::Good,
        city: "Тараз",
    },
    Showcase {
        full_name: "Омарова Динара Қайратқызы",
        phone: "+77272400303",
        email: "d.omarova@berekemarket.kz",
        client_type: "key",
        locale: "kk",
        manager: Some("manager1"),
        standing: Standing::Good,
        city: "Алматы",
    },
    Showcase {
        full_name: "Ким Виктор Александрович",
        phone: "+77272400404",
        email: "v.kim@svezhiy-dvor.kz",
        client_type: "key",
        locale: "ru",
        manager: Some("manager2"),
        standing: Standing::OverLimit,
        city: "Алматы",
    },
    Showcase {
        full_name: "Ли Ольга Николаевна",
        phone: "+77252400505",
        email: "olga.li@shymshop.kz",
        client_type: "marketer",
        locale: "ru",
        manager: None,
        standing: Standing::Overdue,
        city: "Шымкент",
    },
];

/// The named clients as customers to register, consent given two years
/// before `now_ms`.
pub fn showcase_customers(now_ms: i64) -> Vec<store::NewCustomer> {
    let created_at = now_ms - 700 * 86_400_000;
    SHOWCASE
        .iter()
        .map(|s| store::NewCustomer {
            full_name: s.full_name.into(),
            phone: s.phone.into(),
            email: s.email.into(),
            client_type: s.client_type.into(),
            locale: s.locale.into(),
            created_at,
            consent_at: Some(created_at),
        })
        .collect()
}
