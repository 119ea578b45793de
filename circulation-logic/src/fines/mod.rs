//! Fees and fines circulation charges itself (pure): the overdue fine of a loan returned or
//! renewed late. The reads and writes are the flows' ([`crate::flows::fines`]).
pub(crate) mod overdue;
