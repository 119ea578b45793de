//! Typed records both circulation modules speak, FOLIO's error envelope, how FOLIO writes
//! dates, and the Okapi header names.
pub mod check_in;
pub mod dates;
pub mod errors;
pub mod loan;
pub mod metadata;
pub mod okapi;
pub mod patron_action_session;
pub mod policy;
pub mod request;
pub mod scheduled_notice;
