//! Order documents of the order desk (issue 6, deliverable 5): the **invoice
//! for payment** (Счёт на оплату / Төлем шоты), the **delivery note**
//! (Накладная / Жүкқұжат) and the **order confirmation** (Подтверждение
//! заказа / Тапсырысты растау) in Russian, Kazakh and English, as printable
//! HTML ([`html::render`]) and PDF ([`pdf::render`]).
//!
//! Pure: no I/O. The caller (the server) reads the order and the seller's
//! details and builds a [`Document`]; [`Document::sheet`] lays out what every
//! document shows (blocks, table, totals, amount in words, signatures) once,
//! and both renderers draw that same [`Sheet`]. Money is integer minor units
//! (`retail::money`); the VAT is what the order recorded (prices include it).
//! The PDF embeds a subset of DejaVu Sans (`fonts/`, its licence beside it),
//! which covers Cyrillic and the Kazakh letters ә ғ қ ң ө ұ ү һ і.

pub mod html;
pub mod pdf;
pub mod seller;
pub mod words;

use domain::time::{Date, UtcOffset};
use retail::money::{format_amount, Money};

pub use seller::{Seller, SellerError};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invoice,
    DeliveryNote,
    Confirmation,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Invoice, Kind::DeliveryNote, Kind::Confirmation];

    /// The path segment: `invoice`, `delivery-note`, `confirmation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::DeliveryNote => "delivery-note",
            Kind::Confirmation => "confirmation",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The language a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    Kk,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ru" => Some(Lang::Ru),
            "kk" => Some(Lang::Kk),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currency {
    Kzt,
    Rub,
}

impl Currency {
    pub fn sign(self) -> &'static str {
        match self {
            Currency::Kzt => "₸",
            Currency::Rub => "₽",
        }
    }
}

/// The buyer or the receiver.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

/// One order line as ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub qty: i64,
    /// Per unit, before discounts (VAT included).
    pub unit_price: Money,
    /// Tier plus promotion discount of the whole line.
    pub discount: Money,
    /// VAT rate in basis points (1200 = 12 %).
    pub vat_bp: u32,
    /// VAT contained in `total`.
    pub vat: Money,
    pub total: Money,
}

/// Everything a document shows, as the server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: Kind,
    pub lang: Lang,
    pub seller: Seller,
    /// The order number (its id).
    pub number: String,
    /// When the order was created (ms) and the local offset dates are shown in.
    pub created_at: i64,
    pub offset: UtcOffset,
    pub buyer: Party,
    pub receiver: Party,
    pub lines: Vec<Line>,
    pub goods_total: Money,
    pub discount_total: Money,
    pub delivery_cost: Money,
    pub vat_total: Money,
    pub total: Money,
    pub paid: Money,
    /// `retail::order::DeliveryMethod` code: courier, post, pickup_point, self_pickup.
    pub delivery_method: String,
    pub pickup_point: String,
    pub slot: Option<(i64, i64)>,
    /// `retail::order::PaymentMethod` code: card_link, cash_on_delivery, bank_transfer.
    pub payment_method: String,
    /// `prepaid`, `on_delivery` or `deferred:DAYS`.
    pub terms: String,
    pub carrier: String,
    pub tracking: String,
    /// The order's status code (shown on the confirmation).
    pub status: String,
}

/// A money amount as documents print it: `1 234,50` (no-break space groups).
pub fn money(m: Money) -> String {
    let plain = format_amount(m);
    let (whole, frac) = plain.split_once('.').unwrap_or((plain.as_str(), "00"));
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", whole),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{frac}")
}

/// A VAT rate as `12%` or `12,5%`.
pub fn rate(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        format!("{},{}%", bp / 100, format!("{:02}", bp % 100).trim_end_matches('0'))
    }
}

fn date_text(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{day:02}.{m:02}.{y}")
}

