//! Requests for personal data by letter (Pergub Jatim 73/2020 Pasal 18-20), as the catalogue's
//! `permintaan_data_pribadi` service: an administrator records the agency's letter (the data,
//! the persons, the purpose) with their recommendation, the head of the BKD decides, and the
//! decree is signed like every other. [`RequestRules`] checks what the letter asks for;
//! [`GrantedRequests`], told of the decision in its transaction, turns a granted request into
//! a client system that reads only those persons and those scopes, from those networks, until
//! the last day granted. Its credential is issued afterwards by an administrator (the decider
//! is not the one who hands it over), through the registry's rotation.

use std::collections::BTreeSet;

use abdi_proto::services::Violation;
use abdi_proto::sharing::DataScope;
use abdi_proto::{Nip, Text};
use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::clients::registrable_network;
use super::entity::{AuthMethod, StoredStatus, data_client, data_client_change};
use crate::access::Access;
use crate::documents::entity::document;
use crate::masterdata::entity::{employee, org_unit};
use crate::services::ServiceError;
use crate::services::events::{RequestEvent, Subscriber};
use crate::services::rules::{Assessment, RuleInput, ServiceRules, text};

/// The name catalogue entries give these rules.
pub const RULES: &str = "sharing.request";

/// The most persons one letter may name: a larger set is a unit's, and a registered client.
const MOST_PERSONS: usize = 500;

/// Checks an agency's request as the administrator recorded it.
pub struct RequestRules;

