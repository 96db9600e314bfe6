//! abdi-core: the client core compiled into the Abdi app on Android and iPhone.
//!
//! It holds no flutter_rust_bridge code (that is `abdi-bindings`) and no UI. This first part
//! gives the app what it needs before any network call: checking a NIP as it is typed on the
//! activation form, counting working days from the cached holiday calendar, validating a
//! service form offline with the server's own rules, and verifying a signed letter with the
//! server's own verifier (`abdi-pades`, without its signing half).

pub mod documents;
pub mod error;
pub mod forms;
pub mod nip;
pub mod reference;

pub use documents::{PinnedRoots, verify_document};
pub use error::CoreError;
pub use forms::validate_form;
pub use nip::{NipInfo, check_nip};
pub use reference::ReferenceCache;
