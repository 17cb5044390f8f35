//! The demo's assortment: a food and household wholesaler-retailer of
//! Almaty selling to shoppers, shops in the regions, key accounts, its own
//! outlets and marketplace sellers. Real goods and brands of the Kazakh and
//! Russian market, names in Russian, Kazakh and English, a price column per
//! client type with quantity tiers, stock in three warehouses (some items
//! sold out, so the desk shows alternatives), complements, return classes,
//! warranties on appliances, a few delisted items, promotions (past, active
//! now, upcoming) and competitor notes. Pure and deterministic for a seed.

use std::collections::BTreeMap;

use domain::time::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use retail::catalogue::{Benefit, Catalogue, Item, Names, Price, Promotion, Stock, StockRow, Tier};
use retail::Money;

/// The warehouses stock is kept in: Almaty holds every item, Astana and
/// Shymkent part of the range.
pub const WAREHOUSES: [&str; 3] = ["almaty", "astana", "shymkent"];

/// Items always sold out in every warehouse, so the desk's alternatives
/// can be shown on them: «Молоко Adal 3,2% 1 л» and «Кола Coca-Cola 1 л».
pub const SOLD_OUT: [&str; 2] = ["MLK-0202", "COL-0102"];

/// Price factors of the client types against the retail column (004:235).
const CLIENT_FACTORS: [(&str, f64); 6] =
    [("retail", 1.0), ("key", 0.88), ("regional", 0.90), ("new", 0.97), ("marketer", 0.87), ("own_outlet", 0.84)];

/// How an item's demand moves through the year (index 0 = January).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    Flat,
    /// Drinks, ice cream, kumis: high in June–August.
    Summer,
    /// Chocolate and sweets: up in November–January.
    Winter,
    /// Gift boxes: the New Year peak and 8 March.
    Gift,
}

impl Season {
    /// Demand factor for a month (1–12).
    pub fn factor(self, month: u32) -> f64 {
        const SUMMER: [f64; 12] = [0.6, 0.6, 0.8, 1.0, 1.3, 1.7, 1.9, 1.7, 1.1, 0.8, 0.6, 0.7];
        const WINTER: [f64; 12] = [1.1, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.9, 1.0, 1.2, 1.8];
        const GIFT: [f64; 12] = [0.5, 0.7, 1.6, 0.6, 0.5, 0.4, 0.4, 0.4, 0.6, 0.7, 1.0, 3.5];
        let i = (month.clamp(1, 12) - 1) as usize;
        match self {
            Season::Flat => 1.0,
            Season::Summer => SUMMER[i],
            Season::Winter => WINTER[i],
            Season::Gift => GIFT[i],
        }
    }
}

