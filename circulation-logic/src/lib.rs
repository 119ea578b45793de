//! circulation-logic: FOLIO's mod-circulation business rules, stateless, talking to every other
//! module through Okapi. What the harness starts it with is public (`app`, `config`, the routes
//! list); everything else is the crate's own.
#![warn(unreachable_pub)]

pub mod app;
pub mod config;
pub(crate) mod domain;
pub(crate) mod downstream;
pub(crate) mod due_date;
pub(crate) mod error;
pub(crate) mod events;
pub(crate) mod fanout;
pub(crate) mod fines;
pub(crate) mod flows;
pub(crate) mod okapi;
pub mod routes;
pub(crate) mod rules;
pub(crate) mod state;
pub(crate) mod validation;
pub(crate) mod writes;
