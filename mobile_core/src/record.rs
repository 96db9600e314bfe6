//! The employee's own record (Pergub Jatim 73/2020 Pasal 16) and its Daftar Riwayat Hidup,
//! kept on the phone so the profile screen shows them offline. Each is replaced whole when a
//! fresh copy arrives, and stays as it was when the network is gone. Logging out removes both:
//! they hold the NIK, the family and the addresses.
//!
//! The archive of verified documents is kept beside them, so the record's completeness is
//! worked out offline by the same rules the server applies, and a service's document fields
//! are filled from it.

use abdi_proto::completeness::{Completeness, RecordFacts};
use abdi_proto::record::EmployeeRecord;
use abdi_proto::sharing::MyDataAccessPage;
use abdi_proto::updates::{ArchiveDocument, ProposalPage};

use crate::http::Call;
use crate::{Client, CoreError};

const RECORD_FILE: &str = "cache/record.json";
const DRH_FILE: &str = "cache/record-drh.pdf";
const ARCHIVE_FILE: &str = "cache/archive.json";
const PROPOSALS_FILE: &str = "cache/proposals.json";

impl Client {
    /// The employee's record from the server, kept for offline use.
    pub async fn my_record(&self) -> Result<EmployeeRecord, CoreError> {
        let record: EmployeeRecord = self.authed(Call::get("/api/v1/me/record")).await?;
        self.data.write_json(RECORD_FILE, &record).await?;
        Ok(record)
    }

    /// Which other government systems read the employee's data, and when, newest first (UU
    /// 27/2022 Pasal 32); `after` is the `next` of the previous page. Not kept offline: it is
    /// the trail as it is now.
    pub async fn my_data_access(&self, after: Option<i64>) -> Result<MyDataAccessPage, CoreError> {
        let path = match after {
            Some(after) => format!("/api/v1/me/data-access?after={after}"),
            None => "/api/v1/me/data-access".to_owned(),
        };
        self.authed(Call::get(path)).await
    }

    /// The record as last fetched, without a network.
    pub async fn cached_record(&self) -> Result<EmployeeRecord, CoreError> {
        self.data
            .read_json(RECORD_FILE)
            .await?
            .ok_or_else(|| CoreError::NotCached("record".into()))
    }

    /// The record's Daftar Riwayat Hidup (PDF) from the server, kept for offline use.
    pub async fn my_record_pdf(&self) -> Result<Vec<u8>, CoreError> {
        let pdf = self
            .authed_bytes(Call::get("/api/v1/me/record/pdf"))
            .await?;
        if !pdf.starts_with(b"%PDF-") {
            return Err(CoreError::Corrupt("the DRH is not a PDF".into()));
        }
        self.data.write(DRH_FILE, pdf.clone()).await?;
        Ok(pdf)
    }

    /// The DRH as last fetched, without a network.
    pub async fn cached_record_pdf(&self) -> Result<Vec<u8>, CoreError> {
        self.data
            .read(DRH_FILE)
            .await?
            .ok_or_else(|| CoreError::NotCached("DRH".into()))
    }

    /// The employee's archive of verified documents, kept for offline use.
    pub async fn my_archive(&self) -> Result<Vec<ArchiveDocument>, CoreError> {
        let archive: Vec<ArchiveDocument> = self.authed(Call::get("/api/v1/me/archive")).await?;
        self.data.write_json(ARCHIVE_FILE, &archive).await?;
        Ok(archive)
    }

    /// The archive as last fetched (empty if never fetched).
    pub async fn cached_archive(&self) -> Result<Vec<ArchiveDocument>, CoreError> {
        Ok(self.data.read_json(ARCHIVE_FILE).await?.unwrap_or_default())
    }

    /// How complete the record is, worked out on the phone from the cached record and archive.
    pub async fn completeness(&self) -> Result<Completeness, CoreError> {
        let record = self.cached_record().await?;
        let archive = self.cached_archive().await?;
        Ok(RecordFacts::of(&record, archive.iter().map(|d| d.kind)).completeness())
    }

    /// The employee's proposals to change their record (newest first), kept for offline use.
    pub async fn my_proposals(&self) -> Result<ProposalPage, CoreError> {
        let page: ProposalPage = self.authed(Call::get("/api/v1/me/proposals")).await?;
        self.data.write_json(PROPOSALS_FILE, &page).await?;
        Ok(page)
    }

    /// The proposals as last fetched.
    pub async fn cached_proposals(&self) -> Result<ProposalPage, CoreError> {
        self.data
            .read_json(PROPOSALS_FILE)
            .await?
            .ok_or_else(|| CoreError::NotCached("proposals".into()))
    }

    /// Removes the record, its DRH, the archive and the proposals from the phone (at logout).
    pub(crate) async fn forget_record(&self) -> Result<(), CoreError> {
        for f in [RECORD_FILE, DRH_FILE, ARCHIVE_FILE, PROPOSALS_FILE] {
            self.data.remove(f).await?;
        }
        Ok(())
    }
}
