//! The registry of client systems: registration with a credential shown once, rotation,
//! suspension, resumption and revocation, each by a stepped-up administrator and each a row of
//! the client's history (`data_client_changes`, append-only) in the same transaction.

use abdi_proto::sharing::{
    Agreement, ClientAuth, ClientStatus, Contact, CredentialRotation, DataClient, DataScope,
    IssuedClient, NewDataClient,
};
use chrono::NaiveDate;
use ipnet::IpNet;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use uuid::Uuid;

use super::entity::{AuthMethod, StoredStatus, data_client, data_client_change};
use super::{Sharing, SharingError};
use crate::access::{Action, Actor};
use crate::identity::audit::Origin;
use crate::identity::token::{hash, new_token};
use crate::masterdata::entity::org_unit;

/// What a status change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Suspend,
    Resume,
    Revoke,
}

impl Sharing {
    /// Every registered client, newest first (administrators).
    pub async fn clients(&self, actor: &Actor) -> Result<Vec<DataClient>, SharingError> {
        actor.authorize(Action::ManageDataClients, None).await?;
        let today = self.clock.today();
        Ok(data_client::Entity::find()
            .order_by_desc(data_client::Column::CreatedAt)
            .all(&self.db)
            .await?
            .iter()
            .map(|m| view(m, today))
            .collect())
    }

    pub async fn client(&self, actor: &Actor, id: Uuid) -> Result<DataClient, SharingError> {
        actor.authorize(Action::ManageDataClients, None).await?;
        Ok(view(&self.find(id).await?, self.clock.today()))
    }