fn time_text(offset: UtcOffset, at: i64) -> String {
    let (d, ms) = offset.to_local(at);
    let min = ms / 60_000;
    format!("{} {:02}:{:02}", date_text(d), min / 60, min % 60)
}

/// The texts of one language.
struct Texts {
    title: [&'static str; 3],
    /// `{title}`, `{n}` (order number) and `{date}`.
    heading: &'static str,
    seller: &'static str,
    supplier: &'static str,
    buyer: &'static str,
    consignee: &'static str,
    tax_id_kz: &'static str,
    tax_id_ru: &'static str,
    kpp: &'static str,
    address: &'static str,
    phone: &'static str,
    email: &'static str,
    bank: &'static str,
    iik: &'static str,
    account_ru: &'static str,
    bik: &'static str,
    corr: &'static str,
    kbe: &'static str,
    vat_reg: &'static str,
    cols: [&'static str; 10],
    goods: &'static str,
    discount: &'static str,
    delivery_cost: &'static str,
    total: &'static str,
    vat_incl: &'static str,
    no_vat: &'static str,
    paid: &'static str,
    to_pay: &'static str,
    count_line: &'static str,
    in_words: &'static str,
    delivery: &'static str,
    pickup_point: &'static str,
    slot: &'static str,
    carrier: &'static str,
    payment: &'static str,
    terms: &'static str,
    due: &'static str,
    director: &'static str,
    accountant: &'static str,
    released: &'static str,
    received: &'static str,
    page: &'static str,
    page_of: &'static str,
    not_set: &'static str,
    invoice_note: &'static str,
    confirmation_note: &'static str,
    methods: [(&'static str, &'static str); 4],
    payments: [(&'static str, &'static str); 3],
    prepaid: &'static str,
    on_delivery: &'static str,
    deferred: &'static str,
    days: &'static str,
}

const RU: Texts = Texts {
    title: ["Счёт на оплату", "Накладная", "Подтверждение заказа"],
    heading: "{title} № {n} от {date}",
    seller: "Продавец",
    supplier: "Поставщик",
    buyer: "Покупатель",
    consignee: "Получатель",
    tax_id_kz: "БИН/ИИН",
    tax_id_ru: "ИНН",
    kpp: "КПП",
    address: "Адрес",
    phone: "Телефон",
    email: "Эл. почта",
    bank: "Банк",
    iik: "ИИК",
    account_ru: "Р/с",
    bik: "БИК",
    corr: "Корр. счёт",
    kbe: "Кбе",
    vat_reg: "Свидетельство по НДС",
    cols: ["№", "Артикул", "Наименование", "Ед.", "Кол-во", "Цена", "Скидка", "НДС, %", "НДС", "Сумма"],
    goods: "Итого по товарам",
    discount: "в т. ч. скидка",
    delivery_cost: "Доставка",
    total: "Всего",
    vat_incl: "в том числе НДС",
    no_vat: "Без НДС",
    paid: "Оплачено",
    to_pay: "Всего к оплате",
    count_line: "Всего наименований {n}, на сумму {sum}",
    in_words: "Сумма прописью",
    delivery: "Доставка",
    pickup_point: "Пункт выдачи",
    slot: "Дата и время",
    carrier: "Перевозчик, трек-номер",
    payment: "Способ оплаты",
    terms: "Условия оплаты",
    due: "Оплатить до",
    director: "Руководитель",
    accountant: "Главный бухгалтер",
    released: "Отпустил",
    received: "Получил",
    page: "Страница",
    page_of: "из",
    not_set: "Реквизиты продавца не заполнены",
    invoice_note: "Оплата настоящего счёта означает согласие с условиями поставки. В назначении платежа укажите номер счёта.",
    confirmation_note: "Проверьте состав заказа, адрес и способ оплаты. Если что-то не так, ответьте на это сообщение или позвоните нам.",
    methods: [
        ("courier", "Курьер"),
        ("post", "Почта"),
        ("pickup_point", "Пункт выдачи"),
        ("self_pickup", "Самовывоз"),
    ],
    payments: [
        ("card_link", "Картой по ссылке"),
        ("cash_on_delivery", "Наличными при получении"),
        ("bank_transfer", "Банковский перевод по счёту"),
    ],
    prepaid: "Предоплата",
    on_delivery: "При получении",
    deferred: "Отсрочка",
    days: "дн.",
};

const KK: Texts = Texts {
    title: ["Төлем шоты", "Жүкқұжат", "Тапсырысты растау"],
    heading: "{title} № {n}, {date} ж.",
    seller: "Сатушы",
    supplier: "Жеткізуші",
    buyer: "Сатып алушы",
    consignee: "Алушы",
    tax_id_kz: "БСН/ЖСН",
    tax_id_ru: "СТН (ИНН)",
    kpp: "КПП",
    address: "Мекенжайы",
    phone: "Телефон",
    email: "Эл. пошта",
    bank: "Банк",
    iik: "ЖСК",
    account_ru: "Есеп шот",
    bik: "БСК",
    corr: "Корр. шот",
    kbe: "Кбе",
    vat_reg: "ҚҚС бойынша куәлік",
    cols: ["№", "Артикул", "Атауы", "Өлш.", "Саны", "Бағасы", "Жеңілдік", "ҚҚС, %", "ҚҚС", "Сомасы"],
    goods: "Тауарлар бойынша барлығы",
    discount: "оның ішінде жеңілдік",
    delivery_cost: "Жеткізу",
    total: "Барлығы",
    vat_incl: "оның ішінде ҚҚС",
    no_vat: "ҚҚС-сыз",
    paid: "Төленді",
    to_pay: "Төлеуге барлығы",
    count_line: "Барлық атаулар саны {n}, сомасы {sum}",
    in_words: "Сомасы жазбаша",
    delivery: "Жеткізу",
    pickup_point: "Беру пункті",
    slot: "Күні мен уақыты",
    carrier: "Тасымалдаушы, трек-нөмір",
    payment: "Төлем тәсілі",
    terms: "Төлем шарттары",
    due: "Төлеу мерзімі",
    director: "Басшы",
    accountant: "Бас бухгалтер",
    released: "Босатқан",
    received: "Қабылдаған",
    page: "Бет",
    page_of: "/",
    not_set: "Сатушының деректемелері толтырылмаған",
    invoice_note: "Осы шотты төлеу жеткізу шарттарымен келісуді білдіреді. Төлем мақсатында шот нөмірін көрсетіңіз.",
    confirmation_note: "Тапсырыс құрамын, мекенжайды және төлем тәсілін тексеріңіз. Қате болса, осы хабарламаға жауап беріңіз немесе бізге қоңырау шалыңыз.",
    methods: [
        ("courier", "Курьер"),
        ("post", "Пошта"),
        ("pickup_point", "Беру пункті"),
        ("self_pickup", "Өзі алып кету"),
    ],
    payments: [
        ("card_link", "Сілтеме арқылы картамен"),
        ("cash_on_delivery", "Алған кезде қолма-қол"),
        ("bank_transfer", "Шот бойынша банктік аударым"),
    ],
    prepaid: "Алдын ала төлем",
    on_delivery: "Алған кезде",
    deferred: "Кейінге қалдыру",
    days: "күн",
};

const EN: Texts = Texts {
    title: ["Invoice for payment", "Delivery note", "Order confirmation"],
    heading: "{title} No. {n} of {date}",
    seller: "Seller",
    supplier: "Supplier",
    buyer: "Buyer",
    consignee: "Consignee",
    tax_id_kz: "BIN/IIN",
    tax_id_ru: "INN",
    kpp: "KPP",
    address: "Address",
    phone: "Phone",
    email: "E-mail",
    bank: "Bank",
    iik: "IIK (IBAN)",
    account_ru: "Account",
    bik: "BIK",
    corr: "Corr. account",
    kbe: "KBe",
    vat_reg: "VAT registration",
    cols: ["#", "SKU", "Item", "Unit", "Qty", "Price", "Discount", "VAT, %", "VAT", "Amount"],
    goods: "Goods total",
    discount: "incl. discount",
    delivery_cost: "Delivery",
    total: "Total",
    vat_incl: "incl. VAT",
    no_vat: "No VAT",
    paid: "Paid",
    to_pay: "Total to pay",
    count_line: "{n} items, total {sum}",
    in_words: "Amount in words",
    delivery: "Delivery",
    pickup_point: "Pick-up point",
    slot: "Date and time",
    carrier: "Carrier, tracking number",
    payment: "Payment method",
    terms: "Payment terms",
    due: "Pay by",
    director: "Director",
    accountant: "Chief accountant",
    released: "Released by",
    received: "Received by",
    page: "Page",
    page_of: "of",
    not_set: "The seller's details are not filled in",
    invoice_note: "Payment of this invoice means acceptance of the terms of supply. Quote the invoice number with the payment.",
    confirmation_note: "Please check the items, the address and the payment method. If anything is wrong, reply to this message or call us.",
    methods: [
        ("courier", "Courier"),
        ("post", "Post"),
        ("pickup_point", "Pick-up point"),
        ("self_pickup", "Self pick-up"),
    ],
    payments: [
        ("card_link", "Card (payment link)"),
        ("cash_on_delivery", "Cash on delivery"),
        ("bank_transfer", "Bank transfer by invoice"),
    ],
    prepaid: "Prepaid",
    on_delivery: "On delivery",
    deferred: "Deferred",
    days: "days",
};

fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Ru => &RU,
        Lang::Kk => &KK,
        Lang::En => &EN,
    }
}

