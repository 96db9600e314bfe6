//! The employee's own record (Pergub Jatim 73/2020 Pasal 16) and its Daftar Riwayat Hidup,
//! kept on the phone so the profile screen shows them offline. Each is replaced whole when a
//! fresh copy arrives, and stays as it was when the network is gone. Logging out removes both:
//! they hold the NIK, the family and the addresses.

use abdi_proto::record::EmployeeRecord;

use crate::http::Call;
use crate::{Client, CoreError};

const RECORD_FILE: &str = "cache/record.json";
const DRH_FILE: &str = "cache/record-drh.pdf";

impl Client {
    /// The employee's record from the server, kept for offline use.
    pub async fn my_record(&self) -> Result<EmployeeRecord, CoreError> {
        let record: EmployeeRecord = self.authed(Call::get("/api/v1/me/record")).await?;
        self.data.write_json(RECORD_FILE, &record).await?;
        Ok(record)
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

    /// Removes the record and its DRH from the phone (at logout).
    pub(crate) async fn forget_record(&self) -> Result<(), CoreError> {
        self.data.remove(RECORD_FILE).await?;
        self.data.remove(DRH_FILE).await
    }
}
