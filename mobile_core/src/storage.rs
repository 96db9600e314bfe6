//! Where the core keeps things on the phone.
//!
//! - Secrets (the session token, a login in progress) go only to [`SecureStore`], which the app
//!   implements with the Android Keystore or the iOS Keychain. They are never written to files.
//! - Everything else (cached reference data, form schemas, my requests, the offline queue,
//!   verified letters) goes to [`DataDir`], a folder in the app's private storage, one file per
//!   item, each replaced atomically (write, fsync, rename), so a crash or a dead battery leaves
//!   the old version or the new one, never half of one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::CoreError;
use crate::error::{corrupt, storage};

/// Secure storage, implemented by the app with Keychain / Keystore.
#[async_trait::async_trait]
pub trait SecureStore: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<String>, CoreError>;
    async fn set(&self, key: &str, value: &str) -> Result<(), CoreError>;
    async fn delete(&self, key: &str) -> Result<(), CoreError>;
}

/// Secure storage in memory, for tests and for a session that must not outlive the process.
#[derive(Debug, Default)]
pub struct MemorySecureStore {
    items: Mutex<HashMap<String, String>>,
}

impl MemorySecureStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn items(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, CoreError> {
        self.items
            .lock()
            .map_err(|_| CoreError::Storage("secure store poisoned".into()))
    }

    /// Every key held, for tests that check what was stored.
    pub fn keys(&self) -> Vec<String> {
        self.items()
            .map(|i| i.keys().cloned().collect())
            .unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl SecureStore for MemorySecureStore {
    async fn get(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok(self.items()?.get(key).cloned())
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), CoreError> {
        self.items()?.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CoreError> {
        self.items()?.remove(key);
        Ok(())
    }
}

/// The app's private folder for everything that is not a secret.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Replaces `rel` with `bytes` atomically and durably.
    pub(crate) async fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<(), CoreError> {
        let path = self.path(rel);
        tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
            .await
            .map_err(storage)?
    }

    pub(crate) async fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, CoreError> {
        match tokio::fs::read(self.path(rel)).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage(e)),
        }
    }

    pub(crate) async fn write_json(
        &self,
        rel: &str,
        value: &impl Serialize,
    ) -> Result<(), CoreError> {
        self.write(rel, serde_json::to_vec(value).map_err(storage)?)
            .await
    }

    pub(crate) async fn read_json<T: DeserializeOwned>(
        &self,
        rel: &str,
    ) -> Result<Option<T>, CoreError> {
        match self.read(rel).await? {
            Some(b) => serde_json::from_slice(&b).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    pub(crate) async fn remove(&self, rel: &str) -> Result<(), CoreError> {
        let path = self.path(rel);
        let r = if path.is_dir() {
            tokio::fs::remove_dir_all(&path).await
        } else {
            tokio::fs::remove_file(&path).await
        };
        match r {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(storage(e)),
        }
    }

    /// File names directly in folder `rel`, sorted.
    pub(crate) async fn list(&self, rel: &str) -> Result<Vec<String>, CoreError> {
        let mut names = Vec::new();
        let mut dir = match tokio::fs::read_dir(self.path(rel)).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(e) => return Err(storage(e)),
        };
        while let Some(entry) = dir.next_entry().await.map_err(storage)? {
            if let Some(name) = entry.file_name().to_str()
                && !name.starts_with('.')
            {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| CoreError::Storage(format!("no folder for {}", path.display())))?;
    std::fs::create_dir_all(dir).map_err(storage)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CoreError::Storage(format!("bad file name {}", path.display())))?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(storage)?;
    f.write_all(bytes).map_err(storage)?;
    f.sync_all().map_err(storage)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(storage)?;
    // The rename itself is durable once the folder is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_replaced_whole_and_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        assert_eq!(data.read("a/b.json").await.unwrap(), None);
        data.write_json("a/b.json", &vec![1, 2]).await.unwrap();
        data.write_json("a/b.json", &vec![3]).await.unwrap();
        assert_eq!(
            data.read_json::<Vec<i32>>("a/b.json").await.unwrap(),
            Some(vec![3])
        );
        assert_eq!(data.list("a").await.unwrap(), vec!["b.json"]);
        data.write("a/c.json", b"{".to_vec()).await.unwrap();
        assert!(matches!(
            data.read_json::<Vec<i32>>("a/c.json").await,
            Err(CoreError::Corrupt(_))
        ));
        data.remove("a").await.unwrap();
        assert!(data.list("a").await.unwrap().is_empty());
    }
}
