//! Typed records both circulation modules speak, FOLIO's error envelope, how FOLIO writes
//! dates, the Okapi header names, (feature `http-client`) the client modules call each other
//! with, and (feature `kafka`) FOLIO's Kafka settings and topics.
pub mod check_in;
pub mod dates;
pub mod errors;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod loan;
pub mod metadata;
pub mod okapi;
#[cfg(feature = "http-client")]
pub mod okapi_client;
pub mod patron_action_session;
pub mod policy;
pub mod request;
pub mod scheduled_notice;