/// A pack size: ru, kk, en label and the price multiplier against the line's base price.
type Size = (&'static str, &'static str, &'static str, f64);

/// One product line: every brand × size is an item.
struct Line {
    code: &'static str,
    category: &'static str,
    name: [&'static str; 3],
    unit: &'static str,
    class: &'static str,
    /// Retail price in tenge of a multiplier-1.0 pack.
    price: i64,
    sizes: &'static [Size],
    brands: &'static [&'static str],
    season: Season,
    /// Relative demand, 1–10.
    pop: u32,
    /// Code of a line whose items go well with this one, or "".
    complement: &'static str,
    warranty_months: u32,
}

const ONE: &[Size] = &[("", "", "", 1.0)];
const L05_1: &[Size] = &[("0,5 л", "0,5 л", "0.5 l", 0.6), ("1 л", "1 л", "1 l", 1.0)];
const L1: &[Size] = &[("1 л", "1 л", "1 l", 1.0)];

use Season::{Flat, Gift, Summer, Winter};

#[allow(clippy::too_many_arguments)]
const fn line(
    code: &'static str,
    category: &'static str,
    name: [&'static str; 3],
    unit: &'static str,
    class: &'static str,
    price: i64,
    sizes: &'static [Size],
    brands: &'static [&'static str],
    season: Season,
    pop: u32,
    complement: &'static str,
) -> Line {
    Line { code, category, name, unit, class, price, sizes, brands, season, pop, complement, warranty_months: 0 }
}

const fn appliance(
    code: &'static str,
    name: [&'static str; 3],
    price: i64,
    sizes: &'static [Size],
    brands: &'static [&'static str],
    warranty_months: u32,
) -> Line {
    Line {
        code,
        category: "Бытовая техника > Мелкая техника",
        name,
        unit: "pcs",
        class: "technically_complex",
        price,
        sizes,
        brands,
        season: Flat,
        pop: 1,
        complement: "",
        warranty_months,
    }
}

const DAIRY: &str = "Продукты > Молочные";
const GROCERY: &str = "Продукты > Бакалея";
const CANNED: &str = "Продукты > Консервы";
const DRINKS: &str = "Продукты > Напитки";
const TEA: &str = "Продукты > Чай и кофе";
const SWEETS: &str = "Продукты > Кондитерские";
const BREAD: &str = "Продукты > Хлеб и выпечка";
const MEAT: &str = "Продукты > Мясо и птица";
const FROZEN: &str = "Продукты > Замороженные";
const LAUNDRY: &str = "Бытовая химия > Стирка";
const CLEANING: &str = "Бытовая химия > Уборка";
const HYGIENE: &str = "Гигиена";
const DISHES: &str = "Посуда";
const HOUSEHOLD: &str = "Хозтовары";

const FM_ADAL: &[&str] = &["Food Master", "Adal"];
const RAKHAT3: &[&str] = &["Рахат", "Баян Сулу", "Konti"];

#[rustfmt::skip]
const LINES: &[Line] = &[
    // Dairy
    line("MLK", DAIRY, ["Молоко 3,2%", "Сүт 3,2%", "Milk 3.2%"], "pcs", "food", 480, L05_1, &["Food Master", "Adal", "Lactel", "Простоквашино"], Flat, 10, "BRD"),
    line("MLS", DAIRY, ["Молоко 2,5%", "Сүт 2,5%", "Milk 2.5%"], "pcs", "food", 430, &[("1 л", "1 л", "1 l", 1.0), ("1,5 л", "1,5 л", "1.5 l", 1.4)], &["Food Master", "Adal", "Милграм"], Flat, 7, ""),
    line("KEF", DAIRY, ["Кефир 2,5%", "Кефир 2,5%", "Kefir 2.5%"], "pcs", "food", 450, L05_1, &["Food Master", "Adal", "Lactel"], Flat, 7, ""),
    line("AYR", DAIRY, ["Айран", "Айран", "Ayran"], "pcs", "food", 380, L05_1, &["Food Master", "Adal", "Милграм"], Summer, 6, ""),
    line("SMT", DAIRY, ["Сметана 20%", "Қаймақ 20%", "Sour cream 20%"], "pcs", "food", 650, &[("200 г", "200 г", "200 g", 0.55), ("400 г", "400 г", "400 g", 1.0)], &["Food Master", "Adal", "Простоквашино"], Flat, 6, "PEL"),
    line("TVR", DAIRY, ["Творог 9%", "Сүзбе 9%", "Cottage cheese 9%"], "pcs", "food", 900, &[("200 г", "200 г", "200 g", 0.45), ("500 г", "500 г", "500 g", 1.0)], FM_ADAL, Flat, 5, "SMT"),
    line("SYR", DAIRY, ["Сыр Российский 50%", "«Российский» ірімшігі 50%", "Rossiysky cheese 50%"], "kg", "food", 4200, ONE, &["Киприно", "Food Master", "Adal"], Flat, 5, "BTN"),
    line("SYP", DAIRY, ["Сыр плавленый", "Балқытылған ірімшік", "Processed cheese"], "pcs", "food", 350, &[("100 г", "100 г", "100 g", 1.0), ("200 г", "200 г", "200 g", 1.8)], &["Hochland", "Viola", "Дружба"], Flat, 4, ""),
    line("BTR", DAIRY, ["Масло сливочное 72,5%", "Сары май 72,5%", "Butter 72.5%"], "pcs", "food", 1450, &[("180 г", "180 г", "180 g", 1.0), ("400 г", "400 г", "400 g", 2.1)], &["Food Master", "Простоквашино", "Экомилк", "Adal"], Winter, 7, "BRD"),
    line("YOG", DAIRY, ["Йогурт питьевой клубника", "Ішетін йогурт, құлпынай", "Drinking yoghurt, strawberry"], "pcs", "food", 420, &[("270 г", "270 г", "270 g", 1.0), ("750 г", "750 г", "750 g", 2.3)], &["Danone", "Ehrmann", "Food Master"], Flat, 5, ""),
    line("RYA", DAIRY, ["Ряженка 4%", "Ряженка 4%", "Ryazhenka 4%"], "pcs", "food", 470, L05_1, &["Food Master", "Простоквашино"], Flat, 4, ""),
    line("KUM", DAIRY, ["Кумыс", "Қымыз", "Kumis"], "pcs", "food", 1200, &[("0,5 л", "0,5 л", "0.5 l", 0.55), ("1 л", "1 л", "1 l", 1.0)], &["Saumal", "Бал-Қымыз"], Summer, 4, ""),
    line("SHU", DAIRY, ["Шубат", "Шұбат", "Shubat"], "pcs", "food", 1400, L1, &["Saumal", "Шұбат-Тараз"], Summer, 2, ""),
    line("EGG", DAIRY, ["Яйца куриные С1", "Тауық жұмыртқасы С1", "Chicken eggs C1"], "pcs", "food", 650, &[("10 шт", "10 дана", "10 pcs", 1.0), ("30 шт", "30 дана", "30 pcs", 2.8)], &["Алель Агро", "Шығыс Құс"], Flat, 8, "FLR"),
    line("GLZ", DAIRY, ["Сырок глазированный", "Глазурьланған ірімшік", "Glazed curd bar"], "pcs", "food", 220, &[("50 г", "50 г", "50 g", 1.0)], &["Б.Ю. Александров", "Food Master", "Простоквашино"], Flat, 4, ""),
    // Grocery
    line("FLR", GROCERY, ["Мука пшеничная высший сорт", "Жоғары сортты бидай ұны", "Wheat flour, premium"], "pcs", "food", 650, &[("2 кг", "2 кг", "2 kg", 1.0), ("5 кг", "5 кг", "5 kg", 2.3), ("10 кг", "10 кг", "10 kg", 4.4)], &["Цесна", "Иволга", "Казахстанская"], Flat, 7, "SUG"),
    line("SUG", GROCERY, ["Сахар-песок", "Қант құмы", "Granulated sugar"], "kg", "food", 520, ONE, &["Коксу", "Тараз", "Жетісу"], Flat, 8, "TBL"),
    line("SUR", GROCERY, ["Сахар-рафинад", "Кесек қант", "Lump sugar"], "pcs", "food", 700, &[("500 г", "500 г", "500 g", 1.0), ("1 кг", "1 кг", "1 kg", 1.9)], &["Коксу", "Чайкофский"], Flat, 4, ""),
    line("SLT", GROCERY, ["Соль поваренная йодированная", "Йодталған ас тұзы", "Iodised table salt"], "pcs", "food", 120, &[("1 кг", "1 кг", "1 kg", 1.0)], &["Аралтұз", "Крымская"], Flat, 5, ""),
    line("RIC", GROCERY, ["Рис длиннозёрный", "Ұзын дәнді күріш", "Long-grain rice"], "pcs", "food", 900, &[("800 г", "800 г", "800 g", 0.8), ("1 кг", "1 кг", "1 kg", 1.0), ("5 кг", "5 кг", "5 kg", 4.8)], &["Мистраль", "Кызылординский", "Агро Альянс"], Flat, 7, "OIL"),
    line("GRC", GROCERY, ["Гречка ядрица", "Қарақұмық", "Buckwheat"], "pcs", "food", 750, &[("900 г", "900 г", "900 g", 1.0), ("2 кг", "2 кг", "2 kg", 2.1)], &["Мистраль", "Увелка", "Агро Альянс"], Winter, 6, "BTR"),
    line("PST", GROCERY, ["Макароны спагетти", "Спагетти макароны", "Spaghetti"], "pcs", "food", 450, &[("400 г", "400 г", "400 g", 1.0), ("1 кг", "1 кг", "1 kg", 2.2)], &["Corona", "Макфа", "Barilla", "Султан"], Flat, 7, "KTC"),
    line("PSR", GROCERY, ["Макароны рожки", "Мүйізше макарон", "Elbow pasta"], "pcs", "food", 350, &[("400 г", "400 г", "400 g", 1.0), ("900 г", "900 г", "900 g", 2.0)], &["Corona", "Макфа", "Султан"], Flat, 5, "TSH"),
    line("OIL", GROCERY, ["Масло подсолнечное рафинированное", "Тазартылған күнбағыс майы", "Refined sunflower oil"], "pcs", "food", 1200, &[("1 л", "1 л", "1 l", 1.0), ("3 л", "3 л", "3 l", 2.8), ("5 л", "5 л", "5 l", 4.5)], &["Шедевр", "Золотая семечка", "Маслодел"], Flat, 8, ""),
    line("OAT", GROCERY, ["Овсяные хлопья", "Сұлы жармасы", "Rolled oats"], "pcs", "food", 450, &[("400 г", "400 г", "400 g", 1.0), ("800 г", "800 г", "800 g", 1.8)], &["Геркулес", "Nordic", "Мистраль"], Winter, 4, "MLK"),
    line("MLT", GROCERY, ["Пшено", "Тары", "Millet"], "pcs", "food", 380, &[("800 г", "800 г", "800 g", 1.0)], &["Мистраль", "Агро Альянс"], Flat, 2, ""),
    line("PEA", GROCERY, ["Горох колотый", "Жарма бұршақ", "Split peas"], "pcs", "food", 320, &[("800 г", "800 г", "800 g", 1.0)], &["Мистраль", "Агро Альянс"], Winter, 2, ""),
    line("MNK", GROCERY, ["Манная крупа", "Ұнтақ жарма", "Semolina"], "pcs", "food", 350, &[("800 г", "800 г", "800 g", 1.0)], &["Цесна", "Мистраль"], Flat, 2, ""),
    line("MAY", GROCERY, ["Майонез Провансаль 67%", "«Провансаль» майонезі 67%", "Provencal mayonnaise 67%"], "pcs", "food", 700, &[("200 г", "200 г", "200 g", 0.55), ("400 г", "400 г", "400 g", 1.0), ("800 г", "800 г", "800 g", 1.9)], &["Махеевъ", "Солнечный", "Ряба"], Winter, 6, ""),
    line("KTC", GROCERY, ["Кетчуп томатный", "Томат кетчупы", "Tomato ketchup"], "pcs", "food", 650, &[("350 г", "350 г", "350 g", 1.0), ("800 г", "800 г", "800 g", 2.0)], &["Heinz", "Махеевъ", "Торчин"], Summer, 5, "SOS"),
    // Canned goods
    line("TSH", CANNED, ["Тушёнка говяжья", "Сиыр етінің консервісі", "Canned stewed beef"], "pcs", "food", 1600, &[("338 г", "338 г", "338 g", 1.0)], &["Кублей", "Өскемен", "Совок"], Flat, 4, "GRC"),
    line("GRP", CANNED, ["Горошек зелёный", "Жасыл бұршақ консервісі", "Canned green peas"], "pcs", "food", 550, &[("400 г", "400 г", "400 g", 1.0)], &["Bonduelle", "Главпродукт", "Lutik"], Winter, 3, "MAY"),
    line("CRN", CANNED, ["Кукуруза сладкая", "Тәтті жүгері консервісі", "Canned sweet corn"], "pcs", "food", 600, &[("340 г", "340 г", "340 g", 1.0)], &["Bonduelle", "Главпродукт", "Lutik"], Flat, 3, ""),
    line("TMP", CANNED, ["Томатная паста", "Томат пастасы", "Tomato paste"], "pcs", "food", 450, &[("270 г", "270 г", "270 g", 1.0), ("500 г", "500 г", "500 g", 1.7)], &["Помидорка", "Кухмастер", "Пиканта"], Flat, 4, ""),
    line("SAR", CANNED, ["Сайра натуральная", "Табиғи сайра консервісі", "Canned saury"], "pcs", "food", 850, &[("250 г", "250 г", "250 g", 1.0)], &["Доброфлот", "Рыбная мануфактура"], Flat, 2, ""),
    line("CUC", CANNED, ["Огурцы маринованные", "Маринадталған қияр", "Pickled cucumbers"], "pcs", "food", 1100, &[("720 мл", "720 мл", "720 ml", 1.0)], &["Дядя Ваня", "Lutik", "Greenfood"], Winter, 3, ""),
    line("JAM", CANNED, ["Варенье абрикосовое", "Өрік тосабы", "Apricot jam"], "pcs", "food", 1300, &[("450 г", "450 г", "450 g", 1.0)], &["Lutik", "Махеевъ"], Winter, 2, "TBB"),
    // Drinks
    line("WAT", DRINKS, ["Вода питьевая негазированная", "Газсыз ауыз су", "Still drinking water"], "pcs", "food", 200, &[("0,5 л", "0,5 л", "0.5 l", 0.6), ("1,5 л", "1,5 л", "1.5 l", 1.0), ("5 л", "5 л", "5 l", 2.4), ("ящик 12 × 0,5 л", "жәшік 12 × 0,5 л", "case 12 × 0.5 l", 6.5)], &["Тассай", "Асем-Ай", "Bonaqua"], Summer, 9, ""),
    line("MIN", DRINKS, ["Вода минеральная газированная", "Газдалған минералды су", "Sparkling mineral water"], "pcs", "food", 350, &[("0,5 л", "0,5 л", "0.5 l", 0.65), ("1 л", "1 л", "1 l", 1.0), ("1,5 л", "1,5 л", "1.5 l", 1.3)], &["Sary-Agash", "Боржоми", "Ессентуки", "Тассай"], Summer, 6, ""),
    line("JUC", DRINKS, ["Сок яблочный", "Алма шырыны", "Apple juice"], "pcs", "food", 750, &[("0,2 л", "0,2 л", "0.2 l", 0.3), ("1 л", "1 л", "1 l", 1.0)], &["Da-Da", "Juicy", "Gracio", "Добрый"], Summer, 6, ""),
    line("JUO", DRINKS, ["Сок апельсиновый", "Апельсин шырыны", "Orange juice"], "pcs", "food", 800, L1, &["Da-Da", "Gracio", "Rich"], Winter, 4, ""),
    line("JUT", DRINKS, ["Сок томатный", "Қызанақ шырыны", "Tomato juice"], "pcs", "food", 700, L1, &["Da-Da", "Gracio"], Flat, 2, ""),
    line("COL", DRINKS, ["Кола", "Кола", "Cola"], "pcs", "food", 550, &[("0,5 л", "0,5 л", "0.5 l", 0.6), ("1 л", "1 л", "1 l", 1.0), ("2 л", "2 л", "2 l", 1.6)], &["Coca-Cola", "Pepsi", "RC Cola"], Summer, 8, ""),
    line("FNT", DRINKS, ["Газированный напиток апельсин", "Апельсин дәмді газдалған сусын", "Orange soft drink"], "pcs", "food", 500, &[("0,5 л", "0,5 л", "0.5 l", 0.6), ("1,5 л", "1,5 л", "1.5 l", 1.3)], &["Fanta", "Mirinda"], Summer, 5, ""),
    line("LEM", DRINKS, ["Лимонад Тархун", "«Тархун» лимонады", "Tarkhun lemonade"], "pcs", "food", 450, L1, &["Черноголовка", "Visit"], Summer, 3, ""),
    line("ICT", DRINKS, ["Холодный чай лимон", "Лимонды салқын шай", "Iced tea, lemon"], "pcs", "food", 600, &[("0,5 л", "0,5 л", "0.5 l", 0.7), ("1 л", "1 л", "1 l", 1.0), ("1,5 л", "1,5 л", "1.5 l", 1.3)], &["Fuse Tea", "Lipton", "Piala"], Summer, 6, ""),
    line("KVS", DRINKS, ["Квас хлебный", "Нан квасы", "Bread kvass"], "pcs", "food", 550, &[("1,5 л", "1,5 л", "1.5 l", 1.0)], &["Очаковский", "Никола", "Шин-Лайн"], Summer, 3, ""),
    line("ENR", DRINKS, ["Энергетический напиток", "Энергетикалық сусын", "Energy drink"], "pcs", "food", 550, &[("0,45 л", "0,45 л", "0.45 l", 1.0)], &["Red Bull", "Gorilla", "Adrenaline Rush"], Flat, 3, ""),
    // Tea and coffee
    line("TBL", TEA, ["Чай чёрный гранулированный", "Түйіршіктелген қара шай", "Black tea, granulated"], "pcs", "food", 1100, &[("250 г", "250 г", "250 g", 1.0), ("500 г", "500 г", "500 g", 1.9)], &["Пиала", "Beta Tea", "Дастархан"], Winter, 8, "SUG"),
    line("TBB", TEA, ["Чай чёрный в пакетиках", "Пакеттелген қара шай", "Black tea bags"], "pcs", "food", 900, &[("25 пак.", "25 пакет", "25 bags", 0.3), ("100 пак.", "100 пакет", "100 bags", 1.0)], &["Ahmad Tea", "Lipton", "Tess", "Пиала"], Winter, 7, "CKS"),
    line("TGR", TEA, ["Чай зелёный", "Көк шай", "Green tea"], "pcs", "food", 900, &[("100 г", "100 г", "100 g", 1.0)], &["Ahmad Tea", "Greenfield", "Пиала"], Flat, 3, ""),
    line("CFI", TEA, ["Кофе растворимый", "Ерітілетін кофе", "Instant coffee"], "pcs", "food", 2500, &[("95 г", "95 г", "95 g", 1.0), ("190 г", "190 г", "190 g", 1.8)], &["Nescafé Gold", "Jacobs Monarch", "Чёрная карта"], Winter, 5, "SUR"),
    line("CFG", TEA, ["Кофе молотый", "Ұнтақталған кофе", "Ground coffee"], "pcs", "food", 2800, &[("250 г", "250 г", "250 g", 1.0)], &["Lavazza", "Jacobs", "Жокей"], Flat, 3, ""),
    line("CFS", TEA, ["Кофейный напиток 3 в 1", "«3-і 1-де» кофе сусыны", "Coffee drink 3 in 1"], "pack", "food", 800, &[("10 шт", "10 дана", "10 pcs", 1.0)], &["Nescafé", "MacCoffee", "Jacobs"], Winter, 4, ""),
    line("CCO", TEA, ["Какао-порошок", "Какао ұнтағы", "Cocoa powder"], "pcs", "food", 900, &[("100 г", "100 г", "100 g", 1.0)], &["Nesquik", "Золотой ярлык"], Winter, 2, ""),
    // Confectionery
    line("CHM", SWEETS, ["Шоколад молочный", "Сүтті шоколад", "Milk chocolate"], "pcs", "food", 450, &[("90 г", "90 г", "90 g", 1.0), ("200 г", "200 г", "200 g", 2.1)], &["Рахат", "Баян Сулу", "Alpen Gold", "Milka"], Winter, 7, ""),
    line("CHD", SWEETS, ["Шоколад горький 70%", "Ащы шоколад 70%", "Dark chocolate 70%"], "pcs", "food", 600, &[("100 г", "100 г", "100 g", 1.0)], &["Рахат", "Баян Сулу", "Бабаевский"], Winter, 3, ""),
    line("CND", SWEETS, ["Конфеты шоколадные весовые", "Салмақпен сатылатын шоколад кәмпиттер", "Chocolate sweets, loose"], "kg", "food", 3200, ONE, &["Рахат", "Баян Сулу", "Красный Октябрь", "Konti"], Winter, 6, "TBL"),
    line("CNC", SWEETS, ["Карамель весовая", "Салмақпен сатылатын карамель", "Caramels, loose"], "kg", "food", 1800, ONE, RAKHAT3, Winter, 4, ""),
    line("GFT", SWEETS, ["Подарочный набор конфет", "Кәмпит сыйлық жиынтығы", "Gift box of sweets"], "pcs", "food", 4500, &[("300 г", "300 г", "300 g", 0.65), ("500 г", "500 г", "500 g", 1.0), ("1 кг", "1 кг", "1 kg", 1.9)], &["Рахат", "Баян Сулу", "Ferrero"], Gift, 5, ""),
    line("CKS", SWEETS, ["Печенье сахарное", "Қант печеньесі", "Sugar biscuits"], "pcs", "food", 450, &[("300 г", "300 г", "300 g", 1.0)], &["Юбилейное", "Рахат", "Баян Сулу", "Konti"], Flat, 6, "TBB"),
    line("CKO", SWEETS, ["Печенье овсяное", "Сұлы печеньесі", "Oat biscuits"], "pcs", "food", 500, &[("400 г", "400 г", "400 g", 1.0)], RAKHAT3, Flat, 4, ""),
    line("WAF", SWEETS, ["Вафли", "Вафли", "Wafers"], "pcs", "food", 400, &[("200 г", "200 г", "200 g", 1.0), ("450 г", "450 г", "450 g", 2.0)], RAKHAT3, Flat, 5, ""),
    line("PRY", SWEETS, ["Пряники", "Пряниктер", "Gingerbread"], "pcs", "food", 550, &[("400 г", "400 г", "400 g", 1.0)], &["Рахат", "Konti", "Тульский"], Winter, 3, ""),
    line("ZEF", SWEETS, ["Зефир ванильный", "Ванильді зефир", "Vanilla marshmallow"], "pcs", "food", 800, &[("250 г", "250 г", "250 g", 1.0)], &["Рахат", "Шармэль", "Ударница"], Flat, 3, ""),
    line("HAL", SWEETS, ["Халва подсолнечная", "Күнбағыс халуасы", "Sunflower halva"], "pcs", "food", 700, &[("350 г", "350 г", "350 g", 1.0)], &["Рахат", "Баян Сулу"], Winter, 2, ""),
    line("CAK", SWEETS, ["Торт медовый", "Бал торты", "Honey cake"], "pcs", "food", 3500, &[("500 г", "500 г", "500 g", 1.0), ("1 кг", "1 кг", "1 kg", 1.9)], &["Рахат", "Baker House"], Gift, 3, "TBB"),
    // Bread
    line("BRD", BREAD, ["Хлеб пшеничный", "Бидай наны", "Wheat bread"], "pcs", "food", 180, &[("500 г", "500 г", "500 g", 1.0)], &["Аксай нан", "Береке нан", "Нан-Алматы"], Flat, 10, "BTR"),
    line("BRR", BREAD, ["Хлеб ржаной Бородинский", "«Бородинский» қара наны", "Borodinsky rye bread"], "pcs", "food", 250, &[("400 г", "400 г", "400 g", 1.0)], &["Аксай нан", "Береке нан"], Flat, 5, ""),
    line("BTN", BREAD, ["Батон нарезной", "Тілімделген батон", "Sliced loaf"], "pcs", "food", 200, &[("400 г", "400 г", "400 g", 1.0)], &["Аксай нан", "Береке нан", "Нан-Алматы"], Flat, 8, "SYR"),
    line("LEP", BREAD, ["Лепёшка тандырная", "Тандыр нан", "Tandoor flatbread"], "pcs", "food", 200, &[("1 шт", "1 дана", "1 pc", 1.0)], &["Береке нан", "Тандыр"], Flat, 6, ""),
    line("BRS", BREAD, ["Баурсаки", "Бауырсақ", "Baursaks"], "pcs", "food", 900, &[("500 г", "500 г", "500 g", 1.0)], &["Береке нан", "Дастархан"], Flat, 3, "TBL"),
    // Meat and poultry
    line("BEF", MEAT, ["Говядина лопатка", "Сиыр етінің жауырыны", "Beef shoulder"], "kg", "food", 3900, ONE, &["Ферма Алатау", "KazBeef", "Мясной двор"], Winter, 6, ""),
    line("LMB", MEAT, ["Баранина на кости", "Сүйекті қой еті", "Lamb on the bone"], "kg", "food", 4200, ONE, &["Ферма Алатау", "Мясной двор"], Flat, 4, ""),
    line("KAZ", MEAT, ["Казы", "Қазы", "Kazy horse sausage"], "kg", "food", 9500, ONE, &["Дәмді", "Шұбар", "Ферма Алатау"], Gift, 3, ""),
    line("CHK", MEAT, ["Курица тушка охлаждённая", "Салқындатылған тауық ұшасы", "Chilled whole chicken"], "kg", "food", 1700, ONE, &["Алель Агро", "Казгер Кус", "Шығыс Құс"], Flat, 8, ""),
    line("CHF", MEAT, ["Филе куриное", "Тауық филесі", "Chicken fillet"], "kg", "food", 2600, ONE, &["Алель Агро", "Казгер Кус"], Flat, 6, ""),
    line("FRS", MEAT, ["Фарш говяжий", "Тартылған сиыр еті", "Minced beef"], "kg", "food", 3500, ONE, &["Ферма Алатау", "Мясной двор"], Flat, 5, ""),
    line("SVR", MEAT, ["Колбаса варёная Докторская", "«Докторская» пісірілген шұжығы", "Doktorskaya boiled sausage"], "kg", "food", 3200, ONE, &["Дәмді", "Иртыш", "Фирма Ильина"], Flat, 5, "BTN"),
    line("SKP", MEAT, ["Колбаса сервелат", "«Сервелат» ысталған шұжығы", "Cervelat smoked sausage"], "pcs", "food", 1800, &[("350 г", "350 г", "350 g", 1.0)], &["Дәмді", "Иртыш", "Фирма Ильина"], Winter, 4, ""),
    line("SOS", MEAT, ["Сосиски молочные", "Сүтті сосискалар", "Milk frankfurters"], "pcs", "food", 1900, &[("450 г", "450 г", "450 g", 1.0), ("1 кг", "1 кг", "1 kg", 2.1)], &["Дәмді", "Иртыш"], Flat, 5, "KTC"),
    // Frozen
    line("PEL", FROZEN, ["Пельмени говяжьи", "Сиыр етінен тұшпара", "Beef pelmeni"], "pcs", "food", 1800, &[("450 г", "450 г", "450 g", 0.6), ("800 г", "800 г", "800 g", 1.0)], &["Дәмді", "Сибирская коллекция", "Мама Люба"], Winter, 6, "SMT"),
    line("MNT", FROZEN, ["Манты", "Манты", "Manty dumplings"], "pcs", "food", 2200, &[("900 г", "900 г", "900 g", 1.0)], &["Дәмді", "Мама Люба"], Winter, 4, "SMT"),
    line("VRN", FROZEN, ["Вареники с картофелем", "Картоп салынған вареники", "Potato vareniki"], "pcs", "food", 1100, &[("800 г", "800 г", "800 g", 1.0)], &["Мама Люба", "Дәмді"], Flat, 3, ""),
    line("ICE", FROZEN, ["Мороженое пломбир", "Пломбир балмұздағы", "Plombir ice cream"], "pcs", "food", 300, &[("80 г", "80 г", "80 g", 1.0), ("брикет 450 г", "брикет 450 г", "block 450 g", 4.2)], &["Шин-Лайн", "Айс-Фили", "Инмарко"], Summer, 7, ""),
    line("ICS", FROZEN, ["Мороженое эскимо", "Эскимо балмұздағы", "Eskimo ice cream bar"], "pcs", "food", 350, &[("70 г", "70 г", "70 g", 1.0)], &["Шин-Лайн", "Инмарко", "Айс-Фили"], Summer, 5, ""),
    line("VEG", FROZEN, ["Смесь овощная замороженная", "Мұздатылған көкөніс қоспасы", "Frozen vegetable mix"], "pcs", "food", 1100, &[("400 г", "400 г", "400 g", 1.0)], &["Hortex", "4 сезона", "Vитамин"], Winter, 3, ""),
    line("FSH", FROZEN, ["Минтай мороженый", "Мұздатылған минтай", "Frozen pollock"], "kg", "food", 1900, ONE, &["Доброфлот", "Меридиан"], Flat, 3, ""),
    // Laundry
    line("PWD", LAUNDRY, ["Стиральный порошок автомат", "Автомат кір жуғыш ұнтағы", "Laundry powder, automatic"], "pcs", "non_food", 2500, &[("450 г", "450 г", "450 g", 0.2), ("3 кг", "3 кг", "3 kg", 1.0), ("9 кг", "9 кг", "9 kg", 2.7)], &["Ariel", "Tide", "Persil", "Миф"], Flat, 6, "CNS"),
    line("GEL", LAUNDRY, ["Гель для стирки", "Кір жууға арналған гель", "Laundry gel"], "pcs", "non_food", 3200, &[("1 л", "1 л", "1 l", 0.7), ("2 л", "2 л", "2 l", 1.3)], &["Ariel", "Persil", "Ласка", "Tide"], Flat, 4, "CNS"),
    line("CNS", LAUNDRY, ["Кондиционер для белья", "Кірге арналған кондиционер", "Fabric softener"], "pcs", "non_food", 1800, &[("1 л", "1 л", "1 l", 1.0), ("2 л", "2 л", "2 l", 1.8)], &["Lenor", "Comfort", "Vernel"], Flat, 4, ""),
    line("BLC", LAUNDRY, ["Отбеливатель", "Ағартқыш", "Bleach"], "pcs", "non_food", 550, L1, &["Белизна", "Vanish"], Flat, 3, ""),
    line("SOP", LAUNDRY, ["Мыло хозяйственное 72%", "Кір сабын 72%", "Laundry soap 72%"], "pcs", "non_food", 180, &[("200 г", "200 г", "200 g", 1.0)], &["Невская косметика", "Аист"], Flat, 4, ""),
    // Cleaning
    line("DSH", CLEANING, ["Средство для мытья посуды", "Ыдыс жуғыш құрал", "Dishwashing liquid"], "pcs", "non_food", 900, &[("450 мл", "450 мл", "450 ml", 0.9), ("900 мл", "900 мл", "900 ml", 1.7)], &["Fairy", "AOS", "Sorti"], Flat, 7, "SPG"),
    line("CLN", CLEANING, ["Чистящее средство универсальное", "Әмбебап тазалағыш құрал", "All-purpose cleaner"], "pcs", "non_food", 1000, &[("500 мл", "500 мл", "500 ml", 1.0), ("1 л", "1 л", "1 l", 1.8)], &["Mr. Proper", "Cif", "Санита"], Flat, 4, "GLV"),
    line("GLC", CLEANING, ["Средство для стёкол", "Әйнек тазалағыш", "Glass cleaner"], "pcs", "non_food", 900, &[("500 мл", "500 мл", "500 ml", 1.0)], &["Mr. Muscle", "Clin", "Санита"], Flat, 3, ""),
    line("WCL", CLEANING, ["Средство для унитаза", "Унитаз тазалағыш", "Toilet cleaner"], "pcs", "non_food", 1100, &[("750 мл", "750 мл", "750 ml", 1.0), ("1 л", "1 л", "1 l", 1.3)], &["Domestos", "Туалетный утёнок", "Санита"], Flat, 4, ""),
    line("PWC", CLEANING, ["Чистящий порошок", "Тазалағыш ұнтақ", "Scouring powder"], "pcs", "non_food", 350, &[("400 г", "400 г", "400 g", 1.0)], &["Пемолюкс", "Comet", "Санита"], Flat, 3, ""),
    line("DWT", CLEANING, ["Таблетки для посудомоечной машины", "Ыдыс жуғыш машинаға арналған таблеткалар", "Dishwasher tablets"], "pack", "non_food", 4500, &[("30 шт", "30 дана", "30 pcs", 1.0), ("60 шт", "60 дана", "60 pcs", 1.8)], &["Finish", "Fairy", "Somat"], Flat, 2, ""),
    // Hygiene
    line("TPS", HYGIENE, ["Зубная паста", "Тіс пастасы", "Toothpaste"], "pcs", "hygiene", 900, &[("75 мл", "75 мл", "75 ml", 0.8), ("100 мл", "100 мл", "100 ml", 1.0)], &["Colgate", "Blend-a-med", "Жемчуг", "Splat"], Flat, 6, "TBR"),
    line("TBR", HYGIENE, ["Зубная щётка средней жёсткости", "Орташа қаттылықтағы тіс щеткасы", "Toothbrush, medium"], "pcs", "hygiene", 600, ONE, &["Colgate", "Oral-B", "Splat"], Flat, 4, "TPS"),
    line("SHP", HYGIENE, ["Шампунь", "Сусабын", "Shampoo"], "pcs", "perfume_cosmetics", 2200, &[("250 мл", "250 мл", "250 ml", 0.7), ("400 мл", "400 мл", "400 ml", 1.0)], &["Head & Shoulders", "Pantene", "Чистая линия", "Schauma"], Flat, 5, "SHG"),
    line("SHG", HYGIENE, ["Гель для душа", "Душқа арналған гель", "Shower gel"], "pcs", "perfume_cosmetics", 1500, &[("250 мл", "250 мл", "250 ml", 1.0), ("750 мл", "750 мл", "750 ml", 2.4)], &["Dove", "Nivea", "Palmolive"], Flat, 4, ""),
    line("SOT", HYGIENE, ["Мыло туалетное", "Иіс сабын", "Toilet soap"], "pcs", "hygiene", 300, &[("90 г", "90 г", "90 g", 1.0), ("4 × 90 г", "4 × 90 г", "4 × 90 g", 3.6)], &["Dove", "Safeguard", "Palmolive", "Чистая линия"], Flat, 5, ""),
    line("SOL", HYGIENE, ["Жидкое мыло", "Сұйық сабын", "Liquid soap"], "pcs", "hygiene", 900, &[("300 мл", "300 мл", "300 ml", 1.0), ("1 л", "1 л", "1 l", 2.5)], &["Palmolive", "Aura", "Чистая линия"], Flat, 4, ""),
    line("DEO", HYGIENE, ["Дезодорант аэрозоль", "Дезодорант аэрозоль", "Deodorant spray"], "pcs", "perfume_cosmetics", 1900, &[("150 мл", "150 мл", "150 ml", 1.0)], &["Rexona", "Nivea", "Old Spice"], Summer, 3, ""),
    line("TPR", HYGIENE, ["Туалетная бумага", "Дәретхана қағазы", "Toilet paper"], "pack", "hygiene", 1100, &[("4 рулона", "4 орам", "4 rolls", 0.55), ("8 рулонов", "8 орам", "8 rolls", 1.0), ("24 рулона", "24 орам", "24 rolls", 2.7)], &["Zewa", "Papia", "Big Soft"], Flat, 8, "TWL"),
    line("TWL", HYGIENE, ["Бумажные полотенца", "Қағаз сүлгі", "Paper towels"], "pack", "hygiene", 800, &[("2 рулона", "2 орам", "2 rolls", 1.0)], &["Zewa", "Papia", "Big Soft"], Flat, 4, ""),
    line("NPK", HYGIENE, ["Салфетки бумажные", "Қағаз майлықтар", "Paper napkins"], "pack", "hygiene", 250, &[("100 шт", "100 дана", "100 pcs", 1.0)], &["Zewa", "Big Soft", "Papia"], Flat, 4, ""),
    line("WWP", HYGIENE, ["Влажные салфетки", "Ылғалды майлықтар", "Wet wipes"], "pack", "hygiene", 500, &[("72 шт", "72 дана", "72 pcs", 1.0)], &["Huggies", "Aura", "Johnson's baby"], Flat, 4, ""),
    line("DPR", HYGIENE, ["Подгузники", "Балалар жаялығы", "Baby diapers"], "pack", "hygiene", 6500, &[("размер 3, 52 шт", "3-өлшем, 52 дана", "size 3, 52 pcs", 1.0), ("размер 4, 46 шт", "4-өлшем, 46 дана", "size 4, 46 pcs", 1.05), ("размер 5, 40 шт", "5-өлшем, 40 дана", "size 5, 40 pcs", 1.1)], &["Pampers", "Huggies", "Libero"], Flat, 4, "WWP"),
    line("PAD", HYGIENE, ["Прокладки гигиенические", "Гигиеналық төсемдер", "Sanitary pads"], "pack", "hygiene", 900, &[("10 шт", "10 дана", "10 pcs", 1.0)], &["Always", "Kotex", "Naturella"], Flat, 3, ""),
    // Dishes
    line("PLT", DISHES, ["Тарелка", "Тәрелке", "Plate"], "pcs", "non_food", 900, &[("20 см", "20 см", "20 cm", 0.8), ("24 см", "24 см", "24 cm", 1.0)], &["Luminarc", "Pasabahce", "Добруш"], Gift, 2, "PIA"),
    line("CUP", DISHES, ["Кружка", "Саптыаяқ", "Mug"], "pcs", "non_food", 800, &[("300 мл", "300 мл", "300 ml", 1.0)], &["Luminarc", "Pasabahce"], Gift, 2, ""),
    line("PIA", DISHES, ["Пиала", "Кесе", "Piala tea bowl"], "pcs", "non_food", 350, &[("250 мл", "250 мл", "250 ml", 1.0)], &["Pasabahce", "Luminarc", "Добруш"], Flat, 3, "TBL"),
    line("GLA", DISHES, ["Стаканы, набор", "Стақандар жиынтығы", "Glasses, set"], "set", "non_food", 2500, &[("6 × 250 мл", "6 × 250 мл", "6 × 250 ml", 1.0)], &["Pasabahce", "Luminarc"], Gift, 2, ""),
    line("POT", DISHES, ["Кастрюля эмалированная", "Эмальданған кәстрөл", "Enamel saucepan"], "pcs", "non_food", 5500, &[("2 л", "2 л", "2 l", 0.8), ("3 л", "3 л", "3 l", 1.0), ("5 л", "5 л", "5 l", 1.4)], &["Kukmara", "Appetite", "СтальЭмаль"], Flat, 1, ""),
    line("PAN", DISHES, ["Сковорода с антипригарным покрытием", "Жабыспайтын жабынды таба", "Non-stick frying pan"], "pcs", "non_food", 9000, &[("24 см", "24 см", "24 cm", 1.0), ("28 см", "28 см", "28 cm", 1.25)], &["Tefal", "Kukmara", "Rondell"], Gift, 2, ""),
    line("KZN", DISHES, ["Казан чугунный", "Шойын қазан", "Cast-iron kazan"], "pcs", "non_food", 18000, &[("6 л", "6 л", "6 l", 0.8), ("8 л", "8 л", "8 l", 1.0), ("12 л", "12 л", "12 l", 1.4)], &["Kukmara", "Ситон"], Summer, 1, ""),
    line("THR", DISHES, ["Термос", "Термос", "Vacuum flask"], "pcs", "non_food", 7500, L1, &["Thermos", "Biol", "Арктика"], Winter, 1, ""),
    line("CNT", DISHES, ["Контейнер пищевой", "Тағам контейнері", "Food container"], "pcs", "non_food", 900, L1, &["Curver", "Idea", "Lock&Lock"], Flat, 2, ""),
    line("KNF", DISHES, ["Нож кухонный", "Ас пышағы", "Kitchen knife"], "pcs", "non_food", 3500, &[("20 см", "20 см", "20 cm", 1.0)], &["Tramontina", "Fissman", "Victorinox"], Flat, 1, ""),
    // Household goods
    line("BAG", HOUSEHOLD, ["Мешки для мусора", "Қоқыс қаптары", "Bin bags"], "pack", "non_food", 500, &[("30 л, 30 шт", "30 л, 30 дана", "30 l, 30 pcs", 1.0), ("60 л, 20 шт", "60 л, 20 дана", "60 l, 20 pcs", 1.2), ("120 л, 10 шт", "120 л, 10 дана", "120 l, 10 pcs", 1.3)], &["Paclan", "Фрекен Бок", "Mirpack"], Flat, 6, ""),
    line("SPG", HOUSEHOLD, ["Губки для посуды", "Ыдыс жуғыш губкалар", "Dish sponges"], "pack", "non_food", 300, &[("5 шт", "5 дана", "5 pcs", 1.0)], &["Фрекен Бок", "York", "Vileda"], Flat, 5, "DSH"),
    line("GLV", HOUSEHOLD, ["Перчатки хозяйственные", "Шаруашылық қолғаптары", "Household gloves"], "pcs", "non_food", 450, &[("размер M", "M өлшемі", "size M", 1.0), ("размер L", "L өлшемі", "size L", 1.0)], &["Фрекен Бок", "York", "Vileda"], Flat, 3, ""),
    line("MOP", HOUSEHOLD, ["Швабра с отжимом", "Сығатын еден жуғыш", "Spin mop"], "pcs", "non_food", 6500, ONE, &["Vileda", "York"], Flat, 1, "BKT"),
    line("BKT", HOUSEHOLD, ["Ведро пластиковое", "Пластик шелек", "Plastic bucket"], "pcs", "non_food", 900, &[("10 л", "10 л", "10 l", 1.0)], &["Idea", "Альтернатива"], Flat, 1, ""),
    line("BRM", HOUSEHOLD, ["Веник", "Сыпырғыш", "Broom"], "pcs", "non_food", 1200, ONE, &["York", "Idea"], Flat, 1, ""),
    line("FOL", HOUSEHOLD, ["Фольга алюминиевая", "Алюминий фольгасы", "Aluminium foil"], "pcs", "non_food", 700, &[("10 м", "10 м", "10 m", 1.0)], &["Paclan", "Фрекен Бок"], Gift, 2, ""),
    line("FLM", HOUSEHOLD, ["Плёнка пищевая", "Тағамдық үлдір", "Cling film"], "pcs", "non_food", 600, &[("20 м", "20 м", "20 m", 1.0)], &["Paclan", "Фрекен Бок"], Flat, 2, ""),
    line("BAT", HOUSEHOLD, ["Батарейки AA", "AA батарейкалары", "AA batteries"], "pack", "non_food", 1500, &[("4 шт", "4 дана", "4 pcs", 1.0), ("8 шт", "8 дана", "8 pcs", 1.8)], &["Duracell", "Energizer", "GP"], Gift, 3, ""),
    line("LED", HOUSEHOLD, ["Лампа светодиодная E27", "E27 жарықдиодты шамы", "LED bulb E27"], "pcs", "non_food", 700, &[("10 Вт", "10 Вт", "10 W", 1.0), ("15 Вт", "15 Вт", "15 W", 1.3)], &["Philips", "Camelion", "Osram"], Winter, 3, ""),
    line("MTC", HOUSEHOLD, ["Спички", "Сіріңке", "Matches"], "pack", "non_food", 150, &[("10 коробков", "10 қорап", "10 boxes", 1.0)], &["Балабановская", "Ласточка"], Flat, 2, ""),
    line("CDL", HOUSEHOLD, ["Свечи хозяйственные", "Шаруашылық шырақтары", "Household candles"], "pack", "non_food", 600, &[("10 шт", "10 дана", "10 pcs", 1.0)], &["Свечной двор"], Winter, 1, "MTC"),
    // Small appliances
    appliance("KTL", ["Чайник электрический", "Электр шәйнегі", "Electric kettle"], 9000, &[("1,7 л", "1,7 л", "1.7 l", 1.0)], &["Tefal", "Philips", "Scarlett", "Polaris"], 24),
    appliance("IRN", ["Утюг", "Үтік", "Steam iron"], 12000, ONE, &["Tefal", "Philips", "Braun"], 24),
    appliance("HDR", ["Фен", "Шаш кептіргіш", "Hair dryer"], 9000, ONE, &["Philips", "Rowenta", "Scarlett"], 12),
    appliance("BLN", ["Блендер погружной", "Батырмалы блендер", "Hand blender"], 14000, ONE, &["Braun", "Philips", "Redmond"], 24),
    appliance("MCK", ["Мультиварка", "Мультипісіргіш", "Multicooker"], 28000, &[("5 л", "5 л", "5 l", 1.0)], &["Redmond", "Polaris", "Tefal"], 24),
    appliance("VAC", ["Пылесос", "Шаңсорғыш", "Vacuum cleaner"], 45000, ONE, &["Samsung", "Bosch", "LG"], 24),
    appliance("MWV", ["Микроволновая печь", "Микротолқынды пеш", "Microwave oven"], 38000, &[("20 л", "20 л", "20 l", 1.0)], &["Samsung", "LG", "Midea"], 12),
    appliance("MXR", ["Миксер ручной", "Қол миксері", "Hand mixer"], 9500, ONE, &["Bosch", "Scarlett", "Polaris"], 12),
];

/// The demo shop: the catalogue to import and what the year of orders
/// needs besides it (purchase costs for margins, demand, seasons).
#[derive(Debug, Clone)]
pub struct Shop {
    pub catalogue: Catalogue,
    /// Purchase cost per unit (VAT included, like prices) by SKU: the
    /// catalogue carries none, so it goes into past order lines only.
    pub costs: BTreeMap<String, Money>,
    /// Relative demand by SKU (popularity of the line and the pack).
    pub demand: BTreeMap<String, f64>,
    /// The season of each SKU's line.
    pub seasons: BTreeMap<String, Season>,
}

fn round_tenge(x: f64) -> i64 {
    let step = if x < 100.0 {
        1.0
    } else if x < 1000.0 {
        5.0
    } else {
        10.0
    };
    ((x / step).round() * step).max(1.0) as i64
}

fn margin(line: &Line) -> f64 {
    match (line.class, line.category) {
        ("technically_complex", _) => 0.22,
        ("perfume_cosmetics", _) => 0.36,
        ("hygiene", _) => 0.32,
        ("non_food", c) if c.starts_with("Бытовая химия") => 0.30,
        ("non_food", _) => 0.38,
        (_, DRINKS) | (_, SWEETS) => 0.30,
        _ => 0.24,
    }
}

/// The demo catalogue (≥ 500 items), deterministic for `seed`. `now_ms`
/// places the promotions: several active now, some past (so the year of
/// orders shows them), one upcoming.
pub fn shop(seed: u64, now_ms: i64) -> Shop {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cat = Catalogue::default();
    let mut costs = BTreeMap::new();
    let mut demand = BTreeMap::new();
    let mut seasons = BTreeMap::new();
    let mut stock_rows = Vec::new();
    // (line index, brand index, size index, sku) of every item, in order.
    let mut placed: Vec<(usize, usize, usize, String)> = Vec::new();

    for (li, l) in LINES.iter().enumerate() {
        for (bi, brand) in l.brands.iter().enumerate() {
            for (si, size) in l.sizes.iter().enumerate() {
                let sku = format!("{}-{:02}{:02}", l.code, bi + 1, si + 1);
                let join =
                    |parts: [&str; 3]| parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ");
                let name = Names {
                    ru: join([l.name[0], brand, size.0]),
                    kk: join([l.name[1], brand, size.1]),
                    en: join([l.name[2], brand, size.2]),
                };
                let description = Names {
                    ru: format!("{}. Производитель: {brand}.", l.name[0]),
                    kk: format!("{}. Өндіруші: {brand}.", l.name[1]),
                    en: format!("{}. Maker: {brand}.", l.name[2]),
                };
                let mut attributes = vec![("бренд".to_string(), brand.to_string())];
                if !size.0.is_empty() {
                    attributes.push(("фасовка".to_string(), size.0.to_string()));
                }
                // Brands sell unevenly: the first is the leader.
                let brand_share = 1.0 / (1.0 + bi as f64 * 0.45);
                let retail_tenge = round_tenge(l.price as f64 * size.3 * rng.gen_range(0.96..1.06));
                let retail = retail_tenge * 100;
                let mut by_client_type = BTreeMap::new();
                for (t, f) in CLIENT_FACTORS {
                    let p = if t == "retail" { retail } else { ((retail_tenge as f64 * f).round() as i64) * 100 };
                    by_client_type.insert(t.to_string(), p);
                }
                let tiers = match (l.class, l.unit) {
                    ("technically_complex", _) => vec![Tier { min_qty: 3, bp: 200 }],
                    (_, "kg") => vec![Tier { min_qty: 10, bp: 300 }, Tier { min_qty: 50, bp: 500 }],
                    _ if l.price * 100 >= 500_000 => vec![Tier { min_qty: 5, bp: 200 }],
                    _ => vec![Tier { min_qty: 12, bp: 200 }, Tier { min_qty: 48, bp: 400 }],
                };
                let cost = (retail as f64 * (1.0 - margin(l)) * rng.gen_range(0.97..1.03)).round() as Money;
                let d = f64::from(l.pop) * brand_share * if si == 0 { 1.0 } else { 0.7 } * rng.gen_range(0.6..1.4);
                // A few of the range stopped being sold (kept for history).
                let listed = !(bi > 0 && rng.gen_bool(0.025)) || SOLD_OUT.contains(&sku.as_str());
                let competitor_note = if rng.gen_bool(0.12) {
                    match rng.gen_range(0..4) {
                        0 => format!("Magnum: {} ₸", round_tenge(retail_tenge as f64 * 0.95)),
                        1 => format!("Small: {} ₸, акция до конца месяца", round_tenge(retail_tenge as f64 * 0.92)),
                        2 => "Galmart: нет в наличии".to_string(),
                        _ => format!("Arbuz.kz: {} ₸ с доставкой", round_tenge(retail_tenge as f64 * 1.03)),
                    }
                } else {
                    String::new()
                };
                cat.items.insert(
                    sku.clone(),
                    Item {
                        sku: sku.clone(),
                        name,
                        description,
                        category: l.category.split(" > ").map(String::from).collect(),
                        attributes,
                        unit: l.unit.to_string(),
                        vat_bp: 1200,
                        listed,
                        goods_class: l.class.to_string(),
                        warranty_months: l.warranty_months,
                        alternatives: Vec::new(),
                        complements: Vec::new(),
                        competitor_note,
                        photos: Vec::new(),
                    },
                );
                cat.prices.insert(sku.clone(), Price { by_client_type, tiers });
                costs.insert(sku.clone(), cost);
                demand.insert(sku.clone(), d);
                seasons.insert(sku.clone(), l.season);
                // Stock: Almaty always, the other two for part of the range;
                // about one listed item in eighteen sold out everywhere.
                let sold_out = SOLD_OUT.contains(&sku.as_str()) || !listed || rng.gen_bool(0.055);
                for (wi, w) in WAREHOUSES.iter().enumerate() {
                    let carries = wi == 0 || rng.gen_bool(if wi == 1 { 0.6 } else { 0.4 });
                    if !carries {
                        continue;
                    }
                    let base = if l.unit == "kg" { 40.0 } else { 60.0 } * d * if wi == 0 { 1.0 } else { 0.4 };
                    let on_hand = if sold_out { 0 } else { (base * rng.gen_range(0.5..1.5)).round().max(3.0) as i64 };
                    stock_rows.push(StockRow { sku: sku.clone(), warehouse: w.to_string(), on_hand, reserved: 0 });
                }
                placed.push((li, bi, si, sku));
            }
        }
    }
    cat.stock = Stock::from(stock_rows);

    // Alternatives: the same line in other brands, same pack first, listed
    // and in stock; complements: the first listed items of the paired line.
    let available: BTreeMap<&str, i64> = placed.iter().map(|p| (p.3.as_str(), cat.stock.available(&p.3))).collect();
    let mut alternatives: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut complements: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (li, bi, si, sku) in &placed {
        let mut alts: Vec<&(usize, usize, usize, String)> = placed
            .iter()
            .filter(|(l2, b2, _, s2)| l2 == li && b2 != bi && cat.items[s2].listed && available[s2.as_str()] > 0)
            .collect();
        alts.sort_by_key(|(_, b2, s2, _)| (usize::from(s2 != si), *b2));
        alternatives.insert(sku.clone(), alts.iter().take(3).map(|p| p.3.clone()).collect());
        let code = LINES[*li].complement;
        if !code.is_empty() {
            let with: Vec<String> = placed
                .iter()
                .filter(|(l2, _, _, s2)| LINES[*l2].code == code && cat.items[s2].listed)
                .take(2)
                .map(|p| p.3.clone())
                .collect();
            complements.insert(sku.clone(), with);
        }
    }
    for (sku, item) in cat.items.iter_mut() {
        item.alternatives = alternatives.remove(sku).unwrap_or_default();
        item.complements = complements.remove(sku).unwrap_or_default();
    }
    cat.promotions = promotions(now_ms);
    Shop { catalogue: cat, costs, demand, seasons }
}

const DAY_S: i64 = 86_400;

/// The start (Unix seconds, 00:00 UTC+5) of the latest `month`/`day` on or
/// before `today`.
fn last(today: Date, month: u32, day: u32) -> i64 {
    let (y, ..) = today.ymd();
    let this = Date::from_ymd(y, month, day).unwrap_or(today);
    let d = if this.days() <= today.days() { this } else { Date::from_ymd(y - 1, month, day).unwrap_or(today) };
    d.days() * DAY_S - 5 * 3600
}

fn names(ru: &str, kk: &str, en: &str) -> Names {
    Names { ru: ru.into(), kk: kk.into(), en: en.into() }
}

fn cats(paths: &[&str]) -> Vec<Vec<String>> {
    paths.iter().map(|p| p.split(" > ").map(String::from).collect()).collect()
}

/// Promotions relative to `now_ms`: five active now (percent off a
/// category, a fixed amount off chosen items, 3 for 2 on tea, a wholesale
/// discount on household chemicals for the trade's client types, a welcome
/// discount for new clients), four of the past year (New Year gifts,
/// 8 March, summer drinks, back to school) and one upcoming (Nauryz).
pub fn promotions(now_ms: i64) -> Vec<Promotion> {
    let now = now_ms.div_euclid(1000);
    let today = Date::from_days((now + 5 * 3600).div_euclid(DAY_S));
    let wholesale: Vec<String> = ["key", "regional", "marketer", "own_outlet"].iter().map(|s| s.to_string()).collect();
    let p = |id: &str, title: Names, from: i64, until: i64, benefit: Benefit| Promotion {
        id: id.into(),
        title,
        from,
        until,
        min_qty: 1,
        min_order_sum: 0,
        skus: Vec::new(),
        categories: Vec::new(),
        client_types: Vec::new(),
        benefit,
    };
    let week_start = (today.days() - today.weekday().index() as i64) * DAY_S - 5 * 3600;
    let nauryz = {
        let march = last(today, 3, 14);
        if march + 10 * DAY_S > now {
            march
        } else {
            march + 365 * DAY_S
        }
    };
    let new_year = last(today, 12, 1);
    vec![
        Promotion {
            categories: cats(&[DAIRY]),
            ..p(
                "dairy-week",
                names("Молочная неделя: −10%", "Сүт апталығы: −10%", "Dairy week: 10% off"),
                week_start - 3 * DAY_S,
                week_start + 11 * DAY_S,
                Benefit::Percent(1000),
            )
        },
        Promotion {
            skus: vec!["DSH-0101".into(), "DSH-0102".into(), "TPR-0102".into(), "PWD-0102".into()],
            ..p(
                "fixed-price-home",
                names("Цена недели на Fairy, Zewa и Ariel", "Fairy, Zewa, Ariel — апта бағасы", "Price of the week"),
                now - 10 * DAY_S,
                now + 20 * DAY_S,
                Benefit::FixedPerUnit(15_000),
            )
        },
        Promotion {
            categories: cats(&[TEA]),
            client_types: vec!["retail".into(), "new".into()],
            min_qty: 3,
            ..p(
                "tea-3-for-2",
                names("Чай: 3 по цене 2", "Шай: 3-еуі 2-нің бағасымен", "Tea: 3 for the price of 2"),
                now - 5 * DAY_S,
                now + 25 * DAY_S,
                Benefit::NForM { n: 3, m: 2 },
            )
        },
        Promotion {
            categories: cats(&["Бытовая химия"]),
            client_types: wholesale.clone(),
            min_order_sum: 10_000_000,
            ..p(
                "wholesale-chemicals",
                names(
                    "Оптовикам: −7% на бытовую химию от 100 000 ₸",
                    "Көтерме сатып алушыларға: 100 000 ₸-ден тұрмыстық химияға −7%",
                    "Trade: 7% off household chemicals from 100,000 ₸",
                ),
                now - 20 * DAY_S,
                now + 40 * DAY_S,
                Benefit::Percent(700),
            )
        },
        Promotion {
            client_types: vec!["new".into()],
            ..p(
                "welcome-new",
                names(
                    "Новым клиентам: −5% на всё",
                    "Жаңа клиенттерге: барлығына −5%",
                    "New clients: 5% off everything",
                ),
                now - 60 * DAY_S,
                now + 60 * DAY_S,
                Benefit::Percent(500),
            )
        },
        Promotion {
            categories: cats(&[SWEETS]),
            ..p(
                "new-year-gifts",
                names("Новогодние подарки: −15%", "Жаңа жылдық сыйлықтар: −15%", "New Year gifts: 15% off"),
                new_year,
                new_year + 41 * DAY_S,
                Benefit::Percent(1500),
            )
        },
        Promotion {
            categories: cats(&[HYGIENE]),
            ..p(
                "march-8",
                names("К 8 Марта: −12% на гигиену", "8 Наурызға: гигиенаға −12%", "8 March: 12% off hygiene"),
                last(today, 3, 1),
                last(today, 3, 1) + 9 * DAY_S,
                Benefit::Percent(1200),
            )
        },
        Promotion {
            categories: cats(&[DRINKS]),
            min_qty: 3,
            ..p(
                "summer-drinks",
                names("Лето: 3 напитка по цене 2", "Жаз: 3 сусын 2-нің бағасымен", "Summer: 3 drinks for 2"),
                last(today, 6, 1),
                last(today, 6, 1) + 92 * DAY_S,
                Benefit::NForM { n: 3, m: 2 },
            )
        },
        Promotion {
            categories: cats(&[SWEETS, DRINKS]),
            client_types: wholesale,
            ..p(
                "back-to-school",
                names("Снова в школу: −5% оптом", "Мектепке қайта: көтерме −5%", "Back to school: 5% off for trade"),
                last(today, 8, 15),
                last(today, 8, 15) + 24 * DAY_S,
                Benefit::Percent(500),
            )
        },
        Promotion {
            skus: vec!["KZN-0102".into(), "KZN-0202".into(), "PIA-0101".into(), "KAZ-0101".into()],
            ..p(
                "nauryz",
                names("Наурыз: казаны, пиалы и казы", "Наурыз: қазан, кесе және қазы", "Nauryz: kazans, bowls, kazy"),
                nauryz,
                nauryz + 10 * DAY_S,
                Benefit::Percent(1000),
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::customer::CLIENT_TYPES;
    use retail::catalogue::{export_csv, import, ImportRules};

    /// 2025-06-15 15:06:40 UTC.
    const NOW: i64 = 1_750_000_000_000;

    #[test]
    fn five_hundred_items_with_names_prices_and_stock() {
        let s = shop(1, NOW);
        let cat = &s.catalogue;
        assert!(cat.items.len() >= 500, "{} items", cat.items.len());
        for item in cat.items.values() {
            assert!(!item.name.ru.is_empty() && !item.name.kk.is_empty() && !item.name.en.is_empty(), "{}", item.sku);
            assert!(item.name.ru.chars().count() <= retail::catalogue::MAX_NAME_CHARS);
            assert_eq!(item.vat_bp, 1200);
            let price = &cat.prices[&item.sku];
            for t in CLIENT_TYPES {
                assert!(price.by_client_type.get(t).is_some_and(|&p| p > 0), "{} {t}", item.sku);
            }
            assert!(price.unit_price("own_outlet") < price.unit_price("retail"));
            assert!(s.costs[&item.sku] > 0 && s.costs[&item.sku] < price.unit_price("own_outlet"), "{}", item.sku);
            assert!(item.alternatives.iter().chain(&item.complements).all(|a| cat.items.contains_key(a)));
        }
        // Kazakh names are Kazakh, not copies.
        let kazakh = cat.items.values().filter(|i| i.name.kk != i.name.ru).count();
        assert!(kazakh > 450, "{kazakh}");
        assert!(cat.items.values().any(|i| i.name.kk.contains('қ') || i.name.kk.contains('ұ')));
        for class in ["food", "hygiene", "non_food", "perfume_cosmetics", "technically_complex"] {
            assert!(cat.items.values().any(|i| i.goods_class == class), "{class}");
        }
        assert!(cat.items.values().filter(|i| i.goods_class == "technically_complex").all(|i| i.warranty_months >= 12));
        for unit in ["pcs", "kg", "pack", "set"] {
            assert!(cat.items.values().any(|i| i.unit == unit), "{unit}");
        }
        let delisted = cat.items.values().filter(|i| !i.listed).count();
        assert!((3..40).contains(&delisted), "{delisted} delisted");
        assert!(cat.items.values().filter(|i| !i.competitor_note.is_empty()).count() > 30);
        let milk = &cat.items["MLK-0102"];
        assert_eq!(milk.name.ru, "Молоко 3,2% Food Master 1 л");
        assert_eq!(milk.name.kk, "Сүт 3,2% Food Master 1 л");

        // Some listed items are sold out, and the desk has alternatives in stock for them.
        let sold_out: Vec<&Item> =
            cat.items.values().filter(|i| i.listed && cat.stock.available(&i.sku) == 0).collect();
        assert!(sold_out.len() >= 15, "{} sold out", sold_out.len());
        for sku in SOLD_OUT {
            let item = &cat.items[sku];
            assert!(item.listed && cat.stock.available(sku) == 0);
            assert!(!item.alternatives.is_empty() && item.alternatives.iter().all(|a| cat.stock.available(a) > 0));
        }
        assert!(cat.stock.warehouses("MLK-0101").count() >= 1);
        let warehouses: std::collections::BTreeSet<&str> =
            cat.items.keys().flat_map(|s| cat.stock.warehouses(s).map(|(w, _)| w)).collect();
        assert_eq!(warehouses.len(), 3);
    }

    #[test]
    fn export_then_import_finds_no_fault() {
        let s = shop(1, NOW);
        let csv = export_csv(&s.catalogue);
        let imported = import(csv.as_bytes(), &ImportRules::default()).expect("readable").expect("no bad rows");
        assert_eq!(imported.rows_read, s.catalogue.items.len());
        assert_eq!(imported.catalogue.items, s.catalogue.items);
        assert_eq!(imported.catalogue.prices, s.catalogue.prices);
    }

    #[test]
    fn promotions_active_now_and_in_the_past() {
        let s = shop(1, NOW);
        let now = NOW / 1000;
        let active: Vec<&Promotion> = s.catalogue.promotions.iter().filter(|p| p.active_at(now)).collect();
        assert!(active.len() >= 5, "{} active", active.len());
        assert!(active.iter().any(|p| matches!(p.benefit, Benefit::Percent(_)) && p.client_types.is_empty()));
        assert!(active.iter().any(|p| matches!(p.benefit, Benefit::FixedPerUnit(_))));
        assert!(active.iter().any(|p| !p.client_types.is_empty()));
        let past = s.catalogue.promotions.iter().filter(|p| p.until <= now && p.until > now - 365 * DAY_S).count();
        assert!(past >= 2, "{past} past");
        assert!(s.catalogue.promotions.iter().any(|p| p.from > now), "one upcoming");
        for p in &s.catalogue.promotions {
            assert!(p.from < p.until, "{}", p.id);
            assert!(p.skus.iter().all(|k| s.catalogue.items.contains_key(k)), "{}", p.id);
        }
        // The desk shows them for the items they cover.
        let milk = &s.catalogue.items["MLK-0101"];
        assert!(s.catalogue.promotions_for(milk, "retail", now).any(|p| p.id == "dairy-week"));
    }

    #[test]
    fn deterministic_for_a_seed() {
        let a = shop(5, NOW);
        let b = shop(5, NOW);
        assert_eq!(a.catalogue, b.catalogue);
        assert_eq!(a.costs, b.costs);
        let c = shop(6, NOW);
        assert_ne!(a.catalogue.prices, c.catalogue.prices);
    }
}
