//! Bytes → header + numbered rows, for catalogue files. Unlike
//! `wfm::forecast::Table` (plain comma splitting, enough for number
//! histories) catalogue CSV needs RFC 4180 quoting — names and
//! descriptions contain commas, quotes and line breaks — so this is a small
//! local reader; workbooks go through calamine from memory as there.

use std::io::Cursor;

use crate::Error;

/// One cell: text, or a number as a workbook stores it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as trimmed text (numbers without a trailing `.0`).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
        }
    }
}

/// A header and data rows, each row with its 1-based row number in the file
/// (the spreadsheet row, or the CSV record's first line).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

impl Table {
    pub fn read(bytes: &[u8]) -> Result<Table, Error> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Table::from_workbook(bytes);
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| Error::File(format!("neither a workbook nor UTF-8 text ({e})")))?;
        Table::from_csv(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// RFC 4180 CSV: `"` quotes a field, `""` inside is a quote, quoted
    /// fields may hold commas and line breaks. Blank records are skipped.
    pub fn from_csv(text: &str) -> Result<Table, Error> {
        let mut records: Vec<(usize, Vec<Cell>)> = Vec::new();
        let mut line = 1usize;
        let mut start = 1usize;
        let mut field = String::new();
        let mut row: Vec<Cell> = Vec::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        let mut push_row = |row: &mut Vec<Cell>, start: usize| {
            let blank = row.iter().all(|c| matches!(c, Cell::Text(s) if s.trim().is_empty()));
            if !blank {
                records.push((start, std::mem::take(row)));
            }
            row.clear();
        };
        while let Some(c) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() => {
                    field.clear();
                    quoted = true;
                }
                ',' => row.push(Cell::Text(std::mem::take(&mut field))),
                '\r' => {}
                '\n' => {
                    row.push(Cell::Text(std::mem::take(&mut field)));
                    push_row(&mut row, start);
                    line += 1;
                    start = line;
                }
                _ => field.push(c),
            }
        }
        if quoted {
            return Err(Error::File(format!("line {start}: a quoted field is not closed")));
        }
        if !field.is_empty() || !row.is_empty() {
            row.push(Cell::Text(field));
            push_row(&mut row, start);
        }
        let mut it = records.into_iter();
        let (_, header) = it.next().ok_or_else(|| Error::File("the file is empty".into()))?;
        Ok(Table { header: header.iter().map(Cell::text).collect(), rows: it.collect() })
    }

    /// The first sheet of a workbook; its first row is the header.
    pub fn from_workbook(bytes: &[u8]) -> Result<Table, Error> {
        use calamine::{Data, Reader};
        let unreadable = |e: &dyn std::fmt::Display| Error::File(format!("cannot read the workbook: {e}"));
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| Error::File("the workbook has no sheet".into()))?
            .map_err(|e| unreadable(&e))?;
        let cell = |d: &Data| match d {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Text(b.to_string()),
            Data::DateTime(t) => Cell::Number(t.as_f64()),
            Data::Error(e) => Cell::Text(format!("#{e:?}")),
        };
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = range
            .rows()
            .enumerate()
            .map(|(i, r)| (first_row + i + 1, r.iter().map(cell).collect::<Vec<_>>()))
            .filter(|(_, cells)| cells.iter().any(|c| !c.text().is_empty()));
        let (_, header) = rows.next().ok_or_else(|| Error::File("the first sheet is empty".into()))?;
        Ok(Table { header: header.iter().map(Cell::text).collect(), rows: rows.collect() })
    }
}

/// Quotes a CSV field when it needs it (comma, quote, line break, or
/// leading/trailing space).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        let t =
            Table::read(b"\xef\xbb\xbfsku,name\r\nA1,\"Milk, 1 l \"\"Fresh\"\"\"\n\nA2,\"two\nlines\"\nA3,x").unwrap();
        assert_eq!(t.header, vec!["sku", "name"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0], (2, vec![Cell::Text("A1".into()), Cell::Text("Milk, 1 l \"Fresh\"".into())]));
        assert_eq!(t.rows[1].0, 4);
        assert_eq!(t.rows[1].1[1], Cell::Text("two\nlines".into()));
        assert_eq!(t.rows[2].0, 6);
        assert!(Table::read(b"a\n\"open").is_err());
        assert!(Table::read(b"").is_err());
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
