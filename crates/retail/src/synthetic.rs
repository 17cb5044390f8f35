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

/// A small shop for the order tests (store and server): milk with tiers
/// and a key-client price, its alternative and complement, a promoted tea
/// (10 % off), the last two units of a coffee, an out-of-stock soap whose
/// alternative is in stock, and three items for offer prompts.
pub fn small_shop() -> crate::catalogue::Catalogue {
    use crate::catalogue::{import, Benefit, ImportRules, Names, Promotion};
    const CSV: &str = "sku,name_ru,name_kk,name_en,category,price_retail,price_key,tiers,stock,vat,alternatives,complements,attributes,goods_class
MILK,Молоко 3.2% 1 л,Сүт 3.2% 1 л,Milk 3.2% 1 l,Продукты > Молочные,450,419.99,10:3,main:100;almaty:20,12,KEFIR,BREAD,жирность=3.2%,food
KEFIR,Кефир 1 л,Айран 1 л,Kefir 1 l,Продукты > Молочные,390,,,main:50,12,,,,food
BREAD,Хлеб Бородинский,Бородин наны,Borodinsky bread,Продукты > Хлеб,250,,,main:30,12,,,,food
TEA,Чай чёрный 100 г,Қара шай 100 г,Black tea 100 g,Продукты > Чай,1200,,,main:40,12,,,,food
COFFEE,Кофе молотый 250 г,Ұнтақ кофе 250 г,Ground coffee 250 g,Продукты > Кофе,3000,,,main:2,12,,,,food
SOAP,Мыло детское,Балалар сабыны,Baby soap,Бытовое > Гигиена,300,,,main:0,12,GEL,,,hygiene
GEL,Гель для душа,Душ гелі,Shower gel,Бытовое > Гигиена,900,,,main:25,12,,,,hygiene
SPONGE,Губка кухонная,Ас үй губкасы,Kitchen sponge,Бытовое > Кухня,150,,,main:200,12,,,,non_food
FOIL,Фольга 10 м,Фольга 10 м,Foil 10 m,Бытовое > Кухня,700,,,main:60,12,,,,non_food
NAPKIN,Салфетки бумажные,Қағаз майлықтар,Paper napkins,Бытовое > Кухня,200,,,main:80,12,,,,non_food
";
    let mut cat = match import(CSV.as_bytes(), &ImportRules::default()) {
        Ok(Ok(imported)) => imported.catalogue,
        other => panic!("the small shop imports: {other:?}"),
    };
    cat.promotions.push(Promotion {
        id: "tea10".into(),
        title: Names { ru: "Чай −10 %".into(), kk: "Шай −10 %".into(), en: "Tea −10 %".into() },
        from: 0,
        until: 4_000_000_000,
        min_qty: 1,
        min_order_sum: 0,
        skus: vec!["TEA".into()],
        categories: vec![],
        client_types: vec![],
        benefit: Benefit::Percent(1000),
    });
    cat
}
