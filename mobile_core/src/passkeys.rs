//! Passkeys through the phone's own authenticator: the server's WebAuthn options become what
//! Android Credential Manager (`requestJson`) and iOS AuthenticationServices (challenge, relying
//! party, user, allowed credentials) take, and their answers become the JSON the server reads.
//! Registration, login and step-up share the shapes.

use abdi_proto::identity::{
    PasskeyAssertion, PasskeyChallenge, PasskeyInfo, PasskeyList, PasskeyRegistration,
    SessionGranted, SessionInfo, StepUp,
};
use base64::Engine;
use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::http::Call;
use crate::{Client, CoreError};

/// One ceremony for the platform authenticator.
#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyPrompt {
    /// Sent back with the answer.
    pub challenge_id: String,
    /// `PublicKeyCredentialCreationOptionsJSON` or `...RequestOptionsJSON`: Android Credential
    /// Manager's `requestJson` (nulls removed).
    pub request_json: String,
    /// For iOS AuthenticationServices.
    pub rp_id: String,
    /// Base64url.
    pub challenge: String,
    /// Base64url user handle (registration only).
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub user_display_name: Option<String>,
    /// Base64url credential ids the server allows (empty for a discoverable login) or excludes
    /// (registration).
    pub credential_ids: Vec<String>,
}

