//! Talking to other modules through Okapi: the shared HTTP client, the forwarded headers and
//! the timing of every hop.
pub mod cache;
pub mod client;
pub mod context;
pub mod timing;

pub use cache::PolicyCache;
pub use client::{build_http_client, cql_quote, CallError, Okapi, Reply};
pub use timing::{Hop, HopLog};
