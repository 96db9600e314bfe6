//! The object store for attachments and documents: a local folder by default, any
//! S3-compatible store by configuration, behind `object_store`'s one interface. Uploads stream
//! through: the body is never held whole in memory, its type is checked from its first bytes,
//! its size is limited while it arrives, and its SHA-256 is computed on the way.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::config::{StorageBackend, StorageConfig};

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("cannot create the storage folder {path}: {reason}")]
    Folder { path: String, reason: String },
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the upload is empty")]
    Empty,
    #[error("the upload is not a PDF, JPEG or PNG")]
    UnknownType,
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error("object not found")]
    NotFound,
}

/// What a stored upload turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub key: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
}

#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    max_upload: u64,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Objects({})", self.store)
    }
}

/// The content type from a file's first bytes (its magic number), never from what the client
/// claims.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Bytes needed to recognise every accepted type.
const SNIFF_LEN: usize = 8;

impl Objects {
    pub fn from_config(config: &StorageConfig) -> Result<Self, ObjectError> {
        let store: Arc<dyn ObjectStore> = match config.backend {
            StorageBackend::Local => {
                std::fs::create_dir_all(&config.path).map_err(|e| ObjectError::Folder {
                    path: config.path.display().to_string(),
                    reason: e.to_string(),
                })?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(
                    &config.path,
                )?)
            }
            StorageBackend::S3 => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&config.s3_bucket)
                    .with_region(&config.s3_region)
                    .with_access_key_id(&config.s3_access_key_id)
                    .with_allow_http(config.s3_allow_http);
                if !config.s3_endpoint.is_empty() {
                    builder = builder
                        .with_endpoint(&config.s3_endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(secret) = &config.s3_secret_access_key {
                    builder = builder.with_secret_access_key(secret.expose());
                }
                Arc::new(builder.build()?)
            }
        };
        Ok(Self {
            store,
            max_upload: config.max_upload_bytes,
        })
    }

    /// Streams `body` to `key`. Refuses (and leaves nothing behind) an empty body, one over the
    /// limit, or one that is not a PDF, JPEG or PNG.
    pub async fn put_stream<S, E>(&self, key: &str, body: S) -> Result<Stored, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let path = Path::from(key);
        let mut body = body;
        // Read until the type can be told.
        let mut head = Vec::with_capacity(SNIFF_LEN);
        let mut pending: Vec<Bytes> = Vec::new();
        while head.len() < SNIFF_LEN {
            match body.next().await {
                Some(chunk) => {
                    let chunk = chunk.map_err(|e| ObjectError::Body(e.to_string()))?;
                    let take = (SNIFF_LEN - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                    pending.push(chunk);
                }
                None => break,
            }
        }
        if head.is_empty() {
            return Err(ObjectError::Empty);
        }
        let content_type = sniff(&head).ok_or(ObjectError::UnknownType)?;

        let upload = self.store.put_multipart(&path).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let result: Result<(), ObjectError> = async {
            let mut write = |chunk: &Bytes| -> Result<(), ObjectError> {
                size += chunk.len() as u64;
                if size > self.max_upload {
                    return Err(ObjectError::TooLarge {
                        limit: self.max_upload,
                    });
                }
                hasher.update(chunk);
                writer.write(chunk);
                Ok(())
            };
            for chunk in &pending {
                write(chunk)?;
            }
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| ObjectError::Body(e.to_string()))?;
                write(&chunk)?;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                writer.finish().await?;
                Ok(Stored {
                    key: key.to_owned(),
                    content_type,
                    size,
                    sha256: hex::encode(hasher.finalize()),
                })
            }
            Err(e) => {
                // Nothing half-written stays behind.
                let _ = writer.abort().await;
                Err(e)
            }
        }
    }

    /// Stores a file the server made itself (a signed letter): whole, in one call.
    pub async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<(), ObjectError> {
        self.store
            .put(
                &Path::from(key),
                object_store::PutPayload::from_bytes(bytes),
            )
            .await?;
        Ok(())
    }

    /// The whole object in memory (letters are small).
    pub async fn get_bytes(&self, key: &str) -> Result<Bytes, ObjectError> {
        match self.store.get(&Path::from(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(ObjectError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The object as a stream of chunks.
    pub async fn get(
        &self,
        key: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, object_store::Error>> + use<>, ObjectError> {
        match self.store.get(&Path::from(key)).await {
            Ok(r) => Ok(r.into_stream()),
            Err(object_store::Error::NotFound { .. }) => Err(ObjectError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl From<ObjectError> for crate::error::ApiError {
    fn from(e: ObjectError) -> Self {
        use crate::error::ApiError;
        use abdi_proto::ErrorCode;
        match e {
            ObjectError::TooLarge { limit } => ApiError::with_detail(
                ErrorCode::PayloadTooLarge,
                format!("Berkas paling besar {} MB.", limit / (1024 * 1024)),
                format!("Files may be at most {} MB.", limit / (1024 * 1024)),
            ),
            ObjectError::Empty => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Berkas kosong.",
                "The file is empty.",
            ),
            ObjectError::Body(why) => ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("Unggahan terputus: {why}"),
                format!("The upload broke off: {why}"),
            ),
            ObjectError::UnknownType => ApiError::new(ErrorCode::AttachmentType),
            ObjectError::NotFound => ApiError::new(ErrorCode::AttachmentNotFound),
            other @ (ObjectError::Store(_) | ObjectError::Folder { .. }) => {
                tracing::warn!(error = %other, "object store unavailable");
                ApiError::new(ErrorCode::StorageUnavailable)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            Some("image/png")
        );
        assert_eq!(sniff(b"MZ\x90\x00"), None);
        assert_eq!(sniff(b"<html>"), None);
    }
}
