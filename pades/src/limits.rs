//! What one verification may cost. `POST /verify` is public and takes any PDF up to 20 MB, and
//! lopdf builds every object of a file in memory and decodes its object and cross-reference
//! streams while it loads (each up to 256 MiB by default). Before lopdf sees a file, a pre-scan
//! of its raw bytes (`scan.rs`) measures what lopdf would do and refuses the file as malformed
//! when one of these limits would be passed:
//!
//! | limit | value | what it bounds |
//! |---|---|---|
//! | [`MAX_INFLATED_BYTES`] | 64 MiB | bytes decoded from the streams lopdf decodes while loading |
//! | [`MAX_OBJECTS`] | 100 000 | indirect objects: headers in the file and object-stream members |
//! | [`MAX_XREF_ENTRIES`] | 400 000 | cross-reference entries over every section |
//! | [`MAX_VALUES`] | 2 000 000 | PDF values (numbers, names, strings, arrays, dictionaries) lopdf would build |
//! | [`max_parse_bytes`] | 2 × size + 1 MiB | bytes lopdf would parse, counting objects it reads more than once |
//! | [`MAX_REVISIONS_PARSED`] | 8 | earlier revisions parsed to see what changed after a signature |
//! | [`MAX_SIGNATURES`] | 32 | signatures read |
//!
//! Real files are far inside them: an Abdi letter has a few dozen objects and no object stream;
//! a 20 MB scan has a few hundred objects whose images lopdf does not decode (only object and
//! cross-reference streams are decoded at load, and those hold dictionaries: a few hundred KB
//! even for files with tens of thousands of objects). The bound on values matters because lopdf
//! keeps each value in a 100-odd-byte enum: 64 MiB of `0 0 0 ...` would otherwise become gigabytes.
//! Only a signature that is sound so far (trusted, valid, digest intact) makes the verifier parse
//! its earlier revision, so appended self-signed signatures cost nothing.

/// Most bytes the streams lopdf decodes while loading (object streams and cross-reference
/// streams, and any stream a cross-reference offset or a compressed entry points at) may decode
/// to, together, in one file. It is also the limit lopdf gets for a single stream.
pub const MAX_INFLATED_BYTES: u64 = 64 << 20;

/// Most indirect objects a file may hold: `N G obj` headers in the file plus the members its
/// object streams declare.
pub const MAX_OBJECTS: u64 = 100_000;

/// Most cross-reference entries over all sections (tables and streams) of a file.
pub const MAX_XREF_ENTRIES: u64 = 4 * MAX_OBJECTS;

/// Most PDF values lopdf would build for a file (each number, name, string, reference, array and
/// dictionary counts one), in the file's objects and its object streams' members.
pub const MAX_VALUES: u64 = 2_000_000;

/// Most earlier revisions (file prefixes) parsed per file to compare what a reader sees.
pub const MAX_REVISIONS_PARSED: u32 = 8;

/// Most signatures a file may carry before it is refused as hostile.
pub const MAX_SIGNATURES: usize = 32;

/// Most bytes lopdf may parse for a file of `size` bytes: each object once, whichever way it is
/// reached, plus slack for objects listed twice by honest but sloppy writers. A cross-reference
/// table that lists one big object under many numbers, or many streams whose `/Length` is one big
/// object, passes it.
pub fn max_parse_bytes(size: usize) -> u64 {
    (size as u64).saturating_mul(2).saturating_add(1 << 20)
}

/// What a verification cost, for tests, benchmarks and logs. The pre-scan's figures are what
/// lopdf is allowed to do for the whole file; each earlier revision parsed repeats at most that.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkStats {
    /// Bytes the pre-scan decoded from the streams lopdf would decode while loading (at most
    /// [`MAX_INFLATED_BYTES`] + 32 KiB: it stops at the first read past the budget).
    pub inflated_bytes: u64,
    /// Indirect objects found (headers plus object-stream members).
    pub objects: u64,
    /// Cross-reference entries over all sections.
    pub xref_entries: u64,
    /// PDF values lopdf would build.
    pub values: u64,
    /// Bytes lopdf would parse, counting objects reached more than once.
    pub parse_bytes: u64,
    /// Full parses by lopdf: the file, then each earlier revision compared.
    pub parses: u32,
    /// Earlier revisions parsed (at most [`MAX_REVISIONS_PARSED`]).
    pub revisions_parsed: u32,
}
