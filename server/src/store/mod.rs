//! Storage adapters: the database, the session store and the object store.

pub mod db;
pub mod objects;
pub mod session;
