//! A document as a PDF 1.4 file on A4, written by hand: one embedded
//! TrueType font (DejaVu Sans, `fonts/DejaVuSans.ttf`) as a CIDFontType2
//! with Identity-H encoding (two-byte glyph ids), subset to the glyphs the
//! document uses (unused glyph outlines emptied, ids kept), a ToUnicode map
//! so the text can be searched and copied, Flate-compressed streams, and a
//! line table that continues on further pages with its header repeated.
//! Bold is drawn as fill + stroke of the same font (no second font file).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;

use crate::{Document, Sheet};

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 36.0;
const BOTTOM: f32 = 48.0;

/// Why a PDF could not be made (only if the shipped font is unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pdf: {}", self.0)
    }
}

impl std::error::Error for PdfError {}

/// The document as PDF bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    render_sheet(&doc.sheet())
}

/// A laid-out sheet as PDF bytes.
pub fn render_sheet(s: &Sheet) -> Result<Vec<u8>, PdfError> {
    let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| PdfError(e.to_string()))?;
    let mut w = Writer::new(&face);
    w.layout(s);
    w.finish(s)
}

struct Writer<'a> {
    face: &'a ttf_parser::Face<'a>,
    upem: f32,
    /// Glyph id → the character it shows (ToUnicode) and its width (1/1000 em).
    used: BTreeMap<u16, (char, u32)>,
    pages: Vec<String>,
    y: f32,
}

impl<'a> Writer<'a> {
    fn new(face: &'a ttf_parser::Face<'a>) -> Self {
        let upem = face.units_per_em() as f32;
        Writer { face, upem, used: BTreeMap::new(), pages: vec![String::new()], y: PAGE_H - MARGIN }
    }

    fn glyph(&mut self, c: char) -> (u16, f32) {
        let c = if c == '\u{a0}' { ' ' } else { c };
        let gid = self.face.glyph_index(c).or_else(|| self.face.glyph_index('?')).map(|g| g.0).unwrap_or(0);
        let adv = self.face.glyph_hor_advance(ttf_parser::GlyphId(gid)).unwrap_or(0) as f32;
        let w1000 = (adv * 1000.0 / self.upem).round() as u32;
        self.used.entry(gid).or_insert((c, w1000));
        (gid, adv / self.upem)
    }

    fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    fn page(&mut self) -> &mut String {
        // `pages` always has at least one page.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let (gid, _) = self.glyph(c);
            let _ = write!(hex, "{gid:04X}");
        }
        let style = if bold { "2 Tr 0.35 w " } else { "" };
        let reset = if bold { " 0 Tr" } else { "" };
        let _ = writeln!(self.page(), "BT {style}/F1 {size:.1} Tf {x:.2} {y:.2} Td <{hex}> Tj{reset} ET");
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let w = self.width(text, size);
        self.text(right - w, y, size, bold, text);
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let _ = writeln!(self.page(), "{x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S");
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: bool) {
        let op = if fill { "0.9 g" } else { "" };
        let end = if fill { "f 0 g" } else { "S" };
        let _ = writeln!(self.page(), "{op} {x:.2} {y:.2} {w:.2} {h:.2} re {end}");
    }

    /// Breaks `text` into lines no wider than `width` at `size`.
    fn wrap(&mut self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        for word in text.split(' ') {
            let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
            if self.width(&candidate, size) <= width {
                cur = candidate;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            // A word longer than the width is cut by characters.
            for c in word.chars() {
                let next = format!("{cur}{c}");
                if !cur.is_empty() && self.width(&next, size) > width {
                    lines.push(std::mem::take(&mut cur));
                    cur.push(c);
                } else {
                    cur = next;
                }
            }
        }
        if !cur.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }

    fn new_page(&mut self) {
        self.pages.push(String::new());
        self.y = PAGE_H - MARGIN;
    }

    /// Starts a new page unless `h` points still fit on this one.
    fn need(&mut self, h: f32) -> bool {
        if self.y - h < BOTTOM {
            self.new_page();
            true
        } else {
            false
        }
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool) {
        let lines = self.wrap(text, size, PAGE_W - 2.0 * MARGIN);
        for l in lines {
            self.need(size * 1.35);
            self.y -= size * 1.35;
            self.text(MARGIN, self.y, size, bold, &l);
        }
    }

    fn labelled(&mut self, x: f32, width: f32, label: &str, value: &str, size: f32) -> f32 {
        let label = format!("{label}: ");
        let lw = self.width(&label, size).min(width * 0.45);
        let lines = self.wrap(value, size, width - lw);
        let mut y = self.y;
        self.text(x, y - size * 1.3, size, false, &label);
        for l in &lines {
            y -= size * 1.3;
            self.text(x + lw, y, size, false, l);
        }
        self.y - y
    }

    fn table_header(&mut self, s: &Sheet) {
        let size = 7.5;
        let titles: Vec<Vec<String>> = s.columns.iter().map(|c| self.wrap(&c.title, size, c.width - 4.0)).collect();
        let n = titles.iter().map(Vec::len).max().unwrap_or(1) as f32;
        let h = n * size * 1.25 + 4.0;
        self.rect(MARGIN, self.y - h, PAGE_W - 2.0 * MARGIN, h, true);
        self.row_frame(s, h);
        let mut x = MARGIN;
        for (c, lines) in s.columns.iter().zip(&titles) {
            for (i, l) in lines.iter().enumerate() {
                self.text(x + 2.0, self.y - 2.0 - size * 1.25 * (i as f32 + 0.8), size, true, l);
            }
            x += c.width;
        }
        self.y -= h;
    }

    fn row_frame(&mut self, s: &Sheet, h: f32) {
        let mut x = MARGIN;
        let top = self.y;
        self.rect(MARGIN, top - h, PAGE_W - 2.0 * MARGIN, h, false);
        for c in &s.columns[..s.columns.len().saturating_sub(1)] {
            x += c.width;
            self.line(x, top, x, top - h);
        }
    }

    fn layout(&mut self, s: &Sheet) {
        let _ = writeln!(self.page(), "0.5 w");
        self.y -= 16.0;
        let title = s.title.clone();
        self.text(MARGIN, self.y, 14.0, true, &title);
        self.y -= 6.0;
        if let Some(w) = &s.warning {
            let _ = writeln!(self.page(), "0.7 0 0 rg");
            self.paragraph(w, 10.0, true);
            let _ = writeln!(self.page(), "0 g");
        }
        let size = 8.5;
        let full = PAGE_W - 2.0 * MARGIN;
        for b in &s.blocks {
            self.need(size * 3.0);
            self.y -= 6.0;
            for (label, value) in &b.rows {
                self.need(size * 2.7);
                let h = self.labelled(MARGIN, full, label, value, size);
                self.y -= h;
            }
        }
        self.y -= 8.0;
        self.need(60.0);
        self.table_header(s);
        let tsize = 7.5;
        for row in &s.rows {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&s.columns).map(|(cell, c)| self.wrap(cell, tsize, c.width - 4.0)).collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1) as f32;
            let h = n * tsize * 1.25 + 3.0;
            if self.need(h) {
                self.table_header(s);
            }
            self.row_frame(s, h);
            let mut x = MARGIN;
            for (c, lines) in s.columns.iter().zip(&cells) {
                for (i, l) in lines.iter().enumerate() {
                    let y = self.y - 1.5 - tsize * 1.25 * (i as f32 + 0.8);
                    if c.right {
                        self.text_right(x + c.width - 2.0, y, tsize, false, l);
                    } else {
                        self.text(x + 2.0, y, tsize, false, l);
                    }
                }
                x += c.width;
            }
            self.y -= h;
        }
        self.y -= 4.0;
        let right = PAGE_W - MARGIN;
        let last = s.totals.len().saturating_sub(1);
        for (i, (label, value)) in s.totals.iter().enumerate() {
            self.need(size * 1.5);
            self.y -= size * 1.5;
            let bold = i == last;
            self.text_right(right - 110.0, self.y, size, bold, &format!("{label}:"));
            self.text_right(right, self.y, size, bold, value);
        }
        self.y -= 4.0;
        for (i, line) in s.summary.iter().enumerate() {
            self.paragraph(line, size, i == 1);
        }
        self.y -= 4.0;
        for (label, value) in &s.notes {
            self.need(size * 2.7);
            let h = self.labelled(MARGIN, full, label, value, size);
            self.y -= h;
        }
        if let Some(r) = &s.remark {
            self.y -= 4.0;
            self.paragraph(r, 7.5, false);
        }
        if !s.signatures.is_empty() {
            self.need(50.0);
            self.y -= 30.0;
            let col = full / s.signatures.len() as f32;
            for (i, (role, name)) in s.signatures.iter().enumerate() {
                let x = MARGIN + col * i as f32;
                self.text(x, self.y, size, true, role);
                let lw = self.width(role, size) + 6.0;
                self.line(x + lw, self.y - 1.0, x + col - 12.0, self.y - 1.0);
                if !name.is_empty() {
                    self.text(x + lw, self.y - size * 1.4, 7.0, false, &format!("/ {name} /"));
                }
            }
        }
    }

    fn finish(mut self, s: &Sheet) -> Result<Vec<u8>, PdfError> {
        let count = self.pages.len();
        for i in 0..count {
            let footer = format!("{} {} {} {}", s.page_words.0, i + 1, s.page_words.1, count);
            let w = self.width(&footer, 7.0);
            let mut hex = String::new();
            for c in footer.chars() {
                let _ = write!(hex, "{:04X}", self.glyph(c).0);
            }
            let _ = writeln!(
                self.pages[i],
                "BT /F1 7.0 Tf {:.2} {:.2} Td <{hex}> Tj ET",
                PAGE_W - MARGIN - w,
                BOTTOM - 24.0
            );
        }
        let font_file = subset(FONT, &self.used.keys().copied().collect())?;
        let mut out = Pdf::default();
        // Fixed objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor,
        // 6 font file, 7 ToUnicode, 8 info; then page and content pairs.
        let first_page = 9;
        out.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>");
        let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", first_page + 2 * i)).collect();
        out.obj(2, format!("<< /Type /Pages /Kids [{}] /Count {count} >>", kids.join(" ")).as_bytes());
        let name = format!("{}+DejaVuSans", subset_tag(&self.used));
        out.obj(
            3,
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H \
                 /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
            )
            .as_bytes(),
        );
        let mut widths = String::new();
        for (gid, (_, w)) in &self.used {
            let _ = write!(widths, "{gid} [{w}] ");
        }
        out.obj(
            4,
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor 5 0 R /DW 600 /W [{widths}] /CIDToGIDMap /Identity >>"
            )
            .as_bytes(),
        );
        let scale = |v: i16| (v as f32 * 1000.0 / self.upem).round() as i32;
        let bb = self.face.global_bounding_box();
        out.obj(
            5,
            format!(
                "<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 \
                 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 6 0 R >>",
                scale(bb.x_min),
                scale(bb.y_min),
                scale(bb.x_max),
                scale(bb.y_max),
                scale(self.face.ascender()),
                scale(self.face.descender()),
                scale(self.face.capital_height().unwrap_or(self.face.ascender())),
            )
            .as_bytes(),
        );
        out.stream(6, &format!("/Length1 {}", font_file.len()), &font_file)?;
        out.stream(7, "", to_unicode(&self.used).as_bytes())?;
        out.obj(8, b"<< /Producer (Switchboard documents) /Title <FEFF> >>");
        for (i, content) in self.pages.iter().enumerate() {
            let page = first_page + 2 * i;
            out.obj(
                page,
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                     /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                    page + 1
                )
                .as_bytes(),
            );
            out.stream(page + 1, "", content.as_bytes())?;
        }
        Ok(out.finish(8))
    }
}

