//! abdi-core: the client core compiled into the Abdi app on Android and iPhone.
//!
//! It holds no flutter_rust_bridge code (that is `abdi-bindings`) and no UI.
//!
//! - Offline, with no network: checking a NIP as it is typed, counting working days from the
//!   cached holiday calendar, validating a service form with the server's own rules, verifying
//!   a signed letter with the server's own verifier (`abdi-pades`, without its signing half).
//! - With the server, through one [`Client`]: activation, SSO (PKCE, state, nonce), passkeys
//!   for the platform authenticators, the service catalogue and requests, the durable offline
//!   submission queue, the employee's record and DRH kept offline, signed letters downloaded
//!   and verified, push registration and the live status events. Secrets live only in the
//!   app's [`SecureStore`]; everything else in its folder.
//! - The time is read only through a [`Clock`] ([`SystemClock`] by default), so tests can set it.

pub mod attendance;
pub mod client;
pub mod clock;
pub mod documents;
pub mod error;
pub mod events;
pub mod forms;
pub mod http;
pub mod nip;
pub mod passkeys;
pub mod pinning;
pub mod promotion;
pub mod queue;
pub mod record;
pub mod reference;
pub mod services;
pub mod sso;
pub mod storage;

pub use client::{Client, SESSION_KEY};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use documents::{PinnedRoots, ViewedDocument, verify_document, verify_document_with_clock};
pub use error::CoreError;
pub use events::StatusEvents;
pub use forms::{evaluate_eligibility, validate_form};
pub use http::ClientConfig;
pub use nip::{NipInfo, check_nip};
pub use passkeys::PasskeyPrompt;
pub use queue::{FlushOutcome, NewAttachment, QueueState, QueuedProposal, QueuedSubmission};
pub use reference::ReferenceCache;
pub use sso::SsoStart;
pub use storage::{DataDir, MemorySecureStore, SecureStore};
