//! A small PDF typesetter for official letters: A4, DejaVu Sans embedded as subset CID fonts (so
//! any name renders, ṣ and é included, and copies as text), wrapped paragraphs, label/value
//! tables, a signature block and a QR code drawn as vector squares.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, Stream, dictionary};
use qrcode::{Color, EcLevel, QrCode};
use sha2::{Digest, Sha256};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_L: f32 = 70.0;
const MARGIN_R: f32 = 56.0;
const TOP: f32 = 800.0;
/// Content stops here; the footer (QR and the electronic-signature note) lives below.
const BOTTOM: f32 = 130.0;
const SIZE: f32 = 10.5;
const LEADING: f32 = 1.35;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("font: {0}")]
    Font(String),
    #[error("qr code: {0}")]
    Qr(String),
    #[error("pdf: {0}")]
    Pdf(String),
}

/// A piece of a letter, top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// Centred lines (letterhead, titles).
    Center {
        text: String,
        bold: bool,
        size: f32,
    },
    /// The double rule under the letterhead.
    Rule,
    Space(f32),
    /// A new page unless this much room is left (a heading kept with what follows it).
    Keep(f32),
    /// A wrapped paragraph; `label` hangs to the left of the indented text ("1.", "a.",
    /// "Menimbang").
    Para {
        /// The label and how far from the margin it starts.
        label: Option<(f32, String)>,
        indent: f32,
        text: String,
        bold: bool,
    },
    /// Label : value rows.
    Fields {
        indent: f32,
        rows: Vec<(String, String)>,
    },
    /// A ruled table: the columns' headers (bold) with their share of the width, then rows of
    /// wrapped cells. The header is repeated on each page the table runs onto.
    Table {
        columns: Vec<(String, f32)>,
        rows: Vec<Vec<String>>,
    },
    /// Right-hand signature block: place and date, capacity lines, the name (bold) and NIP.
    Signature {
        lines: Vec<String>,
        name: String,
        nip: String,
    },
}

/// A letter ready to typeset.
#[derive(Debug, Clone)]
pub struct Letter {
    pub title: String,
    pub blocks: Vec<Block>,
    /// Printed in the QR code and under it; empty for a document that is not verified (no QR
    /// code is drawn).
    pub verify_url: String,
    /// The electronic-signature note beside the QR code.
    pub footer: Vec<String>,
}

struct Font {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    name: &'static str,
    used: BTreeMap<u16, char>,
}

impl Font {
    fn new(data: &'static [u8], name: &'static str) -> Result<Self, RenderError> {
        let face =
            ttf_parser::Face::parse(data, 0).map_err(|e| RenderError::Font(e.to_string()))?;
        Ok(Self {
            face,
            data,
            name,
            used: BTreeMap::new(),
        })
    }

    fn glyph(&self, ch: char) -> u16 {
        self.face.glyph_index(ch).map_or(0, |g| g.0)
    }

    fn advance(&self, gid: u16) -> f32 {
        let units = f32::from(self.face.units_per_em());
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(gid))
                .unwrap_or(0),
        ) * 1000.0
            / units
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// Text placed on a page, with glyphs of the full font (remapped to the subset when written).
#[derive(Clone)]
struct Run {
    font: usize,
    size: f32,
    x: f32,
    y: f32,
    glyphs: Vec<u16>,
}

struct Typesetter {
    fonts: [Font; 2],
    pages: Vec<(Vec<Run>, String)>,
    y: f32,
}

impl Typesetter {
    /// Text at (x, y), its glyphs noted for the subset.
    fn run(&mut self, font: usize, size: f32, x: f32, y: f32, text: &str) -> Run {
        let f = &mut self.fonts[font];
        let glyphs = text
            .chars()
            .map(|c| {
                let g = f.glyph(c);
                f.used.entry(g).or_insert(c);
                g
            })
            .collect();
        Run {
            font,
            size,
            x,
            y,
            glyphs,
        }
    }

    /// Text at x on the current line.
    fn text(&mut self, font: usize, size: f32, x: f32, text: &str) {
        let run = self.run(font, size, x, self.y, text);
        if let Some((runs, _)) = self.pages.last_mut() {
            runs.push(run);
        }
    }

    fn graphics(&mut self, ops: &str) {
        if let Some((_, g)) = self.pages.last_mut() {
            g.push_str(ops);
        }
    }