/// A table column: its title, width on A4 (points) and alignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub right: bool,
}

/// What a document shows, laid out once for both renderers.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub lang: Lang,
    /// `Счёт на оплату № 17 от 03.12.2026`.
    pub title: String,
    /// A warning printed in red when the seller's details are missing.
    pub warning: Option<String>,
    /// Labelled blocks above the table (seller and bank, buyer, receiver).
    pub blocks: Vec<Block>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Label and amount under the table; the last is the total.
    pub totals: Vec<(String, String)>,
    /// `Всего наименований 3, на сумму …` and the amount in words.
    pub summary: Vec<String>,
    /// Delivery, payment, terms and due date.
    pub notes: Vec<(String, String)>,
    pub remark: Option<String>,
    /// Signature lines: role and the name printed under it.
    pub signatures: Vec<(String, String)>,
    /// `Страница` and `из`, for the page footer.
    pub page_words: (String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub heading: String,
    pub rows: Vec<(String, String)>,
}

fn push(rows: &mut Vec<(String, String)>, label: &str, value: &str) {
    if !value.trim().is_empty() {
        rows.push((label.to_string(), value.to_string()));
    }
}

fn lookup(table: &[(&'static str, &'static str)], code: &str) -> String {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| l.to_string()).unwrap_or_else(|| code.to_string())
}

