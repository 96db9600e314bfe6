//! The pre-scan: what lopdf would do with a file, measured on its raw bytes before lopdf parses
//! it (see [`crate::limits`] for the limits and why).
//!
//! lopdf decodes a stream while it loads when it is an object stream (`/Type /ObjStm`), a
//! cross-reference stream (found from `startxref`, `/Prev` or `/XRefStm`, whatever its type, or
//! by `/Type /XRef` when the file is repaired), or the container of a compressed object it
//! resolves. The scan finds every such stream the way lopdf would: it reads the object after
//! every `obj` keyword in the file (a superset of the objects lopdf can reach through any
//! cross-reference data or repair), every `trailer`, `startxref` and classic `xref` table, and
//! every cross-reference stream, with a parser that follows lopdf 0.47's grammar. It inflates
//! each stream into a counting sink (from the stream's first byte to the end of the file: the
//! decoder stops at the end of the compressed data, and a longer input never decodes to less
//! than lopdf's), so a bomb costs at most the budget and no memory. Object and cross-reference
//! streams are read only unfiltered or with one `/FlateDecode`, which is what writers produce;
//! any other filter there is refused rather than mirrored.
//!
//! Prefixes of the file (earlier revisions) need no scan of their own: what lopdf can reach in a
//! prefix is among what it can reach in the whole file, and the scan takes every `startxref` in
//! the file into account, not only the last.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use crate::limits::{
    MAX_INFLATED_BYTES, MAX_OBJECTS, MAX_VALUES, MAX_XREF_ENTRIES, WorkStats, max_parse_bytes,
};

/// lopdf's `MAX_NESTING_DEPTH` and `MAX_BRACKET`.
const MAX_DEPTH: usize = 100;
const MAX_BRACKET: usize = 100;

/// Dictionary keys whose values the scan keeps; the rest are only counted.
const KEPT: &[&[u8]] = &[
    b"Type",
    b"Filter",
    b"DecodeParms",
    b"Length",
    b"N",
    b"First",
    b"Prev",
    b"XRefStm",
    b"W",
    b"Index",
    b"Size",
    b"Encrypt",
    b"Predictor",
    b"Columns",
    b"Colors",
    b"BitsPerComponent",
];

/// Scans `file`: what lopdf would do with it (as far as the scan got), and whether it may be
/// given to lopdf, or why not.
pub fn scan(file: &[u8]) -> (WorkStats, Result<(), String>) {
    let mut scan = Scanner::new(file);
    let verdict = scan.run();
    (scan.stats, verdict)
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x0C)
}

fn is_delimiter(c: u8) -> bool {
    b"()<>[]{}/%".contains(&c)
}

fn is_regular(c: u8) -> bool {
    !is_ws(c) && !is_delimiter(c)
}

/// Why a parse stopped: lopdf's recoverable error (alternatives and repetitions stop there), its
/// failure (nesting too deep: the whole object fails), or the scan's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Error,
    Failure,
    Limit,
}

/// A value as far as the scan cares.
#[derive(Debug, Clone)]
enum Val {
    Int(i64),
    Ref(u32),
    Name(Vec<u8>),
    /// The items kept, and whether they are all of them.
    Array(Vec<Val>, bool),
    Dict(Dict),
    Other,
}

/// The kept entries of a dictionary, in order (lopdf keeps the last of a repeated key).
#[derive(Debug, Clone, Default)]
struct Dict(Vec<(Vec<u8>, Val)>);

impl Dict {
    fn get(&self, key: &[u8]) -> Option<&Val> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Val::Int(i)) => Some(*i),
            _ => None,
        }
    }

    fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Val::Name(n)) => Some(n),
            _ => None,
        }
    }
}

/// lopdf's grammar over a buffer (the file, or a decoded object stream), counting the values it
/// would build.
struct Lexer<'a> {
    buf: &'a [u8],
    values: u64,
}

impl<'a> Lexer<'a> {
    fn new(buf: &'a [u8], values: u64) -> Self {
        Self { buf, values }
    }

    fn at(&self, p: usize) -> Option<u8> {
        self.buf.get(p).copied()
    }

    fn tag(&self, p: usize, t: &[u8]) -> bool {
        self.buf.get(p..).is_some_and(|rest| rest.starts_with(t))
    }

    fn eol(&self, p: usize) -> Option<usize> {
        match (self.at(p), self.at(p + 1)) {
            (Some(b'\r'), Some(b'\n')) => Some(p + 2),
            (Some(b'\r' | b'\n'), _) => Some(p + 1),
            _ => None,
        }
    }

    /// White space and comments (a comment needs its end of line).
    fn space(&self, mut p: usize) -> usize {
        loop {
            while self.at(p).is_some_and(is_ws) {
                p += 1;
            }
            if self.at(p) != Some(b'%') {
                return p;
            }
            let mut q = p + 1;
            while self.at(q).is_some_and(|c| c != b'\r' && c != b'\n') {
                q += 1;
            }
            match self.eol(q) {
                Some(e) => p = e,
                None => return p,
            }
        }
    }

    fn count(&mut self) -> Result<(), Stop> {
        self.values += 1;
        if self.values > MAX_VALUES {
            Err(Stop::Limit)
        } else {
            Ok(())
        }
    }

    fn digits(&self, p: usize) -> usize {
        let mut q = p;
        while self.at(q).is_some_and(|c| c.is_ascii_digit()) {
            q += 1;
        }
        q
    }

