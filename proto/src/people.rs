//! People as the other wire types refer to them.

use serde::{Deserialize, Serialize};

/// Someone, as a request, a grant or a letter shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    pub id: uuid::Uuid,
    pub nip: String,
    /// With titles, as letters print it.
    pub name: String,
}
