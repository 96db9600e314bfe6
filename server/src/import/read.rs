//! The export's files, and their rows with the line each came from.

use std::collections::HashMap;

use super::report::ImportReport;
use super::rows::Refusal;

/// The files of one export, by name (any of [`Export::file_names`]).
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub(super) files: HashMap<&'static str, Vec<u8>>,
}

impl Export {
    /// One file of an export, as uploaded.
    pub fn single(name: &'static str, bytes: Vec<u8>) -> Export {
        Export {
            files: HashMap::from([(name, bytes)]),
        }
    }
}

/// Reads the rows of one CSV file with their line numbers; a file that is not there is empty.
pub(super) fn read<T: serde::de::DeserializeOwned>(
    export: &Export,
    file: &'static str,
    report: &mut ImportReport,
) -> Vec<(u64, T)> {
    let Some(bytes) = export.files.get(file) else {
        return Vec::new();
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let why = format!("the header row cannot be read: {e}");
            report.refuse(file, 1, "", Refusal::new("invalid_row", why));
            return Vec::new();
        }
    };
    // Lines are counted from the bytes (the reader's own count is off by one for CRLF files,
    // which exports saved on Windows are).
    let newlines: Vec<u64> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i as u64)
        .collect();
    let line_at = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            newlines.partition_point(|n| *n <= p.byte()) as u64 + 1
        })
    };
    let mut out = Vec::new();
    for record in reader.records() {
        report.counts(file).rows += 1;
        let parsed = record.and_then(|r| {
            let line = line_at(r.position());
            r.deserialize::<T>(Some(&headers)).map(|row| (line, row))
        });
        match parsed {
            Ok(row) => out.push(row),
            Err(e) => {
                let line = line_at(e.position());
                let message = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("{len} columns where the header has {expected_len}"),
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                    other => format!("{other:?}"),
                };
                report.refuse(file, line, "", Refusal::new("invalid_row", message));
            }
        }
    }
    out
}
