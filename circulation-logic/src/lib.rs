//! circulation-logic: FOLIO's mod-circulation business rules, stateless, talking to every other
//! module through Okapi.
pub mod app;
pub mod config;
pub mod rules;
