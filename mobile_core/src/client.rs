//! The client handle the app holds: one per signed-in phone. It keeps the session token in
//! secure storage only, and everything else in the app's folder.

use std::path::PathBuf;
use std::sync::Arc;

use abdi_proto::ErrorCode;
use abdi_proto::identity::{
    ActivationAccepted, ActivationRequest, DeviceInfo, Profile, RedeemRequest, SessionGranted,
    SessionInfo,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, RwLock};

use crate::clock::{SharedClock, SystemClock};
use crate::http::{Call, ClientConfig, Http};
use crate::storage::{DataDir, SecureStore};
use crate::{CoreError, PinnedRoots};

/// The secure-storage key of the session token.
pub const SESSION_KEY: &str = "abdi.session";

pub struct Client {
    pub(crate) http: Http,
    pub(crate) config: ClientConfig,
    pub(crate) secure: Arc<dyn SecureStore>,
    pub(crate) data: DataDir,
    pub(crate) roots: Option<PinnedRoots>,
    /// Where the client reads the time (a letter verified "now", a submission's `queued_at`).
    pub(crate) clock: SharedClock,
    /// The token as read from secure storage, so each call does not ask the Keystore.
    token: RwLock<Option<String>>,
    /// One flush of the offline queue at a time.
    pub(crate) flushing: Mutex<()>,
}

impl Client {
    /// A client for `config.base_url`, keeping secrets in `secure` and files under `data_dir`.
    /// `roots` are the certificate authorities a signed letter must chain to.
    pub fn new(
        config: ClientConfig,
        secure: Arc<dyn SecureStore>,
        data_dir: impl Into<PathBuf>,
        roots: Option<PinnedRoots>,
    ) -> Result<Self, CoreError> {
        Self::with_clock(config, secure, data_dir, roots, SystemClock::shared())
    }

