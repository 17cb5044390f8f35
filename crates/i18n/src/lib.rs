//! The interface's message catalogue: Russian (default), Kazakh and English,
//! in Fluent files under `locales/`. Every string a user sees goes through
//! [`Catalog::get`]; a test keeps the three languages' keys identical.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Ru,
    Kk,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::Ru, Locale::Kk, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Ru => "ru",
            Locale::Kk => "kk",
            Locale::En => "en",
        }
    }

    /// Parses `ru`, `kk`, `en`; anything else is `None`.
    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Parses a code, falling back to Russian.
    pub fn or_default(code: &str) -> Locale {
        Locale::parse(code).unwrap_or_default()
    }

    fn index(self) -> usize {
        self as usize
    }

    fn source(self) -> &'static str {
        match self {
            Locale::Ru => include_str!("../locales/ru.ftl"),
            Locale::Kk => include_str!("../locales/kk.ftl"),
            Locale::En => include_str!("../locales/en.ftl"),
        }
    }
}

/// All three languages, loaded once at start.
pub struct Catalog {
    bundles: Vec<FluentBundle<FluentResource>>,
}

#[derive(Debug)]
pub struct CatalogError(pub String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// Loads the built-in catalogues; fails if any file does not parse.
    pub fn load() -> Result<Catalog, CatalogError> {
        let mut bundles = Vec::with_capacity(3);
        for loc in Locale::ALL {
            let res = FluentResource::try_new(loc.source().to_string())
                .map_err(|(_, errs)| CatalogError(format!("{}.ftl: {errs:?}", loc.code())))?;
            let id: LanguageIdentifier =
                loc.code().parse().map_err(|e| CatalogError(format!("{}: {e:?}", loc.code())))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Unicode isolation marks would end up inside HTML attributes.
            bundle.set_use_isolating(false);
            bundle.add_resource(res).map_err(|e| CatalogError(format!("{}.ftl: {e:?}", loc.code())))?;
            bundles.push(bundle);
        }
        Ok(Catalog { bundles })
    }

    /// The message `key` in `locale`; the key itself when missing (a test
    /// keeps that from happening).
    pub fn get(&self, locale: Locale, key: &str) -> String {
        self.format(locale, key, None)
    }

    /// The message `key` with named arguments.
    pub fn get_args(&self, locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        self.format(locale, key, Some(&fa))
    }

    fn format(&self, locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = &self.bundles[locale.index()];
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    /// True when every language has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.bundles.iter().all(|b| b.has_message(key))
    }

    /// Message ids of one language, sorted.
    pub fn keys(locale: Locale) -> Vec<String> {
        let mut keys: Vec<String> = locale
            .source()
            .lines()
            .filter_map(|l| {
                let (id, _) = l.split_once('=')?;
                let id = id.trim_end();
                let first = id.chars().next()?;
                (first.is_ascii_lowercase() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .then(|| id.to_string())
            })
            .collect();
        keys.sort();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_catalogues_parse() {
        let cat = Catalog::load().expect("catalogues parse");
        assert_eq!(cat.get(Locale::Ru, "app-name"), "Switchboard");
    }

    #[test]
    fn every_language_has_the_same_keys() {
        let ru = Catalog::keys(Locale::Ru);
        assert!(ru.len() > 20, "catalogue suspiciously small: {}", ru.len());
        for loc in [Locale::Kk, Locale::En] {
            let other = Catalog::keys(loc);
            let missing: Vec<_> = ru.iter().filter(|k| !other.contains(k)).collect();
            let extra: Vec<_> = other.iter().filter(|k| !ru.contains(k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", loc.code());
        }
    }

    #[test]
    fn languages_differ_and_default_is_russian() {
        let cat = Catalog::load().expect("catalogues parse");
        assert_eq!(Locale::or_default("de"), Locale::Ru);
        assert_ne!(cat.get(Locale::Ru, "nav-desk"), cat.get(Locale::En, "nav-desk"));
        assert_ne!(cat.get(Locale::Ru, "nav-desk"), cat.get(Locale::Kk, "nav-desk"));
        assert_eq!(cat.get(Locale::En, "no-such-key"), "no-such-key");
    }

    #[test]
    fn arguments_are_substituted() {
        let cat = Catalog::load().expect("catalogues parse");
        let s = cat.get_args(Locale::En, "signed-in-as", &[("name", "Aigerim")]);
        assert!(s.contains("Aigerim"), "{s}");
    }
}
