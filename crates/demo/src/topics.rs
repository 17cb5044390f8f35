//! The demo's topic tree: a two-level classification for a retail and
//! information contact centre in Russian, Kazakh and English, and the
//! subjects past contacts get per queue, each with a topic from the tree.

use domain::contact::ContactType::{self, Complaint, Information, SaleOrder, TechnicalService};

/// One topic of the demo tree; `parent` is the code of its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoTopic {
    pub code: &'static str,
    pub parent: Option<&'static str>,
    pub name_ru: &'static str,
    pub name_kk: &'static str,
    pub name_en: &'static str,
    /// The contact type the topic suggests.
    pub contact_type: Option<ContactType>,
}

const fn t(
    code: &'static str,
    parent: Option<&'static str>,
    names: [&'static str; 3],
    contact_type: ContactType,
) -> DemoTopic {
    DemoTopic {
        code,
        parent,
        name_ru: names[0],
        name_kk: names[1],
        name_en: names[2],
        contact_type: Some(contact_type),
    }
}

const ORDERS: Option<&str> = Some("orders");
const DELIVERY: Option<&str> = Some("delivery");
const PAYMENT: Option<&str> = Some("payment");
const CLAIMS: Option<&str> = Some("complaints");
const INFO: Option<&str> = Some("info");
const TECH: Option<&str> = Some("tech");

/// The tree, parents before their children, siblings in display order.
pub const TOPICS: &[DemoTopic] = &[
    t("orders", None, ["Заказы", "Тапсырыстар", "Orders"], SaleOrder),
    t("orders.new", ORDERS, ["Оформление заказа", "Тапсырыс беру", "Placing an order"], SaleOrder),
    t("orders.status", ORDERS, ["Статус заказа", "Тапсырыс мәртебесі", "Order status"], Information),
    t("orders.change", ORDERS, ["Изменение заказа", "Тапсырысты өзгерту", "Changing an order"], SaleOrder),
    t("orders.cancel", ORDERS, ["Отмена заказа", "Тапсырыстан бас тарту", "Cancelling an order"], SaleOrder),
    t("delivery", None, ["Доставка", "Жеткізу", "Delivery"], Information),
    t("delivery.time", DELIVERY, ["Сроки доставки", "Жеткізу мерзімі", "Delivery times"], Information),
    t("delivery.address", DELIVERY, ["Адрес доставки", "Жеткізу мекенжайы", "Delivery address"], Information),
    t(
        "delivery.damage",
        DELIVERY,
        ["Повреждение при доставке", "Жеткізу кезінде бүлінуі", "Damaged in delivery"],
        Complaint,
    ),
    t("payment", None, ["Оплата и возврат", "Төлем және қайтару", "Payment and refunds"], Information),
    t("payment.methods", PAYMENT, ["Способы оплаты", "Төлем тәсілдері", "Payment methods"], Information),
    t("payment.refund", PAYMENT, ["Возврат денег", "Ақшаны қайтару", "Refunds"], Information),
    t("payment.return", PAYMENT, ["Возврат товара", "Тауарды қайтару", "Returning goods"], Information),
    t("payment.error", PAYMENT, ["Ошибка оплаты", "Төлем қатесі", "Payment failure"], TechnicalService),
    t("complaints", None, ["Претензии", "Шағымдар", "Complaints"], Complaint),
    t("complaints.quality", CLAIMS, ["Качество товара", "Тауар сапасы", "Product quality"], Complaint),
    t("complaints.late", CLAIMS, ["Нарушение сроков", "Мерзімдердің бұзылуы", "Missed deadlines"], Complaint),
    t("complaints.incomplete", CLAIMS, ["Неполная доставка", "Толық жеткізілмеу", "Incomplete delivery"], Complaint),
    t(
        "complaints.service",
        CLAIMS,
        ["Качество обслуживания", "Қызмет көрсету сапасы", "Quality of service"],
        Complaint,
    ),
    t("info", None, ["Информация", "Ақпарат", "Information"], Information),
    t("info.stores", INFO, ["Адреса магазинов", "Дүкендердің мекенжайлары", "Store addresses"], Information),
    t("info.hours", INFO, ["Режим работы", "Жұмыс уақыты", "Opening hours"], Information),
    t("info.promotions", INFO, ["Акции", "Акциялар", "Promotions"], Information),
    t("info.products", INFO, ["Наличие товара", "Тауардың бар-жоғы", "Product availability"], Information),
    t("info.prices", INFO, ["Цены и скидки", "Бағалар мен жеңілдіктер", "Prices and discounts"], Information),
    t("tech", None, ["Технические вопросы", "Техникалық сұрақтар", "Technical questions"], TechnicalService),
    t("tech.account", TECH, ["Личный кабинет", "Жеке кабинет", "Personal account"], TechnicalService),
    t("tech.app", TECH, ["Мобильное приложение", "Мобильді қосымша", "Mobile app"], TechnicalService),
    t("tech.warranty", TECH, ["Гарантийный ремонт", "Кепілдік жөндеу", "Warranty repair"], TechnicalService),
];

/// (type, topic, subject) of a past contact, by the code of its queue.
type Past = (ContactType, &'static str, &'static str);

const PAST_SALES: &[Past] = &[
    (SaleOrder, "orders.new", "Оформление заказа"),
    (SaleOrder, "orders.new", "Тапсырыс беру"),
    (SaleOrder, "orders.change", "Изменение заказа"),
    (SaleOrder, "orders.change", "Тапсырысқа тауар қосу"),
    (SaleOrder, "orders.cancel", "Отмена заказа"),
    (Information, "info.promotions", "Вопрос об акции"),
    (Information, "info.prices", "Бағалар туралы сұрақ"),
    (Information, "info.products", "Наличие товара"),
];

const PAST_COMPLAINTS: &[Past] = &[
    (Complaint, "complaints.late", "Жалоба на доставку"),
    (Complaint, "complaints.late", "Жеткізуге шағым"),
    (Complaint, "complaints.quality", "Жалоба на качество товара"),
    (Complaint, "complaints.quality", "Тауар сапасына шағым"),
    (Complaint, "delivery.damage", "Товар повреждён при доставке"),
    (Complaint, "complaints.incomplete", "Привезли не весь заказ"),
    (Complaint, "complaints.service", "Жалоба на обслуживание"),
];

const PAST_SUPPORT: &[Past] = &[
    (Information, "orders.status", "Вопрос о статусе заказа"),
    (Information, "orders.status", "Тапсырыс мәртебесі туралы сұрақ"),
    (Information, "delivery.time", "Сроки доставки"),
    (Information, "delivery.address", "Изменить адрес доставки"),
    (Information, "payment.refund", "Когда вернут деньги"),
    (Information, "payment.return", "Тауарды қайтару"),
    (Information, "payment.methods", "Способы оплаты"),
    (Information, "info.stores", "Адрес ближайшего магазина"),
    (Information, "info.hours", "Дүкеннің жұмыс уақыты"),
    (TechnicalService, "payment.error", "Не проходит оплата на сайте"),
    (TechnicalService, "tech.account", "Не могу войти в личный кабинет"),
    (TechnicalService, "tech.app", "Мобильді қосымша ашылмайды"),
    (TechnicalService, "tech.warranty", "Гарантийный ремонт техники"),
];

/// Type, topic code and subject of past contact `id` in the queue with
/// `queue_code`; deterministic, spread over the queue's topics.
pub fn past_subject(queue_code: &str, id: i64) -> Past {
    let list = match queue_code {
        "sales" => PAST_SALES,
        "complaints" => PAST_COMPLAINTS,
        _ => PAST_SUPPORT,
    };
    // Multiplicative hashing, so neighbouring ids do not walk the list in order.
    let i = (id.unsigned_abs().wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % list.len();
    list[i]
}

/// Whether `code` is a topic of the demo tree.
pub fn is_demo_topic(code: &str) -> bool {
    TOPICS.iter().any(|t| t.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_valid_two_levels_with_parents_first() {
        for (i, t) in TOPICS.iter().enumerate() {
            assert_eq!(domain::topic::code(t.code), Ok(()), "{}", t.code);
            let names = domain::topic::TopicNames { name_ru: t.name_ru, name_kk: t.name_kk, name_en: t.name_en };
            assert_eq!(names.validate(), Ok(()), "{}", t.code);
            assert!(TOPICS[i + 1..].iter().all(|o| o.code != t.code), "{} twice", t.code);
            if let Some(p) = t.parent {
                let parent = TOPICS[..i].iter().find(|o| o.code == p).expect("parent listed before child");
                assert!(parent.parent.is_none(), "two levels: {}", t.code);
                assert!(t.code.starts_with(&format!("{p}.")), "{} under {p}", t.code);
            }
        }
        assert!(TOPICS.iter().filter(|t| t.parent.is_none()).count() >= 6);
    }

    #[test]
    fn past_contacts_use_leaf_topics_across_each_queue() {
        for queue in ["sales", "support", "complaints", "other"] {
            let mut seen = std::collections::HashSet::new();
            for id in 1..500 {
                let (_, topic, subject) = past_subject(queue, id);
                assert!(is_demo_topic(topic) && topic.contains('.'), "{topic}");
                assert!(!subject.is_empty());
                seen.insert(topic);
            }
            assert!(seen.len() >= 4, "{queue}: {seen:?}");
        }
        assert!(PAST_COMPLAINTS.iter().all(|(t, _, _)| *t == Complaint));
    }
}
