//! Fees and fines circulation works out itself (pure): the overdue fine of a loan returned or
//! renewed late, and which lost item fees a lost item's return refunds and cancels. The reads
//! and writes are the flows' ([`crate::flows::fines`]).
pub(crate) mod lost_item;
pub(crate) mod overdue;

/// What the tests of both share: instants and amounts from text.
#[cfg(test)]
pub(crate) mod test_support {
    use super::overdue::Amount;
    use chrono::{DateTime, Utc};

    pub(crate) fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn amount(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }
}
