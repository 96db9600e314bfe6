//! A phone with a software passkey (SoftPasskey), and the passkey ceremonies through the API:
//! registration, discoverable login and step-up.
//!
//! SoftPasskey is a U2F-style software token: it refuses to create resident keys, signs only for
//! credential ids it is given and returns no user handle. A platform passkey (Android, iOS)
//! keeps a resident credential, finds it by itself and returns the user handle. The helpers
//! play that part: registration asks the token for a plain key ([`plain_key`]), and login tells
//! the token its credential id ([`allow`]) and adds the user handle. None of that is covered by
//! the signatures the server verifies, which are the token's own.

use abdi_proto::identity::{
    DeviceInfo, PasskeyAssertion, PasskeyChallenge, PasskeyInfo, PasskeyRegistration,
};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{CreationChallengeResponse, RequestChallengeResponse};

use crate::TestApp;
use crate::api::{call, call_with};

/// The origin the test server accepts passkeys from.
pub const ORIGIN: &str = "http://localhost:8080";

/// A phone with one software passkey registered for the employee.
pub struct Phone {
    pub key: SoftPasskey,
    pub credential_id: String,
    pub user_handle: String,
    /// The passkey's id on the server.
    pub passkey_id: String,
}

/// Asks for a plain key where the options want a resident one (SoftPasskey makes no resident
/// keys; the helpers keep this one as a platform passkey keeps its own). `public_key` is the
/// options' `publicKey` object.
pub fn plain_key(public_key: &mut Value) {
    public_key["authenticatorSelection"]["residentKey"] = json!("discouraged");
    public_key["authenticatorSelection"]["requireResidentKey"] = json!(false);
}

/// Names `credential_id` in a discoverable login's options (SoftPasskey finds no credential
/// by itself). `public_key` is the options' `publicKey` object.
pub fn allow(public_key: &mut Value, credential_id: &str) {
    public_key["allowCredentials"] = json!([{ "type": "public-key", "id": credential_id }]);
}

/// Registers a new passkey named `name` in the session of `token`, signed for `origin`; the
/// answer that refused it otherwise.
pub async fn register(
    app: &TestApp,
    token: &str,
    name: &str,
    origin: &str,
) -> Result<Phone, Response> {
    register_at(&app.client, &app.base, token, name, origin).await
}

/// [`register`] with `client` against the server at `base`.
pub async fn register_at(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    name: &str,
    origin: &str,
) -> Result<Phone, Response> {
    let started = client
        .post(format!("{base}/api/v1/me/passkeys/registration"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if started.status() != 200 {
        return Err(started);
    }
    let challenge: PasskeyChallenge = started.json().await.unwrap();
    assert_eq!(
        challenge.options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let user_handle = challenge.options["publicKey"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut options = challenge.options;
    plain_key(&mut options["publicKey"]);
    let ccr: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let mut key = SoftPasskey::new(true);
    let credential = key
        .do_registration(Url::parse(origin).unwrap(), ccr)
        .unwrap();
    let credential_id = credential.id.clone();
    let finish = PasskeyRegistration {
        challenge_id: challenge.challenge_id,
        name: name.into(),
        credential: serde_json::to_value(credential).unwrap(),
    };
    let r = client
        .post(format!("{base}/api/v1/me/passkeys"))
        .bearer_auth(token)
        .json(&finish)
        .send()
        .await
        .unwrap();
    if r.status() != 201 {
        return Err(r);
    }
    let info: PasskeyInfo = r.json().await.unwrap();
    Ok(Phone {
        key,
        credential_id,
        user_handle,
        passkey_id: info.id,
    })
}

/// Signs `options` as the phone's platform authenticator would.
pub fn sign(phone: &mut Phone, options: Value, origin: &str, discoverable: bool) -> Value {
    let mut options = options;
    if discoverable {
        assert_eq!(
            options["publicKey"]["allowCredentials"],
            json!([]),
            "a discoverable login names nobody"
        );
        allow(&mut options["publicKey"], &phone.credential_id);
    }
    let rcr: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let assertion = phone
        .key
        .do_authentication(Url::parse(origin).unwrap(), rcr)
        .unwrap();
    let mut assertion = serde_json::to_value(assertion).unwrap();
    if discoverable {
        assertion["response"]["userHandle"] = json!(phone.user_handle);
    }
    assertion
}

/// The assertion body for `challenge_id`, without a device.
fn assertion(challenge_id: String, credential: Value) -> PasskeyAssertion {
    PasskeyAssertion {
        challenge_id,
        credential,
        device: None,
    }
}

/// A fresh discoverable-login challenge from `app`, signed for `origin` (no device named).
pub async fn login_assertion(app: &TestApp, phone: &mut Phone, origin: &str) -> PasskeyAssertion {
    assertion_at(&app.client, &app.base, phone, origin).await
}

/// [`login_assertion`] with `client` against the server at `base`.
async fn assertion_at(
    client: &reqwest::Client,
    base: &str,
    phone: &mut Phone,
    origin: &str,
) -> PasskeyAssertion {
    let challenge: PasskeyChallenge = client
        .post(format!("{base}/api/v1/auth/passkey/challenge"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credential = sign(phone, challenge.options, origin, true);
    assertion(challenge.challenge_id, credential)
}

/// A discoverable passkey login from "Galaxy A14", signed for `origin`.
pub async fn login(app: &TestApp, phone: &mut Phone, origin: &str) -> Response {
    login_at(&app.client, &app.base, phone, origin).await
}

/// [`login`] with `client` against the server at `base` (for load from many clients).
pub async fn login_at(
    client: &reqwest::Client,
    base: &str,
    phone: &mut Phone,
    origin: &str,
) -> Response {
    let body = PasskeyAssertion {
        device: Some(DeviceInfo {
            device_name: "Galaxy A14".into(),
            platform: "android".into(),
        }),
        ..assertion_at(client, base, phone, origin).await
    };
    client
        .post(format!("{base}/api/v1/auth/passkey"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A passkey step-up in the session of `token`, signed for [`ORIGIN`].
pub async fn step_up(app: &TestApp, phone: &mut Phone, token: &str) -> Response {
    let challenge: PasskeyChallenge = call(
        app,
        Method::POST,
        "/api/v1/me/step-up/challenge",
        Some(token),
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = sign(phone, challenge.options, ORIGIN, false);
    let body = assertion(challenge.challenge_id, credential);
    call_with(app, Method::POST, "/api/v1/me/step-up", Some(token), &body).await
}
