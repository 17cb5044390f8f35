//! An input table — a header and numbered rows of [`Cell`]s — read from the
//! bytes of a CSV file or a spreadsheet workbook. The one way a history file
//! becomes cells: the CLI (`switchboard wfm forecast --history`) and the
//! planner's room (upload and `POST /api/v1/planning/series`) both call
//! [`Table::read`], then [`Series::from_table`](super::Series::from_table).
//!
//! Workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods` — whatever calamine
//! opens) are parsed from memory (`Cursor` over the bytes); still no I/O.

use std::io::Cursor;

use super::series::Cell;
use crate::{Error, Result};

/// A table: the header row's cells as text and the data rows after it,
/// each with its 1-based line (row) number in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// 1-based line of the header.
    pub header_line: usize,
    pub header: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

impl Table {
    /// Reads a file's bytes: a workbook when they start like one (a zip
    /// archive — XLSX, XLSB, ODS — or an OLE compound file — XLS), else CSV
    /// text in UTF-8 (a leading byte-order mark is skipped).
    pub fn read(bytes: &[u8]) -> Result<Table> {
        if is_workbook(bytes) {
            return Table::from_workbook(bytes);
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| Error::InvalidInput(format!("the file is neither a workbook nor UTF-8 text ({e})")))?;
        Table::from_csv(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Comma-separated text: the first non-blank line is the header; blank
    /// lines are skipped; fields are trimmed and unquoted.
    pub fn from_csv(text: &str) -> Result<Table> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (header_line, header) = lines.next().ok_or_else(|| Error::Insufficient("the file is empty".into()))?;
        let field = |f: &str| f.trim().trim_matches('"').to_string();
        let header = header.split(',').map(field).collect();
        let rows = lines.map(|(i, l)| (i + 1, l.split(',').map(|f| Cell::Text(field(f))).collect())).collect();
        Ok(Table { header_line: header_line + 1, header, rows })
    }

    /// The first sheet of a workbook; its first row is the header. Date-time
    /// cells become [`Cell::DateTime`] (Excel serials), numbers
    /// [`Cell::Number`], the rest text.
    pub fn from_workbook(bytes: &[u8]) -> Result<Table> {
        use calamine::{Data, Reader};
        let unreadable = |e: &dyn std::fmt::Display| Error::InvalidInput(format!("cannot read the workbook: {e}"));
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| Error::Insufficient("the workbook has no sheet".into()))?
            .map_err(|e| unreadable(&e))?;
        let cell = |d: &Data| match d {
            Data::Empty => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Text(b.to_string()),
            Data::DateTime(t) => Cell::DateTime(t.as_f64()),
            Data::Error(e) => Cell::Text(format!("#{e:?}")),
        };
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows =
            range.rows().enumerate().map(|(i, r)| (first_row + i + 1, r.iter().map(cell).collect::<Vec<_>>()));
        let (header_line, header) = match rows.next() {
            Some((line, cells)) => (
                line,
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.trim().to_string(),
                        _ => String::new(),
                    })
                    .collect(),
            ),
            None => return Err(Error::Insufficient("the first sheet is empty".into())),
        };
        Ok(Table { header_line, header, rows: rows.collect() })
    }

    /// The position of the first column whose header is one of `names`
    /// (lower case; headers are compared trimmed and lower-cased).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|c| names.contains(&c.trim().to_ascii_lowercase().as_str()))
    }
}

/// Whether `bytes` start like a workbook: a zip archive (`PK\x03\x04`:
/// XLSX, XLSM, XLSB, ODS) or an OLE compound file (XLS).
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_numbers() {
        let t = Table::read(b"\xef\xbb\xbf\ntimestamp, \"Calls\"\n\n2024-01-01 09:00,3\n").expect("csv");
        assert_eq!(t.header_line, 2);
        assert_eq!(t.header, vec!["timestamp", "Calls"]);
        assert_eq!(t.rows, vec![(4, vec![Cell::Text("2024-01-01 09:00".into()), Cell::Text("3".into())])]);
        assert_eq!(t.column(&["contacts", "calls"]), Some(1));
    }

    #[test]
    fn a_workbook_reads_from_memory_with_dates_numbers_and_text() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        sheet.write_string(0, 0, " Timestamp ").expect("cell");
        sheet.write_string(0, 1, "calls").expect("cell");
        let t = ExcelDateTime::from_ymd(2024, 1, 1).and_then(|d| d.and_hms(9, 30, 0)).expect("date-time");
        sheet.write_datetime_with_format(1, 0, &t, &fmt).expect("cell");
        sheet.write_number(1, 1, 7.0).expect("cell");
        sheet.write_string(2, 0, "2024-01-01 09:45").expect("cell");
        sheet.write_string(2, 1, "many").expect("cell");
        let bytes = book.save_to_buffer().expect("xlsx");
        assert!(is_workbook(&bytes));
        let t = Table::read(&bytes).expect("workbook");
        assert_eq!((t.header_line, t.header.clone()), (1, vec!["Timestamp".to_string(), "calls".to_string()]));
        assert_eq!(t.rows.len(), 2);
        assert!(matches!(t.rows[0], (2, ref c) if c[1] == Cell::Number(7.0) && matches!(c[0], Cell::DateTime(_))));
        assert_eq!(t.rows[1].1[1], Cell::Text("many".into()));
        // The bad row is named by its sheet row.
        let e = super::super::Series::of_table(&t).expect_err("bad calls");
        assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
    }

    #[test]
    fn neither_workbook_nor_text_is_refused() {
        assert!(matches!(Table::read(&[0xff, 0xfe, 0x00]), Err(Error::InvalidInput(_))));
        // Starts like a zip, but is not a workbook.
        assert!(matches!(Table::read(b"PK\x03\x04garbage"), Err(Error::InvalidInput(m)) if m.contains("workbook")));
        assert!(matches!(Table::read(b""), Err(Error::Insufficient(_))));
    }
}
