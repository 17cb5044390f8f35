//! Acceptance (issue 6): a generated 10,000-row XLSX with 5 bad rows —
//! nothing is usable, the report names exactly those 5 rows and their
//! faults; once fixed, all 10,000 rows parse.

use retail::catalogue::{import, Fault, ImportRules};
use retail::synthetic::{self, ACCEPTANCE_FAULTS as BAD};

const ROWS: u32 = 10_000;

fn workbook(broken: bool) -> Vec<u8> {
    synthetic::workbook(ROWS, if broken { &BAD } else { &[] }).unwrap()
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
