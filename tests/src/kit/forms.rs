//! Form values for service requests. A form is a JSON map by design ([`FormValues`]): the
//! builders here return `serde_json::Value` pieces a test can still change field by field, and
//! [`form`] turns the whole into the typed map the request types carry.

use abdi_proto::forms::FormValues;
use serde_json::{Value, json};

/// The phone number the forms give.
pub const PHONE: &str = "081234567890";

/// `value` (a JSON object) as form values; panics on anything else.
pub fn form(value: Value) -> FormValues {
    serde_json::from_value(value).unwrap_or_else(|e| panic!("a form is a JSON object: {e}"))
}

/// The address during leave.
pub fn address() -> Value {
    json!({ "street": "Jl. Pahlawan 110", "city": "Surabaya", "province": "Jawa Timur", "postal_code": "60174" })
}

/// A period from `start` to `end` (ISO dates, both days in).
pub fn period(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

/// An annual-leave form.
pub fn annual(start: &str, end: &str) -> Value {
    json!({
        "period": period(start, end),
        "reason": "Keperluan keluarga",
        "address": address(),
        "phone": PHONE,
    })
}

/// A sick-leave form (`sick_kind` biasa), with `doctor_certificate` if one is given.
pub fn sick_leave(start: &str, end: &str, doctor_certificate: Option<Value>) -> Value {
    let mut f = json!({
        "period": period(start, end),
        "sick_kind": "biasa",
        "address": address(),
        "phone": PHONE,
    });
    if let Some(d) = doctor_certificate {
        f["doctor_certificate"] = d;
    }
    f
}

/// A small PDF an attachment field accepts.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}