    /// lopdf `unsigned_int`: digits whose value fits `u64` (and then the caller's type).
    fn unsigned(&self, p: usize) -> Option<(usize, u64)> {
        let q = self.digits(p);
        if q == p {
            return None;
        }
        self.buf[p..q]
            .iter()
            .try_fold(0u64, |v, d| {
                v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .map(|v| (q, v))
    }

    fn sign(&self, p: usize) -> (usize, bool) {
        match self.at(p) {
            Some(b'+') => (p + 1, false),
            Some(b'-') => (p + 1, true),
            _ => (p, false),
        }
    }

    fn integer(&self, p: usize) -> Option<(usize, i64)> {
        let (q, negative) = self.sign(p);
        let (r, magnitude) = self.unsigned(q)?;
        let value = if negative {
            0i64.checked_sub_unsigned(magnitude)?
        } else {
            i64::try_from(magnitude).ok()?
        };
        Some((r, value))
    }

    /// lopdf `real`: `[+-](digits '.' digits* | '.' digits)` then any digits and minus signs.
    fn real(&self, p: usize) -> Option<usize> {
        let (q, _) = self.sign(p);
        let d = self.digits(q);
        let q = if d > q && self.at(d) == Some(b'.') {
            d + 1
        } else if self.at(q) == Some(b'.') && self.digits(q + 1) > q + 1 {
            q + 1
        } else {
            return None;
        };
        let mut r = q;
        while self.at(r).is_some_and(|c| c == b'-' || c.is_ascii_digit()) {
            r += 1;
        }
        Some(r)
    }

    /// lopdf `reference`: `N space G space R`.
    fn reference(&self, p: usize) -> Option<(usize, u32)> {
        let (q, number) = self.unsigned(p)?;
        let number = u32::try_from(number).ok()?;
        let q = self.space(q);
        let (q, generation) = self.unsigned(q)?;
        u16::try_from(generation).ok()?;
        let q = self.space(q);
        (self.at(q) == Some(b'R')).then_some((q + 1, number))
    }

    /// lopdf `name`: `/` and regular characters, `#xx` standing for a byte.
    fn name(&self, p: usize, keep: bool) -> (usize, Vec<u8>) {
        let mut q = p + 1;
        let mut out = Vec::new();
        loop {
            let start = q;
            while self.at(q).is_some_and(|c| c != b'#' && is_regular(c)) {
                q += 1;
            }
            if keep {
                out.extend_from_slice(&self.buf[start..q]);
            }
            if self.at(q) != Some(b'#') {
                return (q, out);
            }
            let hex = |c: Option<u8>| c.and_then(|c| (c as char).to_digit(16));
            match (hex(self.at(q + 1)), hex(self.at(q + 2))) {
                (Some(h), Some(l)) => {
                    if keep {
                        out.push(((h << 4) | l) as u8);
                    }
                    q += 3;
                }
                _ => return (q, out),
            }
        }
    }

    /// lopdf `inner_literal_string`: where the string's content ends.
    fn string_content(&self, mut p: usize, depth: usize) -> usize {
        loop {
            match self.at(p) {
                None | Some(b')') => return p,
                Some(b'\\') => match self.at(p + 1) {
                    None => return p,
                    Some(b'0'..=b'7') => {
                        p += 2;
                        for _ in 0..2 {
                            if self.at(p).is_some_and(|c| (b'0'..=b'7').contains(&c)) {
                                p += 1;
                            }
                        }
                    }
                    Some(b'\r') if self.at(p + 2) == Some(b'\n') => p += 3,
                    Some(_) => p += 2,
                },
                Some(b'\r' | b'\n') => p = self.eol(p).unwrap_or(p + 1),
                Some(b'(') => {
                    if depth == 0 {
                        return p;
                    }
                    let q = self.string_content(p + 1, depth - 1);
                    if self.at(q) != Some(b')') {
                        return p;
                    }
                    p = q + 1;
                }
                Some(_) => p += 1,
            }
        }
    }

    fn literal(&self, p: usize) -> Option<usize> {
        let q = self.string_content(p + 1, MAX_BRACKET);
        (self.at(q) == Some(b')')).then_some(q + 1)
    }

    /// lopdf `hexadecimal_string`: `<`, hexadecimal digits and white space, `>`.
    fn hex(&self, p: usize) -> Option<usize> {
        let mut q = p + 1;
        while self
            .at(q)
            .is_some_and(|c| is_ws(c) || c.is_ascii_hexdigit())
        {
            q += 1;
        }
        (self.at(q) == Some(b'>')).then_some(q + 1)
    }

    /// lopdf `_direct_object(depth)`: a value and the space after it. `keep` is how many levels
    /// of arrays and dictionaries to keep.
    fn direct_object(&mut self, p: usize, depth: usize, keep: u8) -> Result<(usize, Val), Stop> {
        if depth == 0 {
            return Err(Stop::Failure);
        }
        let (q, v) = self.direct_objects(p, depth - 1, keep)?;
        Ok((self.space(q), v))
    }

    /// lopdf `_direct_objects(depth)`.
    fn direct_objects(&mut self, p: usize, depth: usize, keep: u8) -> Result<(usize, Val), Stop> {
        self.count()?;
        let scalar = |q: Option<usize>| q.map(|q| (q, Val::Other)).ok_or(Stop::Error);
        match self.at(p) {
            Some(b'n') => scalar(self.tag(p, b"null").then_some(p + 4)),
            Some(b't' | b'f') => scalar(if self.tag(p, b"true") {
                Some(p + 4)
            } else if self.tag(p, b"false") {
                Some(p + 5)
            } else {
                None
            }),
            Some(b'0'..=b'9') => {
                if let Some((q, n)) = self.reference(p) {
                    return Ok((q, Val::Ref(n)));
                }
                if let Some(q) = self.real(p) {
                    return Ok((q, Val::Other));
                }
                self.integer(p)
                    .map(|(q, i)| (q, Val::Int(i)))
                    .ok_or(Stop::Error)
            }
            Some(b'+' | b'-' | b'.') => {
                if let Some(q) = self.real(p) {
                    return Ok((q, Val::Other));
                }
                self.integer(p)
                    .map(|(q, i)| (q, Val::Int(i)))
                    .ok_or(Stop::Error)
            }
            Some(b'/') => {
                let (q, n) = self.name(p, keep > 0);
                Ok((q, Val::Name(n)))
            }
            Some(b'(') => scalar(self.literal(p)),
            Some(b'<') => {
                if let Some(q) = self.hex(p) {
                    return Ok((q, Val::Other));
                }
                let (q, d) = self.dictionary(p, depth, keep)?;
                Ok((q, if keep > 0 { Val::Dict(d) } else { Val::Other }))
            }
            Some(b'[') => self.array(p, depth, keep),
            _ => Err(Stop::Error),
        }
    }

    fn array(&mut self, p: usize, depth: usize, keep: u8) -> Result<(usize, Val), Stop> {
        let cap = match keep {
            0 => 0,
            1 => 16,
            _ => 4096,
        };
        let mut items = Vec::new();
        let mut complete = true;
        let mut q = self.space(p + 1);
        loop {
            match self.direct_object(q, depth, keep.saturating_sub(1)) {
                Ok((r, v)) => {
                    if items.len() < cap {
                        items.push(v);
                    } else {
                        complete = false;
                    }
                    q = r;
                }
                Err(Stop::Error) => break,
                Err(e) => return Err(e),
            }
        }
        if self.at(q) != Some(b']') {
            return Err(Stop::Error);
        }
        let v = if keep > 0 {
            Val::Array(items, complete)
        } else {
            Val::Other
        };
        Ok((q + 1, v))
    }

    /// lopdf `_dictionary(depth)`.
    fn dictionary(&mut self, p: usize, depth: usize, keep: u8) -> Result<(usize, Dict), Stop> {
        if !self.tag(p, b"<<") {
            return Err(Stop::Error);
        }
        let mut d = Dict::default();
        let mut q = self.space(p + 2);
        while self.at(q) == Some(b'/') {
            self.count()?;
            let (r, key) = self.name(q, keep > 0);
            let r = self.space(r);
            let wanted = keep > 0 && KEPT.contains(&key.as_slice());
            let (s, v) = self.direct_object(r, depth, if wanted { keep - 1 } else { 0 })?;
            if wanted {
                d.0.push((key, v));
            }
            q = s;
        }
        if !self.tag(q, b">>") {
            return Err(Stop::Error);
        }
        Ok((q + 2, d))
    }

    /// lopdf `object()` after an `obj` keyword: a dictionary, perhaps a stream's, or any value.
    fn object(&mut self, p: usize) -> Result<(usize, Top), Stop> {
        if !self.tag(p, b"<<") {
            let (q, _) = self.direct_objects(p, MAX_DEPTH, 0)?;
            return Ok((q, Top::Value));
        }
        let (q, dict) = self.dictionary(p, MAX_DEPTH, 3)?;
        let r = self.space(q);
        if self.tag(r, b"stream") {
            let mut s = r + b"stream".len();
            while matches!(self.at(s), Some(b' ' | b'\t')) {
                s += 1;
            }
            if let Some(data) = self.eol(s) {
                return Ok((data, Top::Stream(dict)));
            }
        }
        Ok((q, Top::Value))
    }

    /// lopdf `_indirect_object`'s header at `p` (after space): where its `obj` keyword is.
    fn header(&self, p: usize) -> Option<usize> {
        let p = self.space(p);
        let (q, number) = self.unsigned(p)?;
        u32::try_from(number).ok()?;
        let q = self.space(q);
        let (q, generation) = self.unsigned(q)?;
        u16::try_from(generation).ok()?;
        let q = self.space(q);
        self.tag(q, b"obj").then_some(q)
    }
}

/// What follows an `obj` keyword: a stream (its data starts where the parse ended), or not.
enum Top {
    Value,
    Stream(Dict),
}

/// An object after an `obj` keyword.
struct Obj {
    /// Where the `obj` keyword is.
    at: usize,
    /// The object number in front of it (digits and white space), if it reads as one.
    number: Option<u32>,
    /// Where the object (with a stream's data) ends.
    end: usize,
    values: u64,
    stream: Option<Stream>,
}

struct Stream {
    dict: Dict,
    data: usize,
    /// Where the data ends by a valid `/Length`, or at the next `endstream`.
    raw_end: usize,
}

/// How a stream lopdf would decode is coded.
enum Coding {
    Raw,
    Flate,
    /// lopdf cannot decode it (an image filter, an unknown name).
    Undecodable,
    Refused(String),
}

struct Scanner<'a> {
    file: &'a [u8],
    lex: Lexer<'a>,
    objs: Vec<Obj>,
    stats: WorkStats,
    /// Bytes the scan read for the objects and inflated from (its own cost).
    read: u64,
    normal: BTreeSet<(u32, usize)>,
    containers: BTreeSet<u32>,
    /// Objects already decoded (counted once however many ways lopdf reaches them).
    decoded: BTreeSet<usize>,
    members_bytes: u64,
    members_values: u64,
    trailer_values: u64,
    encrypted: bool,
}

impl<'a> Scanner<'a> {
    fn new(file: &'a [u8]) -> Self {
        Self {
            file,
            lex: Lexer::new(file, 0),
            objs: Vec::new(),
            stats: WorkStats::default(),
            read: 0,
            normal: BTreeSet::new(),
            containers: BTreeSet::new(),
            decoded: BTreeSet::new(),
            members_bytes: 0,
            members_values: 0,
            trailer_values: 0,
            encrypted: false,
        }
    }

