//! The PDF side of verification: finding signature dictionaries and their byte ranges, and
//! telling what an appended revision changed.

use std::collections::BTreeMap;

use lopdf::{Document, Object, ObjectId};
use sha2::{Digest, Sha256};

/// Loads a file (or a prefix of one) the pre-scan has let through, with lopdf's limit for one
/// stream at the budget for the whole file.
pub fn load(bytes: &[u8]) -> lopdf::Result<Document> {
    let max = usize::try_from(crate::limits::MAX_INFLATED_BYTES).unwrap_or(usize::MAX);
    Document::load_mem_with_options(bytes, lopdf::LoadOptions::with_max_decompressed_size(max))
}

/// A signature dictionary as found in the file.
pub struct SigDict {
    pub field: Option<String>,
    /// `[offset1, length1, offset2, length2]`
    pub byte_range: [usize; 4],
    pub contents: Vec<u8>,
    /// The claimed signing time (`/M`).
    pub m: Option<String>,
}

impl SigDict {
    /// Where the signed bytes end: this signature's revision.
    pub fn signed_end(&self) -> usize {
        self.byte_range[2] + self.byte_range[3]
    }
}

/// Every signature dictionary in the document, in the order they were signed, or why one is
/// unusable.
pub fn signatures(doc: &Document, file: &[u8]) -> Vec<Result<SigDict, String>> {
    let mut names: BTreeMap<ObjectId, String> = BTreeMap::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
            && let Ok(Object::Reference(v)) = d.get(b"V")
            && let Ok(t) = d.get(b"T")
        {
            names.insert(*v, lopdf::decode_text_string(t).unwrap_or_default());
        }
    }
    let mut found: Vec<Result<SigDict, String>> = doc
        .objects
        .iter()
        .filter_map(|(id, obj)| {
            let d = obj.as_dict().ok()?;
            let ty = d.get(b"Type").and_then(Object::as_name).ok();
            let is_sig = ty == Some(b"Sig".as_slice())
                || (ty.is_none() && d.has(b"ByteRange") && d.has(b"Contents") && d.has(b"Filter"));
            let offset = match doc.reference_table.get(id.0) {
                Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => Some(*offset as usize),
                _ => None,
            };
            is_sig.then(|| sig_dict(d, file, offset, names.get(id).cloned()))
        })
        .collect();
    found.sort_by_key(|s| s.as_ref().map(SigDict::signed_end).unwrap_or(usize::MAX));
    found
}

fn sig_dict(
    d: &lopdf::Dictionary,
    file: &[u8],
    offset: Option<usize>,
    field: Option<String>,
) -> Result<SigDict, String> {
    let range = d
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .map_err(|_| "no /ByteRange".to_owned())?;
    let nums: Vec<usize> = range
        .iter()
        .map(|o| o.as_i64().ok().and_then(|n| usize::try_from(n).ok()))
        .collect::<Option<_>>()
        .ok_or("/ByteRange holds something other than non-negative integers")?;
    let [a, b, c, l] =
        <[usize; 4]>::try_from(nums).map_err(|_| "/ByteRange must have 4 numbers")?;
    let end = c.checked_add(l).ok_or("/ByteRange overflows")?;
    if a != 0 || b == 0 || c < b.saturating_add(2) || end > file.len() {
        return Err(format!(
            "/ByteRange [{a} {b} {c} {l}] does not fit a file of {} bytes",
            file.len()
        ));
    }
    // The gap must be exactly this dictionary's /Contents hex string, and the dictionary must
    // be the one that was signed (written before the gap, not replaced by a later revision).
    if file.get(b) != Some(&b'<') || file.get(c - 1) != Some(&b'>') {
        return Err("the gap in /ByteRange is not the /Contents string".into());
    }
    let before = file[..b].trim_ascii_end();
    if !before.ends_with(b"/Contents") {
        return Err("the gap in /ByteRange is not this dictionary's /Contents".into());
    }
    match offset {
        Some(at) if at < b => {}
        Some(_) => return Err("the signature dictionary was replaced after signing".into()),
        None => {
            return Err(
                "the signature dictionary is not in the file's cross-reference table".into(),
            );
        }
    }
    let gap = file.get(b + 1..c - 1).ok_or("/ByteRange gap")?;
    let hex_digits: Vec<u8> = gap
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let contents =
        hex::decode(&hex_digits).map_err(|_| "/Contents is not a hex string".to_owned())?;
    let m = d
        .get(b"M")
        .and_then(Object::as_str)
        .ok()
        .map(|s| String::from_utf8_lossy(s).into_owned());
    Ok(SigDict {
        field,
        byte_range: [a, b, c, l],
        contents,
        m,
    })
}