    /// Registers a client system; its secret (for `client_secret`) is in the answer only.
    pub async fn register(
        &self,
        actor: &Actor,
        origin: &Origin,
        new: NewDataClient,
    ) -> Result<IssuedClient, SharingError> {
        actor
            .authorize_sensitive(Action::ManageDataClients, None)
            .await?;
        let checked = self.check(&new).await?;
        let now = self.now();
        let id = Uuid::now_v7();
        let issued = self.credential(&new.auth)?;
        let row = data_client::ActiveModel {
            id: Set(id),
            client_id: Set(new_client_id()),
            agency: Set(new.agency.trim().to_owned()),
            unit: Set(new.unit.trim().to_owned()),
            agreement_number: Set(new.agreement.number.trim().to_owned()),
            agreement_date: Set(new.agreement.date),
            agreement_expires_on: Set(new.agreement.expires_on),
            purpose: Set(new.purpose.trim().to_owned()),
            contact_name: Set(new.contact.name.trim().to_owned()),
            contact_email: Set(new.contact.email.trim().to_owned()),
            contact_phone: Set(new
                .contact
                .phone
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)),
            networks: Set(json(&checked.networks)),
            scopes: Set(json(&checked.scopes)),
            units: Set(json(&checked.units)),
            auth_method: Set(issued.method),
            secret_hash: Set(issued.secret_hash),
            public_key_pem: Set(issued.public_key_pem),
            certificate_sha256: Set(issued.certificate_sha256),
            credential_generation: Set(1),
            credential_issued_at: Set(now),
            rate_per_minute: Set(checked.rate as i32),
            status: Set(StoredStatus::Active),
            status_reason: Set(None),
            created_by: Set(actor.employee_id),
            created_at: Set(now),
            updated_at: Set(now),
            request_id: Set(None),
            persons: Set(None),
        };
        let model = self
            .save(
                row,
                Write::Insert,
                history(now, actor, origin, id, "registered", None),
            )
            .await?;
        Ok(IssuedClient {
            client: view(&model, self.clock.today()),
            client_secret: issued.secret,
        })
    }

    /// A new credential: the old one, and every token made with it, stop working at once.
    pub async fn rotate(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
        rotation: CredentialRotation,
    ) -> Result<IssuedClient, SharingError> {
        actor
            .authorize_sensitive(Action::ManageDataClients, None)
            .await?;
        let reason = reason(&rotation.reason)?;
        let current = self.find(id).await?;
        if current.status == StoredStatus::Revoked {
            return Err(SharingError::state(
                "Sistem yang sudah dicabut tidak dapat diberi kredensial baru; daftarkan ulang.",
                "A revoked system cannot get a new credential; register it again.",
            ));
        }
        if [&rotation.public_key_pem, &rotation.certificate_pem]
            .into_iter()
            .flatten()
            .any(|k| k.contains('\0'))
        {
            return Err(SharingError::invalid(
                "Kunci publik atau sertifikat memuat karakter NUL.",
                "The public key or certificate holds a NUL character.",
            ));
        }
        let auth = match (
            current.auth_method,
            rotation.public_key_pem,
            rotation.certificate_pem,
        ) {
            (AuthMethod::PrivateKeyJwt, Some(pem), None) => ClientAuth::PrivateKeyJwt {
                public_key_pem: pem,
            },
            (AuthMethod::PrivateKeyJwt, _, _) => {
                return Err(SharingError::invalid(
                    "Sistem ini memakai private_key_jwt: kirim kunci publiknya yang baru.",
                    "This system uses private_key_jwt: send its new public key.",
                ));
            }
            (AuthMethod::TlsClientAuth, None, Some(pem)) => ClientAuth::TlsClientAuth {
                certificate_pem: pem,
            },
            (AuthMethod::TlsClientAuth, _, _) => {
                return Err(SharingError::invalid(
                    "Sistem ini memakai TLS mutual: kirim sertifikat klien yang baru.",
                    "This system uses mutual TLS: send its new client certificate.",
                ));
            }
            (AuthMethod::ClientSecret, None, None) => ClientAuth::ClientSecret,
            (AuthMethod::ClientSecret, _, _) => {
                return Err(SharingError::invalid(
                    "Sistem ini memakai client_secret: kunci publik atau sertifikat tidak dipakai.",
                    "This system uses a client_secret: a public key or certificate is not used.",
                ));
            }
        };
        let issued = self.credential(&auth)?;
        let now = self.now();
        // A client granted by a decision has had none: this is its first.
        let action = if current.credential_generation == 0 {
            "issued"
        } else {
            "rotated"
        };
        let generation = current.credential_generation + 1;
        let mut row: data_client::ActiveModel = current.into();
        row.secret_hash = Set(issued.secret_hash);
        row.public_key_pem = Set(issued.public_key_pem);
        row.certificate_sha256 = Set(issued.certificate_sha256);
        row.credential_generation = Set(generation);
        row.credential_issued_at = Set(now);
        row.updated_at = Set(now);
        let model = self
            .save(
                row,
                Write::Update,
                history(now, actor, origin, id, action, Some(reason)),
            )
            .await?;
        Ok(IssuedClient {
            client: view(&model, self.clock.today()),
            client_secret: issued.secret,
        })
    }

    /// Suspends, resumes or revokes a client; effective on its next call.
    pub async fn set_status(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
        action: StatusAction,
        why: &str,
    ) -> Result<DataClient, SharingError> {
        actor
            .authorize_sensitive(Action::ManageDataClients, None)
            .await?;
        let reason = reason(why)?;
        let current = self.find(id).await?;
        let (to, logged) = match (action, current.status) {
            (_, StoredStatus::Revoked) => {
                return Err(SharingError::state(
                    "Sistem ini sudah dicabut; pencabutan tidak dapat dibatalkan.",
                    "This system is revoked; a revocation cannot be undone.",
                ));
            }
            (StatusAction::Suspend, StoredStatus::Active) => (StoredStatus::Suspended, "suspended"),
            (StatusAction::Resume, StoredStatus::Suspended) => (StoredStatus::Active, "resumed"),
            (StatusAction::Revoke, _) => (StoredStatus::Revoked, "revoked"),
            (StatusAction::Suspend, _) => {
                return Err(SharingError::state(
                    "Sistem ini sudah ditangguhkan.",
                    "This system is already suspended.",
                ));
            }
            (StatusAction::Resume, _) => {
                return Err(SharingError::state(
                    "Sistem ini tidak sedang ditangguhkan.",
                    "This system is not suspended.",
                ));
            }
        };
        let generation = current.credential_generation;
        let mut row: data_client::ActiveModel = current.into();
        row.status = Set(to);
        row.status_reason = Set(Some(reason.clone()));
        if action == StatusAction::Revoke {
            // Its credential is gone with it: nothing it holds works again.
            row.secret_hash = Set(None);
            row.public_key_pem = Set(None);
            row.certificate_sha256 = Set(None);
            row.credential_generation = Set(generation + 1);
        }
        let now = self.now();
        row.updated_at = Set(now);
        let model = self
            .save(
                row,
                Write::Update,
                history(now, actor, origin, id, logged, Some(reason)),
            )
            .await?;
        Ok(view(&model, self.clock.today()))
    }

    /// The client's row and the line of its history, in one transaction.
    async fn save(
        &self,
        row: data_client::ActiveModel,
        write: Write,
        change: data_client_change::ActiveModel,
    ) -> Result<data_client::Model, SharingError> {
        let txn = self.db.begin().await?;
        let model = match write {
            Write::Insert => row.insert(&txn).await?,
            Write::Update => row.update(&txn).await?,
        };
        change.insert(&txn).await?;
        txn.commit().await?;
        Ok(model)
    }

    pub(crate) async fn find(&self, id: Uuid) -> Result<data_client::Model, SharingError> {
        data_client::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(SharingError::ClientNotFound)
    }

    async fn check(&self, new: &NewDataClient) -> Result<Checked, SharingError> {
        // The longest each may be: the columns' widths.
        for (value, max, id, en) in [
            (&new.agency, 200, "instansi", "the agency"),
            (&new.unit, 200, "unit", "the unit"),
            (&new.purpose, 2000, "tujuan", "the purpose"),
            (
                &new.agreement.number,
                128,
                "nomor perjanjian",
                "the agreement's number",
            ),
            (
                &new.contact.name,
                200,
                "nama narahubung",
                "the contact's name",
            ),
            (
                &new.contact.email,
                254,
                "surel narahubung",
                "the contact's email",
            ),
        ] {
            if value.trim().is_empty() || value.trim().chars().count() > max {
                return Err(SharingError::invalid(
                    format!("Isi {id} (1 sampai {max} karakter)."),
                    format!("Fill in {en} (1 to {max} characters)."),
                ));
            }
        }
        // PostgreSQL keeps no NUL in text: refused here, not as a failed write.
        let nul = |s: &str| s.contains('\0');
        if [&new.agency, &new.unit, &new.purpose, &new.agreement.number]
            .into_iter()
            .chain([&new.contact.name, &new.contact.email])
            .chain(&new.units)
            .any(|s| nul(s))
            || new.contact.phone.as_deref().is_some_and(nul)
            || matches!(&new.auth, ClientAuth::PrivateKeyJwt { public_key_pem: pem } | ClientAuth::TlsClientAuth { certificate_pem: pem } if nul(pem))
        {
            return Err(SharingError::invalid(
                "Isian memuat karakter NUL.",
                "A field holds a NUL character.",
            ));
        }
        if new
            .contact
            .phone
            .as_deref()
            .is_some_and(|p| p.chars().count() > 32)
        {
            return Err(SharingError::invalid(
                "Nomor telepon narahubung paling panjang 32 karakter.",
                "The contact's phone is at most 32 characters.",
            ));
        }
        let email = new.contact.email.trim();
        if !email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        {
            return Err(SharingError::invalid(
                "Surel narahubung tidak sah.",
                "The contact's email is not valid.",
            ));
        }
        if new.agreement.expires_on < new.agreement.date {
            return Err(SharingError::invalid(
                "Perjanjian berakhir sebelum tanggalnya.",
                "The agreement ends before its date.",
            ));
        }
        if new.networks.is_empty() || new.networks.len() > 64 {
            return Err(SharingError::invalid(
                "Daftarkan 1 sampai 64 jaringan asal (CIDR).",
                "Register 1 to 64 source networks (CIDR).",
            ));
        }
        let networks = new
            .networks
            .iter()
            .map(|n| registrable_network(n).map(|n| n.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        if new.units.is_empty() || new.units.len() > 200 {
            return Err(SharingError::invalid(
                "Sebutkan 1 sampai 200 unit yang datanya boleh dibaca.",
                "Name 1 to 200 units whose data it may read.",
            ));
        }
        let mut units = new.units.clone();
        units.sort();
        units.dedup();
        let known = org_unit::Entity::find()
            .filter(org_unit::Column::Code.is_in(units.clone()))
            .all(&self.db)
            .await?;
        if let Some(missing) = units.iter().find(|u| !known.iter().any(|k| &k.code == *u)) {
            return Err(SharingError::invalid(
                format!("Unit '{missing}' tidak dikenal."),
                format!("Unknown unit '{missing}'."),
            ));
        }
        let mut scopes = if new.scopes.is_empty() {
            DataScope::DEFAULT.to_vec()
        } else {
            new.scopes.clone()
        };
        scopes.sort();
        scopes.dedup();
        if !scopes.contains(&DataScope::Employees) {
            return Err(SharingError::invalid(
                "Cakupan `employees` (identitas dasar) diperlukan oleh setiap cakupan lain.",
                "The `employees` scope (the basic identity) is needed by every other scope.",
            ));
        }
        let rate = new.rate_per_minute.unwrap_or(60);
        if !(1..=6000).contains(&rate) {
            return Err(SharingError::invalid(
                "Batas panggilan per menit 1 sampai 6000.",
                "Calls per minute: 1 to 6000.",
            ));
        }
        Ok(Checked {
            networks,
            scopes,
            units,
            rate,
        })
    }
}

/// Whether [`Sharing::save`] adds the client or changes it.
enum Write {
    Insert,
    Update,
}

struct Checked {
    networks: Vec<String>,
    scopes: Vec<DataScope>,
    units: Vec<String>,
    rate: u32,
}

/// A fresh `client_id`: `abdi-` and 16 hex digits.
pub(crate) fn new_client_id() -> String {
    format!("abdi-{}", &hash(&new_token())[..16])
}

/// A network as registered: a CIDR, or one address (a /32 or /128).
pub(crate) fn parse_network(raw: &str) -> Result<IpNet, SharingError> {
    let raw = raw.trim();
    let shown: String = raw.chars().filter(|c| !c.is_control()).take(64).collect();
    let net = raw
        .parse::<IpNet>()
        .map(|n| n.trunc())
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| {
            SharingError::invalid(
                format!("'{shown}' bukan alamat atau jaringan CIDR."),
                format!("'{shown}' is not an address or a CIDR network."),
            )
        })?;
    Ok(net)
}