    fn budget(&self) -> u64 {
        max_parse_bytes(self.file.len())
    }

    /// The scan's own reading: each object, table and compressed stream once is about the file's
    /// size; twice that leaves room for objects inside uncompressed streams (an attached PDF).
    fn charge_read(&mut self, n: usize) -> Result<(), String> {
        self.read = self.read.saturating_add(n as u64);
        let budget = self.budget().saturating_mul(2);
        if self.read > budget {
            return Err(format!(
                "the PDF's structure overlaps itself: reading it would take more than {budget} bytes"
            ));
        }
        Ok(())
    }

    fn values_refused() -> String {
        format!(
            "the PDF holds more than {MAX_VALUES} values (numbers, names, strings, arrays, dictionaries)"
        )
    }

    fn run(&mut self) -> Result<(), String> {
        self.objects()?;
        let offsets = self.xref_offsets()?;
        self.tables()?;

        // Cross-reference streams: typed, or wherever an offset lopdf follows leads.
        let mut xrefs: BTreeSet<usize> = self
            .objs
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.stream
                    .as_ref()
                    .is_some_and(|s| s.dict.name(b"Type") == Some(b"XRef"))
            })
            .map(|(i, _)| i)
            .collect();
        for v in offsets {
            if let Some(i) = self.landing(v)? {
                xrefs.insert(i);
            }
        }
        for i in xrefs {
            if let Some(content) = self.decode(i)? {
                self.xref_stream(i, &content)?;
            }
        }