#[async_trait]
impl ServiceRules for RequestRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let form = input.form;
        let mut problems = Vec::new();
        if !Access::administrators(txn, input.today)
            .await?
            .contains(&input.employee.id)
        {
            problems.push(Violation::new(
                "filer_not_administrator",
                None,
                "Permintaan data oleh instansi dicatat oleh administrator data kepegawaian.",
                "An agency's request for data is recorded by a personnel-data administrator.",
            ));
        }
        for field in [
            "agency",
            "unit",
            "letter_number",
            "purpose",
            "persons",
            "scopes",
            "networks",
            "contact_name",
            "contact_email",
            "recommendation_note",
        ] {
            if text(form, field).is_some_and(|v| v.contains('\0')) {
                problems.push(Violation::new(
                    "invalid_text",
                    Some(field),
                    "Isian memuat karakter NUL.",
                    "The field holds a NUL character.",
                ));
            }
        }

        // The persons: every NIP must be someone active; each is named once.
        let mut nips = BTreeSet::new();
        for raw in words(text(form, "persons").unwrap_or_default()) {
            match Nip::parse(raw).or_else(|_| Nip::parse_pppk(raw)) {
                Ok(n) => {
                    nips.insert(n.as_str().to_owned());
                }
                Err(_) => problems.push(Violation::new(
                    "invalid_nip",
                    Some("persons"),
                    format!("'{}' bukan NIP.", shown(raw)),
                    format!("'{}' is not a NIP.", shown(raw)),
                )),
            }
        }
        if nips.len() > MOST_PERSONS {
            problems.push(Violation::new(
                "too_many_persons",
                Some("persons"),
                format!(
                    "Satu surat paling banyak menyebut {MOST_PERSONS} pegawai; untuk satu unit, daftarkan sistem penerima data."
                ),
                format!(
                    "One letter names {MOST_PERSONS} employees at most; for a whole unit, register a client system."
                ),
            ));
        }
        let found = employee::Entity::find()
            .filter(employee::Column::Nip.is_in(nips.iter().cloned()))
            .filter(employee::Column::Active.eq(true))
            .all(txn)
            .await?;
        let missing: Vec<&str> = nips
            .iter()
            .filter(|n| !found.iter().any(|e| &e.nip == *n))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(Violation::new(
                "persons_not_found",
                Some("persons"),
                format!("Tidak ada pegawai aktif dengan NIP {list}."),
                format!("No active employee has NIP {list}."),
            ));
        }
        if nips.is_empty() {
            problems.push(Violation::new(
                "persons_missing",
                Some("persons"),
                "Sebutkan NIP pegawai yang datanya diminta.",
                "Name the NIPs of the employees whose data is asked for.",
            ));
        }

        // The data: scope names, the basic identity always among them.
        let mut scopes = BTreeSet::new();
        for raw in words(text(form, "scopes").unwrap_or_default()) {
            match DataScope::parse(raw) {
                Some(s) => {
                    scopes.insert(s);
                }
                None => problems.push(Violation::new(
                    "scope_unknown",
                    Some("scopes"),
                    format!("Cakupan '{}' tidak dikenal.", shown(raw)),
                    format!("Unknown scope '{}'.", shown(raw)),
                )),
            }
        }
        if !scopes.contains(&DataScope::Employees) {
            problems.push(Violation::new(
                "scope_employees_missing",
                Some("scopes"),
                "Cakupan `employees` (identitas dasar) diperlukan oleh setiap cakupan lain.",
                "The `employees` scope (the basic identity) is needed by every other scope.",
            ));
        }

        // Where it calls from.
        let mut networks = BTreeSet::new();
        for raw in words(text(form, "networks").unwrap_or_default()) {
            match registrable_network(raw) {
                Ok(n) => {
                    networks.insert(n.to_string());
                }
                Err(e) => {
                    let (id, en) = match e {
                        super::SharingError::Invalid { id, en } => (id, en),
                        other => (other.to_string(), other.to_string()),
                    };
                    problems.push(Violation::new("invalid_network", Some("networks"), id, en));
                }
            }
        }
        if networks.is_empty() || networks.len() > 64 {
            problems.push(Violation::new(
                "networks_count",
                Some("networks"),
                "Sebutkan 1 sampai 64 alamat atau jaringan asal server peminta.",
                "Name 1 to 64 source addresses or networks of the requesting server.",
            ));
        }
        let email = text(form, "contact_email").unwrap_or_default().trim();
        if !email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        {
            problems.push(Violation::new(
                "invalid_email",
                Some("contact_email"),
                "Surel narahubung tidak sah.",
                "The contact's email is not valid.",
            ));
        }
        let until: Option<NaiveDate> = text(form, "until").and_then(|s| s.parse().ok());
        if let (Some(until), Some(letter)) = (
            until,
            text(form, "letter_date").and_then(|s| s.parse::<NaiveDate>().ok()),
        ) && until <= letter
        {
            problems.push(Violation::new(
                "until_before_letter",
                Some("until"),
                "Akses berakhir sebelum tanggal surat permintaan.",
                "The access would end before the request letter's date.",
            ));
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let agency = text(form, "agency").unwrap_or_default().trim();
        let summary = Text::new(
            format!("Data {} pegawai untuk {agency}", nips.len()),
            format!("Data of {} employees for {agency}", nips.len()),
        );
        let scopes: Vec<DataScope> = scopes.into_iter().collect();
        let networks: Vec<String> = networks.into_iter().collect();
        let nips: Vec<String> = nips.into_iter().collect();
        let sensitive = scopes.iter().any(|s| s.sensitive());
        Ok(Ok(Assessment {
            detail: json!({
                "persons": nips,
                "person_count": nips.len(),
                "person_list": nips.join(", "),
                "scopes": scopes,
                "scope_words": scopes.iter().map(|s| words_of(*s)).collect::<Vec<_>>().join("; "),
                "networks": networks,
                "network_list": networks.join(", "),
                "sensitive": sensitive,
                "until": until,
                "summary": summary,
            }),
            summary,
            acting_restricted: true,
        }))
    }
}