/// Parses a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`).
pub fn pdf_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{FixedOffset, NaiveDate, TimeZone};
    let s = s.strip_prefix("D:").unwrap_or(s);
    let num = |r: std::ops::Range<usize>, default: u32| -> Option<u32> {
        match s.get(r) {
            Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
            _ => Some(default),
        }
    };
    let year = i32::try_from(num(0..4, 0)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(4..6, 1)?, num(6..8, 1)?)?;
    let time = date.and_hms_opt(num(8..10, 0)?, num(10..12, 0)?, num(12..14, 0)?)?;
    let offset = match s.get(14..15) {
        Some(sign @ ("+" | "-")) => {
            let h = num(15..17, 0)?;
            let m = num(18..20, 0)?;
            let secs = i32::try_from(h * 3600 + m * 60).ok()?;
            if sign == "+" { secs } else { -secs }
        }
        _ => 0,
    };
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&time)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// What a reader sees, part by part: every page (its content, resources, what it inherits from
/// the page tree, and its annotations), the catalogue (without the form, validation data and
/// page tree, which are covered above and below), the form's settings and its fields. Invisible
/// signature widgets and the value of signature fields are left out, so that adding a signature
/// does not count as a change; a visible one does. Two revisions with equal fingerprints show the
/// same document.
pub fn fingerprint(doc: &Document) -> Result<BTreeMap<String, [u8; 32]>, String> {
    let mut parts = BTreeMap::new();
    let mut budget = BUDGET;
    let catalog = doc.catalog().map_err(|e| format!("catalog: {e}"))?;
    parts.insert(
        "catalog".to_owned(),
        hash(
            doc,
            &Object::Dictionary(catalog.clone()),
            &[b"AcroForm", b"DSS", b"Pages", b"Perms"],
            &mut budget,
        )?,
    );
    for (n, page_id) in doc.get_pages() {
        let page = doc
            .get_dictionary(page_id)
            .map_err(|e| format!("page {n}: {e}"))?;
        parts.insert(
            format!("page {n}"),
            hash(
                doc,
                &Object::Dictionary(page.clone()),
                &[b"Annots"],
                &mut budget,
            )?,
        );
        // Inherited attributes (Resources, MediaBox, CropBox, Rotate) live up the tree.
        let mut parent = page.get(b"Parent").ok().cloned();
        let mut level = 0;
        while let Some(Object::Reference(id)) = parent {
            level += 1;
            if level > 32 {
                return Err("the page tree is too deep".into());
            }
            let node = doc
                .get_dictionary(id)
                .map_err(|e| format!("page tree: {e}"))?;
            parts.insert(
                format!("page {n} tree level {level}"),
                hash(
                    doc,
                    &Object::Dictionary(node.clone()),
                    &[b"Kids", b"Count"],
                    &mut budget,
                )?,
            );
            parent = node.get(b"Parent").ok().cloned();
        }
        for (k, annot) in array(doc, page.get(b"Annots").ok()).iter().enumerate() {
            if let Some(h) = field_hash(doc, annot, &mut budget)? {
                parts.insert(format!("page {n} annotation {}", k + 1), h);
            }
        }
    }
    if let Ok((_, form)) = catalog.get(b"AcroForm").and_then(|f| doc.dereference(f)) {
        parts.insert(
            "form".to_owned(),
            hash(doc, form, &[b"Fields"], &mut budget)?,
        );
        let fields = form.as_dict().ok().and_then(|f| f.get(b"Fields").ok());
        for (k, field) in array(doc, fields).iter().enumerate() {
            if let Some(h) = field_hash(doc, field, &mut budget)? {
                parts.insert(format!("form field {}", k + 1), h);
            }
        }
    }
    Ok(parts)
}

/// Units of work a comparison may take: one per object visited and one per 4 KB of stream
/// hashed, so a hostile file costs at most a few hundred megabytes of hashing.
const BUDGET: usize = 100_000;

