//! circulation-logic: FOLIO's mod-circulation business rules, stateless, talking to every other
//! module through Okapi.
pub mod app;
pub mod config;
pub mod domain;
pub mod downstream;
pub mod due_date;
pub mod error;
pub mod events;
pub mod fanout;
pub mod flows;
pub mod okapi;
pub mod routes;
pub mod rules;
pub mod state;
pub mod validation;
pub mod writes;
