//! In-memory stand-ins for the FOLIO modules outside this project (users, inventory storage,
//! fees/fines, patron blocks, calendar, settings/locale, pub-sub, notify).
//!
//! One HTTP server serves all of them, per tenant (`X-Okapi-Tenant`), from memory, on FOLIO's
//! real paths with FOLIO's JSON shapes, CQL `query`, `limit` (default 10) and `offset`.
//! Every answer is delayed by the configured [`Latency`] so that check-outs can be timed
//! against realistic hop costs (`GET /admin/health` answers at once, without a tenant).
//!
//! Errors follow FOLIO: 400 `text/plain` for a missing tenant, malformed JSON, invalid CQL
//! or bad paging parameters; 404 `text/plain` `Not found`; 422 JSON envelope for duplicates.
//!
//! The plumbing: `server` (the actix server, per-tenant state, dispatch), `latency`, `store`
//! (records and their CQL search), `collections` (plain CRUD collections), `request` (handler
//! context and FOLIO-shaped answers), `descriptor` (ModuleDescriptors). The other files are one
//! FOLIO module each.

// Handlers return the finished error response as their `Err`; it is built once per refused
// request, so its size does not matter here.
#![allow(clippy::result_large_err)]

mod collections;
mod descriptor;
mod events;
mod latency;
mod request;
mod server;
mod store;

pub mod calendar;
pub mod feesfines;
pub mod inventory;
pub mod notify;
pub mod patron_blocks;
pub mod pubsub;
pub mod settings;
pub mod timer;
pub mod users;

pub use descriptor::descriptors;
pub use latency::{Latency, XorShift};
pub use server::{StandinConfig, Standins};
