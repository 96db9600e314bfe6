//! The handlers of each capability: thin, each extracts the caller and the input, calls the
//! capability's façade and turns the answer into a response. Only this layer (with `startup` and
//! `state`) sees every capability; the capabilities know nothing of HTTP.

pub(crate) mod agency;
pub(crate) mod attendance;
pub(crate) mod data;
pub(crate) mod documents;
pub(crate) mod identity;
pub(crate) mod notifications;
pub(crate) mod organisation;
pub(crate) mod promotion;
pub(crate) mod record;
pub(crate) mod reference;
pub(crate) mod services;
pub(crate) mod sharing;
pub(crate) mod updates;
