//! Decision letters: issued in the transaction of the final decision (numbered, with what they
//! say frozen), typeset as PDF, signed (PAdES) by whoever decided, kept in the object store, and
//! verified by the same verifier the phone runs (`abdi-pades`).

pub mod cli;
pub mod entity;
pub(crate) mod letter;
pub mod render;
pub mod signer;

use abdi_proto::ErrorCode;
use abdi_proto::services::{Approver, StepKind};
use std::sync::Arc;

use abdi_pades::TrustStore;
use abdi_proto::RankCode;
use abdi_proto::Text;
use abdi_proto::documents::{
    CertificateRef, DocumentStatus, DocumentView, IssuedLetter, PublicDocument, SignBatch,
    VerificationReport,
};
use abdi_proto::services::{DocumentKind, Outcome};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set, Statement,
};
use uuid::Uuid;

use abdi_proto::agency::ActingKind;

use crate::access::entity::acting_assignment;
use crate::access::{Access, AccessError, Actor, Principal};
use crate::clock::SharedClock;
use crate::config::{DocumentsConfig, Secret};
use crate::error::ApiError;
use crate::masterdata::entity::{employee, org_unit, position};
use crate::services::entity::{request_step, service_request};
use crate::store::objects::{ObjectError, Objects};
use entity::document;
use letter::{LetterContent, LetterPerson};
use signer::{Credential, SignError, SignJob, Signer};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("document not found")]
    NotFound,
    #[error("the document is not waiting for the caller's signature")]
    NotSignable,
    #[error("the signer no longer holds the post the letter is signed in")]
    PostNotHeld,
    #[error("a batch holds 1 to 100 documents")]
    BatchSize,
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the upload broke off: {0}")]
    Upload(String),
    #[error("too many verifications from this address; retry after {0:?}")]
    RateLimited(std::time::Duration),
    #[error("every verification slot is busy")]
    Busy,
    #[error(transparent)]
    Store(#[from] crate::store::shared::SharedStoreError),
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error("rendering: {0}")]
    Render(#[from] render::RenderError),
    #[error("the stored letter is unreadable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Objects(#[from] ObjectError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// What issuing a letter needs to know, shared by the services engine (which issues inside its
/// transaction) and [`Documents`].
#[derive(Clone)]
pub struct Letters {
    config: Arc<DocumentsConfig>,
    public_url: String,
}

impl Letters {
    pub fn new(config: &DocumentsConfig, public_url: &str) -> Self {
        Self {
            config: Arc::new(config.clone()),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The public verification address of a document (the QR code's target).
    pub fn verify_url(&self, id: Uuid) -> String {
        format!("{}/verify/{id}", self.public_url)
    }

    /// Issues the letter of a request granted by its final decision, in the caller's
    /// transaction: a number for the year, the signer (whoever took the last decision step, in
    /// their capacity), and what the letter says. Refusals and deferrals get no letter.
    pub async fn issue(
        &self,
        db: &impl ConnectionTrait,
        request_id: Uuid,
        outcome: Outcome,
        now: DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Option<Uuid>, DbErr> {
        if !matches!(outcome, Outcome::Disetujui | Outcome::Perubahan) {
            return Ok(None);
        }
        // Read again: a changed decision (PERUBAHAN) rewrote the form and the assessment.
        let req = service_request::Entity::find_by_id(request_id)
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("request".into()))?;
        // The service as the request was submitted under, not as it may stand now.
        let spec =
            crate::services::catalogue::at_revision(db, &req.service_code, req.service_revision)
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        let service = &spec.name;
        let kind_code = match spec.output_document {
            DocumentKind::SuratIzinCuti => "surat_izin_cuti",
            DocumentKind::SuratKeputusan | DocumentKind::SuratIzin => "surat_keputusan",
            DocumentKind::SuratKeterangan => "surat_keterangan",
        };
        let steps = request_step::Entity::find()
            .filter(request_step::Column::RequestId.eq(req.id))
            .order_by_desc(request_step::Column::Seq)
            .all(db)
            .await?;
        let Some(step) = steps
            .iter()
            .find(|s| s.kind == StepKind::Decision && s.actor_id.is_some())
        else {
            return Ok(None);
        };
        let not_found = |what: &str| DbErr::RecordNotFound(what.to_owned());
        let signer = employee::Entity::find_by_id(step.actor_id.unwrap_or_default())
            .one(db)
            .await?
            .ok_or_else(|| not_found("signer"))?;
        // The person the letter is about: the requester, unless the service's rules named
        // another (a disciplinary case filed by the superior names the employee sanctioned).
        let subject = serde_json::from_str::<serde_json::Value>(&req.assessment)
            .ok()
            .and_then(|a| {
                a["subject_id"]
                    .as_str()
                    .and_then(|s| s.parse::<Uuid>().ok())
            })
            .unwrap_or(req.employee_id);
        let employee = employee::Entity::find_by_id(subject)
            .one(db)
            .await?
            .ok_or_else(|| not_found("employee"))?;
        let post = match step.position_id {
            Some(p) => position::Entity::find_by_id(p).one(db).await?,
            None => None,
        };
        let post_title = post
            .as_ref()
            .map_or_else(|| "Pejabat yang Berwenang".to_owned(), |p| p.title.clone());
        let chain = match &post {
            Some(p) => Access::unit_chain(db, p.unit_id).await?,
            None => Access::unit_chain(db, employee.unit_id).await?,
        };
        let office = chain
            .iter()
            .find(|u| u.level == "perangkat_daerah")
            .or_else(|| chain.iter().find(|u| u.level == "instansi"))
            .or(chain.first());
        let acting = match step.acting_assignment_id {
            Some(a) => acting_assignment::Entity::find_by_id(a)
                .one(db)
                .await?
                .map(|a| a.kind),
            None => None,
        };
        // Plt./Plh. for acting officials; a.n. when the PYBMC grants by the PPK's delegation.
        let mut lines = Vec::new();
        let ppk = Access::ppk_post(db, &chain, step.position_id).await?;
        if step.approver == Approver::Pybmc
            && ppk.is_some()
            && ppk != step.position_id
            && let Some(ppk) = position::Entity::find_by_id(ppk.unwrap_or_default())
                .one(db)
                .await?
        {
            lines.push(format!("a.n. {}", ppk.title));
        }
        lines.push(match acting {
            Some(ActingKind::Plt) => format!("Plt. {post_title}"),
            Some(ActingKind::Plh) => format!("Plh. {post_title}"),
            None => post_title.clone(),
        });

        let assessment: serde_json::Value =
            serde_json::from_str(&req.assessment).unwrap_or_default();
        let date = |k: &str| {
            assessment[k]
                .as_str()
                .and_then(|s| s.parse::<chrono::NaiveDate>().ok())
        };
        let length = match assessment["kind"].as_str() {
            Some("tahunan" | "bersama") => assessment["working_days"]
                .as_i64()
                .map(|d| format!("{d} hari kerja")),
            Some(_) => assessment["calendar_days"]
                .as_i64()
                .map(|d| format!("{d} hari kalender")),
            None => None,
        };
        let unit_name = org_unit::Entity::find_by_id(employee.unit_id)
            .one(db)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let position_title = match employee.position_id {
            Some(p) => position::Entity::find_by_id(p)
                .one(db)
                .await?
                .map(|p| p.title)
                .unwrap_or_default(),
            None => String::new(),
        };
        let rank = employee
            .rank_code
            .as_deref()
            .and_then(|r| RankCode::parse(r).ok())
            .map(|r| format!("{}, {}/{}", r.pangkat(), r.golongan(), r.ruang()))
            .unwrap_or_else(|| "-".into());
        let employee_kind = if employee.employment_type == "pppk" {
            "Pegawai Pemerintah dengan Perjanjian Kerja"
        } else {
            "Pegawai Negeri Sipil"
        };
        let form: abdi_proto::forms::FormValues =
            serde_json::from_str(&req.form).unwrap_or_default();
        let words = spec.letter.as_ref().map(|t| {
            t.fill(|name| match name {
                "name" => employee.full_name(),
                "nip" => employee.nip.clone(),
                "rank" => rank.clone(),
                "position" => position_title.clone(),
                "unit" => unit_name.clone(),
                "employee_kind" => employee_kind.to_owned(),
                "birth_date" => letter::tanggal(employee.birth_date),
                "tmt_cpns" => employee
                    .tmt_cpns
                    .map_or_else(|| "-".into(), letter::tanggal),
                "today" => letter::tanggal(today),
                other => match other.split_once('.') {
                    Some(("form", f)) => letter::form_words(&spec.form, &form, f),
                    Some(("assessment", k)) => match &assessment[k] {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(n) => n.to_string().replace('.', ","),
                        _ => "-".into(),
                    },
                    _ => String::new(),
                },
            })
        });
        let content = LetterContent {
            kind: kind_code.to_owned(),
            words,
            service: service.id.clone(),
            agency: self.config.agency.clone(),
            office: office.map(|u| u.name.clone()).unwrap_or_default(),
            address: self.config.address.clone(),
            place: self.config.place.clone(),
            employee: LetterPerson {
                name: employee.full_name(),
                nip: employee.nip.clone(),
                rank,
                position: position_title,
                unit: unit_name,
            },
            employee_kind: employee_kind.to_owned(),
            start: date("start"),
            end: date("end"),
            length,
            summary: assessment["summary"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            changed: outcome == Outcome::Perubahan,
            signer_name: signer.full_name(),
            signer_nip: signer.nip.clone(),
            signer_lines: lines.clone(),
            signer_post: post_title,
            certificate_authority: self.config.certificate_authority.clone(),
            tembusan: vec![
                "Kepala Badan Kepegawaian Daerah".into(),
                "Atasan langsung yang bersangkutan".into(),
                "Yang bersangkutan".into(),
            ],
        };
        let year = chrono::Datelike::year(&today);
        let seq = next_number(db, year).await?;
        let number = self
            .config
            .number_format
            .replace("{seq}", &format!("{seq:04}"))
            .replace("{unit}", office.map_or("", |u| u.code.as_str()))
            .replace("{year}", &year.to_string());
        let (title_id, title_en) = content.title();
        let id = Uuid::now_v7();
        document::Entity::insert(document::ActiveModel {
            id: Set(id),
            request_id: Set(req.id),
            kind: Set(kind_code.to_owned()),
            number: Set(number),
            title_id: Set(title_id),
            title_en: Set(title_en),
            issued_on: Set(today),
            status: Set(DocumentStatus::AwaitingSignature),
            signer_employee_id: Set(Some(signer.id)),
            signer_position_id: Set(step.position_id),
            signer_name: Set(signer.full_name()),
            signer_nip: Set(signer.nip.clone()),
            signer_capacity: Set(lines.join(" ")),
            content: Set(serde_json::to_string(&content).unwrap_or_default()),
            object_key: Set(None),
            sha256: Set(None),
            size: Set(None),
            signed_at: Set(None),
            signer_certificate_issuer: Set(None),
            signer_certificate_serial: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
        Ok(Some(id))
    }
}

/// The next letter number of the year, taken in the caller's transaction.
async fn next_number(db: &impl ConnectionTrait, year: i32) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO document_numbers (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last"
        }
        _ => {
            "INSERT INTO document_numbers (year, last) VALUES (?, 1) \
             ON CONFLICT (year) DO UPDATE SET last = document_numbers.last + 1 RETURNING last"
        }
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [year.into()]))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("document number".into()))?;
    row.try_get_by_index::<i32>(0).map(i64::from)
}

/// Whether `who` may see the request (and so its letters).
async fn can_view(
    db: &DatabaseConnection,
    who: &Principal,
    request_id: Uuid,
) -> Result<bool, DocumentError> {
    use crate::services::ServiceError;
    match crate::services::views::can_view(db, who, request_id).await {
        Ok(yes) => Ok(yes),
        Err(ServiceError::RequestNotFound) => Err(DocumentError::NotFound),
        Err(ServiceError::Database(e)) => Err(DocumentError::Database(e)),
        Err(ServiceError::Access(e)) => Err(DocumentError::Access(e)),
        Err(other) => Err(DocumentError::Corrupt(other.to_string())),
    }
}

/// Letters after the decision: typeset, signed, stored, shown and verified.
#[derive(Clone)]
pub struct Documents {
    db: DatabaseConnection,
    objects: Objects,
    clock: SharedClock,
    signer: Arc<dyn Signer>,
    trust: Arc<TrustStore>,
    pub letters: Letters,
    pub gate: VerifyGate,
}

/// What the public verifier may take: a few verifications per client address in a window
/// (counted in the session store, so across instances), and a few running at once here.
#[derive(Clone)]
pub struct VerifyGate {
    store: crate::store::shared::SharedStore,
    per_ip: u64,
    window: std::time::Duration,
    running: Arc<tokio::sync::Semaphore>,
}

/// Seconds a client is asked to wait when every verification slot is busy.
pub const VERIFY_BUSY_RETRY_SECS: u64 = 2;

impl VerifyGate {
    pub fn new(store: crate::store::shared::SharedStore, config: &DocumentsConfig) -> Self {
        Self {
            store,
            per_ip: config.verify_per_ip,
            window: std::time::Duration::from_secs(config.verify_window_secs),
            running: Arc::new(tokio::sync::Semaphore::new(config.verify_concurrency)),
        }
    }

    /// Verification slots free on this instance now.
    pub fn free(&self) -> usize {
        self.running.available_permits()
    }

    /// Lets one verification from `client` in, before its upload is read: counted against the
    /// address's window, then holding one of the slots until the permit is dropped.
    pub async fn admit(
        &self,
        client: &str,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, DocumentError> {
        let (count, left) = self
            .store
            .hit(&format!("rate:verify:{client}"), self.window)
            .await?;
        if count > self.per_ip {
            return Err(DocumentError::RateLimited(
                left.max(std::time::Duration::from_secs(1)),
            ));
        }
        self.running
            .clone()
            .try_acquire_owned()
            .map_err(|_| DocumentError::Busy)
    }
}

impl Documents {
    pub fn new(
        db: DatabaseConnection,
        objects: Objects,
        clock: SharedClock,
        (signer, trust): (Arc<dyn Signer>, TrustStore),
        letters: Letters,
        gate: VerifyGate,
    ) -> Self {
        Self {
            db,
            objects,
            clock,
            signer,
            trust: Arc::new(trust),
            letters,
            gate,
        }
    }

    pub fn verify_max_bytes(&self) -> usize {
        self.letters.config.verify_max_bytes
    }

    /// Signs a request's letter right after the decision when the signer needs no personal
    /// credential (the local signer). A failure leaves the letter waiting for a batch; the
    /// decision stands either way.
    pub async fn sign_after_decision(&self, request_id: Uuid) {
        if self.signer.needs_credential() {
            return;
        }
        let doc = document::Entity::find()
            .filter(document::Column::RequestId.eq(request_id))
            .filter(document::Column::Status.eq(DocumentStatus::AwaitingSignature))
            .one(&self.db)
            .await;
        match doc {
            Ok(Some(doc)) => {
                if let Err(e) = self.sign_documents(vec![doc], None).await {
                    tracing::warn!(%request_id, error = %e, "the letter stays waiting for a signature");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(%request_id, error = %e, "could not look up the letter"),
        }
    }

    /// Signs a batch of letters waiting for the caller, all or none. A fresh step-up comes
    /// first, before anything about the letters is told.
    pub async fn sign_batch(
        &self,
        actor: &Actor,
        batch: &SignBatch,
    ) -> Result<Vec<DocumentView>, DocumentError> {
        actor.require_step_up()?;
        let who = actor.principal().await?;
        if batch.documents.is_empty() || batch.documents.len() > 100 {
            return Err(DocumentError::BatchSize);
        }
        let docs = document::Entity::find()
            .filter(document::Column::Id.is_in(batch.documents.clone()))
            .all(&self.db)
            .await?;
        if docs.len() != batch.documents.len() {
            return Err(DocumentError::NotFound);
        }
        if docs.iter().any(|d| {
            d.signer_employee_id != Some(who.employee_id)
                || d.status != DocumentStatus::AwaitingSignature
        }) {
            return Err(DocumentError::NotSignable);
        }
        // Signed in a post the caller holds today: their own, or as Plt/Plh inside the
        // assignment's window (`who` is today's principal). One who left it signs nothing.
        if docs.iter().any(|d| {
            d.signer_position_id
                .is_some_and(|p| !who.posts.contains(&p))
        }) {
            return Err(DocumentError::PostNotHeld);
        }
        let credential = match (&batch.passphrase, &batch.totp) {
            (Some(p), _) => Some(Credential::Passphrase(Secret::new(p.clone()))),
            (None, Some(t)) => Some(Credential::Totp(Secret::new(t.clone()))),
            (None, None) => None,
        };
        self.sign_documents(docs, credential).await
    }

    async fn sign_documents(
        &self,
        docs: Vec<document::Model>,
        credential: Option<Credential>,
    ) -> Result<Vec<DocumentView>, DocumentError> {
        let Some(first) = docs.first() else {
            return Ok(Vec::new());
        };
        let signer = employee::Entity::find_by_id(first.signer_employee_id.unwrap_or_default())
            .one(&self.db)
            .await?
            .ok_or(DocumentError::NotSignable)?;
        let mut files = Vec::with_capacity(docs.len());
        for doc in &docs {
            files.push(self.render(doc)?);
        }
        let signed = self
            .signer
            .sign(SignJob {
                nik: signer.nik.clone(),
                credential,
                reason: "Keputusan atas permohonan layanan kepegawaian".into(),
                location: self.letters.config.place.clone(),
                files: files.clone(),
            })
            .await?;
        // Whatever signed them, only our letters, intact and trusted, are kept, each with the
        // certificate of the signature just added (the register's record of who signed).
        let trust = self.trust.clone();
        let now = self.clock.now();
        let (signed, certificates) = tokio::task::spawn_blocking(move || {
            let certificates: Option<Vec<CertificateRef>> = (signed.len() == files.len())
                .then(|| {
                    signed
                        .iter()
                        .zip(&files)
                        .map(|(out, sent)| {
                            let report = abdi_pades::verify(
                                out,
                                &trust,
                                abdi_pades::ValidationTime::Now(now),
                            );
                            let signer = report.signatures.last()?.signer.as_ref()?;
                            (out.starts_with(sent) && report.is_intact()).then(|| CertificateRef {
                                issuer: signer.issuer.clone(),
                                serial: signer.serial.clone(),
                            })
                        })
                        .collect()
                })
                .flatten();
            (signed, certificates)
        })
        .await
        .map_err(|e| SignError::Failed(e.to_string()))?;
        let Some(certificates) = certificates else {
            return Err(SignError::Failed(
                "the signer returned files that are not the letters, signed and trusted".into(),
            )
            .into());
        };
        let now = self.clock.now();
        let mut views = Vec::with_capacity(docs.len());
        for ((doc, pdf), certificate) in docs.into_iter().zip(signed).zip(certificates) {
            let key = format!(
                "documents/{}/{}-{}.pdf",
                doc.issued_on.format("%Y"),
                doc.id,
                Uuid::now_v7()
            );
            let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf));
            let size = pdf.len() as i64;
            self.objects.put_bytes(&key, Bytes::from(pdf)).await?;
            // Only a letter still waiting is marked: of two signers at once, one wins.
            let done = document::Entity::update_many()
                .col_expr(
                    document::Column::Status,
                    Expr::value(DocumentStatus::Signed),
                )
                .col_expr(document::Column::ObjectKey, Expr::value(key.clone()))
                .col_expr(document::Column::Sha256, Expr::value(sha.clone()))
                .col_expr(document::Column::Size, Expr::value(size))
                .col_expr(document::Column::SignedAt, Expr::value(now))
                .col_expr(
                    document::Column::SignerCertificateIssuer,
                    Expr::value(certificate.issuer.clone()),
                )
                .col_expr(
                    document::Column::SignerCertificateSerial,
                    Expr::value(certificate.serial.clone()),
                )
                .filter(document::Column::Id.eq(doc.id))
                .filter(document::Column::Status.eq(DocumentStatus::AwaitingSignature))
                .exec(&self.db)
                .await?;
            let signed = if done.rows_affected == 1 {
                document::Model {
                    status: DocumentStatus::Signed,
                    object_key: Some(key),
                    sha256: Some(sha),
                    size: Some(size),
                    signed_at: Some(now),
                    signer_certificate_issuer: Some(certificate.issuer),
                    signer_certificate_serial: Some(certificate.serial),
                    ..doc
                }
            } else {
                // The other signer's file is the letter; ours goes.
                self.objects.delete(&key).await?;
                document::Entity::find_by_id(doc.id)
                    .one(&self.db)
                    .await?
                    .ok_or(DocumentError::NotFound)?
            };
            views.push(self.view_of(&signed));
        }
        Ok(views)
    }

    /// Typesets a letter from what it says.
    pub fn render(&self, doc: &document::Model) -> Result<Vec<u8>, DocumentError> {
        let content: LetterContent = serde_json::from_str(&doc.content)
            .map_err(|e| DocumentError::Corrupt(e.to_string()))?;
        let letter = content.layout(&doc.number, doc.issued_on, &self.letters.verify_url(doc.id));
        Ok(render::render(&letter)?)
    }

    pub fn view_of(&self, doc: &document::Model) -> DocumentView {
        DocumentView {
            id: doc.id,
            request_id: doc.request_id,
            kind: doc.kind.clone(),
            number: doc.number.clone(),
            title: Text::new(&doc.title_id, &doc.title_en),
            issued_on: doc.issued_on,
            status: doc.status,
            signer_name: doc.signer_name.clone(),
            signer_nip: doc.signer_nip.clone(),
            signer_capacity: doc.signer_capacity.clone(),
            signed_at: doc.signed_at,
            sha256: doc.sha256.clone(),
            size: doc.size.and_then(|s| u64::try_from(s).ok()),
            verify_url: self.letters.verify_url(doc.id),
            signer_certificate: doc
                .signer_certificate_issuer
                .clone()
                .zip(doc.signer_certificate_serial.clone())
                .map(|(issuer, serial)| CertificateRef { issuer, serial }),
        }
    }

    /// A letter, for whoever may see its request.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<document::Model, DocumentError> {
        let who = actor.principal().await?;
        let doc = document::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(DocumentError::NotFound)?;
        if !can_view(&self.db, who, doc.request_id).await? {
            return Err(AccessError::Forbidden.into());
        }
        Ok(doc)
    }

    /// The letters of a request.
    pub async fn of_request(
        &self,
        actor: &Actor,
        request_id: Uuid,
    ) -> Result<Vec<DocumentView>, DocumentError> {
        let who = actor.principal().await?;
        if !can_view(&self.db, who, request_id).await? {
            return Err(AccessError::Forbidden.into());
        }
        Ok(document::Entity::find()
            .filter(document::Column::RequestId.eq(request_id))
            .all(&self.db)
            .await?
            .iter()
            .map(|d| self.view_of(d))
            .collect())
    }

    /// The letters of the caller's own requests, newest first (one query).
    pub async fn mine(&self, actor: &Actor) -> Result<Vec<DocumentView>, DocumentError> {
        let own = sea_orm::sea_query::Query::select()
            .column(service_request::Column::Id)
            .from(service_request::Entity)
            .and_where(service_request::Column::EmployeeId.eq(actor.employee_id))
            .to_owned();
        Ok(document::Entity::find()
            .filter(document::Column::RequestId.in_subquery(own))
            .order_by_desc(document::Column::CreatedAt)
            .all(&self.db)
            .await?
            .iter()
            .map(|d| self.view_of(d))
            .collect())
    }

    /// Letters waiting for the caller's signature, oldest first.
    pub async fn awaiting(&self, actor: &Actor) -> Result<Vec<DocumentView>, DocumentError> {
        Ok(document::Entity::find()
            .filter(document::Column::SignerEmployeeId.eq(actor.employee_id))
            .filter(document::Column::Status.eq(DocumentStatus::AwaitingSignature))
            .order_by_asc(document::Column::CreatedAt)
            .all(&self.db)
            .await?
            .iter()
            .map(|d| self.view_of(d))
            .collect())
    }

    /// The signed PDF.
    pub async fn pdf(&self, doc: &document::Model) -> Result<Bytes, DocumentError> {
        let key = doc.object_key.as_deref().ok_or(DocumentError::NotFound)?;
        Ok(self.objects.get_bytes(key).await?)
    }

    /// What the public may see from the QR code.
    pub async fn public(&self, id: Uuid) -> Result<PublicDocument, DocumentError> {
        let doc = document::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(DocumentError::NotFound)?;
        let status = doc.status;
        Ok(PublicDocument {
            id: doc.id,
            number: doc.number,
            title: Text::new(doc.title_id, doc.title_en),
            issued_on: doc.issued_on,
            signer_name: doc.signer_name,
            signer_capacity: doc.signer_capacity,
            status,
            signed_at: doc.signed_at,
            sha256: doc.sha256,
            message: match status {
                DocumentStatus::Signed => Text::new(
                    "Dokumen ini diterbitkan dan ditandatangani secara elektronik melalui Abdi. Bandingkan sidik SHA-256 dengan berkas Anda, atau unggah berkasnya untuk diperiksa.",
                    "This document was issued and electronically signed through Abdi. Compare the SHA-256 fingerprint with your file, or upload the file to have it checked.",
                ),
                DocumentStatus::AwaitingSignature => Text::new(
                    "Dokumen ini sudah diterbitkan tetapi belum ditandatangani.",
                    "This document was issued but is not signed yet.",
                ),
            },
        })
    }

    /// The signed letter whose file has this SHA-256 (hex), if Abdi issued one.
    pub async fn issued(&self, sha256: &str) -> Result<Option<IssuedLetter>, DocumentError> {
        let sha256 = sha256.to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let doc = document::Entity::find()
            .filter(document::Column::Sha256.eq(sha256))
            .filter(document::Column::Status.eq(DocumentStatus::Signed))
            .one(&self.db)
            .await?;
        Ok(doc.and_then(|d| IssuedLetter::of(&self.view_of(&d))))
    }

    /// Verifies an uploaded PDF: its signatures against the trusted roots, and the file
    /// against the register of letters Abdi issued. A letter Abdi issued has its certificates
    /// judged at the time Abdi recorded its signature; any other file at the time of the
    /// verification; never at a time the signer claims.
    pub async fn verify(&self, file: Bytes) -> Result<VerificationReport, DocumentError> {
        let limit = self.verify_max_bytes();
        if file.len() > limit {
            return Err(DocumentError::TooLarge(limit));
        }
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&file));
        let letter = self.issued(&sha256).await?;
        let at = match &letter {
            Some(l) => abdi_pades::ValidationTime::Issued(l.signed_at),
            None => abdi_pades::ValidationTime::Now(self.clock.now()),
        };
        let trust = self.trust.clone();
        let report = tokio::task::spawn_blocking(move || abdi_pades::verify(&file, &trust, at))
            .await
            .map_err(|e| DocumentError::Corrupt(e.to_string()))?;
        Ok(report.against_register(letter))
    }

    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }
}

