//! The shared test kit of the suite and the benches: the seeded [`world`], typed calls to the
//! [`api`], request [`forms`], the software [`passkey`] phone, and the
//! benches' [`procs`] and [`stats`].

pub mod api;
pub mod forms;
pub mod passkey;
pub mod procs;
pub mod sharing;
pub mod stats;
pub mod world;
