//! The handlers of each capability: thin, each extracts the caller and the input, calls the
//! capability's façade and turns the answer into a response. Only this layer (with `startup` and
//! `state`) sees every capability; the capabilities know nothing of HTTP.

pub mod documents;
pub mod identity;
pub mod masterdata;
pub mod notifications;
pub mod reference;
pub mod services;
