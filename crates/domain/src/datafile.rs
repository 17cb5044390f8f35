//! A tiny reader for the TOML subset used by the editable data files under
//! `crates/domain/data/` (holiday presets, legal deadline presets, calendars).
//!
//! Supported: `# comments`, `key = value` with bare keys, values that are
//! basic strings (`"…"` with `\" \\ \n \t` escapes), integers, booleans and
//! arrays (which may span several lines and end with a trailing comma),
//! `[table]` headers and `[[array_of_tables]]` headers. Everything it accepts
//! is valid TOML, so the files stay readable by any TOML tool; anything else is
//! refused with the line number, so an administrator's typo is reported, not
//! silently ignored.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Array(Vec<Value>),
}

/// One `key = value` line with the line number it started on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: Value,
    pub line: usize,
}

/// A table: the root (name `""`), a `[name]` or one element of a `[[name]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub line: usize,
    pub entries: Vec<Entry>,
}

/// Why a data file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// 1-based line number, 0 when the problem is not tied to a line.
    pub line: usize,
    pub message: String,
}

impl DataError {
    pub fn new(line: usize, message: impl Into<String>) -> DataError {
        DataError { line, message: message.into() }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for DataError {}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    fn missing(&self, key: &str) -> DataError {
        let place = if self.name.is_empty() { String::new() } else { format!(" in [{}]", self.name) };
        DataError::new(self.line, format!("missing key `{key}`{place}"))
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&str>, DataError> {
        match self.get(key) {
            None => Ok(None),
            Some(Entry { value: Value::Str(s), .. }) => Ok(Some(s)),
            Some(e) => Err(DataError::new(e.line, format!("`{key}` must be a string"))),
        }
    }

    pub fn str(&self, key: &str) -> Result<&str, DataError> {
        self.opt_str(key)?.ok_or_else(|| self.missing(key))
    }

    pub fn opt_int(&self, key: &str) -> Result<Option<i64>, DataError> {
        match self.get(key) {
            None => Ok(None),
            Some(Entry { value: Value::Int(n), .. }) => Ok(Some(*n)),
            Some(e) => Err(DataError::new(e.line, format!("`{key}` must be an integer"))),
        }
    }

    pub fn int(&self, key: &str) -> Result<i64, DataError> {
        self.opt_int(key)?.ok_or_else(|| self.missing(key))
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, DataError> {
        match self.get(key) {
            None => Ok(None),
            Some(Entry { value: Value::Bool(b), .. }) => Ok(Some(*b)),
            Some(e) => Err(DataError::new(e.line, format!("`{key}` must be true or false"))),
        }
    }

    /// An array of strings; a missing key is an empty list.
    pub fn str_array(&self, key: &str) -> Result<Vec<(&str, usize)>, DataError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Entry { value: Value::Array(items), line, .. }) => items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => Ok((s.as_str(), *line)),
                    _ => Err(DataError::new(*line, format!("`{key}` must be an array of strings"))),
                })
                .collect(),
            Some(e) => Err(DataError::new(e.line, format!("`{key}` must be an array"))),
        }
    }

    /// Refuses keys not in `known`, so a misspelt key is an error rather than ignored.
    pub fn only_keys(&self, known: &[&str]) -> Result<(), DataError> {
        match self.entries.iter().find(|e| !known.contains(&e.key.as_str())) {
            Some(e) => Err(DataError::new(e.line, format!("unknown key `{}`", e.key))),
            None => Ok(()),
        }
    }
}

/// Parses a data file into its tables; the first table is always the root.
pub fn parse(text: &str) -> Result<Vec<Table>, DataError> {
    let mut tables = vec![Table { name: String::new(), line: 1, entries: Vec::new() }];
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    while let Some((no, raw)) = lines.next() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let (name, array) = match rest.strip_prefix('[') {
                Some(inner) => (inner.strip_suffix("]]"), true),
                None => (rest.strip_suffix(']'), false),
            };
            let name = name.map(str::trim).filter(|n| is_bare_key(n));
            let Some(name) = name else {
                return Err(DataError::new(no, "bad table header"));
            };
            if !array && tables.iter().any(|t| t.name == name) {
                return Err(DataError::new(no, format!("table [{name}] defined twice")));
            }
            tables.push(Table { name: name.to_string(), line: no, entries: Vec::new() });
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(DataError::new(no, "expected `key = value`"));
        };
        let key = key.trim();
        if !is_bare_key(key) {
            return Err(DataError::new(no, format!("bad key `{key}`")));
        }
        let mut value_text = value.trim().to_string();
        while bracket_depth(&value_text) > 0 {
            match lines.next() {
                Some((_, more)) => {
                    value_text.push(' ');
                    value_text.push_str(strip_comment(more).trim());
                }
                None => return Err(DataError::new(no, "array is not closed")),
            }
        }
        let mut p = ValueParser { s: value_text.as_bytes(), i: 0, line: no };
        let value = p.value()?;
        p.skip_ws();
        if p.i != p.s.len() {
            return Err(DataError::new(no, "unexpected text after the value"));
        }
        let table = tables.last_mut().expect("root table");
        if table.get(key).is_some() {
            return Err(DataError::new(no, format!("key `{key}` defined twice")));
        }
        table.entries.push(Entry { key: key.to_string(), value, line: no });
    }
    Ok(tables)
}

