//! The circulation flows, each composed of the shared lookups ([`crate::downstream`]),
//! validations ([`crate::validation`]), due dates ([`due`]), policies ([`policies`]), write
//! steps ([`crate::writes`]) and the overdue fine ([`fines`]).
pub(crate) mod batch;
pub(crate) mod check_in;
pub(crate) mod check_out;
pub(crate) mod due;
pub(crate) mod end_session;
pub(crate) mod fines;
pub(crate) mod loans;
pub(crate) mod notice;
pub(crate) mod policies;
pub(crate) mod renew;
pub(crate) mod template;
