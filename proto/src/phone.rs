//! Indonesian mobile numbers, kept in the local `08...` form.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an Indonesian mobile number (08... or +628..., 10 to 13 digits)")]
pub struct PhoneError(pub String);

/// A mobile number: `08` and 8 to 11 more digits. `+62`/`62` and separators are accepted on
/// input.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        let local = match compact
            .strip_prefix("+62")
            .or_else(|| compact.strip_prefix("62"))
        {
            Some(rest) => format!("0{rest}"),
            None => compact,
        };
        let ok = local.starts_with("08")
            && (10..=13).contains(&local.len())
            && local.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Phone(local))
        } else {
            Err(PhoneError(input.chars().take(30).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> Self {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_normalised_to_the_local_form() {
        assert_eq!(
            Phone::parse("0812-3456-7890").unwrap().as_str(),
            "081234567890"
        );
        assert_eq!(
            Phone::parse("+62 812 3456 7890").unwrap().as_str(),
            "081234567890"
        );
        assert_eq!(
            Phone::parse("6281234567890").unwrap().as_str(),
            "081234567890"
        );
        for bad in ["0212345678", "08123", "08123456789012", "0812345678a", ""] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
