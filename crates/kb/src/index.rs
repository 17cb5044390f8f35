//! The in-memory full-text index of articles.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, OwnedValue, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::{analyze, analyzer, analyzer_name};
use crate::{escape_html, Article, Error, Hit, Lang, Result};

/// How much more a match in the title weighs than one in the body.
const TITLE_BOOST: f32 = 3.0;
/// The most distinct terms per language taken from one query; the rest is ignored.
const MAX_QUERY_TERMS: usize = 32;
/// The most hits one search returns, whatever the caller asks.
const MAX_LIMIT: usize = 1_000;
/// Snippet length in characters.
const SNIPPET_CHARS: usize = 200;
/// Memory for the index writer's buffer (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 20_000_000;

/// Fields of one language.
#[derive(Clone, Copy)]
struct LangFields {
    title: Field,
    body: Field,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    version: Field,
    lang: Field,
    valid_from: Field,
    valid_until: Field,
    ru: LangFields,
    kk: LangFields,
    en: LangFields,
}

impl Fields {
    fn of(&self, lang: Lang) -> LangFields {
        match lang {
            Lang::Ru => self.ru,
            Lang::Kk => self.kk,
            Lang::En => self.en,
        }
    }
}

struct Writer {
    writer: IndexWriter<TantivyDocument>,
    /// The version indexed for each article id.
    versions: HashMap<i64, i32>,
}

/// An in-memory full-text index of the current versions of articles.
///
/// Each language has its own title and body fields with its own analyzer, so one query finds
/// articles in Russian, Kazakh and English at once, each by its own stemming. Writes commit at
/// once and are visible to the next search. `KbIndex` is `Send + Sync`: searches run
/// concurrently, writes are serialised by an internal lock.
pub struct KbIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<Writer>,
}

impl KbIndex {
    /// An empty index in memory.
    pub fn new() -> Result<KbIndex> {
        let mut schema = Schema::builder();
        let id = schema.add_i64_field("id", INDEXED | STORED | FAST);
        let version = schema.add_i64_field("version", STORED);
        let lang = schema.add_text_field("lang", STRING | STORED);
        let valid_from = schema.add_i64_field("valid_from", INDEXED | FAST);
        let valid_until = schema.add_i64_field("valid_until", INDEXED | FAST);
        let mut text_fields = |lang: Lang| {
            let options = TextOptions::default().set_stored().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer_name(lang))
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            LangFields {
                title: schema.add_text_field(&format!("title_{}", lang.code()), options.clone()),
                body: schema.add_text_field(&format!("body_{}", lang.code()), options),
            }
        };
        let (ru, kk, en) = (text_fields(Lang::Ru), text_fields(Lang::Kk), text_fields(Lang::En));
        let fields = Fields { id, version, lang, valid_from, valid_until, ru, kk, en };

