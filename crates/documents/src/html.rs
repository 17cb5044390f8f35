//! A document as one self-contained, printable HTML page: inline CSS with an
//! A4 `@page`, no scripts, no external resources; every text escaped.

use std::fmt::Write;

use crate::{Document, Sheet};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page{size:A4;margin:12mm}\
*{box-sizing:border-box}\
body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;color:#000;margin:0 auto;max-width:190mm;padding:8mm 0}\
h1{font-size:14pt;margin:0 0 4mm}\
.warning{color:#b00;font-weight:bold}\
.blocks{display:flex;flex-wrap:wrap;gap:4mm;margin-bottom:4mm}\
.block{flex:1 1 45%;border:1px solid #999;padding:2mm}\
.block h2{font-size:10pt;margin:0 0 1mm}\
.block table td{padding:0 2mm 0 0;vertical-align:top}\
table.lines{width:100%;border-collapse:collapse;font-size:8.5pt}\
table.lines th,table.lines td{border:1px solid #000;padding:1mm}\
table.lines thead{display:table-header-group}\
table.lines tr{page-break-inside:avoid}\
.r{text-align:right;white-space:nowrap}\
table.totals{margin:2mm 0 2mm auto}\
table.totals td{padding:0.5mm 2mm}\
table.totals tr:last-child td{font-weight:bold}\
.summary p{margin:1mm 0}\
.notes td{padding:0 2mm 0 0}\
.signatures{display:flex;gap:10mm;margin-top:10mm}\
.signatures div{flex:1}\
.signatures .line{border-bottom:1px solid #000;height:8mm}\
@media print{body{padding:0}}";

/// The document as a complete HTML page.
pub fn render(doc: &Document) -> String {
    render_sheet(&doc.sheet())
}

/// A laid-out sheet as a complete HTML page.
pub fn render_sheet(s: &Sheet) -> String {
    let mut h = String::new();
    let e = escape;
    // `write!` into a String cannot fail.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        s.lang.as_str(),
        e(&s.title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", e(&s.title));
    if let Some(w) = &s.warning {
        let _ = writeln!(h, "<p class=\"warning\" role=\"alert\">{}</p>", e(w));
    }
    h.push_str("<div class=\"blocks\">\n");
    for b in &s.blocks {
        let _ = write!(h, "<section class=\"block\"><h2>{}</h2><table>", e(&b.heading));
        for (label, value) in &b.rows {
            let _ = write!(h, "<tr><td>{}:</td><td>{}</td></tr>", e(label), e(value));
        }
        h.push_str("</table></section>\n");
    }
    h.push_str("</div>\n<table class=\"lines\"><thead><tr>");
    for c in &s.columns {
        let _ = write!(h, "<th>{}</th>", e(&c.title));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in &s.rows {
        h.push_str("<tr>");
        for (cell, c) in row.iter().zip(&s.columns) {
            let class = if c.right { " class=\"r\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", e(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n<table class=\"totals\">");
    for (label, value) in &s.totals {
        let _ = write!(h, "<tr><td>{}:</td><td class=\"r\">{}</td></tr>", e(label), e(value));
    }
    h.push_str("</table>\n<div class=\"summary\">");
    for line in &s.summary {
        let _ = write!(h, "<p>{}</p>", e(line));
    }
    h.push_str("</div>\n<table class=\"notes\">");
    for (label, value) in &s.notes {
        let _ = write!(h, "<tr><td>{}:</td><td>{}</td></tr>", e(label), e(value));
    }
    h.push_str("</table>\n");
    if let Some(r) = &s.remark {
        let _ = writeln!(h, "<p class=\"remark\">{}</p>", e(r));
    }
    if !s.signatures.is_empty() {
        h.push_str("<div class=\"signatures\">");
        for (role, name) in &s.signatures {
            let _ =
                write!(h, "<div><span>{}</span><div class=\"line\"></div><small>{}</small></div>", e(role), e(name));
        }
        h.push_str("</div>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::order;
    use crate::{money, Kind, Lang};

    #[test]
    fn invoice_html_has_sums_vat_words_and_escapes() {
        let d = order(Kind::Invoice, Lang::Ru, 3);
        let h = render(&d);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains("@page{size:A4"));
        assert!(!h.contains("<script"), "self-contained, no scripts");
        assert!(!h.contains("src=") && !h.contains("href="), "no external resources");
        // 3 lines: 1 × 450,00 − 20,00, 2 × 460,50, 3 × 471,00.
        assert_eq!(d.goods_total, 45_000 - 2_000 + 46_050 * 2 + 47_100 * 3);
        assert!(h.contains(&money(d.goods_total)));
        assert!(h.contains(&format!("в том числе НДС:</td><td class=\"r\">{} ₸", money(d.vat_total))));
        assert!(h.contains(&format!("Всего к оплате:</td><td class=\"r\">{} ₸", money(d.total))));
        // 2 764,00 + 1 500,00 delivery = 4 264,00 ₸.
        assert_eq!(d.total, 426_400);
        assert!(h.contains("Сумма прописью: Четыре тысячи двести шестьдесят четыре тенге 00 тиын"), "{h}");
        assert!(h.contains("ТОО «Жетісу Азық» &lt;опт &amp; розница&gt;"));
        assert!(h.contains("Қазы «Ет-Ас» ысталған, 1 кг — &lt;деликатес&gt;"));
        assert!(!h.contains("<деликатес>"));
        assert!(h.contains("KZ86125KZT5004100100") && h.contains("CASPKZKA") && h.contains("180340021791"));
        assert!(h.contains("Руководитель") && h.contains("Главный бухгалтер"));
    }

    #[test]
    fn kazakh_delivery_note_and_missing_seller_warning() {
        let mut d = order(Kind::DeliveryNote, Lang::Kk, 1);
        let h = render(&d);
        assert!(h.contains("<html lang=\"kk\">"));
        assert!(h.contains("Жүкқұжат № 4711"));
        assert!(h.contains("Сомасы жазбаша: "));
        assert!(h.contains("ҚҚС") && h.contains("Босатқан") && h.contains("Қабылдаған"));
        assert!(!h.contains("class=\"warning\""));
        d.seller = crate::Seller::default();
        let h = render(&d);
        assert!(h.contains("Сатушының деректемелері толтырылмаған"));
        assert!(h.contains("ҚҚС-сыз"), "a seller without VAT registration prints no VAT");
    }

    #[test]
    fn escape_covers_the_five() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
