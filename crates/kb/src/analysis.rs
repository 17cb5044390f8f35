//! Text analysis per language: tokenizer chains registered in the index and the light Kazakh stemmer.
//!
//! Every chain is: split on non-alphanumeric characters → drop tokens longer than 40 bytes →
//! lowercase → language step:
//! - Russian: `ё` → `е`, then the Snowball Russian stemmer;
//! - English: the Snowball English (Porter 2) stemmer;
//! - Kazakh: [`kazakh_stem`], a suffix stripper written here (Snowball has no Kazakh).
//!
//! Filters only rewrite the token text and keep its byte offsets, so snippets highlight the
//! original words.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

use crate::Lang;

/// Tokens longer than this (in bytes) are dropped: they are not words.
const MAX_TOKEN_BYTES: usize = 40;

/// The shortest stem (in letters) the Kazakh stemmer leaves.
const KK_MIN_STEM: usize = 3;

/// Name under which the analyzer of `lang` is registered in the index.
pub(crate) fn analyzer_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "kb_ru",
        Lang::Kk => "kb_kk",
        Lang::En => "kb_en",
    }
}

/// The analyzer (tokenizer chain) of `lang`.
pub fn analyzer(lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    match lang {
        Lang::Ru => base.filter(MapFilter(yo_to_ye)).filter(Stemmer::new(Language::Russian)).build(),
        Lang::En => base.filter(Stemmer::new(Language::English)).build(),
        Lang::Kk => base.filter(MapFilter(kazakh_stem_in_place)).build(),
    }
}

/// The terms `lang`'s analyzer makes of `text`, in order, duplicates kept.
pub fn analyze(lang: Lang, text: &str) -> Vec<String> {
    let mut analyzer = analyzer(lang);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn yo_to_ye(word: &mut String) {
    if word.contains('ё') {
        *word = word.replace('ё', "е");
    }
}

fn kazakh_stem_in_place(word: &mut String) {
    let stem = kazakh_stem(word);
    if stem.len() != word.len() || stem != word.as_str() {
        *word = stem;
    }
}

/// Where a suffix may follow.
#[derive(Clone, Copy)]
enum After {
    Any,
    Consonant,
    Vowel,
}

/// Kazakh inflectional endings, tried longest first at every step.
///
/// Nominal endings only: plural, the seven cases, possessive persons and the locative adjective
/// `-дағы`. Endings after a possessive that start with `н` (`-ндағы`, `-нда`) are left to the
/// shorter ending plus the accusative-like `-ын/-ін` (`қаласындағы` → `қаласын` → `қалас`), so
/// that a stem ending in `н` (`дүкендегі` → `дүкен`) is not cut. The possessive `-сы/-сі` is left out on purpose: after a stem ending in `с`
/// (`тапсырыс` "order" → `тапсырысы`) it would cut into the root; `-ы/-і` after a consonant
/// covers those forms instead.
const KK_SUFFIXES: &[(&str, After)] = &[
    // locative adjective
    ("дағы", After::Any),
    ("дегі", After::Any),
    ("тағы", After::Any),
    ("тегі", After::Any),
    // possessive, 1st plural and 2nd polite
    ("ыңыз", After::Consonant),
    ("іңіз", After::Consonant),
    ("ымыз", After::Consonant),
    ("іміз", After::Consonant),
    ("ңыз", After::Vowel),
    ("ңіз", After::Vowel),
    ("мыз", After::Vowel),
    ("міз", After::Vowel),
    // plural
    ("лар", After::Any),
    ("лер", After::Any),
    ("дар", After::Any),
    ("дер", After::Any),
    ("тар", After::Any),
    ("тер", After::Any),
    // genitive
    ("ның", After::Any),
    ("нің", After::Any),
    ("дың", After::Any),
    ("дің", After::Any),
    ("тың", After::Any),
    ("тің", After::Any),
    // ablative
    ("нан", After::Any),
    ("нен", After::Any),
    ("дан", After::Any),
    ("ден", After::Any),
    ("тан", After::Any),
    ("тен", After::Any),
    // instrumental
    ("мен", After::Any),
    ("бен", After::Any),
    ("пен", After::Any),
    // dative
    ("ға", After::Any),
    ("ге", After::Any),
    ("қа", After::Any),
    ("ке", After::Any),
    ("на", After::Any),
    ("не", After::Any),
    // locative
    ("да", After::Any),
    ("де", After::Any),
    ("та", After::Any),
    ("те", After::Any),
    // accusative
    ("ды", After::Any),
    ("ді", After::Any),
    ("ты", After::Any),
    ("ті", After::Any),
    ("ны", After::Any),
    ("ні", After::Any),
    // accusative after a possessive
    ("ын", After::Consonant),
    ("ін", After::Consonant),
    // possessive, 1st and 2nd singular
    ("ым", After::Consonant),
    ("ім", After::Consonant),
    ("ың", After::Consonant),
    ("ің", After::Consonant),
    // possessive, 3rd person
    ("ы", After::Consonant),
    ("і", After::Consonant),
];

fn is_vowel(c: char) -> bool {
    matches!(c, 'а' | 'ә' | 'е' | 'ё' | 'и' | 'о' | 'ө' | 'у' | 'ұ' | 'ү' | 'ы' | 'і' | 'э' | 'ю' | 'я')
}

/// A light Kazakh stemmer for lowercase words.
///
/// Kazakh is agglutinative: endings stack (`тапсырыс-тар-ың-ыз-дың`). The stemmer strips the
/// longest known ending, repeatedly, as long as at least three letters stay. The final voiced
/// consonant that some stems take before a vowel ending is put back (`кепілдігі` → `кепілдік`,
/// `кітабы` → `кітап`): `г` → `к`, `ғ` → `қ`, `б` → `п`. It is deliberately light: no verb
/// morphology and no dictionary, so a few unrelated words can share a stem; what matters for
/// search is that a word and its inflected forms get the same one.
pub fn kazakh_stem(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    loop {
        let mut stripped = false;
        for (suffix, after) in KK_SUFFIXES {
            let suffix_len = suffix.chars().count();
            if chars.len() < suffix_len + KK_MIN_STEM {
                continue;
            }
            let cut = chars.len() - suffix_len;
            if !chars[cut..].iter().copied().eq(suffix.chars()) {
                continue;
            }
            let before = chars[cut - 1];
            let allowed = match after {
                After::Any => true,
                After::Consonant => !is_vowel(before),
                After::Vowel => is_vowel(before),
            };
            if allowed {
                chars.truncate(cut);
                stripped = true;
                break;
            }
        }
        if !stripped {
            break;
        }
    }
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            'г' => 'к',
            'ғ' => 'қ',
            'б' => 'п',
            other => other,
        };
    }
    chars.into_iter().collect()
}