    /// Moves down one line of `size`, starting a new page when the content area is full.
    fn line(&mut self, size: f32) {
        self.y -= size * LEADING;
        if self.y < BOTTOM {
            self.pages.push((Vec::new(), String::new()));
            self.y = TOP - size;
        }
    }

    /// Splits `text` into lines no wider than `width`.
    fn wrap(&self, font: usize, size: f32, text: &str, width: f32) -> Vec<String> {
        let f = &self.fonts[font];
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if !line.is_empty() && f.width(&candidate, size) > width {
                    lines.push(std::mem::replace(&mut line, word.to_owned()));
                } else {
                    line = candidate;
                }
            }
            lines.push(line);
        }
        lines
    }

    fn block(&mut self, block: &Block) {
        let right = PAGE_W - MARGIN_R;
        match block {
            Block::Center { text, bold, size } => {
                let font = usize::from(*bold);
                for line in self.wrap(font, *size, text, right - MARGIN_L) {
                    self.line(*size);
                    let w = self.fonts[font].width(&line, *size);
                    self.text(font, *size, (PAGE_W - w) / 2.0, &line);
                }
            }
            Block::Rule => {
                self.y -= 6.0;
                let (y1, y2) = (self.y, self.y - 2.5);
                self.graphics(&format!(
                    "1.6 w {MARGIN_L} {y1} m {right} {y1} l S 0.6 w {MARGIN_L} {y2} m {right} {y2} l S\n"
                ));
                self.y -= 6.0;
            }
            Block::Space(h) => self.y -= h,
            Block::Keep(h) => {
                if self.y - h < BOTTOM {
                    self.pages.push((Vec::new(), String::new()));
                    self.y = TOP;
                }
            }
            Block::Para {
                label,
                indent,
                text,
                bold,
            } => {
                let font = usize::from(*bold);
                let x = MARGIN_L + indent;
                for (i, line) in self
                    .wrap(font, SIZE, text, right - x)
                    .into_iter()
                    .enumerate()
                {
                    self.line(SIZE);
                    if i == 0
                        && let Some((at, label)) = label
                    {
                        self.text(0, SIZE, MARGIN_L + at, label);
                    }
                    self.text(font, SIZE, x, &line);
                }
            }
            Block::Fields { indent, rows } => {
                let x = MARGIN_L + indent;
                let colon = x + 120.0;
                for (label, value) in rows {
                    for (i, line) in self
                        .wrap(0, SIZE, value, right - colon - 10.0)
                        .into_iter()
                        .enumerate()
                    {
                        self.line(SIZE);
                        if i == 0 {
                            self.text(0, SIZE, x, label);
                            self.text(0, SIZE, colon, ":");
                        }
                        self.text(0, SIZE, colon + 10.0, &line);
                    }
                }
            }
            Block::Table { columns, rows } => self.table(columns, rows),
            Block::Signature { lines, name, nip } => {
                let x = PAGE_W / 2.0 + 30.0;
                let width = right - x;
                // Keep the block on one page.
                if self.y - SIZE * LEADING * (lines.len() as f32 + 6.0) < BOTTOM {
                    self.pages.push((Vec::new(), String::new()));
                    self.y = TOP;
                }
                for l in lines {
                    for w in self.wrap(0, SIZE, l, width) {
                        self.line(SIZE);
                        self.text(0, SIZE, x, &w);
                    }
                }
                // Room for the visible mark of the electronic signature.
                self.y -= SIZE * LEADING * 2.0;
                self.line(SIZE);
                self.text(1, SIZE, x, name);
                self.line(SIZE);
                self.text(0, SIZE, x, &format!("NIP. {nip}"));
            }
        }
    }
}

