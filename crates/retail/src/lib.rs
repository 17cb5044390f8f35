//! The rules of Switchboard's order desk (issue 6, the remote-retail half):
//! the catalogue and its import/export ([`catalogue`]), the price of a line
//! and an order ([`pricing`]), the credit gate of 004:225–227 ([`credit`]),
//! offer prompts of 004:229 ([`offers`]), the order lifecycle ([`order`]),
//! returns against statutory windows ([`returns`]) and the shop manager's
//! analytics ([`analytics`]).
//!
//! The crate is **pure**: no I/O, no database, no clock. Callers pass times
//! and bytes in and get values back; the store, the server and the desk wire
//! these rules up. Money is always an integer number of minor units (tiyn,
//! kopecks) — see [`Money`] — and every rounding is explicit (half-up, per
//! line). The column format of catalogue files, the pricing and rounding
//! rules and the return presets are documented in `docs/RETAIL.md`.

pub mod analytics;
pub mod analytics_report;
pub mod catalogue;
pub mod credit;
pub mod money;
pub mod offers;
pub mod order;
pub mod pricing;
pub mod returns;
pub mod synthetic;
mod table;

pub use money::Money;

/// Rows as CSV text (RFC 4180 quoting where needed, `\n` line ends), for
/// report exports; the catalogue file has its own `catalogue::export_csv`.
pub fn to_csv<I, R, S>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = header.iter().map(|h| table::csv_field(h)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for r in rows {
        let line: Vec<String> = r.into_iter().map(|c| table::csv_field(c.as_ref())).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Rows as an XLSX workbook (one sheet, text cells, empty cells left out),
/// built in memory: the report exports and the catalogue export share it.
pub fn to_xlsx<H, R, S>(header: &[H], rows: &[R]) -> Result<Vec<u8>, Error>
where
    H: AsRef<str>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| Error::File(format!("cannot write the workbook: {e}"));
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h.as_ref()).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.as_ref().iter().enumerate() {
            if !v.as_ref().is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, v.as_ref()).map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// Errors that are not a list of faults: a file that cannot be read at all,
/// a preset file with a typo, an impossible stock operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are neither a readable workbook nor UTF-8 CSV text, or the
    /// header lacks a required column.
    #[error("cannot read the file: {0}")]
    File(String),
    /// A data preset (e.g. `data/return_windows.toml`) is malformed.
    #[error("bad preset: {0}")]
    Preset(#[from] domain::datafile::DataError),
    /// A stock movement would make a quantity negative.
    #[error("not enough stock of {sku} in {warehouse}: {available} available, {wanted} wanted")]
    NotEnoughStock { sku: String, warehouse: String, available: i64, wanted: i64 },
    /// A quantity that must be positive is not.
    #[error("quantity must be positive, got {0}")]
    BadQuantity(i64),
}

#[cfg(test)]
mod tests {
    #[test]
    fn report_csv_quotes_what_needs_it() {
        let csv = super::to_csv(&["sku", "class"], [vec!["A,1", "AX"], vec!["B", "say \"hi\""]]);
        assert_eq!(csv, "sku,class\n\"A,1\",AX\nB,\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn report_xlsx_reads_back() {
        let rows = vec![vec!["A,1".to_string(), "Сүт".to_string()], vec!["B".to_string(), String::new()]];
        let bytes = super::to_xlsx(&["sku", "name"], &rows).unwrap();
        let t = super::table::Table::read(&bytes).unwrap();
        assert_eq!(t.header, vec!["sku", "name"]);
        assert_eq!(t.rows[0].1[1].text(), "Сүт");
        assert_eq!(t.rows[1].1.first().map(|c| c.text()), Some("B".to_string()));
    }
}
