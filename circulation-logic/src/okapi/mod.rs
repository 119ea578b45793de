//! Talking to other modules through Okapi: the client (shared with the storage module, in
//! `shared_types::okapi_client`) and the policy cache.
pub(crate) mod cache;

pub(crate) use cache::PolicyCache;
pub(crate) use shared_types::okapi_client::{cql_quote, http_client, CallError, Okapi, Reply};
