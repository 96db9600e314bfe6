//! Master data: the organisation (units, positions) and employees with their histories.
//! The API over it arrives with the identity issue (`/api/v1/me`); the seed fills it.

pub mod entity;
