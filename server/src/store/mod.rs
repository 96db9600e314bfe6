//! Storage adapters: the database and the session store.

pub mod db;
pub mod session;