/// A network as an administrator may register it: one that parses, and no wider than a /16
/// (IPv4) or a /32 (IPv6). A network that wide is no allowlist: a server's addresses are a few.
pub(crate) fn registrable_network(raw: &str) -> Result<IpNet, SharingError> {
    let net = parse_network(raw)?;
    let widest = match net {
        IpNet::V4(_) => 16,
        IpNet::V6(_) => 32,
    };
    if net.prefix_len() < widest {
        return Err(SharingError::invalid(
            format!("Jaringan {net} terlalu luas: paling luas /{widest}."),
            format!("The network {net} is too wide: /{widest} at most."),
        ));
    }
    Ok(net)
}

/// The credential to store for `auth`, and the secret to show (once).
struct Credential {
    secret: Option<String>,
    secret_hash: Option<String>,
    public_key_pem: Option<String>,
    certificate_sha256: Option<String>,
    method: AuthMethod,
}

impl Sharing {
    fn credential(&self, auth: &ClientAuth) -> Result<Credential, SharingError> {
        let none = Credential {
            secret: None,
            secret_hash: None,
            public_key_pem: None,
            certificate_sha256: None,
            method: AuthMethod::ClientSecret,
        };
        match auth {
            ClientAuth::ClientSecret => {
                let secret = new_token();
                Ok(Credential {
                    secret_hash: Some(hash(&secret)),
                    secret: Some(secret),
                    ..none
                })
            }
            ClientAuth::PrivateKeyJwt { public_key_pem } => {
                super::keys::PublicKey::parse(public_key_pem).map_err(|_| {
                    SharingError::invalid(
                        "Kunci publik tidak terbaca: kirim PEM `PUBLIC KEY` RSA (2048 bit ke atas) atau P-256.",
                        "The public key cannot be read: send a `PUBLIC KEY` PEM, RSA (2048 bits or more) or P-256.",
                    )
                })?;
                Ok(Credential {
                    public_key_pem: Some(public_key_pem.trim().to_owned()),
                    method: AuthMethod::PrivateKeyJwt,
                    ..none
                })
            }
            ClientAuth::TlsClientAuth { certificate_pem } => {
                if self.config.client_certificate_header.trim().is_empty() {
                    return Err(SharingError::invalid(
                        "TLS mutual tidak tersedia di penerapan ini (sharing.client_certificate_header kosong): pakai client_secret atau private_key_jwt.",
                        "Mutual TLS is not offered by this deployment (sharing.client_certificate_header is empty): use a client_secret or private_key_jwt.",
                    ));
                }
                let thumbprint = super::keys::certificate_thumbprint(certificate_pem)
                    .ok_or_else(|| {
                        SharingError::invalid(
                            "Sertifikat klien tidak terbaca: kirim PEM `CERTIFICATE` X.509.",
                            "The client certificate cannot be read: send an X.509 `CERTIFICATE` PEM.",
                        )
                    })?;
                Ok(Credential {
                    certificate_sha256: Some(thumbprint),
                    method: AuthMethod::TlsClientAuth,
                    ..none
                })
            }
        }
    }
}

