//! Search behaviour of `KbIndex`: stemming per language, validity, versions, ranking, hostile
//! input, snippets, and the demo knowledge base.

use kb::{demo_articles, demo_templates, Article, Hit, KbIndex, Lang};

const NOW: i64 = 1_780_000_000_000;

fn article(id: i64, lang: Lang, title: &str, body: &str) -> Article {
    Article {
        id,
        version: 1,
        lang,
        title: title.to_string(),
        body: body.to_string(),
        category: "test".to_string(),
        tags: vec![],
        valid_from: None,
        valid_until: None,
        updated_at: 0,
    }
}

fn index(articles: &[Article]) -> KbIndex {
    match KbIndex::with_articles(articles) {
        Ok(index) => index,
        Err(e) => panic!("index: {e}"),
    }
}

fn search(index: &KbIndex, query: &str, lang: Option<Lang>) -> Vec<Hit> {
    match index.search(query, lang, NOW, 20) {
        Ok(hits) => hits,
        Err(e) => panic!("search {query:?}: {e}"),
    }
}

fn ids(hits: &[Hit]) -> Vec<i64> {
    hits.iter().map(|h| h.id).collect()
}

fn corpus() -> Vec<Article> {
    vec![
        article(1, Lang::Ru, "Доставка заказа", "Курьер привозит заказ на следующий день."),
        article(2, Lang::Ru, "Возврат товара", "Вернуть товар можно в течение 14 дней."),
        article(3, Lang::Kk, "Тапсырысты жеткізу", "Жеткізу қала ішінде келесі күні орындалады."),
        article(4, Lang::Kk, "Тауарды қайтару", "Тауарды 14 күн ішінде қайтаруға болады."),
        article(5, Lang::En, "Delivery of orders", "The courier delivers orders the next day."),
        article(6, Lang::En, "Returning goods", "Goods can be returned within 14 days."),
    ]
}

#[test]
fn russian_word_forms_find_the_article() {
    let index = index(&corpus());
    for query in ["доставки", "заказов", "доставкой заказам", "ДОСТАВКУ"] {
        assert_eq!(ids(&search(&index, query, Some(Lang::Ru))), vec![1], "query {query:?}");
        assert_eq!(ids(&search(&index, query, None)), vec![1], "query {query:?} in all languages");
    }
    assert_eq!(ids(&search(&index, "возвраты", None)), vec![2]);
}

#[test]
fn russian_yo_is_folded_to_ye() {
    let index = index(&[article(1, Lang::Ru, "Счёт на оплату", "Юрлицам выставляется счёт.")]);
    assert_eq!(ids(&search(&index, "счет", Some(Lang::Ru))), vec![1]);
    assert_eq!(ids(&search(&index, "СЧЁТА", Some(Lang::Ru))), vec![1]);
}

#[test]
fn kazakh_word_forms_find_the_article() {
    let index = index(&corpus());
    for query in ["жеткізуге", "жеткізудің", "жеткізуден", "тапсырыстар", "тапсырысыңыздың"]
    {
        assert_eq!(ids(&search(&index, query, Some(Lang::Kk))), vec![3], "query {query:?}");
        assert_eq!(ids(&search(&index, query, None)), vec![3], "query {query:?} in all languages");
    }
    assert_eq!(ids(&search(&index, "тауарлардың", None)), vec![4]);
}

#[test]
fn english_word_forms_find_the_article() {
    let index = index(&corpus());
    for query in ["deliveries", "delivered", "ordering"] {
        assert_eq!(ids(&search(&index, query, None)), vec![5], "query {query:?}");
    }
    assert_eq!(ids(&search(&index, "return", Some(Lang::En))), vec![6]);
}

#[test]
fn language_filter_restricts_results() {
    let index = index(&corpus());
    // "14" is in one article of each language.
    let mut all = ids(&search(&index, "14", None));
    all.sort();
    assert_eq!(all, vec![2, 4, 6]);
    assert_eq!(ids(&search(&index, "14", Some(Lang::Kk))), vec![4]);
    assert!(search(&index, "доставка", Some(Lang::En)).is_empty());
}

#[test]
fn validity_window_excludes_articles_not_valid_at_the_moment() {
    let mut expired = article(1, Lang::Ru, "Новогодняя акция", "Подарок к заказу.");
    expired.valid_until = Some(NOW);
    let mut current = article(2, Lang::Ru, "Весенняя акция", "Скидка на заказ.");
    current.valid_from = Some(NOW - 1000);
    current.valid_until = Some(NOW + 1000);
    let mut future = article(3, Lang::Ru, "Летняя акция", "Скидка на заказ.");
    future.valid_from = Some(NOW + 1);
    let index = index(&[expired, current, future]);

    assert_eq!(ids(&search(&index, "акция", None)), vec![2]);
    let before = index.search("акция", None, NOW - 1, 10).map(|hits| {
        let mut ids = ids(&hits);
        ids.sort();
        ids
    });
    assert_eq!(before.ok(), Some(vec![1, 2]));
    let later = index.search("акция", None, NOW + 1000, 10).map(|hits| ids(&hits));
    assert_eq!(later.ok(), Some(vec![3]));
}

