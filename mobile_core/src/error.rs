//! One flat error enum for the app: a stable code to switch on, and a message in Bahasa
//! Indonesia and English.

use abdi_proto::{Lang, Text};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("invalid NIP: {0}")]
    InvalidNip(String),
    #[error("no holiday calendar cached for {0}")]
    CalendarMissing(i32),
    #[error("invalid date range: {0}")]
    InvalidRange(String),
    #[error("cached data is unreadable: {0}")]
    Corrupt(String),
}

impl CoreError {
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InvalidNip(_) => "invalid_nip",
            CoreError::CalendarMissing(_) => "calendar_missing",
            CoreError::InvalidRange(_) => "invalid_range",
            CoreError::Corrupt(_) => "corrupt_cache",
        }
    }

    pub fn text(&self) -> Text {
        match self {
            CoreError::InvalidNip(why) => Text::new(
                format!("NIP tidak valid: {why}"),
                format!("Invalid NIP: {why}"),
            ),
            CoreError::CalendarMissing(year) => Text::new(
                format!(
                    "Kalender hari libur {year} belum tersimpan; sambungkan ke internet sebentar."
                ),
                format!(
                    "The {year} holiday calendar is not stored yet; connect to the internet briefly."
                ),
            ),
            CoreError::InvalidRange(why) => Text::new(
                format!("Rentang tanggal tidak valid: {why}"),
                format!("Invalid date range: {why}"),
            ),
            CoreError::Corrupt(why) => Text::new(
                format!("Data tersimpan rusak: {why}"),
                format!("Stored data is damaged: {why}"),
            ),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }
}