        // Object streams: typed, or the container of a compressed entry.
        let mut objstms: BTreeSet<usize> = self
            .objs
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                o.stream
                    .as_ref()
                    .is_some_and(|s| s.dict.name(b"Type") == Some(b"ObjStm"))
            })
            .map(|(i, _)| i)
            .collect();
        if !self.containers.is_empty() {
            for (i, o) in self.objs.iter().enumerate() {
                if o.stream.is_some() && o.number.is_none_or(|n| self.containers.contains(&n)) {
                    objstms.insert(i);
                }
            }
            let offsets: Vec<usize> = self
                .normal
                .iter()
                .filter(|(id, _)| self.containers.contains(id))
                .map(|(_, off)| *off)
                .collect();
            for off in offsets {
                if let Some(i) = self.landing(off)?
                    && self.objs[i].stream.is_some()
                {
                    objstms.insert(i);
                }
            }
        }
        if self.encrypted && !objstms.is_empty() {
            return Err("an encrypted PDF with object streams is not read".into());
        }
        for i in objstms {
            if let Some(content) = self.decode(i)? {
                self.object_stream(i, &content)?;
            }
        }
        self.reparse_cost()
    }

    /// Every `obj` keyword not ending a word, and the object after it.
    fn objects(&mut self) -> Result<(), String> {
        let file = self.file;
        let mut markers = Vec::new();
        let mut p = 0;
        while let Some(i) = find(file, b"obj", p) {
            if i == 0 || !file[i - 1].is_ascii_alphabetic() {
                markers.push(i);
                if markers.len() as u64 > MAX_OBJECTS {
                    self.stats.objects = markers.len() as u64;
                    return Err(format!(
                        "the PDF has more than {MAX_OBJECTS} objects (at most {MAX_OBJECTS} are read)"
                    ));
                }
            }
            p = i + 3;
        }
        for at in markers {
            let before = self.lex.values;
            let start = self.lex.space(at + 3);
            let (end, stream) = match self.lex.object(start) {
                Ok((end, Top::Value)) => (end, None),
                Ok((data, Top::Stream(dict))) => {
                    let raw_end = self.raw_end(&dict, data);
                    (
                        raw_end,
                        Some(Stream {
                            dict,
                            data,
                            raw_end,
                        }),
                    )
                }
                Err(Stop::Limit) => return Err(Self::values_refused()),
                // lopdf cannot read it either.
                Err(_) => (start, None),
            };
            self.charge_read(end.saturating_sub(at))?;
            if let Some(s) = &stream
                && s.dict.get(b"Encrypt").is_some()
            {
                self.encrypted = true;
            }
            self.objs.push(Obj {
                at,
                number: number_before(file, at),
                end,
                values: self.lex.values - before,
                stream,
            });
        }
        self.stats.objects = self.objs.len() as u64;
        Ok(())
    }

    /// Where a stream's data ends: by its direct `/Length` when `endstream` follows there, else
    /// at the next `endstream`.
    fn raw_end(&self, dict: &Dict, data: usize) -> usize {
        if let Some(n) = dict.int(b"Length").and_then(|n| usize::try_from(n).ok())
            && let Some(end) = data.checked_add(n)
            && end <= self.file.len()
        {
            let after = self.lex.eol(end).unwrap_or(end);
            if self.lex.tag(after, b"endstream") {
                return end;
            }
        }
        find(self.file, b"endstream", data).unwrap_or(self.file.len())
    }

    /// The offsets lopdf follows to cross-reference sections: every `startxref`, and every
    /// `/Prev` and `/XRefStm` of a trailer or of any dictionary after an `obj` keyword.
    fn xref_offsets(&mut self) -> Result<BTreeSet<usize>, String> {
        let file = self.file;
        let mut offsets = BTreeSet::new();
        let mut p = 0;
        while let Some(i) = find(file, b"startxref", p) {
            let q = self.lex.space(i + b"startxref".len());
            if let Some((_, v)) = self.lex.integer(q)
                && let Ok(v) = usize::try_from(v)
            {
                offsets.insert(v);
            }
            p = i + 1;
        }
        let mut p = 0;
        while let Some(i) = find(file, b"trailer", p) {
            p = i + 1;
            let q = self.lex.space(i + b"trailer".len());
            let before = self.lex.values;
            match self.lex.dictionary(q, MAX_DEPTH, 3) {
                Ok((end, d)) => {
                    self.charge_read(end - i)?;
                    self.trailer_values += self.lex.values - before;
                    if d.get(b"Encrypt").is_some() {
                        self.encrypted = true;
                    }
                    collect_offsets(&d, &mut offsets);
                }
                Err(Stop::Limit) => return Err(Self::values_refused()),
                Err(_) => {}
            }
        }
        for o in &self.objs {
            if let Some(s) = &o.stream {
                collect_offsets(&s.dict, &mut offsets);
            }
        }
        offsets.retain(|v| *v <= file.len());
        Ok(offsets)
    }

    /// The object lopdf reads at a cross-reference offset, if it is one the scan read.
    fn landing(&mut self, offset: usize) -> Result<Option<usize>, String> {
        let skipped = self.lex.space(offset);
        self.charge_read(skipped - offset)?;
        Ok(self
            .lex
            .header(offset)
            .and_then(|at| self.objs.binary_search_by_key(&at, |o| o.at).ok()))
    }

    /// Classic `xref` tables: their entries, as lopdf's lenient grammar reads them.
    fn tables(&mut self) -> Result<(), String> {
        let file = self.file;
        let mut p = 0;
        while let Some(i) = find(file, b"xref", p) {
            p = i + 1;
            if i >= 5 && &file[i - 5..i] == b"start" {
                continue;
            }
            let mut q = i + 4;
            if self.lex.at(q) == Some(b' ') {
                q += 1;
            }
            let Some(mut q) = self.lex.eol(q) else {
                continue;
            };
            // Sections: `start count`, then entries `offset generation n|f`.
            while let Some((r, start)) = self.lex.unsigned(q) {
                let Some(r) = (self.lex.at(r) == Some(b' ')).then_some(r + 1) else {
                    break;
                };
                let Some((mut r, _count)) = self.lex.unsigned(r) else {
                    break;
                };
                if self.lex.at(r) == Some(b' ') {
                    r += 1;
                }
                let Some(mut r) = self.lex.eol(r) else {
                    break;
                };
                let mut index: u64 = 0;
                while let Some((end, offset, generation, normal)) = self.entry(r) {
                    r = end;
                    self.xref_entry()?;
                    if normal
                        && generation <= u64::from(u16::MAX)
                        && let Some(id) = start
                            .checked_add(index)
                            .and_then(|id| u32::try_from(id).ok())
                        && let Ok(offset) = usize::try_from(offset)
                    {
                        self.normal.insert((id, offset));
                    }
                    index += 1;
                }
                q = r;
            }
            self.charge_read(q - i)?;
        }
        Ok(())
    }

    /// One classic entry: `offset generation n|f` and its (lenient) end of line.
    fn entry(&self, p: usize) -> Option<(usize, u64, u64, bool)> {
        let (q, offset) = self.lex.unsigned(p)?;
        u32::try_from(offset).ok()?;
        (self.lex.at(q) == Some(b' ')).then_some(())?;
        let (q, generation) = self.lex.unsigned(q + 1)?;
        u32::try_from(generation).ok()?;
        (self.lex.at(q) == Some(b' ')).then_some(())?;
        let normal = match self.lex.at(q + 1)? {
            b'n' => true,
            b'f' => false,
            _ => return None,
        };
        let q = q + 2;
        let end = match (self.lex.at(q), self.lex.at(q + 1)) {
            (Some(b' '), Some(b'\r' | b'\n')) => q + 2,
            (Some(b'\r'), Some(b'\n')) => q + 2,
            (Some(b'\r' | b'\n'), _) => q + 1,
            _ => return None,
        };
        Some((end, offset, generation, normal))
    }

    fn xref_entry(&mut self) -> Result<(), String> {
        self.stats.xref_entries += 1;
        if self.stats.xref_entries > MAX_XREF_ENTRIES {
            return Err(format!(
                "the PDF's cross-reference sections have more than {MAX_XREF_ENTRIES} entries"
            ));
        }
        Ok(())
    }

    fn coding(dict: &Dict) -> Coding {
        let one = |name: &[u8]| match name {
            b"FlateDecode" => Coding::Flate,
            b"LZWDecode" | b"ASCII85Decode" | b"ASCIIHexDecode" | b"RunLengthDecode"
            | b"BrotliDecode" => Coding::Refused(format!(
                "/{} in an object or cross-reference stream (only FlateDecode is read there)",
                String::from_utf8_lossy(name)
            )),
            _ => Coding::Undecodable,
        };
        match dict.get(b"Filter") {
            Some(Val::Name(n)) => one(n),
            Some(Val::Array(items, _)) if items.iter().all(|i| matches!(i, Val::Name(_))) => {
                match items.as_slice() {
                    [] => Coding::Raw,
                    [Val::Name(n)] => one(n),
                    _ => Coding::Refused(format!(
                        "{} filters on an object or cross-reference stream (only one FlateDecode is read there)",
                        items.len()
                    )),
                }
            }
            // lopdf reads anything else as no filter.
            _ => Coding::Raw,
        }
    }

    /// The decoded content of a stream lopdf would decode, measured against the budget the first
    /// time; `None` when lopdf could not decode it.
    fn decode(&mut self, i: usize) -> Result<Option<Vec<u8>>, String> {
        let file = self.file;
        let Some(s) = &self.objs[i].stream else {
            return Ok(None);
        };
        let (coding, params, data, raw_end) = (
            Self::coding(&s.dict),
            match s.dict.get(b"DecodeParms") {
                Some(Val::Dict(d)) => Some(d.clone()),
                Some(Val::Array(items, _)) => match items.first() {
                    Some(Val::Dict(d)) => Some(d.clone()),
                    _ => None,
                },
                _ => None,
            },
            s.data,
            s.raw_end.max(s.data),
        );
        let first = self.decoded.insert(i);
        let remaining = MAX_INFLATED_BYTES.saturating_sub(self.stats.inflated_bytes);
        let content = match coding {
            Coding::Undecodable => return Ok(None),
            Coding::Refused(why) => return Err(why),
            Coding::Raw => {
                let raw = &file[data..raw_end];
                if first {
                    self.stats.inflated_bytes += raw.len() as u64;
                    self.over_budget(i, remaining)?;
                }
                return Ok(Some(raw.to_vec()));
            }
            Coding::Flate => {
                let input = &file[data..];
                if first {
                    let (out, used) = inflate(input, remaining, None);
                    self.stats.inflated_bytes = self.stats.inflated_bytes.saturating_add(out);
                    self.charge_read(usize::try_from(used).unwrap_or(usize::MAX))?;
                    self.over_budget(i, remaining)?;
                }
                let mut content = Vec::new();
                inflate(input, MAX_INFLATED_BYTES, Some(&mut content));
                content
            }
        };
        match params {
            Some(params) => predict(content, &params),
            None => Ok(Some(content)),
        }
    }

    fn over_budget(&self, i: usize, remaining: u64) -> Result<(), String> {
        if self.stats.inflated_bytes <= MAX_INFLATED_BYTES {
            return Ok(());
        }
        Err(format!(
            "object {} decodes to more than the {} bytes left of the {} MiB decoded per file",
            self.objs[i].number.map_or("?".into(), |n| n.to_string()),
            remaining,
            MAX_INFLATED_BYTES >> 20
        ))
    }

    /// A cross-reference stream's entries, as lopdf's `decode_xref_stream` reads them.
    fn xref_stream(&mut self, i: usize, content: &[u8]) -> Result<(), String> {
        let Some(s) = &self.objs[i].stream else {
            return Ok(());
        };
        let dict = &s.dict;
        if dict.get(b"Encrypt").is_some() {
            self.encrypted = true;
        }
        let Some(size) = dict.int(b"Size") else {
            return Ok(());
        };
        let ints = |v: Option<&Val>| match v {
            Some(Val::Array(items, complete)) => Some((
                items
                    .iter()
                    .map(|i| match i {
                        Val::Int(n) => Some(*n),
                        _ => None,
                    })
                    .collect::<Option<Vec<i64>>>(),
                *complete,
            )),
            _ => None,
        };
        let Some((Some(w), _)) = ints(dict.get(b"W")) else {
            return Ok(());
        };
        if w.len() < 3 || w[..3].iter().any(|&x| !(0..=8).contains(&x)) {
            return Ok(());
        }
        let w: Vec<usize> = w[..3].iter().map(|&x| x as usize).collect();
        let width = w.iter().sum::<usize>();
        if width == 0 {
            return Ok(());
        }
        let index = match ints(dict.get(b"Index")) {
            None => Some(vec![0, size]),
            Some((Some(v), true)) => Some(v),
            // Not an array of integers (lopdf then uses the default), or too long to keep.
            Some((None, _)) => Some(vec![0, size]),
            Some((Some(_), false)) => None,
        };
        let sections: Vec<(u64, u64)> = match index {
            Some(v) => {
                let mut out = Vec::new();
                for pair in v.chunks_exact(2) {
                    let (Ok(start), Ok(count)) = (u64::try_from(pair[0]), u64::try_from(pair[1]))
                    else {
                        return Ok(());
                    };
                    out.push((start, count));
                }
                out
            }
            // Read as one section: the numbers are unknown, the containers are not.
            None => vec![(0, (content.len() / width) as u64)],
        };
        let total = sections.iter().map(|s| s.1).fold(0u64, u64::saturating_add);
        if total > (content.len() / width.max(3)) as u64 {
            return Ok(());
        }
        if self.stats.xref_entries.saturating_add(total) > MAX_XREF_ENTRIES {
            return Err(format!(
                "the PDF's cross-reference sections have more than {MAX_XREF_ENTRIES} entries"
            ));
        }
        self.stats.xref_entries += total;
        let field = |bytes: &[u8]| bytes.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        let mut at = 0;
        for (start, count) in sections {
            for j in 0..count {
                let Some(entry) = content.get(at..at + width) else {
                    return Ok(());
                };
                at += width;
                let kind = if w[0] == 0 { 1 } else { field(&entry[..w[0]]) };
                let second = field(&entry[w[0]..w[0] + w[1]]);
                let third = field(&entry[w[0] + w[1]..]);
                match kind {
                    1 if third <= u64::from(u16::MAX) => {
                        if let (Some(id), Ok(offset)) = (
                            start.checked_add(j).and_then(|id| u32::try_from(id).ok()),
                            usize::try_from(second),
                        ) {
                            self.normal.insert((id, offset));
                        }
                    }
                    2 => {
                        if let Ok(container) = u32::try_from(second) {
                            self.containers.insert(container);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// An object stream's members, as lopdf's `ObjectStream::new` reads them.
    fn object_stream(&mut self, i: usize, content: &[u8]) -> Result<(), String> {
        let Some(s) = &self.objs[i].stream else {
            return Ok(());
        };
        let number = self.objs[i].number.map_or("?".into(), |n| n.to_string());
        if content.is_empty() || s.dict.int(b"N").is_none() {
            return Ok(());
        }
        let Some(first) = s.dict.int(b"First").and_then(|f| usize::try_from(f).ok()) else {
            return Ok(());
        };
        let Some(Ok(index)) = content.get(..first).map(std::str::from_utf8) else {
            return Ok(());
        };
        // The same numbers lopdf reads, never more of them than the objects allowed.
        let room = MAX_OBJECTS.saturating_sub(self.stats.objects);
        let mut numbers = Vec::new();
        for token in index.split(['\r', '\n']).flat_map(|line| {
            line.split('%')
                .next()
                .unwrap_or_default()
                .split_whitespace()
        }) {
            if numbers.len() as u64 / 2 > room {
                return Err(format!(
                    "object stream {number} makes the PDF hold more than {MAX_OBJECTS} objects"
                ));
            }
            numbers.push(token.parse::<u32>().ok());
        }
        let mut offsets = Vec::new();
        for pair in numbers.chunks_exact(2) {
            if let [Some(_), Some(offset)] = pair
                && let Some(at) = first.checked_add(*offset as usize)
                && at < content.len()
            {
                offsets.push(at);
            }
        }
        offsets.sort_unstable();
        if offsets.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!(
                "object stream {number} lists two objects at one offset"
            ));
        }
        self.stats.objects += offsets.len() as u64;
        if self.stats.objects > MAX_OBJECTS {
            return Err(format!(
                "object stream {number} makes the PDF hold more than {MAX_OBJECTS} objects"
            ));
        }
        let mut lex = Lexer::new(content, self.lex.values);
        let before = lex.values;
        for at in offsets {
            let start = lex.space(at);
            if start >= content.len() {
                continue;
            }
            let end = match lex.direct_object(start, MAX_DEPTH, 0) {
                Ok((end, _)) => end,
                Err(Stop::Limit) => return Err(Self::values_refused()),
                Err(_) => start,
            };
            self.members_bytes += (end - at) as u64;
            if self.members_bytes > self.budget() {
                return Err(format!(
                    "object stream {number}'s objects overlap: reading them would take more than {} bytes",
                    self.budget()
                ));
            }
        }
        self.members_values += lex.values - before;
        self.lex.values = lex.values;
        Ok(())
    }

    /// What lopdf parses besides each object once: an object listed under several numbers is
    /// parsed for each, and a stream's indirect `/Length` is parsed for each stream naming it.
    fn reparse_cost(&mut self) -> Result<(), String> {
        let extent = |o: &Obj| (o.end.saturating_sub(o.at)) as u64;
        let mut by_number: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
        let mut wildcard = (0u64, 0u64);
        for o in &self.objs {
            let slot = match o.number {
                Some(n) => by_number.entry(n).or_default(),
                None => &mut wildcard,
            };
            slot.0 = slot.0.max(extent(o));
            slot.1 = slot.1.max(o.values);
        }
        let once_bytes: u64 = self.objs.iter().map(extent).sum();
        let once_values: u64 = self.objs.iter().map(|o| o.values).sum();

        let mut landed: BTreeSet<(usize, u32)> = BTreeSet::new();
        let normal: Vec<(u32, usize)> = self.normal.iter().copied().collect();
        for (id, offset) in normal {
            if let Some(i) = self.landing(offset)? {
                landed.insert((i, id));
            }
        }
        let listed_bytes: u64 = landed.iter().map(|(i, _)| extent(&self.objs[*i])).sum();
        let listed_values: u64 = landed.iter().map(|(i, _)| self.objs[*i].values).sum();

        let (mut length_bytes, mut length_values) = (0u64, 0u64);
        for o in &self.objs {
            if let Some(Val::Ref(id)) = o.stream.as_ref().and_then(|s| s.dict.get(b"Length")) {
                let target = by_number.get(id).copied().unwrap_or_default();
                length_bytes += target.0.max(wildcard.0);
                length_values += target.1.max(wildcard.1);
            }
        }
        self.stats.parse_bytes = once_bytes
            .max(listed_bytes)
            .saturating_add(length_bytes)
            .saturating_add(self.members_bytes);
        self.stats.values = once_values
            .max(listed_values)
            .saturating_add(length_values)
            .saturating_add(self.members_values)
            .saturating_add(self.trailer_values);
        if self.stats.parse_bytes > self.budget() {
            return Err(format!(
                "the cross-reference data makes the parser read more than {} bytes (objects listed under several numbers, or shared stream lengths)",
                self.budget()
            ));
        }
        if self.stats.values > MAX_VALUES {
            return Err(Self::values_refused());
        }
        Ok(())
    }
}

fn collect_offsets(d: &Dict, into: &mut BTreeSet<usize>) {
    for key in [b"Prev".as_slice(), b"XRefStm"] {
        if let Some(v) = d.int(key).and_then(|v| usize::try_from(v).ok()) {
            into.insert(v);
        }
    }
}

/// `N G` in front of an `obj` keyword at `at`, read backwards over digits and white space.
fn number_before(file: &[u8], at: usize) -> Option<u32> {
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut p = at;
    while p > 0 && ws(file[p - 1]) {
        p -= 1;
    }
    let gen_end = p;
    while p > 0 && file[p - 1].is_ascii_digit() {
        p -= 1;
    }
    if p == gen_end || p == 0 || !ws(file[p - 1]) {
        return None;
    }
    while p > 0 && ws(file[p - 1]) {
        p -= 1;
    }
    let num_end = p;
    while p > 0 && file[p - 1].is_ascii_digit() && num_end - p <= 10 {
        p -= 1;
    }
    if p == num_end {
        return None;
    }
    std::str::from_utf8(&file[p..num_end]).ok()?.parse().ok()
}

/// lopdf's PNG predictors after FlateDecode; TIFF predictor 2 is refused (writers do not use it
/// for object or cross-reference streams, and it would change what the scan reads there).
fn predict(content: Vec<u8>, params: &Dict) -> Result<Option<Vec<u8>>, String> {
    let sample = |key: &[u8], default: i64| params.int(key).unwrap_or(default).max(1) as usize;
    let (columns, colors, bits) = (
        sample(b"Columns", 1),
        sample(b"Colors", 1),
        sample(b"BitsPerComponent", 8),
    );
    let Some(row_bits) = columns
        .checked_mul(colors)
        .and_then(|n| n.checked_mul(bits))
    else {
        return Ok(None);
    };
    match params.int(b"Predictor").unwrap_or(1) {
        2 => Err("TIFF predictor on an object or cross-reference stream".into()),
        10..=15 => {
            let bytes_per_row = row_bits.div_ceil(8);
            let bpp = (colors * bits).div_ceil(8);
            if content.is_empty() {
                return Ok(Some(content));
            }
            if bytes_per_row as u64 > MAX_INFLATED_BYTES {
                return Ok(None);
            }
            Ok(lopdf::filters::png::decode_frame(&content, bpp, bytes_per_row).ok())
        }
        _ => Ok(Some(content)),
    }
}

/// Inflates `input` as lopdf's FlateDecode does (zlib, or raw deflate past the header when zlib
/// yields nothing), stopping one byte past `cap`. Returns the bytes out and the bytes read; with
/// `keep`, appends the output there.
fn inflate(input: &[u8], cap: u64, mut keep: Option<&mut Vec<u8>>) -> (u64, u64) {
    let mut z = flate2::read::ZlibDecoder::new(input);
    let (out, failed) = pump(&mut z, cap, keep.as_deref_mut());
    let used = z.total_in();
    if failed && out == 0 && input.len() > 2 {
        let mut d = flate2::read::DeflateDecoder::new(&input[2..]);
        let (out, _) = pump(&mut d, cap, keep);
        return (out, used.saturating_add(d.total_in()));
    }
    (out, used)
}

fn pump(r: &mut impl Read, cap: u64, mut keep: Option<&mut Vec<u8>>) -> (u64, bool) {
    let mut buf = [0u8; 32 * 1024];
    let mut out = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return (out, false),
            Ok(n) => {
                out += n as u64;
                if let Some(k) = keep.as_deref_mut() {
                    k.extend_from_slice(&buf[..n]);
                }
                if out > cap {
                    return (out, false);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return (out, true),
        }
    }
}

/// The first `needle` in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut p = from;
    while p + needle.len() <= hay.len() {
        let i = p + hay[p..].iter().position(|&c| c == first)?;
        if hay.get(i..i + needle.len()) == Some(needle) {
            return Some(i);
        }
        p = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_lexer_reads_what_lopdf_reads() {
        let mut lex = Lexer::new(b"<</Type/Obj#53tm/N 3/First 12/Length 7 0 R/F [/FlateDecode]/X (a(b)c\\) d) /Y <ab 01> /Z [1 2.5 -3 .4]>>stream\r\nxyz", 0);
        let (data, top) = lex.object(0).unwrap();
        let Top::Stream(d) = top else {
            panic!("not a stream")
        };
        assert_eq!(d.name(b"Type"), Some(b"ObjStm".as_slice()));
        assert_eq!(d.int(b"First"), Some(12));
        assert!(matches!(d.get(b"Length"), Some(Val::Ref(7))));
        assert_eq!(&lex.buf[data..], b"xyz");
        // Too deep for lopdf is too deep here.
        let deep = format!("{}{}", "[".repeat(150), "]".repeat(150));
        let mut lex = Lexer::new(deep.as_bytes(), 0);
        assert_eq!(lex.object(0).err(), Some(Stop::Failure));
    }

    #[test]
    fn numbers_in_front_of_obj() {
        assert_eq!(number_before(b"\n12 0 obj", 6), Some(12));
        assert_eq!(number_before(b"12 0 %x\nobj", 8), None);
    }

    /// Glue between tokens: nothing, white space, comments (one without its end of line).
    fn glue() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            16 => Just(" "),
            1 => Just(""),
            1 => Just("\n"),
            1 => Just("\r\n"),
            1 => Just("\0\x0c"),
            1 => Just("%c\n"),
            1 => Just("%c\r"),
            1 => Just("%c"),
        ]
    }

    /// Values at lopdf's grammar's edges, nested, now and then broken.
    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            12 => Just("/ObjStm".to_owned()),
            6 => Just("/Obj#53tm".to_owned()),
            6 => Just("/XRef".to_owned()),
            2 => Just("/K#".to_owned()),
            2 => Just("/#4".to_owned()),
            2 => Just("/".to_owned()),
            2 => Just("(a\\)b)".to_owned()),
            2 => Just("(x(y)z)".to_owned()),
            2 => Just("(\\\r\n)".to_owned()),
            2 => Just("(\\053)".to_owned()),
            2 => Just("(((((((((())))))))))".to_owned()),
            2 => Just("<4a 6>".to_owned()),
            2 => Just("<>".to_owned()),
            4 => Just("1 0 R".to_owned()),
            2 => Just("1 %c\n0 R".to_owned()),
            1 => Just("1 70000 R".to_owned()),
            4 => Just("12".to_owned()),
            2 => Just("-3".to_owned()),
            2 => Just("+.5".to_owned()),
            2 => Just("1.-2".to_owned()),
            1 => Just("99999999999999999999".to_owned()),
            2 => Just("true".to_owned()),
            2 => Just("null".to_owned()),
            1 => Just("(unclosed".to_owned()),
            1 => Just("<4g>".to_owned()),
            1 => Just(".".to_owned()),
            1 => Just("falsey".to_owned()),
            1 => Just("nul".to_owned()),
            1 => Just("stream".to_owned()),
            1 => Just("R".to_owned()),
            1 => Just("{".to_owned()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            let item = (inner.clone(), glue()).prop_map(|(v, g)| format!("{v}{g}"));
            let key = prop_oneof![
                6 => Just("/Type"), 2 => Just("/K"), 1 => Just("/Ty#70e"), 1 => Just("/"),
                1 => Just("K"),
            ];
            let entry =
                (key, glue(), inner, glue()).prop_map(|(k, g, v, h)| format!("{k}{g}{v}{h}"));
            prop_oneof![
                proptest::collection::vec(item, 0..4).prop_map(|v| format!("[{}]", v.concat())),
                proptest::collection::vec(entry, 0..3).prop_map(|v| format!("<<{}>>", v.concat())),
            ]
        })
    }

    /// A stream dictionary: entries, the one that matters (`/Type`) among them.
    fn stream_dict() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            4 => Just("/Type"), 2 => Just("/K"), 1 => Just("/Ty#70e"), 1 => Just("/T"),
        ];
        let direct = prop_oneof![
            2 => Just("/ObjStm".to_owned()),
            1 => Just("/Obj#53tm".to_owned()),
            1 => Just("/XRef".to_owned()),
            1 => Just("/XRef#".to_owned()),
            3 => value(),
        ];
        let entry = (key, glue(), direct, glue()).prop_map(|(k, g, v, h)| format!("{k}{g}{v}{h}"));
        (
            glue(),
            proptest::collection::vec(entry, 0..4),
            glue(),
            glue(),
        )
            .prop_map(|(g, v, h, i)| format!("<<{g}{}>>{h}stream{i}\n", v.concat()))
    }

    /// lopdf's reading of `1 0 obj <body> endobj`: whether it is a stream, and its `/Type`.
    fn lopdf_reads(body: &[u8]) -> Option<(bool, Option<Vec<u8>>)> {
        let mut file = b"%PDF-1.7\n".to_vec();
        let at = file.len();
        file.extend_from_slice(b"1 0 obj ");
        file.extend_from_slice(body);
        file.extend_from_slice(b"\nendstream\nendobj\n");
        let xref = file.len();
        file.extend_from_slice(
            format!("xref\n0 2\n0000000000 65535 f \n{at:010} 00000 n \ntrailer\n<</Size 2>>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        let options = lopdf::LoadOptions {
            strict: false,
            ..Default::default()
        };
        let doc = lopdf::Document::load_mem_with_options(&file, options).ok()?;
        let obj = doc.objects.get(&(1, 0))?;
        let ty = |d: &lopdf::Dictionary| {
            d.get(b"Type")
                .and_then(lopdf::Object::as_name)
                .ok()
                .map(<[u8]>::to_vec)
        };
        Some(match obj {
            lopdf::Object::Stream(s) => (true, ty(&s.dict)),
            lopdf::Object::Dictionary(d) => (false, ty(d)),
            _ => (false, None),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever lopdf reads as a stream, the scan reads as a stream with the same type.
        #[test]
        fn the_scan_sees_every_stream_lopdf_sees(body in stream_dict()) {
            let body = body.into_bytes();
            let mut lex = Lexer::new(&body, 0);
            let ours = match lex.object(0) {
                Ok((_, Top::Stream(d))) => Some((true, d.name(b"Type").map(<[u8]>::to_vec))),
                Ok((_, Top::Value)) => Some((false, None)),
                Err(_) => None,
            };
            let theirs = lopdf_reads(&body);
            if std::env::var_os("SCAN_PROPTEST_STATS").is_some() {
                eprintln!("lopdf {theirs:?} scan {ours:?}");
            }
            if let Some((true, ty)) = theirs {
                prop_assert_eq!(ours, Some((true, ty)), "{:?}", String::from_utf8_lossy(&body));
            }
        }
    }
}