impl Typesetter {
    /// A ruled table (see [`Block::Table`]).
    fn table(&mut self, columns: &[(String, f32)], rows: &[Vec<String>]) {
        const PAD: f32 = 3.0;
        const CELL: f32 = 9.0;
        let width = PAGE_W - MARGIN_R - MARGIN_L;
        let total: f32 = columns.iter().map(|c| c.1).sum::<f32>().max(f32::EPSILON);
        let mut xs = vec![MARGIN_L];
        for (_, share) in columns {
            let last = xs.last().copied().unwrap_or(MARGIN_L);
            xs.push(last + width * share / total);
        }
        let header: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
        let row_height = |t: &Self, cells: &[String], font: usize| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let w = xs.get(i + 1).copied().unwrap_or(MARGIN_L) - xs[i] - 2.0 * PAD;
                    t.wrap(font, CELL, c, w).len()
                })
                .max()
                .unwrap_or(1) as f32
                * CELL
                * LEADING
                + 2.0 * PAD
        };
        let draw = |t: &mut Self, cells: &[String], font: usize| {
            let h = row_height(t, cells, font);
            if t.y - h < BOTTOM {
                t.pages.push((Vec::new(), String::new()));
                t.y = TOP;
            }
            let top = t.y;
            for (i, c) in cells.iter().enumerate() {
                let w = xs.get(i + 1).copied().unwrap_or(MARGIN_L) - xs[i] - 2.0 * PAD;
                let mut y = top - PAD;
                for line in t.wrap(font, CELL, c, w) {
                    y -= CELL * LEADING * 0.8;
                    let run = t.run(font, CELL, xs[i] + PAD, y, &line);
                    if let Some((runs, _)) = t.pages.last_mut() {
                        runs.push(run);
                    }
                    y -= CELL * LEADING * 0.2;
                }
            }
            let bottom = top - h;
            let right = xs.last().copied().unwrap_or(MARGIN_L);
            let mut ops = format!(
                "0.5 w {MARGIN_L} {top} m {right} {top} l S {MARGIN_L} {bottom} m {right} {bottom} l S\n"
            );
            for x in &xs {
                let _ = writeln!(ops, "{x} {top} m {x} {bottom} l S");
            }
            t.graphics(&ops);
            t.y = bottom;
        };
        self.y -= 2.0;
        // Never a header alone at the foot of a page.
        let first = rows.first().map_or(0.0, |r| row_height(self, r, 0));
        if self.y - row_height(self, &header, 1) - first < BOTTOM {
            self.pages.push((Vec::new(), String::new()));
            self.y = TOP;
        }
        draw(self, &header, 1);
        for row in rows {
            if self.y - row_height(self, row, 0) < BOTTOM {
                self.pages.push((Vec::new(), String::new()));
                self.y = TOP;
                draw(self, &header, 1);
            }
            draw(self, row, 0);
        }
        self.y -= 4.0;
    }
}

/// Typesets `letter` into a PDF.
pub fn render(letter: &Letter) -> Result<Vec<u8>, RenderError> {
    let mut t = Typesetter {
        fonts: [
            Font::new(REGULAR, "DejaVuSans")?,
            Font::new(BOLD, "DejaVuSans-Bold")?,
        ],
        pages: vec![(Vec::new(), String::new())],
        y: TOP,
    };
    for block in &letter.blocks {
        t.block(block);
    }
    let qr = if letter.verify_url.is_empty() {
        String::new()
    } else {
        qr_ops(&letter.verify_url)?
    };
    // The electronic-signature note beside the QR code (at the margin without one), the same
    // on every page.
    let footer_x = if qr.is_empty() {
        MARGIN_L
    } else {
        MARGIN_L + 90.0
    };
    let lines: Vec<String> = letter
        .footer
        .iter()
        .flat_map(|l| t.wrap(0, 7.5, l, PAGE_W - MARGIN_R - footer_x))
        .collect();
    let footer: Vec<Run> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| t.run(0, 7.5, footer_x, 100.0 - i as f32 * 7.5 * LEADING, line))
        .collect();

    let mut doc = Document::with_version("1.7");
    let mut font_ids = Vec::new();
    let mut remaps = Vec::new();
    for f in &t.fonts {
        let (id, remap) = embed_font(&mut doc, f)?;
        font_ids.push(id);
        remaps.push(remap);
    }
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (runs, graphics) in std::mem::take(&mut t.pages) {
        let mut ops = String::from("0 g 0 G\n");
        ops.push_str(&graphics);
        ops.push_str(&qr);
        for run in runs.iter().chain(footer.iter()) {
            let hex: String = run
                .glyphs
                .iter()
                .map(|g| format!("{:04X}", remaps[run.font].get(*g).unwrap_or(0)))
                .collect();
            let _ = writeln!(
                ops,
                "BT /F{} {:.2} Tf {:.2} {:.2} Td <{hex}> Tj ET",
                run.font + 1,
                run.size,
                run.x,
                run.y
            );
        }
        let mut content = Stream::new(dictionary! {}, ops.into_bytes());
        let _ = content.compress();
        let content_id = doc.add_object(content);
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
            "Contents" => content_id,
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font_ids[0].clone(), "F2" => font_ids[1].clone() },
            },
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let info = doc.add_object(dictionary! {
        "Title" => lopdf::text_string(&letter.title),
        "Producer" => Object::string_literal("Abdi"),
    });
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| RenderError::Pdf(e.to_string()))?;
    Ok(out)
}

