//! RFC 3161 timestamp tokens: the TSTInfo a timestamp authority signs.

use der::Sequence;
use der::asn1::{Int, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

/// ```text
/// TSTInfo ::= SEQUENCE {
///    version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
///    serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
///    ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
///    tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    pub version: u8,
    pub policy: const_oid::ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    /// A GeneralizedTime, read by [`gen_time`]: RFC 3161 allows fractions of a second, which
    /// `der`'s `GeneralizedTime` refuses.
    pub gen_time: der::Any,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL, micros [1] INTEGER OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<Int>,
}

/// `genTime`: `YYYYMMDDhhmmss[.f...]Z`, to the second (a fraction is dropped).
pub fn gen_time(value: &der::Any) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDate, TimeZone, Utc};
    use der::Tagged;
    if value.tag() != der::Tag::GeneralizedTime {
        return None;
    }
    let text = std::str::from_utf8(value.value()).ok()?;
    let text = text.strip_suffix('Z')?;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.is_empty()
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| whole.get(r)?.parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(i32::try_from(n(0..4)?).ok()?, n(4..6)?, n(6..8)?)?;
    let time = date.and_hms_opt(n(8..10)?, n(10..12)?, n(12..14)?)?;
    Utc.from_local_datetime(&time).single()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn gen_time_reads_fractions() {
        let any = |s: &str| der::Any::new(der::Tag::GeneralizedTime, s.as_bytes()).unwrap();
        let t = gen_time(&any("20260822101112.345678Z")).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-08-22T10:11:12+00:00");
        assert_eq!(gen_time(&any("20260822101112Z")), Some(t));
        assert_eq!(gen_time(&any("20260822101112")), None);
        assert_eq!(gen_time(&any("20260822101112.Z")), None);
        assert!(
            gen_time(&der::Any::new(der::Tag::UtcTime, b"260822101112Z".as_slice()).unwrap())
                .is_none()
        );
    }
}