    /// [`Client::new`], reading the time from `clock` instead of the wall clock.
    pub fn with_clock(
        config: ClientConfig,
        secure: Arc<dyn SecureStore>,
        data_dir: impl Into<PathBuf>,
        roots: Option<PinnedRoots>,
        clock: SharedClock,
    ) -> Result<Self, CoreError> {
        Ok(Client {
            http: Http::new(&config)?,
            config,
            secure,
            data: DataDir::new(data_dir),
            roots,
            clock,
            token: RwLock::new(None),
            flushing: Mutex::new(()),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data
    }

    /// The clock the client reads the time from.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }

    /// The device as the server's session list shows it.
    pub fn device(&self) -> DeviceInfo {
        DeviceInfo {
            device_name: self.config.device_name.clone(),
            platform: self.config.platform.clone(),
        }
    }

    /// Whether a session token is stored (it may still have ended on the server).
    pub async fn has_session(&self) -> Result<bool, CoreError> {
        Ok(self.token().await.is_ok())
    }

    pub(crate) async fn token(&self) -> Result<String, CoreError> {
        if let Some(t) = self.token.read().await.clone() {
            return Ok(t);
        }
        let stored = self.secure.get(SESSION_KEY).await?;
        let token = stored.ok_or(CoreError::NotLoggedIn)?;
        *self.token.write().await = Some(token.clone());
        Ok(token)
    }

    /// Keeps a new session's token in secure storage (only there).
    pub(crate) async fn keep_session(
        &self,
        granted: SessionGranted,
    ) -> Result<SessionInfo, CoreError> {
        // The app's platform is android or ios, for which the server always sends the token.
        let token = granted
            .token
            .ok_or_else(|| CoreError::Protocol("the session came without its token".into()))?;
        self.secure.set(SESSION_KEY, &token).await?;
        *self.token.write().await = Some(token);
        Ok(granted.session)
    }

    pub(crate) async fn forget_session(&self) -> Result<(), CoreError> {
        *self.token.write().await = None;
        self.secure.delete(SESSION_KEY).await
    }

    /// Sends `call` with the session token. A session the server no longer knows is forgotten
    /// here too, so the app shows the login screen.
    pub(crate) async fn authed<T: DeserializeOwned>(&self, mut call: Call) -> Result<T, CoreError> {
        call.token = Some(self.token().await?);
        let r = self.http.json(call).await;
        self.after(r).await
    }

    pub(crate) async fn authed_bytes(&self, mut call: Call) -> Result<Vec<u8>, CoreError> {
        call.token = Some(self.token().await?);
        let r = self.http.bytes(call).await;
        self.after(r).await
    }

    pub(crate) async fn authed_empty(&self, mut call: Call) -> Result<(), CoreError> {
        call.token = Some(self.token().await?);
        let r = self.http.empty(call).await;
        self.after(r).await
    }

    async fn after<T>(&self, r: Result<T, CoreError>) -> Result<T, CoreError> {
        if let Err(CoreError::Api {
            code: ErrorCode::Unauthenticated,
            ..
        }) = &r
        {
            self.forget_session().await?;
        }
        r
    }

    /// Asks for an activation link by email. The answer is the same whether or not the NIP and
    /// email matched, so it tells nobody who works where.
    pub async fn request_activation(
        &self,
        nip: &str,
        email: &str,
        phone: &str,
    ) -> Result<ActivationAccepted, CoreError> {
        crate::check_nip(nip)?;
        let body = ActivationRequest {
            nip: nip.to_owned(),
            email: email.trim().to_owned(),
            phone: phone.to_owned(),
        };
        self.http
            .json(Call::post("/api/v1/activation", &body)?)
            .await
    }

    /// Opens a session from the emailed activation link (the whole link as the app received it
    /// through the deep link, or only its token).
    pub async fn redeem_activation(&self, link_or_token: &str) -> Result<SessionInfo, CoreError> {
        let token = activation_token(link_or_token)?;
        let body = RedeemRequest {
            token,
            device: self.device(),
        };
        let granted: SessionGranted = self
            .http
            .json(Call::post("/api/v1/activation/redeem", &body)?)
            .await?;
        self.keep_session(granted).await
    }

    /// The employee's own record; cached for the profile screen offline.
    pub async fn me(&self) -> Result<Profile, CoreError> {
        let profile: Profile = self.authed(Call::get("/api/v1/me")).await?;
        self.data.write_json("cache/me.json", &profile).await?;
        Ok(profile)
    }

    /// Ends the session on the server and forgets it here, with the record kept for offline
    /// use. Offline, it is forgotten here anyway (the server lets it expire), and the queue
    /// stays for the next login.
    pub async fn logout(&self) -> Result<(), CoreError> {
        let r = self
            .authed_empty(Call::bare(Method::POST, "/api/v1/auth/logout"))
            .await;
        self.forget_session().await?;
        self.forget_record().await?;
        match r {
            Ok(()) | Err(CoreError::NotLoggedIn) => Ok(()),
            Err(e) if e.is_transient() => Ok(()),
            Err(CoreError::Api {
                code: ErrorCode::Unauthenticated,
                ..
            }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The token of an activation link `https://…/activate?token=…`, or the token itself.
fn activation_token(input: &str) -> Result<String, CoreError> {
    let input = input.trim();
    if let Ok(url) = url::Url::parse(input) {
        return url
            .query_pairs()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.into_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CoreError::Api {
                code: ErrorCode::ActivationInvalid,
                status: 400,
                detail: "link without a token".into(),
                items: Vec::new(),
            });
    }
    Ok(input.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_comes_out_of_the_link() {
        assert_eq!(
            activation_token("https://abdi.test/activate?token=abc-123").unwrap(),
            "abc-123"
        );
        assert_eq!(activation_token(" abc-123 ").unwrap(), "abc-123");
        assert_eq!(
            activation_token("https://abdi.test/activate")
                .unwrap_err()
                .code(),
            "activation_invalid"
        );
    }
}