        let index = Index::create_in_ram(schema.build());
        for lang in Lang::ALL {
            index.tokenizers().register(analyzer_name(lang), analyzer(lang));
        }
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(KbIndex { index, reader, fields, writer: Mutex::new(Writer { writer, versions: HashMap::new() }) })
    }

    /// A new index holding `articles` (see [`KbIndex::upsert_many`]).
    pub fn with_articles(articles: &[Article]) -> Result<KbIndex> {
        let index = KbIndex::new()?;
        index.upsert_many(articles)?;
        Ok(index)
    }

    /// Indexes `article`, replacing any other version of the same id. A version older than
    /// the one indexed is ignored. Returns whether the index changed.
    pub fn upsert(&self, article: &Article) -> Result<bool> {
        Ok(self.upsert_many(std::slice::from_ref(article))? > 0)
    }

    /// Indexes many articles with one commit; for each id the highest version wins (an older
    /// version than the one indexed is ignored). Returns how many were (re)indexed.
    pub fn upsert_many(&self, articles: &[Article]) -> Result<usize> {
        let mut guard = self.writer.lock().map_err(|_| Error::Poisoned)?;
        let state = &mut *guard;
        // The newest version of each id in this batch that is not older than the indexed one.
        let mut newest: HashMap<i64, &Article> = HashMap::new();
        for article in articles {
            let indexed = state.versions.get(&article.id).copied();
            if indexed.is_some_and(|v| v > article.version) {
                continue;
            }
            match newest.get(&article.id) {
                Some(seen) if seen.version >= article.version => {}
                _ => {
                    newest.insert(article.id, article);
                }
            }
        }
        if newest.is_empty() {
            return Ok(0);
        }
        let mut staged = Vec::with_capacity(newest.len());
        for article in newest.values() {
            state.writer.delete_term(Term::from_field_i64(self.fields.id, article.id));
            if let Err(e) = state.writer.add_document(self.document(article)) {
                rollback(&mut state.writer);
                return Err(e.into());
            }
            staged.push((article.id, article.version));
        }
        if let Err(e) = state.writer.commit() {
            rollback(&mut state.writer);
            return Err(e.into());
        }
        state.versions.extend(staged.iter().copied());
        self.reader.reload()?;
        Ok(staged.len())
    }

    /// Removes the article `id` from the index. Returns whether it was indexed.
    pub fn remove(&self, id: i64) -> Result<bool> {
        let mut guard = self.writer.lock().map_err(|_| Error::Poisoned)?;
        if !guard.versions.contains_key(&id) {
            return Ok(false);
        }
        guard.writer.delete_term(Term::from_field_i64(self.fields.id, id));
        if let Err(e) = guard.writer.commit() {
            rollback(&mut guard.writer);
            return Err(e.into());
        }
        guard.versions.remove(&id);
        self.reader.reload()?;
        Ok(true)
    }

    /// How many articles are indexed.
    pub fn len(&self) -> usize {
        self.writer.lock().map(|w| w.versions.len()).unwrap_or(0)
    }

    /// Whether no article is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The version of article `id` in the index, if any.
    pub fn indexed_version(&self, id: i64) -> Option<i32> {
        self.writer.lock().ok().and_then(|w| w.versions.get(&id).copied())
    }

    /// Finds articles valid at `at_ms` whose title or body contains any word of `query` in any
    /// of its forms, best first, at most `limit` (capped at 1,000).
    ///
    /// `query` is free text from a person: it is never parsed as a query language, only split
    /// into words and analysed by each language's chain (so `"(((`, `AND OR` or `*` cannot
    /// fail); text without any word returns nothing. With `lang` only articles in that
    /// language are searched, otherwise all three languages at once. Title matches weigh more
    /// than body matches; articles matching more of the words rank higher.
    pub fn search(&self, query: &str, lang: Option<Lang>, at_ms: i64, limit: usize) -> Result<Vec<Hit>> {
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let langs: &[Lang] = match &lang {
            Some(lang) => std::slice::from_ref(lang),
            None => &Lang::ALL,
        };
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &l in langs {
            let fields = self.fields.of(l);
            let terms: BTreeSet<String> = analyze(l, query).into_iter().take(MAX_QUERY_TERMS * 4).collect();
            for term in terms.into_iter().take(MAX_QUERY_TERMS) {
                let title = TermQuery::new(Term::from_field_text(fields.title, &term), IndexRecordOption::WithFreqs);
                let body = TermQuery::new(Term::from_field_text(fields.body, &term), IndexRecordOption::WithFreqs);
                words.push((Occur::Should, Box::new(BoostQuery::new(Box::new(title), TITLE_BOOST))));
                words.push((Occur::Should, Box::new(body)));
            }
        }
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let text_query = BooleanQuery::new(words);

        let filter = |query: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(text_query.clone())),
            filter(Box::new(RangeQuery::new_i64_bounds(
                "valid_from".to_string(),
                Bound::Unbounded,
                Bound::Included(at_ms),
            ))),
            filter(Box::new(RangeQuery::new_i64_bounds(
                "valid_until".to_string(),
                Bound::Excluded(at_ms),
                Bound::Unbounded,
            ))),
        ];
        if let Some(lang) = lang {
            let term = Term::from_field_text(self.fields.lang, lang.code());
            clauses.push(filter(Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
        let mut snippets: HashMap<Lang, SnippetGenerator> = HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let (Some(id), Some(version), Some(hit_lang)) = (
                first_i64(&doc, self.fields.id),
                first_i64(&doc, self.fields.version).and_then(|v| i32::try_from(v).ok()),
                first_str(&doc, self.fields.lang).and_then(Lang::from_code),
            ) else {
                continue;
            };
            let fields = self.fields.of(hit_lang);
            let title = first_str(&doc, fields.title).unwrap_or_default().to_string();
            let body = first_str(&doc, fields.body).unwrap_or_default();
            let generator = match snippets.entry(hit_lang) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => {
                    let mut generator = SnippetGenerator::create(&searcher, &text_query, fields.body)?;
                    generator.set_max_num_chars(SNIPPET_CHARS);
                    entry.insert(generator)
                }
            };
            let snippet = generator.snippet(body);
            let snippet = if snippet.highlighted().is_empty() { lead(body) } else { marked_html(&snippet) };
            hits.push(Hit { id, version, lang: hit_lang, title, snippet, score });
        }
        Ok(hits)
    }

    fn document(&self, article: &Article) -> TantivyDocument {
        let fields = self.fields.of(article.lang);
        let mut doc = TantivyDocument::default();
        doc.add_i64(self.fields.id, article.id);
        doc.add_i64(self.fields.version, i64::from(article.version));
        doc.add_text(self.fields.lang, article.lang.code());
        doc.add_i64(self.fields.valid_from, article.valid_from.unwrap_or(i64::MIN));
        doc.add_i64(self.fields.valid_until, article.valid_until.unwrap_or(i64::MAX));
        doc.add_text(fields.title, &article.title);
        doc.add_text(fields.body, &article.body);
        doc
    }
}