fn reason(why: &str) -> Result<String, SharingError> {
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 1000 || why.contains('\0') {
        return Err(SharingError::invalid(
            "Tuliskan alasannya (1 sampai 1000 karakter).",
            "Give the reason (1 to 1000 characters).",
        ));
    }
    Ok(why.to_owned())
}

fn history(
    at: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    origin: &Origin,
    client: Uuid,
    action: &str,
    reason: Option<String>,
) -> data_client_change::ActiveModel {
    data_client_change::ActiveModel {
        client_id: Set(client),
        at: Set(at),
        actor_id: Set(actor.employee_id),
        action: Set(action.to_owned()),
        reason: Set(reason),
        address: Set(origin.ip.clone()),
        ..Default::default()
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// A stored JSON list; a row an operator broke reads as empty (and so grants nothing).
pub(crate) fn list<T: serde::de::DeserializeOwned>(raw: &str) -> Vec<T> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The client's state today: an active client past its agreement's last day is expired.
pub(crate) fn status(m: &data_client::Model, today: NaiveDate) -> ClientStatus {
    match m.status {
        StoredStatus::Revoked => ClientStatus::Revoked,
        StoredStatus::Suspended => ClientStatus::Suspended,
        StoredStatus::Active if today > m.agreement_expires_on => ClientStatus::Expired,
        StoredStatus::Active => ClientStatus::Active,
    }
}

pub(crate) fn view(m: &data_client::Model, today: NaiveDate) -> DataClient {
    DataClient {
        id: m.id,
        client_id: m.client_id.clone(),
        agency: m.agency.clone(),
        unit: m.unit.clone(),
        agreement: Agreement {
            number: m.agreement_number.clone(),
            date: m.agreement_date,
            expires_on: m.agreement_expires_on,
        },
        purpose: m.purpose.clone(),
        contact: Contact {
            name: m.contact_name.clone(),
            email: m.contact_email.clone(),
            phone: m.contact_phone.clone(),
        },
        networks: list(&m.networks),
        scopes: list(&m.scopes),
        units: list(&m.units),
        auth_method: m.auth_method.into(),
        rate_per_minute: u32::try_from(m.rate_per_minute).unwrap_or(0),
        status: status(m, today),
        status_reason: m.status_reason.clone(),
        created_at: m.created_at,
        credential_issued_at: m.credential_issued_at,
        credential_pending: m.credential_generation == 0,
        request_id: m.request_id,
        persons: m.persons.as_deref().map(list).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_are_cidrs_or_single_addresses() {
        assert_eq!(
            parse_network("203.0.113.9/24").unwrap().to_string(),
            "203.0.113.0/24"
        );
        assert_eq!(
            parse_network("198.51.100.7").unwrap().to_string(),
            "198.51.100.7/32"
        );
        assert_eq!(
            parse_network("2001:db8::1").unwrap().to_string(),
            "2001:db8::1/128"
        );
        assert!(parse_network("kemenag.go.id").is_err());
        assert!(parse_network("10.0.0.0/33").is_err());
        // Too wide to be an allowlist.
        assert!(registrable_network("0.0.0.0/0").is_err());
        assert!(registrable_network("::/0").is_err());
        assert!(registrable_network("10.0.0.0/16").is_ok());
    }
}