fn is_bare_key(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Cuts a `#` comment that is not inside a string.
fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            '#' if !in_str => return &line[..i],
            _ => {}
        }
    }
    line
}

/// Open `[` minus `]` outside strings.
fn bracket_depth(s: &str) -> i32 {
    let mut depth = 0;
    let mut in_str = false;
    let mut escaped = false;
    for c in s.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_str => escaped = true,
            '"' => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth -= 1,
            _ => {}
        }
    }
    depth
}

struct ValueParser<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl ValueParser<'_> {
    fn err(&self, message: &str) -> DataError {
        DataError::new(self.line, message)
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<Value, DataError> {
        self.skip_ws();
        match self.s.get(self.i) {
            None => Err(self.err("missing value")),
            Some(b'"') => self.string(),
            Some(b'[') => self.array(),
            Some(b't' | b'f') => self.boolean(),
            Some(b'+' | b'-' | b'0'..=b'9') => self.integer(),
            Some(_) => Err(self.err("unsupported value (use a \"string\", an integer, true/false or [an, array])")),
        }
    }

    fn string(&mut self) -> Result<Value, DataError> {
        self.i += 1;
        let mut out = Vec::new();
        while let Some(&b) = self.s.get(self.i) {
            self.i += 1;
            match b {
                b'"' => return String::from_utf8(out).map(Value::Str).map_err(|_| self.err("invalid UTF-8")),
                b'\\' => {
                    let esc = self.s.get(self.i).copied();
                    self.i += 1;
                    out.push(match esc {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'n') => b'\n',
                        Some(b't') => b'\t',
                        _ => return Err(self.err("unsupported escape in string")),
                    });
                }
                _ => out.push(b),
            }
        }
        Err(self.err("string is not closed"))
    }

    fn array(&mut self) -> Result<Value, DataError> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.s.get(self.i) == Some(&b']') {
                self.i += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.skip_ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {}
                _ => return Err(self.err("expected `,` or `]` in array")),
            }
        }
    }

    fn boolean(&mut self) -> Result<Value, DataError> {
        for (word, v) in [(&b"true"[..], true), (&b"false"[..], false)] {
            if self.s[self.i..].starts_with(word) {
                self.i += word.len();
                return Ok(Value::Bool(v));
            }
        }
        Err(self.err("unsupported value"))
    }

    fn integer(&mut self) -> Result<Value, DataError> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'+' | b'-' | b'_' | b'.'))
        {
            self.i += 1;
        }
        let text: String = self.s[start..self.i].iter().filter(|&&b| b != b'_').map(|&b| b as char).collect();
        text.parse().map(Value::Int).map_err(|_| self.err("bad integer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_subset() {
        let text = r#"
# a comment
name = "Moscow # not a comment" # a comment
count = 1_000
negative = -5
on = true
list = [
  "a", # first
  "b\"q\"",
  [1, 2],
]
[section]
x = "y"
[[item]]
id = "one"
[[item]]
id = "two"
"#;
        let tables = parse(text).unwrap();
        let root = &tables[0];
        assert_eq!(root.str("name").unwrap(), "Moscow # not a comment");
        assert_eq!(root.int("count").unwrap(), 1000);
        assert_eq!(root.int("negative").unwrap(), -5);
        assert_eq!(root.opt_bool("on").unwrap(), Some(true));
        assert_eq!(
            root.get("list").unwrap().value,
            Value::Array(vec![
                Value::Str("a".into()),
                Value::Str("b\"q\"".into()),
                Value::Array(vec![Value::Int(1), Value::Int(2)])
            ])
        );
        assert_eq!(tables[1].name, "section");
        assert_eq!(tables[1].str("x").unwrap(), "y");
        let items: Vec<_> = tables.iter().filter(|t| t.name == "item").map(|t| t.str("id").unwrap()).collect();
        assert_eq!(items, ["one", "two"]);
        assert_eq!(tables[2].line, 14);
    }

    #[test]
    fn reports_errors_with_line_numbers() {
        let cases = [
            ("a = 1\nb = \"open", 2, "string is not closed"),
            ("a = 1\na = 2", 2, "defined twice"),
            ("\n\nlist = [\n\"x\"\n", 3, "array is not closed"),
            ("a = 1.5", 1, "bad integer"),
            ("just words", 1, "expected `key = value`"),
            ("[bad name]", 1, "bad table header"),
            ("a = 'single'", 1, "unsupported value"),
            ("a = [1 2]", 1, "expected `,` or `]`"),
            ("a = 1 2", 1, "unexpected text"),
            ("[t]\n[t]", 2, "defined twice"),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}: {err}");
            assert!(err.message.contains(needle), "{text:?}: {err}");
        }
    }

    #[test]
    fn typed_getters_refuse_wrong_types_and_unknown_keys() {
        let tables = parse("a = 1\nb = \"x\"\nc = [1]").unwrap();
        let t = &tables[0];
        assert!(t.str("a").is_err());
        assert!(t.int("b").is_err());
        assert_eq!(t.str("zzz").unwrap_err().message, "missing key `zzz`");
        assert!(t.str_array("c").is_err());
        assert!(t.str_array("none").unwrap().is_empty());
        assert_eq!(t.only_keys(&["a", "b"]).unwrap_err().line, 3);
        assert!(t.only_keys(&["a", "b", "c"]).is_ok());
    }
}
