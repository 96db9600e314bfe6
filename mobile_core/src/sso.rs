//! SSO through the system browser: Authorization Code with PKCE (S256), state and nonce.
//!
//! The app opens [`SsoStart::authorization_url`] in the system browser (Custom Tabs,
//! ASWebAuthenticationSession) and hands the redirect it gets back to [`Client::finish_sso`].
//! The login in progress (verifier, state, nonce) waits in secure storage, so it survives
//! Android killing the app while the browser is in front.

use abdi_proto::identity::{SessionGranted, SessionInfo, SsoLogin, SsoProvider, SsoProviders};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::Call;
use crate::{Client, CoreError};

/// The secure-storage key of the login in progress.
pub const SSO_PENDING_KEY: &str = "abdi.sso.pending";

/// What the app opens in the system browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoStart {
    pub provider: String,
    pub authorization_url: String,
    /// The redirect the browser will come back to (the app's claimed scheme or link).
    pub redirect_uri: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    provider: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    verifier: String,
}

#[derive(Deserialize)]
struct Discovery {
    authorization_endpoint: String,
}

fn random_b64(n: usize) -> Result<String, CoreError> {
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw).map_err(|e| CoreError::Storage(format!("randomness: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Client {
    /// The providers the server accepts logins from.
    pub async fn sso_providers(&self) -> Result<Vec<SsoProvider>, CoreError> {
        let list: SsoProviders = self.http.json(Call::get("/api/v1/auth/sso")).await?;
        Ok(list.providers)
    }

    /// Starts a login with `provider`: a fresh verifier, state and nonce, kept in secure storage
    /// (replacing any login left unfinished), and the URL to open in the browser.
    pub async fn start_sso(&self, provider: &str) -> Result<SsoStart, CoreError> {
        let p = self
            .sso_providers()
            .await?
            .into_iter()
            .find(|p| p.name == provider)
            .ok_or(CoreError::Api {
                code: abdi_proto::ErrorCode::SsoProviderNotFound,
                status: 404,
                detail: provider.to_owned(),
                items: Vec::new(),
            })?;
        let discovery: Discovery = self
            .http
            .json(Call::get(format!(
                "{}/.well-known/openid-configuration",
                p.issuer.trim_end_matches('/')
            )))
            .await?;
        let pending = Pending {
            provider: p.name.clone(),
            redirect_uri: p.redirect_uri.clone(),
            state: random_b64(16)?,
            nonce: random_b64(16)?,
            verifier: random_b64(32)?,
        };
        let mut url = url::Url::parse(&discovery.authorization_endpoint)
            .map_err(|e| CoreError::Protocol(format!("authorization_endpoint: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", &p.redirect_uri)
            .append_pair("scope", &p.scopes.join(" "))
            .append_pair("state", &pending.state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &pkce_challenge(&pending.verifier))
            .append_pair("code_challenge_method", "S256");
        let json = serde_json::to_string(&pending).map_err(crate::error::storage)?;
        self.secure.set(SSO_PENDING_KEY, &json).await?;
        Ok(SsoStart {
            provider: p.name,
            authorization_url: url.into(),
            redirect_uri: p.redirect_uri,
        })
    }

    /// Finishes the login with the redirect the browser came back with: checks it is the app's
    /// redirect and carries this login's state, hands the code to the server, keeps the session.
    ///
    /// A redirect with a wrong state is refused and the login in progress stays, so a forged
    /// redirect cannot cancel the real one.
    pub async fn finish_sso(&self, redirect: &str) -> Result<SessionInfo, CoreError> {
        let pending: Pending = match self.secure.get(SSO_PENDING_KEY).await? {
            Some(json) => serde_json::from_str(&json).map_err(crate::error::corrupt)?,
            None => return Err(CoreError::SsoStateMismatch),
        };
        let params = redirect_params(redirect, &pending.redirect_uri)?;
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        if get("state") != Some(pending.state.as_str()) {
            return Err(CoreError::SsoStateMismatch);
        }
        if let Some(error) = get("error") {
            self.secure.delete(SSO_PENDING_KEY).await?;
            return Err(CoreError::SsoDenied(error.to_owned()));
        }
        let code = get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| CoreError::SsoRedirectInvalid("no code".into()))?;
        let body = SsoLogin {
            code: code.to_owned(),
            code_verifier: pending.verifier.clone(),
            state: pending.state.clone(),
            nonce: pending.nonce.clone(),
            device: self.device(),
        };
        let result: Result<SessionGranted, CoreError> = self
            .http
            .json(Call::post(
                format!("/api/v1/auth/sso/{}", pending.provider),
                &body,
            )?)
            .await;
        // A code is good for one exchange: whatever the server said, this login is over.
        self.secure.delete(SSO_PENDING_KEY).await?;
        self.keep_session(result?).await
    }
}

/// The query of `redirect` if it is the app's `expected` redirect URI.
fn redirect_params(redirect: &str, expected: &str) -> Result<Vec<(String, String)>, CoreError> {
    let got = url::Url::parse(redirect.trim())
        .map_err(|e| CoreError::SsoRedirectInvalid(e.to_string()))?;
    let want =
        url::Url::parse(expected).map_err(|e| CoreError::SsoRedirectInvalid(e.to_string()))?;
    let same = got.scheme() == want.scheme()
        && got.host_str() == want.host_str()
        && got.port() == want.port()
        && got.path() == want.path();
    if !same {
        return Err(CoreError::SsoRedirectInvalid(format!(
            "{}://{}{}",
            got.scheme(),
            got.host_str().unwrap_or_default(),
            got.path()
        )));
    }
    Ok(got.query_pairs().into_owned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn only_the_apps_redirect_is_read() {
        let app = "id.go.abdi.app:/oauth2redirect";
        let p = redirect_params("id.go.abdi.app:/oauth2redirect?code=c&state=s", app).unwrap();
        assert_eq!(
            p,
            vec![("code".into(), "c".into()), ("state".into(), "s".into())]
        );
        assert!(matches!(
            redirect_params("https://evil.example/oauth2redirect?code=c&state=s", app),
            Err(CoreError::SsoRedirectInvalid(_))
        ));
        assert!(matches!(
            redirect_params("not a url", app),
            Err(CoreError::SsoRedirectInvalid(_))
        ));
    }
}
