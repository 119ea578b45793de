//! circulation-storage: FOLIO's mod-circulation-storage API over PostgreSQL (RMB table layout).
//! Layout and conventions: `docs/storage.md`.
#![warn(unreachable_pub)]

pub mod app;
pub mod config;
pub mod cql;
pub mod db;
pub mod error;
pub mod events;
pub mod okapi_client;
pub mod records;
pub(crate) mod reference_data;
pub mod routes;
pub mod tenant;
