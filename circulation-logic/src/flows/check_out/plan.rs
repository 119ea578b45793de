//! The writes of a check-out, in the order that keeps the data true (see [`crate::writes`]):
//! 1. create the loan (the write that can lose a race);
//! 2. the item "Checked out";
//! 3. the request it fills, and the rest of the queue renumbered.
//!
//! Beside 2 and 3 (once the loan exists) the best-effort patron action session is written. If
//! 2 or 3 fails, what was done is undone in reverse order (session, request, item, loan), and
//! the answer is a 5xx naming the failed call.
use crate::domain::{Fulfilment, Item, Loan};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::validation::item::{already_checked_out, has_open_loan};
use crate::writes::{self, undo_and_fail, undo_logged, Undo};

/// The flow's name in undo messages and logs.
pub(super) const FLOW: &str = "Check-out";

#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub loan: Loan,
    pub item_before: Item,
    pub item_after: Item,
    pub fulfilment: Option<Fulfilment>,
    pub item_barcode: Option<String>,
}

impl Plan {
    /// The writes. Returns the loan as storage stored it, and the patron action session's id
    /// when it was recorded.
    pub(super) async fn execute(
        &self,
        peers: Peers<'_>,
        patron_id: &str,
    ) -> Result<(Loan, Option<String>), Failure> {
        let barcode = self.item_barcode.as_deref();
        let stored = writes::loan::create(peers, FLOW, &self.loan, || {
            vec![already_checked_out(barcode), has_open_loan(barcode)]
        })
        .await?;
        let loan_id = self.loan.id();
        let (after_loan, session) = peers
            .fan
            .join2(
                self.item_and_request(peers),
                writes::session::record(peers, FLOW, "Check-out", patron_id, loan_id),
            )
            .await;
        if let Err((done, error)) = after_loan {
            let mut steps = vec![Undo::DeleteLoan(loan_id.to_string())];
            steps.extend(done);
            if let Some(session_id) = session {
                steps.push(Undo::DeleteSession(session_id));
            }
            return Err(undo_and_fail(peers, FLOW, steps, error).await);
        }
        Ok((stored, session))
    }

    /// The item (2), then the request and the queue (3). On failure: the steps to undo (oldest
    /// first, the loan excluded) and the error.
    async fn item_and_request(
        &self,
        peers: Peers<'_>,
    ) -> Result<(), (Vec<Undo>, crate::okapi::CallError)> {
        let mut steps = Vec::new();
        match writes::item::update_status(peers, &self.item_before, &self.item_after).await {
            Ok(undo) => steps.push(undo),
            Err((undo, e)) => {
                steps.extend(undo);
                return Err((steps, e));
            }
        }
        if let Some(f) = &self.fulfilment {
            match writes::request::fulfil(peers, f).await {
                Ok(done) => steps.extend(done),
                Err((done, e)) => {
                    steps.extend(done);
                    return Err((steps, e));
                }
            }
        }
        Ok(())
    }

    /// Undoes a check-out [`Self::execute`] wrote in full, because a read done beside the writes
    /// failed (`why`: a downstream call, or a refusal such as missing holdings): session,
    /// request and queue, item, loan. Then the 5xx naming the call, or the refusal once all is
    /// undone.
    pub(super) async fn revert(
        &self,
        peers: Peers<'_>,
        session_id: Option<String>,
        why: Failure,
    ) -> Failure {
        let mut steps = vec![
            Undo::DeleteLoan(self.loan.id().to_string()),
            Undo::RestoreItem(self.item_before.clone()),
        ];
        if let Some(f) = &self.fulfilment {
            steps.extend(writes::request::undo_fulfilment(f));
        }
        if let Some(session_id) = session_id {
            steps.push(Undo::DeleteSession(session_id));
        }
        match why {
            Failure::Call(error) => undo_and_fail(peers, FLOW, steps, error).await,
            refusal => {
                let (_, not_done) =
                    undo_logged(peers, FLOW, steps, "a refusal after the writes").await;
                match not_done.is_empty() {
                    true => refusal,
                    false => Failure::Server(format!(
                        "Check-out refused after its writes; could not undo: {}",
                        not_done.join(", ")
                    )),
                }
            }
        }
    }
}
