//! The PDF side of verification: finding signature dictionaries and their byte ranges, and
//! telling what an appended revision changed.

use std::collections::BTreeMap;

use lopdf::{Document, Object, ObjectId};
use sha2::{Digest, Sha256};

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
            is_sig.then(|| sig_dict(d, file, names.get(id).cloned()))
        })
        .collect();
    found.sort_by_key(|s| s.as_ref().map(SigDict::signed_end).unwrap_or(usize::MAX));
    found
}

fn sig_dict(d: &lopdf::Dictionary, file: &[u8], field: Option<String>) -> Result<SigDict, String> {
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
    // The gap must be exactly the hex string /Contents.
    if file.get(b) != Some(&b'<') || file.get(c - 1) != Some(&b'>') {
        return Err("the gap in /ByteRange is not the /Contents string".into());
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

/// What a reader sees, part by part: every page (its content, resources and annotations other
/// than signature widgets), the catalogue (without the form and validation data) and the form
/// fields other than signatures. Two revisions with equal fingerprints show the same document.
pub fn fingerprint(doc: &Document) -> Result<BTreeMap<String, [u8; 32]>, String> {
    let mut parts = BTreeMap::new();
    let mut budget = 500_000usize;
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
        let annots = match page.get(b"Annots") {
            Ok(Object::Reference(id)) => doc
                .get_object(*id)
                .and_then(Object::as_array)
                .cloned()
                .unwrap_or_default(),
            Ok(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let mut k = 0;
        for annot in &annots {
            let resolved = match annot {
                Object::Reference(id) => doc.get_object(*id).ok(),
                other => Some(other),
            };
            if resolved.is_some_and(|a| is_signature_field(doc, a)) {
                continue;
            }
            k += 1;
            parts.insert(
                format!("page {n} annotation {k}"),
                hash(doc, annot, &[], &mut budget)?,
            );
        }
    }
    if let Ok(form) = catalog
        .get(b"AcroForm")
        .and_then(|f| doc.dereference(f).map(|(_, o)| o))
        && let Ok(fields) = form.as_dict().and_then(|f| f.get(b"Fields"))
        && let Ok((_, fields)) = doc.dereference(fields)
        && let Ok(fields) = fields.as_array()
    {
        for (k, field) in fields.iter().enumerate() {
            let resolved = doc.dereference(field).ok().map(|(_, o)| o);
            if resolved.is_some_and(|f| is_signature_field(doc, f)) {
                continue;
            }
            parts.insert(
                format!("form field {}", k + 1),
                hash(doc, field, &[], &mut budget)?,
            );
        }
    }
    Ok(parts)
}

fn is_signature_field(doc: &Document, obj: &Object) -> bool {
    let Ok(d) = obj.as_dict() else { return false };
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
    walk(doc, obj, skip, &mut h, &mut path, budget)?;
    Ok(h.finalize().into())
}

fn walk(
    doc: &Document,
    obj: &Object,
    skip: &[&[u8]],
    h: &mut Sha256,
    path: &mut Vec<ObjectId>,
    budget: &mut usize,
) -> Result<(), String> {
    *budget = budget
        .checked_sub(1)
        .ok_or("the document is too complex to compare")?;
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
                    walk(doc, v, &[], h, path, budget)?;
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
                Ok(target) => walk(doc, target, skip, h, path, budget),
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
            dict(&s.dict, h, path, budget)?;
            h.update(b"stream");
            h.update(&s.content);
            Ok(())
        }
        Object::Array(items) => {
            h.update(b"[");
            for i in items {
                walk(doc, i, &[], h, path, budget)?;
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