impl std::fmt::Debug for KbIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KbIndex").field("articles", &self.len()).field("index", &self.index).finish()
    }
}

fn rollback(writer: &mut IndexWriter<TantivyDocument>) {
    // Drops the staged changes; if even that fails the next commit reports the error.
    let _ = writer.rollback();
}

fn first_i64(doc: &TantivyDocument, field: Field) -> Option<i64> {
    doc.get_first(field).and_then(|v: &OwnedValue| v.as_i64())
}

fn first_str(doc: &TantivyDocument, field: Field) -> Option<&str> {
    doc.get_first(field).and_then(|v: &OwnedValue| v.as_str())
}

/// The snippet's fragment HTML-escaped, with the highlighted ranges wrapped in `<mark>`.
fn marked_html(snippet: &Snippet) -> String {
    let fragment = snippet.fragment();
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut pos = 0;
    for range in snippet.highlighted() {
        let (Some(before), Some(marked)) = (fragment.get(pos..range.start), fragment.get(range.start..range.end))
        else {
            continue;
        };
        out.push_str(&escape_html(before));
        out.push_str("<mark>");
        out.push_str(&escape_html(marked));
        out.push_str("</mark>");
        pos = range.end;
    }
    out.push_str(&escape_html(fragment.get(pos..).unwrap_or_default()));
    out
}

/// The start of the body, HTML-escaped, cut at a word boundary with `…` when longer.
fn lead(body: &str) -> String {
    let trimmed = body.trim();
    let Some((cut, _)) = trimmed.char_indices().nth(SNIPPET_CHARS) else {
        return escape_html(trimmed);
    };
    let head = &trimmed[..cut];
    let head = head.rfind(char::is_whitespace).map_or(head, |space| &head[..space]);
    format!("{}…", escape_html(head.trim_end()))
}