#[test]
fn upsert_replaces_the_older_version() -> kb::Result<()> {
    let index = KbIndex::new()?;
    let v1 = article(7, Lang::Ru, "Оплата картой", "Принимаем карты Visa.");
    assert!(index.upsert(&v1)?);
    let v2 =
        Article {
            version: 2, title: "Оплата через Kaspi QR".into(), body: "Принимаем Kaspi QR.".into(), ..v1.clone()
        };
    assert!(index.upsert(&v2)?);

    let hits = index.search("оплата", None, NOW, 10)?;
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].id, hits[0].version, hits[0].title.as_str()), (7, 2, "Оплата через Kaspi QR"));
    assert!(index.search("visa", None, NOW, 10)?.is_empty(), "the old version's words are gone");
    assert_eq!(index.len(), 1);

    // A stale version arriving late does not overwrite the newer one.
    assert!(!index.upsert(&v1)?);
    assert_eq!(index.indexed_version(7), Some(2));
    assert!(index.search("visa", None, NOW, 10)?.is_empty());

    assert!(index.remove(7)?);
    assert!(!index.remove(7)?);
    assert!(index.search("оплата", None, NOW, 10)?.is_empty());
    assert!(index.is_empty());
    Ok(())
}

#[test]
fn upsert_many_keeps_the_newest_version_of_each_id() -> kb::Result<()> {
    let index = KbIndex::new()?;
    let v1 = article(1, Lang::En, "Old title about delivery", "text");
    let v3 = Article { version: 3, title: "New title about delivery".into(), ..v1.clone() };
    let v2 = Article { version: 2, title: "Middle title about delivery".into(), ..v1.clone() };
    assert_eq!(index.upsert_many(&[v1, v3, v2])?, 1);
    let hits = index.search("delivery", None, NOW, 10)?;
    assert_eq!(hits.iter().map(|h| (h.id, h.version)).collect::<Vec<_>>(), vec![(1, 3)]);
    assert_eq!(hits[0].title, "New title about delivery");
    Ok(())
}

#[test]
fn title_matches_rank_above_body_matches() {
    let index = index(&[
        article(1, Lang::Ru, "Режим работы магазинов", "Магазины открыты ежедневно, гарантия на технику — отдельно."),
        article(2, Lang::Ru, "Гарантия на технику", "Магазины принимают технику в ремонт ежедневно."),
    ]);
    assert_eq!(ids(&search(&index, "гарантии", None)), vec![2, 1]);
    assert_eq!(ids(&search(&index, "магазин", None)), vec![1, 2]);
    let hits = search(&index, "гарантия", None);
    assert!(hits[0].score > hits[1].score);

    // One title mention outweighs repeated body mentions.
    let index = self::index(&[
        article(1, Lang::Kk, "Жеткізу аймақтары мен бағалары", "Жеткізу, жеткізуге, жеткізудің шарттары, жеткізу."),
        article(2, Lang::Kk, "Бонустар", "Тапсырыстар үшін жеткізу тегін."),
        article(3, Lang::Kk, "Тегін жеткізу", "Шарттары сайтта."),
    ]);
    assert_eq!(ids(&search(&index, "жеткізуге", Some(Lang::Kk)))[0], 1);
    let hits = search(&index, "тегін", Some(Lang::Kk));
    assert_eq!(ids(&hits), vec![3, 2]);
}

#[test]
fn articles_matching_more_words_rank_higher() {
    let index = index(&corpus());
    let hits = search(&index, "возврат доставка заказа", Some(Lang::Ru));
    assert_eq!(ids(&hits), vec![1, 2]);
}