impl Document {
    pub fn currency(&self) -> Currency {
        self.seller.currency()
    }

    /// The date the order was created, in the seller's local time.
    pub fn date(&self) -> Date {
        self.offset.local_date(self.created_at)
    }

    /// Deferred terms: `DAYS` after the order date; otherwise the invoice's
    /// validity (`Seller::invoice_valid_days`).
    pub fn due_date(&self) -> Date {
        let days = self
            .terms
            .strip_prefix("deferred:")
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(self.seller.invoice_valid_days);
        self.date().add_days(days as i64)
    }

    fn terms_text(&self, t: &Texts) -> String {
        match self.terms.as_str() {
            "prepaid" => t.prepaid.to_string(),
            "on_delivery" => t.on_delivery.to_string(),
            other => match other.strip_prefix("deferred:") {
                Some(d) => format!("{} {d} {}", t.deferred, t.days),
                None => other.to_string(),
            },
        }
    }

    fn seller_block(&self, t: &Texts, heading: &str) -> Block {
        let s = &self.seller;
        let mut rows = Vec::new();
        push(&mut rows, heading, &s.name);
        if s.jurisdiction == "RU" {
            push(&mut rows, t.tax_id_ru, &s.tax_id);
            push(&mut rows, t.kpp, &s.kpp);
        } else {
            push(&mut rows, t.tax_id_kz, &s.tax_id);
        }
        push(&mut rows, t.address, &s.address);
        push(&mut rows, t.phone, &s.phone);
        push(&mut rows, t.email, &s.email);
        push(&mut rows, t.bank, &s.bank_name);
        if s.jurisdiction == "RU" {
            push(&mut rows, t.account_ru, &s.account);
            push(&mut rows, t.bik, &s.bik);
            push(&mut rows, t.corr, &s.corr_account);
        } else {
            push(&mut rows, t.iik, &s.account);
            push(&mut rows, t.bik, &s.bik);
            push(&mut rows, t.kbe, &s.kbe);
        }
        push(&mut rows, t.vat_reg, if s.vat_payer() { &s.vat_registration } else { t.no_vat });
        Block { heading: heading.to_string(), rows }
    }

