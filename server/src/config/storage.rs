//! `[storage]`: where attachments and documents are kept.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageBackend {
    /// A folder on this machine (the embedded default; one instance).
    Local,
    /// An S3-compatible object store, shared by every instance.
    S3,
}

/// Where attachments and documents are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub backend: StorageBackend,
    /// The folder for `backend = "local"` (created if missing).
    pub path: PathBuf,
    /// Largest accepted upload; larger ones are refused while they stream in.
    pub max_upload_bytes: u64,
    /// Files one employee may have uploaded but not yet sent with a request.
    pub pending_uploads_per_employee: u32,
    /// A file never sent with a request is removed this long after its upload.
    pub pending_upload_ttl_hours: u32,
    pub s3_bucket: String,
    /// e.g. `https://s3.ap-southeast-3.amazonaws.com` or a MinIO address.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: Option<Secret>,
    /// Allow plain `http://` endpoints (a local MinIO).
    pub s3_allow_http: bool,
}