/// What a scope gives, as the decree says it.
fn words_of(scope: DataScope) -> &'static str {
    match scope {
        DataScope::Employees => {
            "identitas dasar (NIP, nama, jenis kelamin, jenis kepegawaian, pangkat, pendidikan, unit, jabatan)"
        }
        DataScope::Birth => "tempat dan tanggal lahir",
        DataScope::Contact => "surel dan telepon dinas",
        DataScope::Service => "TMT CPNS dan TMT PNS",
        DataScope::Nik => "NIK (data pribadi yang bersifat spesifik)",
        DataScope::RankHistory => "riwayat pangkat",
        DataScope::PositionHistory => "riwayat jabatan",
        DataScope::EducationHistory => "riwayat pendidikan",
        DataScope::Family => "data keluarga (data pribadi yang bersifat spesifik)",
    }
}

/// The words of a list field: separated by spaces, commas, semicolons or new lines.
fn words(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
}

/// A value as an error message may repeat it.
fn shown(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Turns a granted request into its client system, in the decision's transaction. Registered
/// after the letters, so the decree's number is there to be named as the agreement.
pub struct GrantedRequests;

#[async_trait]
impl Subscriber for GrantedRequests {
    async fn on_event(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError> {
        let Some(req) = event.granted(txn, RULES).await? else {
            return Ok(());
        };
        let corrupt = |what: &str| {
            ServiceError::Database(DbErr::Custom(format!(
                "data request {}: {what}",
                event.request_id
            )))
        };
        let form: Value = serde_json::from_str(&req.form).unwrap_or_default();
        let assessed: Value = serde_json::from_str(&req.assessment).unwrap_or_default();
        let field = |k: &str| form[k].as_str().unwrap_or_default().trim().to_owned();
        let until = assessed["until"]
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok())
            .ok_or_else(|| corrupt("no assessed end"))?;
        let decree = document::Entity::find()
            .filter(document::Column::RequestId.eq(req.id))
            .one(txn)
            .await?
            .ok_or_else(|| corrupt("no decree"))?;
        let actor = event.actor.ok_or_else(|| corrupt("no decider"))?;
        // Named persons, wherever they work: the client's units are the whole organisation.
        let roots: Vec<String> = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.is_null())
            .all(txn)
            .await?
            .into_iter()
            .map(|u| u.code)
            .collect();
        let id = Uuid::now_v7();
        let list = |k: &str| assessed[k].to_string();
        data_client::ActiveModel {
            id: Set(id),
            client_id: Set(super::clients::new_client_id()),
            agency: Set(field("agency")),
            unit: Set(field("unit")),
            agreement_number: Set(decree.number.clone()),
            agreement_date: Set(event.today),
            agreement_expires_on: Set(until),
            purpose: Set(field("purpose")),
            contact_name: Set(field("contact_name")),
            contact_email: Set(field("contact_email")),
            contact_phone: Set(None),
            networks: Set(list("networks")),
            scopes: Set(list("scopes")),
            units: Set(serde_json::to_string(&roots).unwrap_or_else(|_| "[]".into())),
            auth_method: Set(AuthMethod::ClientSecret),
            // None yet: an administrator issues it and hands it to the agency.
            secret_hash: Set(None),
            public_key_pem: Set(None),
            credential_generation: Set(0),
            credential_issued_at: Set(event.at),
            rate_per_minute: Set(60),
            status: Set(StoredStatus::Active),
            status_reason: Set(None),
            created_by: Set(actor),
            created_at: Set(event.at),
            updated_at: Set(event.at),
            request_id: Set(Some(req.id)),
            persons: Set(Some(list("persons"))),
            certificate_sha256: Set(None),
        }
        .insert(txn)
        .await?;
        data_client_change::ActiveModel {
            client_id: Set(id),
            at: Set(event.at),
            actor_id: Set(actor),
            action: Set("granted".into()),
            reason: Set(Some(format!("Keputusan Nomor {}", decree.number))),
            address: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_fields_split_on_spaces_commas_and_lines() {
        let got: Vec<&str> = words(" 198001012006041001,\n199002022015032002 ;x ").collect();
        assert_eq!(got, ["198001012006041001", "199002022015032002", "x"]);
    }
}
