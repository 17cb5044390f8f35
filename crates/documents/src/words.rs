//! Amounts in words (сумма прописью / сомасы жазбаша) in Russian, Kazakh and
//! English, for tenge (KZT) and roubles (RUB): whole units in words, the
//! minor units as two digits (`… тенге 05 тиын`), the first letter capital,
//! as accountants write it on invoices.

use retail::money::Money;

use crate::{Currency, Lang};

/// `amount` (minor units, not negative: a negative amount is written as 0)
/// in words in `lang`, with the currency's unit names.
pub fn amount_in_words(amount: Money, currency: Currency, lang: Lang) -> String {
    let amount = amount.max(0);
    let whole = amount / 100;
    let minor = amount % 100;
    let words = match lang {
        Lang::Ru => ru_number(whole),
        Lang::Kk => kk_number(whole),
        Lang::En => en_number(whole),
    };
    let (unit, minor_unit) = unit_names(whole, minor, currency, lang);
    capitalize(&format!("{words} {unit} {minor:02} {minor_unit}"))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Russian plural class of `n`: 0 = one (1, 21), 1 = few (2–4, 22), 2 = many.
fn ru_plural(n: i64) -> usize {
    let n100 = n % 100;
    let n10 = n % 10;
    if (11..=14).contains(&n100) {
        2
    } else if n10 == 1 {
        0
    } else if (2..=4).contains(&n10) {
        1
    } else {
        2
    }
}

fn unit_names(whole: i64, minor: i64, currency: Currency, lang: Lang) -> (&'static str, &'static str) {
    match (lang, currency) {
        (Lang::Ru, Currency::Kzt) => ("тенге", "тиын"),
        (Lang::Ru, Currency::Rub) => {
            (["рубль", "рубля", "рублей"][ru_plural(whole)], ["копейка", "копейки", "копеек"][ru_plural(minor)])
        }
        (Lang::Kk, Currency::Kzt) => ("теңге", "тиын"),
        (Lang::Kk, Currency::Rub) => ("рубль", "тиын"),
        (Lang::En, Currency::Kzt) => ("tenge", "tiyn"),
        (Lang::En, Currency::Rub) => {
            (if whole == 1 { "rouble" } else { "roubles" }, if minor == 1 { "kopeck" } else { "kopecks" })
        }
    }
}

const RU_ONES_M: [&str; 20] = [
    "",
    "один",
    "два",
    "три",
    "четыре",
    "пять",
    "шесть",
    "семь",
    "восемь",
    "девять",
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
];
const RU_TENS: [&str; 10] =
    ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"];
const RU_HUNDREDS: [&str; 10] =
    ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"];

/// One group of three digits in Russian; `feminine` for thousands (одна, две).
fn ru_triple(n: i64, feminine: bool, out: &mut Vec<&'static str>) {
    let h = (n / 100) as usize;
    let rest = (n % 100) as usize;
    if h > 0 {
        out.push(RU_HUNDREDS[h]);
    }
    let ones = if rest < 20 {
        rest
    } else {
        out.push(RU_TENS[rest / 10]);
        rest % 10
    };
    if ones > 0 {
        out.push(match (ones, feminine) {
            (1, true) => "одна",
            (2, true) => "две",
            _ => RU_ONES_M[ones],
        });
    }
}

/// A whole number in Russian words (masculine: тенге, рубль).
fn ru_number(n: i64) -> String {
    if n == 0 {
        return "ноль".into();
    }
    const SCALES: [(i64, [&str; 3], bool); 4] = [
        (1_000_000_000_000, ["триллион", "триллиона", "триллионов"], false),
        (1_000_000_000, ["миллиард", "миллиарда", "миллиардов"], false),
        (1_000_000, ["миллион", "миллиона", "миллионов"], false),
        (1_000, ["тысяча", "тысячи", "тысяч"], true),
    ];
    let mut out = Vec::new();
    let mut rest = n;
    for (scale, names, feminine) in SCALES {
        let g = rest / scale;
        if g > 0 {
            if g >= 1000 {
                // Beyond trillions: write the count in digits (never on a real invoice).
                return format!("{n}");
            }
            ru_triple(g, feminine, &mut out);
            out.push(names[ru_plural(g)]);
        }
        rest %= scale;
    }
    ru_triple(rest, false, &mut out);
    out.join(" ")
}

const KK_ONES: [&str; 10] = ["", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"];
const KK_TENS: [&str; 10] = ["", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"];

fn kk_triple(n: i64, out: &mut Vec<&'static str>) {
    let h = (n / 100) as usize;
    let t = ((n % 100) / 10) as usize;
    let o = (n % 10) as usize;
    if h > 0 {
        out.push(KK_ONES[h]);
        out.push("жүз");
    }
    if t > 0 {
        out.push(KK_TENS[t]);
    }
    if o > 0 {
        out.push(KK_ONES[o]);
    }
}

/// A whole number in Kazakh words (бір мың екі жүз отыз төрт).
fn kk_number(n: i64) -> String {
    if n == 0 {
        return "нөл".into();
    }
    const SCALES: [(i64, &str); 4] =
        [(1_000_000_000_000, "триллион"), (1_000_000_000, "миллиард"), (1_000_000, "миллион"), (1_000, "мың")];
    let mut out = Vec::new();
    let mut rest = n;
    for (scale, name) in SCALES {
        let g = rest / scale;
        if g > 0 {
            if g >= 1000 {
                return format!("{n}");
            }
            kk_triple(g, &mut out);
            out.push(name);
        }
        rest %= scale;
    }
    kk_triple(rest, &mut out);
    out.join(" ")
}

const EN_ONES: [&str; 20] = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const EN_TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

fn en_triple(n: i64, out: &mut Vec<String>) {
    let h = (n / 100) as usize;
    let rest = (n % 100) as usize;
    if h > 0 {
        out.push(format!("{} hundred", EN_ONES[h]));
    }
    if rest >= 20 {
        let o = rest % 10;
        out.push(if o > 0 { format!("{}-{}", EN_TENS[rest / 10], EN_ONES[o]) } else { EN_TENS[rest / 10].into() });
    } else if rest > 0 {
        out.push(EN_ONES[rest].into());
    }
}

fn en_number(n: i64) -> String {
    if n == 0 {
        return "zero".into();
    }
    const SCALES: [(i64, &str); 4] =
        [(1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")];
    let mut out = Vec::new();
    let mut rest = n;
    for (scale, name) in SCALES {
        let g = rest / scale;
        if g > 0 {
            if g >= 1000 {
                return format!("{n}");
            }
            en_triple(g, &mut out);
            out.push(name.into());
        }
        rest %= scale;
    }
    en_triple(rest, &mut out);
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_tenge_and_roubles() {
        assert_eq!(
            amount_in_words(123_450, Currency::Kzt, Lang::Ru),
            "Одна тысяча двести тридцать четыре тенге 50 тиын"
        );
        assert_eq!(
            amount_in_words(212_100_005, Currency::Kzt, Lang::Ru),
            "Два миллиона сто двадцать одна тысяча тенге 05 тиын"
        );
        assert_eq!(amount_in_words(0, Currency::Kzt, Lang::Ru), "Ноль тенге 00 тиын");
        assert_eq!(amount_in_words(2_200, Currency::Rub, Lang::Ru), "Двадцать два рубля 00 копеек");
        assert_eq!(amount_in_words(1_101, Currency::Rub, Lang::Ru), "Одиннадцать рублей 01 копейка");
        assert_eq!(amount_in_words(2_103, Currency::Rub, Lang::Ru), "Двадцать один рубль 03 копейки");
        assert_eq!(amount_in_words(500_000_000, Currency::Rub, Lang::Ru), "Пять миллионов рублей 00 копеек");
        assert_eq!(
            amount_in_words(1_411_400, Currency::Kzt, Lang::Ru),
            "Четырнадцать тысяч сто четырнадцать тенге 00 тиын"
        );
        assert_eq!(amount_in_words(-5, Currency::Kzt, Lang::Ru), "Ноль тенге 00 тиын");
    }

    #[test]
    fn kazakh_tenge() {
        assert_eq!(amount_in_words(123_450, Currency::Kzt, Lang::Kk), "Бір мың екі жүз отыз төрт теңге 50 тиын");
        assert_eq!(
            amount_in_words(999_999_999, Currency::Kzt, Lang::Kk),
            "Тоғыз миллион тоғыз жүз тоқсан тоғыз мың тоғыз жүз тоқсан тоғыз теңге 99 тиын"
        );
        assert_eq!(amount_in_words(400_000_000, Currency::Kzt, Lang::Kk), "Төрт миллион теңге 00 тиын");
        assert_eq!(amount_in_words(1_107, Currency::Kzt, Lang::Kk), "Он бір теңге 07 тиын");
        assert_eq!(amount_in_words(0, Currency::Kzt, Lang::Kk), "Нөл теңге 00 тиын");
    }

    #[test]
    fn english() {
        assert_eq!(
            amount_in_words(123_450, Currency::Kzt, Lang::En),
            "One thousand two hundred thirty-four tenge 50 tiyn"
        );
        assert_eq!(amount_in_words(100, Currency::Rub, Lang::En), "One rouble 00 kopecks");
    }
}
