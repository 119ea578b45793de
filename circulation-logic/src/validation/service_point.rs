//! A flow must be performed at a service point.
use super::error;
use shared_types::errors::Error;

/// Refused when absent or empty (FOLIO's `isEmpty`: spaces pass); the value echoed as sent.
pub(crate) fn check_out_at_service_point(service_point_id: Option<&str>) -> Option<Error> {
    service_point_id.is_none_or(str::is_empty).then(|| {
        error(
            "Check out must be performed at a service point",
            &[("servicePointId", service_point_id)],
            None,
        )
    })
}
