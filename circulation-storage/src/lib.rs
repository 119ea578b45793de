//! circulation-storage: FOLIO's mod-circulation-storage API over PostgreSQL (RMB table layout).
pub mod app;
pub mod config;
pub mod cql;
pub mod db;
pub mod error;
pub mod okapi_client;
pub mod records;
pub mod reference_data;
pub mod routes;
pub mod tenant;