#[test]
fn hostile_or_empty_queries_never_fail() {
    let index = index(&corpus());
    for query in
        ["\"(((", "AND OR", "*", "title:доставка", "доставка^100", "-доставка", "~", "[1 TO 2]", "\\", "{{}}", "😀", ""]
    {
        let result = index.search(query, None, NOW, 10);
        assert!(result.is_ok(), "query {query:?}: {result:?}");
    }
    // Punctuation around a word is ignored; the word is searched literally.
    assert_eq!(ids(&search(&index, "title:доставка", None)), vec![1]);
    assert_eq!(ids(&search(&index, "\"(((доставка)))", None)), vec![1]);
    // Nothing searchable: nothing found.
    for query in ["", "   ", "\"(((", "*", "?!", "— …"] {
        assert!(search(&index, query, None).is_empty(), "query {query:?}");
    }
    assert!(index.search("доставка", None, NOW, 0).map(|h| h.is_empty()).unwrap_or(false));
    let long_query = "доставка ".repeat(10_000);
    assert_eq!(index.search(&long_query, None, NOW, usize::MAX).map(|h| ids(&h)).ok(), Some(vec![1]));
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let index = index(&[article(
        1,
        Lang::Ru,
        "Оплата",
        "Оплата <b>картой</b> & наличными: курьер принимает карты \"Visa\" и наличные.",
    )]);
    let hits = search(&index, "карта", None);
    assert_eq!(hits.len(), 1);
    let snippet = &hits[0].snippet;
    assert!(snippet.contains("&lt;b&gt;<mark>картой</mark>&lt;/b&gt;"), "{snippet}");
    assert!(snippet.contains("&amp; наличными"), "{snippet}");
    assert!(snippet.contains("<mark>карты</mark> &quot;Visa&quot;"), "{snippet}");
    assert!(!snippet.contains("<b>"), "{snippet}");

    // A match at the very start of the body: the snippet starts there, the markup after it escaped.
    let hits = search(&index, "оплате", None);
    assert!(hits[0].snippet.starts_with("<mark>Оплата</mark> &lt;b&gt;"), "{}", hits[0].snippet);
}

#[test]
fn title_only_match_gives_escaped_lead_of_body() {
    let index = index(&[article(1, Lang::En, "Working hours", "Shops <open> at 8:00 & close at 22:00.")]);
    let hits = search(&index, "work", None);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].snippet, "Shops &lt;open&gt; at 8:00 &amp; close at 22:00.");
}

#[test]
fn demo_articles_parse_cover_both_languages_and_are_findable_by_their_titles() -> kb::Result<()> {
    let articles = demo_articles()?;
    assert!(articles.len() >= 50, "{} demo articles", articles.len());
    let ru = articles.iter().filter(|a| a.lang == Lang::Ru).count();
    let kk = articles.iter().filter(|a| a.lang == Lang::Kk).count();
    assert!(ru >= 20 && kk >= 20, "ru {ru}, kk {kk}");
    assert!(articles.iter().all(|a| !a.tags.is_empty() && !a.category.is_empty()));

    let index = KbIndex::with_articles(&articles)?;
    assert_eq!(index.len(), articles.len());
    for article in &articles {
        let at = article.valid_from.unwrap_or(article.updated_at);
        // The longest word of the title, as a person would type it.
        let word = article
            .title
            .split(|c: char| !c.is_alphanumeric())
            .max_by_key(|w| w.chars().count())
            .unwrap_or_default()
            .to_lowercase();
        let hits = index.search(&word, Some(article.lang), at, 100)?;
        assert!(
            hits.iter().any(|h| h.id == article.id && h.version == article.version),
            "article {} {:?} not found by {word:?}",
            article.id,
            article.title
        );
        let anywhere = index.search(&word, None, at, 100)?;
        assert!(anywhere.iter().any(|h| h.id == article.id), "article {} not found in all languages", article.id);
    }
    Ok(())
}

#[test]
fn demo_finds_delivery_by_another_russian_form() -> kb::Result<()> {
    // What the acceptance browser test does: a form that differs from the article's words.
    let articles = demo_articles()?;
    let index = KbIndex::with_articles(&articles)?;
    let hits = index.search("доставкой заказов", Some(Lang::Ru), NOW, 5)?;
    let first = hits.first().map(|h| h.title.as_str());
    assert_eq!(first, Some("Сроки и зоны доставки заказа"));
    assert!(hits[0].snippet.contains("<mark>"), "{}", hits[0].snippet);
    let kk_hits = index.search("жеткізуге", Some(Lang::Kk), NOW, 5)?;
    assert_eq!(kk_hits.first().map(|h| h.title.as_str()), Some("Тапсырысты жеткізу мерзімі мен аймақтары"));
    Ok(())
}

#[test]
fn demo_templates_parse_and_render() -> kb::Result<()> {
    let templates = demo_templates()?;
    assert!(templates.len() >= 10);
    assert!(templates.iter().any(|t| t.lang == Lang::Ru) && templates.iter().any(|t| t.lang == Lang::Kk));
    let vars: std::collections::HashMap<String, String> =
        kb::template::VARIABLES.iter().map(|name| (name.to_string(), format!("<{name}>"))).collect();
    for template in &templates {
        let text = template.render(&vars).map_err(|e| kb::Error::DemoInvalid { file: "t", message: e.to_string() })?;
        assert!(!text.contains("{{"), "template {} left a placeholder: {text}", template.id);
    }
    let greeting = templates.iter().find(|t| t.id == 1).map(|t| t.render(&Default::default()));
    assert!(matches!(greeting, Some(Err(kb::TemplateError::Variables { .. }))));
    Ok(())
}
