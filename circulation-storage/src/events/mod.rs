//! Domain events on Kafka, as FOLIO's circulation storage publishes them — through a
//! transactional outbox (beyond FOLIO): triggers write each change of a loan, request,
//! check-in, circulation setting or the circulation rules into `domain_event_outbox` in the
//! change's own transaction; the [`relay`] publishes the rows and deletes them once the broker
//! has them. A broker outage delays events, never fails a request, and loses none.
pub(crate) mod envelope;
pub(crate) mod relay;

pub use relay::start;

/// Tells this instance's relay that a write may have added outbox rows (it also looks by
/// itself every half second, for rows other instances wrote). Cheap, never blocks.
pub(crate) fn changed() {
    relay::nudge();
}
