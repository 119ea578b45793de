//! Talking to other modules through Okapi: the shared HTTP client, the forwarded headers and
//! the timing of every hop.
pub(crate) mod cache;
pub(crate) mod client;
pub(crate) mod context;
pub(crate) mod timing;

pub(crate) use cache::PolicyCache;
pub(crate) use client::{build_http_client, cql_quote, CallError, Okapi, Reply};