/// Six capital letters naming the subset (PDF 32000 §9.9.2), from its glyphs.
fn subset_tag(used: &BTreeMap<u16, (char, u32)>) -> String {
    let mut h: u32 = 2_166_136_261;
    for gid in used.keys() {
        h = (h ^ *gid as u32).wrapping_mul(16_777_619);
    }
    (0..6).map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char).collect()
}

fn to_unicode(used: &BTreeMap<u16, (char, u32)>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (gid, (c, _)) in chunk {
            let mut buf = [0u16; 2];
            let hex: String = c.encode_utf16(&mut buf).iter().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(s, "<{gid:04X}> <{hex}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// The PDF file being assembled: objects with their byte offsets.
#[derive(Default)]
struct Pdf {
    body: Vec<u8>,
    offsets: BTreeMap<usize, usize>,
}

impl Pdf {
    fn start(&mut self, id: usize) {
        if self.body.is_empty() {
            // The binary comment marks the file as binary for transfer tools.
            self.body.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
        }
        self.offsets.insert(id, self.body.len());
        self.body.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    }

    fn obj(&mut self, id: usize, dict: &[u8]) {
        self.start(id);
        self.body.extend_from_slice(dict);
        self.body.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, id: usize, extra: &str, data: &[u8]) -> Result<(), PdfError> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).map_err(|e| PdfError(e.to_string()))?;
        let packed = z.finish().map_err(|e| PdfError(e.to_string()))?;
        self.start(id);
        self.body.extend_from_slice(
            format!("<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n", packed.len()).as_bytes(),
        );
        self.body.extend_from_slice(&packed);
        self.body.extend_from_slice(b"\nendstream\nendobj\n");
        Ok(())
    }

    fn finish(mut self, info: usize) -> Vec<u8> {
        let size = self.offsets.keys().max().copied().unwrap_or(0) + 1;
        let xref = self.body.len();
        let mut x = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for id in 1..size {
            match self.offsets.get(&id) {
                Some(off) => {
                    let _ = writeln!(x, "{off:010} 00000 n ");
                }
                None => x.push_str("0000000000 65535 f \n"),
            }
        }
        let _ = write!(x, "trailer\n<< /Size {size} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        self.body.extend_from_slice(x.as_bytes());
        self.body
    }
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn checksum(d: &[u8]) -> u32 {
    d.chunks(4).fold(0u32, |acc, c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(b))
    })
}

/// The tables kept in a subset: outlines and metrics, hinting, names (the
/// licence notice), OS/2; layout tables (GSUB, GPOS, kern) and glyph names are
/// dropped, `post` becomes format 3 (no names).
const KEEP: [&[u8; 4]; 12] =
    [b"OS/2", b"cvt ", b"fpgm", b"gasp", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name", b"post"];

/// A TrueType font with only `keep` (and the glyphs composite glyphs use, and
/// glyph 0) kept: the other glyphs' outlines are emptied so glyph ids stay.
pub fn subset(font: &[u8], keep: &BTreeSet<u16>) -> Result<Vec<u8>, PdfError> {
    let bad = || PdfError("unreadable font".into());
    let n = be16(font, 4).ok_or_else(bad)? as usize;
    let mut tables: BTreeMap<[u8; 4], &[u8]> = BTreeMap::new();
    for i in 0..n {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4).ok_or_else(bad)?.try_into().map_err(|_| bad())?;
        let off = be32(font, rec + 8).ok_or_else(bad)? as usize;
        let len = be32(font, rec + 12).ok_or_else(bad)? as usize;
        tables.insert(tag, font.get(off..off + len).ok_or_else(bad)?);
    }
    let head = *tables.get(b"head").ok_or_else(bad)?;
    let maxp = *tables.get(b"maxp").ok_or_else(bad)?;
    let loca = *tables.get(b"loca").ok_or_else(bad)?;
    let glyf = *tables.get(b"glyf").ok_or_else(bad)?;
    let long = be16(head, 50).ok_or_else(bad)? == 1;
    let glyphs = be16(maxp, 4).ok_or_else(bad)? as usize;
    let range = |g: usize| -> Option<(usize, usize)> {
        if long {
            Some((be32(loca, g * 4)? as usize, be32(loca, g * 4 + 4)? as usize))
        } else {
            Some((be16(loca, g * 2)? as usize * 2, be16(loca, g * 2 + 2)? as usize * 2))
        }
    };
    // Close over composite glyphs' components.
    let mut keep: BTreeSet<u16> = keep.iter().copied().filter(|g| (*g as usize) < glyphs).collect();
    keep.insert(0);
    let mut todo: Vec<u16> = keep.iter().copied().collect();
    while let Some(g) = todo.pop() {
        let (a, b) = range(g as usize).ok_or_else(bad)?;
        let data = glyf.get(a..b).ok_or_else(bad)?;
        if data.len() < 10 || (be16(data, 0).ok_or_else(bad)? as i16) >= 0 {
            continue;
        }
        let mut at = 10;
        loop {
            let flags = be16(data, at).ok_or_else(bad)?;
            let comp = be16(data, at + 2).ok_or_else(bad)?;
            if keep.insert(comp) {
                todo.push(comp);
            }
            at += 4 + if flags & 0x1 != 0 { 4 } else { 2 };
            at += if flags & 0x8 != 0 {
                2
            } else if flags & 0x40 != 0 {
                4
            } else if flags & 0x80 != 0 {
                8
            } else {
                0
            };
            if flags & 0x20 == 0 {
                break;
            }
        }
    }
    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity((glyphs + 1) * 4);
    for g in 0..glyphs {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if keep.contains(&(g as u16)) {
            let (a, b) = range(g).ok_or_else(bad)?;
            new_glyf.extend_from_slice(glyf.get(a..b).ok_or_else(bad)?);
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    let mut new_head = head.to_vec();
    new_head.get_mut(8..12).ok_or_else(bad)?.copy_from_slice(&[0; 4]);
    new_head.get_mut(50..52).ok_or_else(bad)?.copy_from_slice(&1u16.to_be_bytes());
    let mut post3 = tables.get(b"post").map(|p| p.get(..32).unwrap_or(p).to_vec()).unwrap_or_default();
    if post3.len() == 32 {
        post3[..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
    }
    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for tag in KEEP {
        let data = match tag {
            b"glyf" => new_glyf.clone(),
            b"loca" => new_loca.clone(),
            b"head" => new_head.clone(),
            b"post" if post3.len() == 32 => post3.clone(),
            _ => match tables.get(tag) {
                Some(d) => d.to_vec(),
                None => continue,
            },
        };
        out_tables.push((*tag, data));
    }
    let count = out_tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow * 2 <= count {
        pow *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&(count * 16 - pow * 16).to_be_bytes());
    let mut offset = 12 + 16 * out_tables.len();
    let mut head_at = 0;
    for (tag, data) in &out_tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = offset;
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &out_tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    if let Some(slot) = out.get_mut(head_at + 8..head_at + 12) {
        slot.copy_from_slice(&adjust.to_be_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::order;
    use crate::{money, Kind, Lang};

    /// The text of every page, decoded with the file's own ToUnicode map
    /// (after lopdf has parsed the file and inflated its streams).
    pub(crate) fn pages_text(pdf: &[u8]) -> Vec<String> {
        let doc = lopdf::Document::load_mem(pdf).expect("lopdf parses the PDF");
        let pages = doc.get_pages();
        let mut out = Vec::new();
        for (_, page_id) in pages {
            let fonts = doc.get_page_fonts(page_id).expect("fonts");
            let font = fonts.values().next().expect("one font");
            let tu = font.get(b"ToUnicode").and_then(|o| o.as_reference()).expect("ToUnicode");
            let cmap = doc.get_object(tu).and_then(|o| o.as_stream()).expect("stream");
            let cmap = String::from_utf8(cmap.decompressed_content().expect("inflate")).expect("utf8");
            let mut map = BTreeMap::new();
            let mut in_chars = false;
            for l in cmap.lines() {
                if l.ends_with("beginbfchar") || l == "endbfchar" {
                    in_chars = l != "endbfchar";
                    continue;
                }
                let parts: Vec<&str> = l.split(['<', '>', ' ']).filter(|s| !s.is_empty()).collect();
                if in_chars && parts.len() == 2 {
                    let gid = u16::from_str_radix(parts[0], 16).expect("gid");
                    let units: Vec<u16> = (0..parts[1].len() / 4)
                        .map(|i| u16::from_str_radix(&parts[1][i * 4..i * 4 + 4], 16).expect("hex"))
                        .collect();
                    map.insert(gid, String::from_utf16(&units).expect("utf16"));
                }
            }
            let content = doc.get_and_decode_page_content(page_id).expect("content");
            let mut text = String::new();
            for op in content.operations {
                if op.operator == "Tj" {
                    if let Some(lopdf::Object::String(bytes, _)) = op.operands.first() {
                        for pair in bytes.chunks(2) {
                            let gid = u16::from_be_bytes([pair[0], pair[1]]);
                            text.push_str(map.get(&gid).map(String::as_str).unwrap_or("\u{fffd}"));
                        }
                        text.push('\n');
                    }
                }
            }
            out.push(text);
        }
        out
    }

    #[test]
    fn kazakh_invoice_pdf_parses_and_has_letters_and_totals() {
        let d = order(Kind::Invoice, Lang::Kk, 3);
        let pdf = render(&d).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let pages = pages_text(&pdf);
        assert_eq!(pages.len(), 1);
        let t = &pages[0];
        assert!(t.contains("Төлем шоты № 4711"), "{t}");
        for letter in ['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і'] {
            assert!(t.contains(letter), "Kazakh letter {letter} in the text");
        }
        assert!(t.contains(&format!("{} ₸", money(d.total).replace('\u{a0}', " "))), "{t}");
        assert!(t.contains(&money(d.vat_total).replace('\u{a0}', " ")));
        assert!(t.contains("Төрт мың екі жүз алпыс төрт теңге 00 тиын"), "{t}");
        assert!(t.contains("Бет 1 / 1"));
        // Only the used glyphs travel: far smaller than the 740 KB font.
        assert!(pdf.len() < 120_000, "subset font: {} bytes", pdf.len());
    }

    #[test]
    fn a_200_line_order_paginates_with_every_line_and_the_header_repeated() {
        let d = order(Kind::DeliveryNote, Lang::Ru, 200);
        let pdf = render(&d).expect("pdf");
        let pages = pages_text(&pdf);
        assert!(pages.len() >= 4, "{} pages", pages.len());
        let all = pages.concat();
        for i in 1..=200 {
            assert!(all.contains(&format!("SKU-{i:05}")), "line {i} printed");
        }
        for (i, p) in pages.iter().enumerate() {
            assert!(p.contains(&format!("Страница {} из {}", i + 1, pages.len())));
            if i + 1 < pages.len() {
                assert!(p.contains("Наименование"), "page {} has the table header", i + 1);
            }
        }
        let last = pages.last().expect("last page");
        assert!(last.contains(&format!("{} ₸", money(d.total).replace('\u{a0}', " "))));
        assert!(last.contains("Отпустил") && last.contains("Получил"));
    }

    #[test]
    fn subset_keeps_glyph_ids_and_empties_the_rest() {
        let face = ttf_parser::Face::parse(FONT, 0).expect("font");
        let a = face.glyph_index('ә').expect("ә").0;
        let sub = subset(FONT, &[a].into_iter().collect()).expect("subset");
        let small = ttf_parser::Face::parse(&sub, 0).expect("subset parses");
        assert_eq!(small.number_of_glyphs(), face.number_of_glyphs());
        assert!(small.glyph_bounding_box(ttf_parser::GlyphId(a)).is_some(), "kept glyph has its outline");
        let b = face.glyph_index('Ж').expect("Ж");
        assert!(small.glyph_bounding_box(b).is_none(), "unused glyph emptied");
        assert!(sub.len() < 120_000);
        assert_eq!(checksum(&sub), 0xB1B0_AFBA, "whole-font checksum adjusted");
    }
}
