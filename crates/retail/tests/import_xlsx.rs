//! Acceptance (issue 6): a generated 10,000-row XLSX with 5 bad rows —
//! nothing is usable, the report names exactly those 5 rows and their
//! faults; once fixed, all 10,000 rows parse.

use retail::catalogue::{import, Fault, ImportRules};
use rust_xlsxwriter::Workbook;

const ROWS: u32 = 10_000;

/// Spreadsheet rows (1-based, header is row 1) that get a fault, and how.
const BAD: [(u32, &str); 5] = [
    (2, "missing-sku"),
    (777, "bad-price"),
    (4_321, "duplicate-sku"),
    (8_000, "negative-stock"),
    (10_001, "name-too-long"),
];

fn workbook(broken: bool) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let header =
        ["sku", "name_ru", "name_kk", "category", "unit", "vat", "price_retail", "price_key", "tiers", "stock"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=ROWS {
        let row = r + 1; // spreadsheet row number
        let fault = if broken { BAD.iter().find(|(b, _)| *b == row).map(|(_, f)| *f) } else { None };
        let sku = match fault {
            Some("missing-sku") => String::new(),
            Some("duplicate-sku") => "SKU-00005".to_string(),
            _ => format!("SKU-{r:05}"),
        };
        let name = match fault {
            Some("name-too-long") => "Очень длинное название ".repeat(10),
            _ => format!("Товар №{r}"),
        };
        sheet.write_string(r, 0, &sku).unwrap();
        sheet.write_string(r, 1, &name).unwrap();
        sheet.write_string(r, 2, format!("Тауар №{r}")).unwrap();
        sheet.write_string(r, 3, if r % 2 == 0 { "Продукты > Молочные" } else { "Бытовая химия" }).unwrap();
        sheet.write_string(r, 4, "pcs").unwrap();
        sheet.write_number(r, 5, 12).unwrap();
        match fault {
            Some("bad-price") => sheet.write_string(r, 6, "двести").unwrap(),
            _ => sheet.write_number(r, 6, 100.0 + f64::from(r % 500) + 0.25).unwrap(),
        };
        sheet.write_number(r, 7, 90.5).unwrap();
        sheet.write_string(r, 8, "10:3;100:7.5").unwrap();
        let stock = if fault == Some("negative-stock") {
            "main:-4".to_string()
        } else {
            format!("main:{};almaty:{}", r % 97, r % 13)
        };
        sheet.write_string(r, 9, stock).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn ten_thousand_rows_five_bad_nothing_usable_then_all_parse() {
    let rules = ImportRules::default();
    let report = match import(&workbook(true), &rules).unwrap() {
        Err(report) => report,
        Ok(_) => panic!("a file with bad rows must not be usable"),
    };
    assert_eq!(report.rows_read, ROWS as usize);
    let found: Vec<(usize, Vec<&str>)> =
        report.bad.iter().map(|b| (b.row, b.faults.iter().map(Fault::code).collect())).collect();
    let expected: Vec<(usize, Vec<&str>)> = BAD.iter().map(|(r, f)| (*r as usize, vec![*f])).collect();
    assert_eq!(found, expected);
    // The duplicate points at the first row holding the SKU (SKU-00005 is data row 5 = sheet row 6).
    assert_eq!(report.bad[2].faults[0], Fault::DuplicateSku { first_row: 6 });

    let imported = match import(&workbook(false), &rules).unwrap() {
        Ok(i) => i,
        Err(report) => panic!("{:?}", &report.bad[..report.bad.len().min(3)]),
    };
    assert_eq!(imported.rows_read, ROWS as usize);
    let cat = &imported.catalogue;
    assert_eq!(cat.items.len(), ROWS as usize);
    // Row r = 777: 100 + 777 % 500 + 0.25 = 377.25 → 37 725 minor units.
    assert_eq!(cat.price("SKU-00777").unwrap().unit_price("retail"), 37_725);
    assert_eq!(cat.price("SKU-00777").unwrap().unit_price("key"), 9_050);
    assert_eq!(cat.item("SKU-00777").unwrap().vat_bp, 1200);
    // 777 % 97 = 1, 777 % 13 = 10.
    assert_eq!(cat.stock.available("SKU-00777"), 11);
    assert_eq!(cat.price("SKU-00001").unwrap().tier_bp(100), 750);
}
