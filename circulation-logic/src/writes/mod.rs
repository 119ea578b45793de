//! Write steps shared by the flows, each with its undo, in the order that keeps the data true
//! without a distributed transaction (docs/architecture.md, "Writes without a distributed
//! transaction"):
//! the write that can lose a race first, then the ones an undo can restore, best-effort writes
//! last. A flow composes them; on a failure it undoes what was done, newest first.
pub(crate) mod fines;
pub(crate) mod item;
pub(crate) mod loan;
pub(crate) mod lock;
pub(crate) mod notices;
pub(crate) mod request;
pub(crate) mod session;
pub(crate) mod undo;

pub(crate) use undo::{undo_and_fail, undo_and_forward_refusal, undo_logged, Undo};

use actix_web::http::StatusCode;

/// `201`, or `200` when a best-effort write failed.
pub(crate) fn created_status(best_effort_written: bool) -> StatusCode {
    if best_effort_written {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
