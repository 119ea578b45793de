//! circulation-logic: FOLIO's mod-circulation business rules, stateless, talking to every other
//! module through Okapi.
pub mod app;
pub mod config;
pub mod rules;
pub mod checkout;
pub mod fanout;
pub mod okapi;
pub mod routes;
pub mod due_date;