    /// The layout both renderers draw.
    pub fn sheet(&self) -> Sheet {
        let t = texts(self.lang);
        let kind_index = match self.kind {
            Kind::Invoice => 0,
            Kind::DeliveryNote => 1,
            Kind::Confirmation => 2,
        };
        let title = t
            .heading
            .replace("{title}", t.title[kind_index])
            .replace("{n}", &self.number)
            .replace("{date}", &date_text(self.date()));
        let seller_heading = if self.kind == Kind::DeliveryNote { t.supplier } else { t.seller };
        let mut blocks = vec![self.seller_block(t, seller_heading)];
        let mut buyer = Vec::new();
        push(&mut buyer, t.buyer, &self.buyer.name);
        push(&mut buyer, t.phone, &self.buyer.phone);
        push(&mut buyer, t.email, &self.buyer.email);
        push(&mut buyer, t.address, &self.buyer.address);
        blocks.push(Block { heading: t.buyer.to_string(), rows: buyer });
        if self.kind != Kind::Invoice {
            let mut receiver = Vec::new();
            let name = if self.receiver.name.trim().is_empty() { &self.buyer.name } else { &self.receiver.name };
            push(&mut receiver, t.consignee, name);
            push(&mut receiver, t.phone, &self.receiver.phone);
            push(&mut receiver, t.address, &self.receiver.address);
            blocks.push(Block { heading: t.consignee.to_string(), rows: receiver });
        }
        let widths = [22.0, 58.0, 146.0, 30.0, 36.0, 52.0, 45.0, 30.0, 48.0, 56.0];
        let right = [true, false, false, false, true, true, true, true, true, true];
        let columns = t
            .cols
            .iter()
            .zip(widths)
            .zip(right)
            .map(|((title, width), right)| Column { title: title.to_string(), width, right })
            .collect();
        let rows = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    (i + 1).to_string(),
                    l.sku.clone(),
                    l.name.clone(),
                    l.unit.clone(),
                    l.qty.to_string(),
                    money(l.unit_price),
                    if l.discount > 0 { money(l.discount) } else { String::new() },
                    if self.seller.vat_payer() { rate(l.vat_bp) } else { t.no_vat.to_string() },
                    if self.seller.vat_payer() { money(l.vat) } else { String::new() },
                    money(l.total),
                ]
            })
            .collect();
        let sign = self.currency().sign();
        let amount = |m: Money| format!("{} {sign}", money(m));
        let mut totals = vec![(t.goods.to_string(), amount(self.goods_total))];
        if self.discount_total > 0 {
            totals.push((t.discount.to_string(), amount(self.discount_total)));
        }
        if self.delivery_cost > 0 {
            totals.push((t.delivery_cost.to_string(), amount(self.delivery_cost)));
        }
        if self.seller.vat_payer() {
            totals.push((t.vat_incl.to_string(), amount(self.vat_total)));
        } else {
            totals.push((t.no_vat.to_string(), String::new()));
        }
        if self.kind == Kind::Confirmation && self.paid > 0 {
            totals.push((t.paid.to_string(), amount(self.paid)));
        }
        let last = if self.kind == Kind::Invoice { t.to_pay } else { t.total };
        totals.push((last.to_string(), amount(self.total)));
        let summary = vec![
            t.count_line.replace("{n}", &self.lines.len().to_string()).replace("{sum}", &amount(self.total)),
            format!("{}: {}", t.in_words, words::amount_in_words(self.total, self.currency(), self.lang)),
        ];
        let mut notes = Vec::new();
        if self.kind != Kind::Invoice {
            push(&mut notes, t.delivery, &lookup(&t.methods, &self.delivery_method));
            push(&mut notes, t.pickup_point, &self.pickup_point);
            if let Some((from, until)) = self.slot {
                let until_text = time_text(self.offset, until);
                let until_short = until_text.rsplit(' ').next().unwrap_or("");
                push(&mut notes, t.slot, &format!("{}–{until_short}", time_text(self.offset, from)));
            }
            let carrier = [self.carrier.as_str(), self.tracking.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            push(&mut notes, t.carrier, &carrier);
        }
        push(&mut notes, t.payment, &lookup(&t.payments, &self.payment_method));
        push(&mut notes, t.terms, &self.terms_text(t));
        if self.kind == Kind::Invoice {
            push(&mut notes, t.due, &date_text(self.due_date()));
        }
        let remark = match self.kind {
            Kind::Invoice => Some(t.invoice_note.to_string()),
            Kind::Confirmation => Some(t.confirmation_note.to_string()),
            Kind::DeliveryNote => None,
        };
        let signatures = match self.kind {
            Kind::Invoice => vec![
                (t.director.to_string(), self.seller.director.clone()),
                (t.accountant.to_string(), self.seller.accountant.clone()),
            ],
            Kind::DeliveryNote => {
                vec![(t.released.to_string(), String::new()), (t.received.to_string(), String::new())]
            }
            Kind::Confirmation => vec![],
        };
        Sheet {
            lang: self.lang,
            title,
            warning: (!self.seller.is_set()).then(|| t.not_set.to_string()),
            blocks,
            columns,
            rows,
            totals,
            summary,
            notes,
            remark,
            signatures,
            page_words: (t.page.to_string(), t.page_of.to_string()),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    /// A Kazakh shop's order of `n` lines (prices include 12 % VAT).
    pub fn order(kind: Kind, lang: Lang, n: usize) -> Document {
        let seller = Seller {
            jurisdiction: "KZ".into(),
            name: "ТОО «Жетісу Азық» <опт & розница>".into(),
            tax_id: "180340021791".into(),
            address: "Алматы, пр. Абая 10".into(),
            bank_name: "АО «Kaspi Bank»".into(),
            account: "KZ86125KZT5004100100".into(),
            bik: "CASPKZKA".into(),
            kbe: "17".into(),
            vat_registration: "60001 № 0123456".into(),
            director: "Сейітов Әлібек Бауыржанұлы".into(),
            accountant: "Ахметова Гүлнұр Қайратқызы".into(),
            ..Seller::default()
        };
        let mut lines = Vec::new();
        for i in 0..n {
            let qty = (i % 5 + 1) as i64;
            let unit_price = 45_000 + (i as i64 % 7) * 1_050;
            let discount = if i % 3 == 0 { 2_000 } else { 0 };
            let total = unit_price * qty - discount;
            lines.push(Line {
                sku: format!("SKU-{:05}", i + 1),
                name: if i == 0 {
                    "Қазы «Ет-Ас» ысталған, 1 кг — <деликатес>".into()
                } else {
                    format!("Товар өнім №{} ұн, құрғақ сүт, шәй, һас іріткі", i + 1)
                },
                unit: "шт".into(),
                qty,
                unit_price,
                discount,
                vat_bp: 1200,
                vat: retail::money::vat_included(total, 1200),
                total,
            });
        }
        let goods_total: Money = lines.iter().map(|l| l.total).sum();
        let discount_total = lines.iter().map(|l| l.discount).sum();
        let delivery_cost = 150_000;
        let vat_total = lines.iter().map(|l| l.vat).sum::<Money>() + retail::money::vat_included(delivery_cost, 1200);
        Document {
            kind,
            lang,
            seller,
            number: "4711".into(),
            created_at: 1_796_000_000_000,
            offset: UtcOffset::ALMATY,
            buyer: Party {
                name: "ИП Сейітова Айгүл".into(),
                phone: "+7 701 123 45 67".into(),
                email: "aigul@example.kz".into(),
                address: "Қарағанды, Бұқар жырау 5".into(),
            },
            receiver: Party { name: "Айгүл".into(), phone: "+7 701 123 45 67".into(), ..Party::default() },
            lines,
            goods_total,
            discount_total,
            delivery_cost,
            vat_total,
            total: goods_total + delivery_cost,
            paid: 0,
            delivery_method: "courier".into(),
            pickup_point: String::new(),
            slot: Some((1_796_010_000_000, 1_796_017_200_000)),
            payment_method: "bank_transfer".into(),
            terms: "deferred:14".into(),
            carrier: String::new(),
            tracking: String::new(),
            status: "confirmed".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_print_as_accountants_write_them() {
        assert_eq!(money(123_450), "1\u{a0}234,50");
        assert_eq!(money(5), "0,05");
        assert_eq!(money(100_000_000), "1\u{a0}000\u{a0}000,00");
        assert_eq!(money(-123_450), "-1\u{a0}234,50");
        assert_eq!(rate(1200), "12%");
        assert_eq!(rate(1250), "12,5%");
        assert_eq!(rate(1205), "12,05%");
    }

    #[test]
    fn invoice_sheet_has_due_date_totals_and_signatures() {
        let d = fixture::order(Kind::Invoice, Lang::Ru, 2);
        let s = d.sheet();
        assert!(s.title.starts_with("Счёт на оплату № 4711 от "), "{}", s.title);
        // Deferred 14 days after the order date.
        assert_eq!(d.due_date(), d.date().add_days(14));
        assert!(s.notes.iter().any(|(l, v)| l == "Оплатить до" && *v == date_text(d.date().add_days(14))));
        let (label, total) = s.totals.last().expect("total");
        assert_eq!(label, "Всего к оплате");
        assert_eq!(*total, format!("{} ₸", money(d.total)));
        assert!(s.totals.iter().any(|(l, v)| l == "в том числе НДС" && *v == format!("{} ₸", money(d.vat_total))));
        assert_eq!(s.signatures[0], ("Руководитель".into(), "Сейітов Әлібек Бауыржанұлы".into()));
        assert!(s.summary[1].starts_with("Сумма прописью: "));
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.columns.iter().map(|c| c.width).sum::<f32>(), 523.0);
    }

    #[test]
    fn kinds_and_langs_parse() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("receipt"), None);
        assert_eq!(Lang::parse("kk"), Some(Lang::Kk));
        assert_eq!(Lang::parse("de"), None);
        let s = fixture::order(Kind::DeliveryNote, Lang::Kk, 1).sheet();
        assert!(s.title.starts_with("Жүкқұжат № 4711"));
        assert_eq!(s.signatures[1].0, "Қабылдаған");
        let s = fixture::order(Kind::Confirmation, Lang::Kk, 1).sheet();
        assert!(s.title.starts_with("Тапсырысты растау"));
        assert!(s.notes.iter().any(|(l, v)| l == "Жеткізу" && v == "Курьер"));
    }
}
