//! circulation-logic: FOLIO's mod-circulation business rules, stateless, talking to every other
//! module through Okapi.
pub mod app;
pub mod checkout;
pub mod config;
pub mod due_date;
pub mod fanout;
pub mod okapi;
pub mod routes;
pub mod rules;
