//! A deterministic synthetic catalogue workbook, for the import tests and
//! benchmarks: `rows` items (`SKU-00001` …) in every column a real file
//! uses, with the chosen spreadsheet rows broken in a known way. Row `r`
//! (data row, 1-based; spreadsheet row `r + 1`) costs `100 + r % 500 + 0.25`
//! retail and 90.50 for key clients, tiers `10:3;100:7.5`, stock
//! `main:{r % 97};almaty:{r % 13}`; every tenth item is delisted.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::Error;

/// The five faults of the import acceptance test, by spreadsheet row
/// (header = row 1): what each row gets wrong is named by its fault code.
pub const ACCEPTANCE_FAULTS: [(u32, &str); 5] = [
    (2, "missing-sku"),
    (777, "bad-price"),
    (4_321, "duplicate-sku"),
    (8_000, "negative-stock"),
    (10_001, "name-too-long"),
];

/// The header of the synthetic workbook.
pub const HEADER: [&str; 13] = [
    "sku",
    "name_ru",
    "name_kk",
    "name_en",
    "category",
    "unit",
    "vat",
    "listed",
    "price_retail",
    "price_key",
    "tiers",
    "stock",
    "attributes",
];

/// The workbook's bytes; `faults` lists (spreadsheet row, fault code) of
/// the rows to break (`missing-sku`, `bad-price`, `duplicate-sku`,
/// `negative-stock`, `name-too-long`; a duplicate repeats `SKU-00005`).
pub fn workbook(rows: u32, faults: &[(u32, &str)]) -> Result<Vec<u8>, Error> {
    write(rows, faults).map_err(|e| Error::File(format!("cannot write the workbook: {e}")))
}

fn write(rows: u32, faults: &[(u32, &str)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for r in 1..=rows {
        let fault = faults.iter().find(|(row, _)| *row == r + 1).map(|(_, f)| *f);
        let sku = match fault {
            Some("missing-sku") => String::new(),
            Some("duplicate-sku") => "SKU-00005".to_string(),
            _ => format!("SKU-{r:05}"),
        };
        let name = match fault {
            Some("name-too-long") => "Очень длинное название ".repeat(10),
            _ => format!("Товар №{r}"),
        };
        sheet.write_string(r, 0, &sku)?;
        sheet.write_string(r, 1, &name)?;
        sheet.write_string(r, 2, format!("Тауар №{r}"))?;
        sheet.write_string(r, 3, format!("Item {r}"))?;
        sheet.write_string(r, 4, if r % 2 == 0 { "Продукты > Молочные" } else { "Бытовая химия" })?;
        sheet.write_string(r, 5, if r % 3 == 0 { "kg" } else { "pcs" })?;
        sheet.write_number(r, 6, 12)?;
        sheet.write_string(r, 7, if r % 10 == 0 { "нет" } else { "да" })?;
        match fault {
            Some("bad-price") => sheet.write_string(r, 8, "двести")?,
            _ => sheet.write_number(r, 8, 100.0 + f64::from(r % 500) + 0.25)?,
        };
        sheet.write_number(r, 9, 90.5)?;
        sheet.write_string(r, 10, "10:3;100:7.5")?;
        let stock = if fault == Some("negative-stock") {
            "main:-4".to_string()
        } else {
            format!("main:{};almaty:{}", r % 97, r % 13)
        };
        sheet.write_string(r, 11, stock)?;
        sheet.write_string(r, 12, "объём=1 л;цвет=белый")?;
    }
    book.save_to_buffer()
}
