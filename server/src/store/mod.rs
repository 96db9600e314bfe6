//! Storage adapters: the database, the shared store (key/value, counters, pub/sub) and the
//! object store.

pub mod db;
pub mod objects;
pub(crate) mod page;
pub(crate) mod shared;