/// A token filter that rewrites each token's text in place with a function.
#[derive(Clone, Copy)]
struct MapFilter(fn(&mut String));

impl TokenFilter for MapFilter {
    type Tokenizer<T: Tokenizer> = MapFilterTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MapFilterTokenizer<T> {
        MapFilterTokenizer { inner: tokenizer, map: self.0 }
    }
}

#[derive(Clone)]
struct MapFilterTokenizer<T> {
    inner: T,
    map: fn(&mut String),
}

impl<T: Tokenizer> Tokenizer for MapFilterTokenizer<T> {
    type TokenStream<'a> = MapFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MapFilterStream { tail: self.inner.token_stream(text), map: self.map }
    }
}

struct MapFilterStream<S> {
    tail: S,
    map: fn(&mut String),
}

impl<S: TokenStream> TokenStream for MapFilterStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        (self.map)(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_strips_case_plural_and_possessive_endings() {
        for (form, stem) in [
            ("жеткізу", "жеткізу"),
            ("жеткізуге", "жеткізу"),
            ("жеткізудің", "жеткізу"),
            ("жеткізуден", "жеткізу"),
            ("жеткізумен", "жеткізу"),
            ("тапсырыс", "тапсырыс"),
            ("тапсырыстар", "тапсырыс"),
            ("тапсырыстың", "тапсырыс"),
            ("тапсырысты", "тапсырыс"),
            ("тапсырысы", "тапсырыс"),
            ("тапсырысын", "тапсырыс"),
            ("тапсырысыңыз", "тапсырыс"),
            ("тапсырыстарыңыздың", "тапсырыс"),
            ("төлемдер", "төлем"),
            ("төлемдерді", "төлем"),
            ("кепілдік", "кепілдік"),
            ("кепілдікке", "кепілдік"),
            ("кепілдігі", "кепілдік"),
            ("қалаларда", "қала"),
            ("дүкендегі", "дүкен"),
            ("қаласындағы", "қалас"),
            ("қаласы", "қалас"),
        ] {
            assert_eq!(kazakh_stem(form), stem, "stem of {form}");
        }
        // A word and its inflected forms share a stem even where the stem is not the lemma.
        for forms in
            [["карта", "картаңыз", "картамен"], ["баға", "бағаға", "бағада"], ["дүкен", "дүкендер", "дүкеннен"]]
        {
            assert_eq!(kazakh_stem(forms[1]), kazakh_stem(forms[0]), "{forms:?}");
            assert_eq!(kazakh_stem(forms[2]), kazakh_stem(forms[0]), "{forms:?}");
        }
    }

    #[test]
    fn kazakh_keeps_at_least_three_letters() {
        // "ақы" (fee) must not lose its "ы"; "үйге" (to the house) loses its dative ending
        // only as far as three letters allow.
        assert_eq!(kazakh_stem("ақы"), "ақы");
        assert_eq!(kazakh_stem("ала"), "ала");
        assert_eq!(kazakh_stem("үйге"), "үйге");
        assert_eq!(kazakh_stem(""), "");
        assert_eq!(kazakh_stem("qr"), "qr");
    }

    #[test]
    fn russian_chain_lowercases_folds_yo_and_stems() {
        assert_eq!(analyze(Lang::Ru, "Доставка ЗАКАЗА"), analyze(Lang::Ru, "доставки заказов"));
        assert_eq!(analyze(Lang::Ru, "Ёлка"), analyze(Lang::Ru, "елка"));
        assert_eq!(analyze(Lang::Ru, "всё"), analyze(Lang::Ru, "все"));
        assert_eq!(analyze(Lang::Ru, "Заказ"), vec![analyze(Lang::Ru, "заказов")[0].clone()]);
    }

    #[test]
    fn english_chain_stems() {
        assert_eq!(analyze(Lang::En, "Deliveries"), analyze(Lang::En, "delivery"));
        assert_eq!(analyze(Lang::En, "returned items"), analyze(Lang::En, "return item"));
    }

    #[test]
    fn tokens_split_on_punctuation_and_long_tokens_are_dropped() {
        let long = "а".repeat(30); // 60 bytes
        assert_eq!(analyze(Lang::Kk, &format!("(((*** AND {long}")), vec!["and".to_string()]);
    }
}