fn data(why: impl std::fmt::Display) -> CoreError {
    CoreError::PasskeyData(why.to_string())
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// The platform's view of the server's options.
pub fn prompt(challenge: PasskeyChallenge) -> Result<PasskeyPrompt, CoreError> {
    let public_key = strip_nulls(
        challenge
            .options
            .get("publicKey")
            .cloned()
            .ok_or_else(|| data("options without publicKey"))?,
    );
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let rp_id = text(&public_key["rpId"])
        .or_else(|| text(&public_key["rp"]["id"]))
        .ok_or_else(|| data("options without a relying party"))?;
    let challenge_b64 =
        text(&public_key["challenge"]).ok_or_else(|| data("options without a challenge"))?;
    let listed = public_key
        .get("allowCredentials")
        .or_else(|| public_key.get("excludeCredentials"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|c| text(&c["id"])).collect())
        .unwrap_or_default();
    Ok(PasskeyPrompt {
        challenge_id: challenge.challenge_id,
        request_json: public_key.to_string(),
        rp_id,
        challenge: challenge_b64,
        user_id: text(&public_key["user"]["id"]),
        user_name: text(&public_key["user"]["name"]),
        user_display_name: text(&public_key["user"]["displayName"]),
        credential_ids: listed,
    })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A `RegistrationResponseJSON` (Android's `registrationResponseJson`, a browser's
/// `toJSON()`) in the form the server reads.
pub fn registration_response(platform_json: &str) -> Result<Value, CoreError> {
    let v: Value = serde_json::from_str(platform_json).map_err(data)?;
    let r = &v["response"];
    for key in ["clientDataJSON", "attestationObject"] {
        if !r[key].is_string() {
            return Err(data(format!("response.{key} missing")));
        }
    }
    let mut response = Map::new();
    response.insert("clientDataJSON".into(), r["clientDataJSON"].clone());
    response.insert("attestationObject".into(), r["attestationObject"].clone());
    if r["transports"].is_array() {
        response.insert("transports".into(), r["transports"].clone());
    }
    credential(&v, Value::Object(response))
}

/// An `AuthenticationResponseJSON` in the form the server reads.
pub fn assertion_response(platform_json: &str) -> Result<Value, CoreError> {
    let v: Value = serde_json::from_str(platform_json).map_err(data)?;
    let r = &v["response"];
    for key in ["clientDataJSON", "authenticatorData", "signature"] {
        if !r[key].is_string() {
            return Err(data(format!("response.{key} missing")));
        }
    }
    let response = json!({
        "clientDataJSON": r["clientDataJSON"],
        "authenticatorData": r["authenticatorData"],
        "signature": r["signature"],
        "userHandle": r["userHandle"],
    });
    credential(&v, strip_nulls(response))
}

fn credential(v: &Value, response: Value) -> Result<Value, CoreError> {
    let id = v["id"]
        .as_str()
        .or_else(|| v["rawId"].as_str())
        .ok_or_else(|| data("credential without id"))?;
    let extensions = v
        .get("clientExtensionResults")
        .or_else(|| v.get("extensions"))
        .filter(|e| e.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    Ok(json!({
        "id": id,
        "rawId": v["rawId"].as_str().unwrap_or(id),
        "type": "public-key",
        "response": response,
        "extensions": extensions,
    }))
}

/// iOS `ASAuthorizationPlatformPublicKeyCredentialRegistration` as `RegistrationResponseJSON`.
pub fn ios_registration(
    credential_id: &[u8],
    raw_client_data_json: &[u8],
    raw_attestation_object: &[u8],
) -> String {
    json!({
        "id": b64(credential_id),
        "rawId": b64(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(raw_client_data_json),
            "attestationObject": b64(raw_attestation_object),
            "transports": ["internal"],
        },
        "clientExtensionResults": {},
    })
    .to_string()
}

/// iOS `ASAuthorizationPlatformPublicKeyCredentialAssertion` as `AuthenticationResponseJSON`.
pub fn ios_assertion(
    credential_id: &[u8],
    raw_client_data_json: &[u8],
    raw_authenticator_data: &[u8],
    signature: &[u8],
    user_id: &[u8],
) -> String {
    json!({
        "id": b64(credential_id),
        "rawId": b64(credential_id),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(raw_client_data_json),
            "authenticatorData": b64(raw_authenticator_data),
            "signature": b64(signature),
            "userHandle": b64(user_id),
        },
        "clientExtensionResults": {},
    })
    .to_string()
}

impl Client {
    /// Starts registering a passkey on this phone (signed in).
    pub async fn begin_passkey_registration(&self) -> Result<PasskeyPrompt, CoreError> {
        let c: PasskeyChallenge = self
            .authed(Call::bare(Method::POST, "/api/v1/me/passkeys/registration"))
            .await?;
        prompt(c)
    }

    /// Finishes it with the platform's answer; `name` is what the employee will recognise.
    pub async fn finish_passkey_registration(
        &self,
        challenge_id: &str,
        name: &str,
        platform_json: &str,
    ) -> Result<PasskeyInfo, CoreError> {
        let body = PasskeyRegistration {
            challenge_id: challenge_id.to_owned(),
            name: name.to_owned(),
            credential: registration_response(platform_json)?,
        };
        self.authed(Call::post("/api/v1/me/passkeys", &body)?).await
    }

    pub async fn passkeys(&self) -> Result<Vec<PasskeyInfo>, CoreError> {
        let list: PasskeyList = self.authed(Call::get("/api/v1/me/passkeys")).await?;
        Ok(list.passkeys)
    }

    /// Starts a passkey login (no name needed: the phone offers its passkeys for Abdi).
    pub async fn begin_passkey_login(&self) -> Result<PasskeyPrompt, CoreError> {
        let c: PasskeyChallenge = self
            .http
            .json(Call::bare(Method::POST, "/api/v1/auth/passkey/challenge"))
            .await?;
        prompt(c)
    }

    /// Finishes the login and keeps the new session.
    pub async fn finish_passkey_login(
        &self,
        challenge_id: &str,
        platform_json: &str,
    ) -> Result<SessionInfo, CoreError> {
        let body = PasskeyAssertion {
            challenge_id: challenge_id.to_owned(),
            credential: assertion_response(platform_json)?,
            device: Some(self.device()),
        };
        let granted: SessionGranted = self
            .http
            .json(Call::post("/api/v1/auth/passkey", &body)?)
            .await?;
        self.keep_session(granted).await
    }

    /// Starts a step-up: the server asks for a passkey before a decision or another sensitive
    /// action (`step_up_required`).
    pub async fn begin_step_up(&self) -> Result<PasskeyPrompt, CoreError> {
        let c: PasskeyChallenge = self
            .authed(Call::bare(Method::POST, "/api/v1/me/step-up/challenge"))
            .await?;
        prompt(c)
    }

    pub async fn finish_step_up(
        &self,
        challenge_id: &str,
        platform_json: &str,
    ) -> Result<StepUp, CoreError> {
        let body = PasskeyAssertion {
            challenge_id: challenge_id.to_owned(),
            credential: assertion_response(platform_json)?,
            device: None,
        };
        self.authed(Call::post("/api/v1/me/step-up", &body)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_options_become_platform_requests() {
        let c = PasskeyChallenge {
            challenge_id: "c1".into(),
            options: json!({"publicKey": {
                "rp": {"id": "abdi.go.id", "name": "Abdi"},
                "user": {"id": "dXNlcg", "name": "198503122010011004", "displayName": "Budi"},
                "challenge": "Y2hhbGxlbmdl",
                "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
                "excludeCredentials": [{"type": "public-key", "id": "a2V5"}],
                "hints": null,
            }}),
        };
        let p = prompt(c).unwrap();
        assert_eq!(p.rp_id, "abdi.go.id");
        assert_eq!(p.challenge, "Y2hhbGxlbmdl");
        assert_eq!(p.user_id.as_deref(), Some("dXNlcg"));
        assert_eq!(p.credential_ids, vec!["a2V5"]);
        assert!(!p.request_json.contains("null"), "{}", p.request_json);
        assert!(
            prompt(PasskeyChallenge {
                challenge_id: "x".into(),
                options: json!({})
            })
            .is_err()
        );
    }

    #[test]
    fn platform_answers_become_server_json() {
        let ios = ios_assertion(b"key", b"{}", b"auth", b"sig", b"user");
        let v = assertion_response(&ios).unwrap();
        assert_eq!(v["id"], "a2V5");
        assert_eq!(v["response"]["userHandle"], "dXNlcg");
        assert_eq!(v["extensions"], json!({}));
        let reg = registration_response(&ios_registration(b"key", b"{}", b"att")).unwrap();
        assert_eq!(reg["response"]["attestationObject"], "YXR0");
        assert_eq!(reg["response"]["transports"], json!(["internal"]));
        assert!(matches!(
            assertion_response(r#"{"id":"x","response":{}}"#),
            Err(CoreError::PasskeyData(_))
        ));
        assert!(matches!(
            registration_response("nope"),
            Err(CoreError::PasskeyData(_))
        ));
    }
}