impl From<crate::documents::DocumentError> for ApiError {
    fn from(e: crate::documents::DocumentError) -> Self {
        use crate::documents::DocumentError as D;
        use crate::documents::signer::SignError as S;
        match e {
            D::NotFound => ApiError::new(ErrorCode::DocumentNotFound),
            D::NotSignable => ApiError::new(ErrorCode::DocumentNotSignable),
            D::PostNotHeld => ApiError::with_detail(
                ErrorCode::DocumentNotSignable,
                "Anda tidak lagi memegang jabatan (definitif, Plt atau Plh) yang menandatangani surat ini.",
                "You no longer hold the post (definitive, Plt or Plh) this letter is signed in.",
            ),
            D::BatchSize => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Satu kali tanda tangan memuat 1 sampai 100 dokumen.",
                "A batch holds 1 to 100 documents.",
            ),
            D::TooLarge(limit) => ApiError::with_detail(
                ErrorCode::PayloadTooLarge,
                format!("Berkas paling besar {} MB.", limit / (1024 * 1024)),
                format!("Files may be at most {} MB.", limit / (1024 * 1024)),
            ),
            D::Upload(why) => ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("Unggahan terputus: {why}"),
                format!("The upload broke off: {why}"),
            ),
            D::RateLimited(wait) => {
                let secs = wait.as_secs().max(1);
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::RateLimited,
                        format!(
                            "Terlalu banyak pemeriksaan dari alamat ini; coba lagi dalam {secs} detik."
                        ),
                        format!(
                            "Too many verifications from this address; try again in {secs} seconds."
                        ),
                    )
                }
            }
            D::Busy => {
                let secs = crate::documents::VERIFY_BUSY_RETRY_SECS;
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::Unavailable,
                        format!("Pemeriksa dokumen sedang penuh; coba lagi dalam {secs} detik."),
                        format!("The document checker is busy; try again in {secs} seconds."),
                    )
                }
            }
            D::Store(e) => e.into(),
            D::Sign(S::CredentialRequired) => ApiError::new(ErrorCode::SigningCredentialRequired),
            D::Sign(S::Credential(why)) => ApiError::with_detail(
                ErrorCode::SigningRejected,
                format!("Jawaban layanan tanda tangan: {why}"),
                format!("The signing service said: {why}"),
            ),
            D::Sign(e @ (S::Unavailable(_) | S::Failed(_))) => {
                tracing::warn!(error = %e, "signing failed");
                ApiError::new(ErrorCode::SigningUnavailable)
            }
            D::Render(e) => {
                tracing::error!(error = %e, "a letter could not be typeset");
                ApiError::new(ErrorCode::Internal)
            }
            D::Corrupt(e) => {
                tracing::error!(error = %e, "a stored letter is unreadable");
                ApiError::new(ErrorCode::Internal)
            }
            D::Objects(e) => e.into(),
            D::Access(e) => e.into(),
            D::Database(e) => crate::store::db::problem(&e),
        }
    }
}

/// Letters act on decisions: a request granted by its final decision gets its numbered letter
/// in the decision's transaction, and once it committed the letter is signed at once where the
/// signer needs no personal credential.
#[async_trait::async_trait]
impl crate::services::events::Subscriber for Documents {
    async fn on_event(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        event: &crate::services::events::RequestEvent,
    ) -> Result<(), crate::services::ServiceError> {
        let Some(outcome) = event.decided else {
            return Ok(());
        };
        self.letters
            .issue(txn, event.request_id, outcome, event.at, event.today)
            .await?;
        Ok(())
    }

    async fn committed(&self, event: &crate::services::events::RequestEvent) {
        if event.decided.is_some() {
            self.sign_after_decision(event.request_id).await;
        }
    }
}
