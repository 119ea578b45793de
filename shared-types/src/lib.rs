//! Typed records both circulation modules speak, FOLIO's error envelope, how FOLIO writes
//! dates, the Okapi header names, and (feature `http-client`) the client modules call each other
//! with.
pub mod check_in;
pub mod dates;
pub mod errors;
pub mod loan;
pub mod metadata;
pub mod okapi;
#[cfg(feature = "http-client")]
pub mod okapi_client;
pub mod patron_action_session;
pub mod policy;
pub mod request;
pub mod scheduled_notice;
