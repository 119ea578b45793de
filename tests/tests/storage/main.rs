//! circulation-storage end to end: real HTTP against the module, real PostgreSQL underneath
//! (one throwaway server for the whole binary; each test enables its own tenant).
mod api;
mod coercion;
mod db;
mod errors;
mod events;
mod jobs;
mod more;
mod records;
mod request_policy;
mod support;