/// Embeds the glyphs `font` used as a Type0 font with an Identity-H CID font, a ToUnicode map
/// (so text can be copied and searched) and the subset TrueType program.
/// Returns the font and the map from the full font's glyph ids to the subset's.
fn embed_font(
    doc: &mut Document,
    font: &Font,
) -> Result<(Object, subsetter::GlyphRemapper), RenderError> {
    let mut glyphs: BTreeSet<u16> = font.used.keys().copied().collect();
    glyphs.insert(0);
    let ordered: Vec<u16> = glyphs.iter().copied().collect();
    let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ordered);
    let program = subsetter::subset(font.data, 0, &remapper)
        .map_err(|e| RenderError::Font(format!("subset: {e}")))?;
    // A tag from the glyph set, as PDF asks of subset fonts.
    let digest = Sha256::digest(
        ordered
            .iter()
            .flat_map(|g| g.to_be_bytes())
            .collect::<Vec<_>>(),
    );
    let tag: String = digest[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let base = format!("{tag}+{}", font.name);

    let mut file = Stream::new(dictionary! { "Length1" => program.len() as i64 }, program);
    let _ = file.compress();
    let file_id = doc.add_object(file);
    let bbox = font.face.global_bounding_box();
    let scale = 1000.0 / f32::from(font.face.units_per_em());
    let s = |v: i16| Object::Real(f32::from(v) * scale);
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base.clone().into_bytes()),
        "Flags" => 32,
        "FontBBox" => vec![s(bbox.x_min), s(bbox.y_min), s(bbox.x_max), s(bbox.y_max)],
        "ItalicAngle" => 0,
        "Ascent" => s(font.face.ascender()),
        "Descent" => s(font.face.descender()),
        "CapHeight" => s(font.face.capital_height().unwrap_or(font.face.ascender())),
        "StemV" => 80,
        "FontFile2" => file_id,
    });
    // Widths and Unicode of each subset glyph (its new id is its rank in the sorted set).
    let mut widths = Vec::new();
    let mut cmap = String::new();
    let mut entries = Vec::new();
    // The remapper numbers the sorted glyphs densely from .notdef = 0.
    for old in &ordered {
        let new = remapper.get(*old).unwrap_or(0);
        widths.push(Object::Real(font.advance(*old).round()));
        if let Some(ch) = font.used.get(old) {
            let mut utf16 = [0u16; 2];
            let units: String = ch
                .encode_utf16(&mut utf16)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            entries.push(format!("<{new:04X}> <{units}>"));
        }
    }
    let _ = write!(
        cmap,
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    );
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for e in chunk {
            let _ = writeln!(cmap, "{e}");
        }
        let _ = writeln!(cmap, "endbfchar");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let mut to_unicode = Stream::new(dictionary! {}, cmap.into_bytes());
    let _ = to_unicode.compress();
    let to_unicode = doc.add_object(to_unicode);
    let cid = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(base.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "W" => vec![0.into(), Object::Array(widths)],
        "CIDToGIDMap" => "Identity",
    });
    let id = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", Object::Name(base.into_bytes())),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        (
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid)]),
        ),
        ("ToUnicode", Object::Reference(to_unicode)),
    ]));
    Ok((Object::Reference(id), remapper))
}

/// The QR code of the verification address, bottom left, as filled squares.
fn qr_ops(url: &str) -> Result<String, RenderError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Qr(e.to_string()))?;
    let n = code.width();
    let size = 76.0;
    let cell = size / n as f32;
    let (x0, y0) = (MARGIN_L, 36.0);
    let mut ops = String::from("q 0 g\n");
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if code[(col, row)] == Color::Dark {
                let start = col;
                while col < n && code[(col, row)] == Color::Dark {
                    col += 1;
                }
                let _ = writeln!(
                    ops,
                    "{:.3} {:.3} {:.3} {:.3} re",
                    x0 + start as f32 * cell,
                    y0 + size - (row + 1) as f32 * cell,
                    (col - start) as f32 * cell,
                    cell
                );
            } else {
                col += 1;
            }
        }
    }
    ops.push_str("f Q\n");
    Ok(ops)
}
