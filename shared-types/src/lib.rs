//! Typed records both circulation modules speak, FOLIO's error envelope and Okapi header names.
pub mod dates;
pub mod errors;
pub mod inventory;
pub mod loan;
pub mod metadata;
pub mod okapi;
pub mod policy;
pub mod request;
pub mod user;