/// An array, directly or through a reference; empty for anything else.
pub fn array(doc: &Document, obj: Option<&Object>) -> Vec<Object> {
    match obj {
        Some(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .cloned()
            .unwrap_or_default(),
        Some(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    }
}

/// The hash of an annotation or form field; an invisible signature widget has none, and a
/// signature field's value (the signature itself) is left out.
fn field_hash(
    doc: &Document,
    obj: &Object,
    budget: &mut usize,
) -> Result<Option<[u8; 32]>, String> {
    let resolved = doc.dereference(obj).ok().map(|(_, o)| o);
    let Some(d) = resolved.and_then(|o| o.as_dict().ok()) else {
        return hash(doc, obj, &[], budget).map(Some);
    };
    if !is_signature_field(doc, d) {
        return hash(doc, obj, &[], budget).map(Some);
    }
    // Shown only with an area (an appearance on a zero-size rectangle shows nothing).
    let rect: Vec<f32> = array(doc, d.get(b"Rect").ok())
        .iter()
        .filter_map(|v| v.as_float().ok())
        .collect();
    let visible = matches!(rect.as_slice(), [x1, y1, x2, y2] if (x2 - x1).abs() > 0.0 && (y2 - y1).abs() > 0.0);
    if visible {
        hash(doc, obj, &[b"V"], budget).map(Some)
    } else {
        Ok(None)
    }
}

fn is_signature_field(doc: &Document, d: &lopdf::Dictionary) -> bool {
    let ft = |d: &lopdf::Dictionary| {
        d.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
    };
    ft(d)
        || d.get(b"Parent")
            .ok()
            .and_then(|p| doc.dereference(p).ok())
            .and_then(|(_, p)| p.as_dict().ok())
            .is_some_and(ft)
}

/// A digest of an object and everything it refers to (back-references to parents excluded),
/// within a budget so that a hostile file cannot make it run for ever.
fn hash(
    doc: &Document,
    obj: &Object,
    skip: &[&[u8]],
    budget: &mut usize,
) -> Result<[u8; 32], String> {
    let mut h = Sha256::new();
    let mut path = Vec::new();
    walk(doc, obj, skip, &mut h, &mut path, budget, 0)?;
    Ok(h.finalize().into())
}

fn walk(
    doc: &Document,
    obj: &Object,
    skip: &[&[u8]],
    h: &mut Sha256,
    path: &mut Vec<ObjectId>,
    budget: &mut usize,
    depth: usize,
) -> Result<(), String> {
    *budget = budget
        .checked_sub(1)
        .ok_or("the document is too complex to compare")?;
    // Nesting, direct or through references, is bounded so the stack cannot overflow.
    if depth > 256 {
        return Err("the document nests too deeply to compare".into());
    }
    let depth = depth + 1;
    let dict =
        |d: &lopdf::Dictionary, h: &mut Sha256, path: &mut Vec<ObjectId>, budget: &mut usize| {
            let mut keys: Vec<&Vec<u8>> = d.iter().map(|(k, _)| k).collect();
            keys.sort();
            h.update(b"<<");
            for k in keys {
                if skip.contains(&k.as_slice()) || matches!(k.as_slice(), b"Parent" | b"P") {
                    continue;
                }
                h.update(b"/");
                h.update(k);
                if let Ok(v) = d.get(k) {
                    walk(doc, v, &[], h, path, budget, depth)?;
                }
            }
            h.update(b">>");
            Ok::<(), String>(())
        };
    match obj {
        Object::Reference(id) => {
            if path.contains(id) || path.len() > 64 {
                h.update(b"R");
                return Ok(());
            }
            path.push(*id);
            let r = match doc.get_object(*id) {
                Ok(target) => walk(doc, target, skip, h, path, budget, depth),
                Err(_) => {
                    h.update(b"null");
                    Ok(())
                }
            };
            path.pop();
            r
        }
        Object::Dictionary(d) => dict(d, h, path, budget),
        Object::Stream(s) => {
            *budget = budget
                .checked_sub(s.content.len() / 4096)
                .ok_or("the document is too large to compare")?;
            dict(&s.dict, h, path, budget)?;
            h.update(b"stream");
            h.update(&s.content);
            Ok(())
        }
        Object::Array(items) => {
            h.update(b"[");
            for i in items {
                walk(doc, i, &[], h, path, budget, depth)?;
            }
            h.update(b"]");
            Ok(())
        }
        Object::Null => {
            h.update(b"null");
            Ok(())
        }
        Object::Boolean(b) => {
            h.update(if *b { b"true".as_slice() } else { b"false" });
            Ok(())
        }
        Object::Integer(i) => {
            h.update(i.to_le_bytes());
            Ok(())
        }
        Object::Real(r) => {
            h.update(r.to_le_bytes());
            Ok(())
        }
        Object::Name(n) => {
            h.update(b"/");
            h.update(n);
            Ok(())
        }
        Object::String(s, _) => {
            h.update(b"(");
            h.update(s);
            Ok(())
        }
    }
}
