//! Creating a loan: the write that can lose a race, so it goes first. The storage's unique
//! index on open loans per item decides among simultaneous check-outs on any number of
//! instances; the loser has written nothing.
use super::undo::{undo_and_fail, Undo};
use crate::domain::Loan;
use crate::downstream::Peers;
use crate::error::Failure;
use crate::okapi::CallError;
use shared_types::errors::Error;

/// `POST`s `loan`: the loan as storage stored it. When storage refuses it because the item has
/// an open loan already, the refusal is `open_loan_exists`; any other refusal is forwarded.
pub(crate) async fn create(
    peers: Peers<'_>,
    flow: &str,
    loan: &Loan,
    open_loan_exists: impl FnOnce() -> Vec<Error>,
) -> Result<Loan, Failure> {
    let reply = match peers.storage().create_loan(loan).await {
        Ok(reply) => reply,
        Err(e) => {
            // A timeout may still have created it: the id is ours, so delete it.
            let undo = vec![Undo::DeleteLoan(loan.id().to_string())];
            return Err(undo_and_fail(peers, flow, undo, e).await);
        }
    };
    if reply.status == 422 && reply.body.contains("more than one open loan") {
        return Err(Failure::Refused(open_loan_exists()));
    }
    if !reply.is_success() {
        if reply.status >= 500 {
            return Err(CallError::Failed {
                name: "create loan".into(),
                reply,
            }
            .into());
        }
        return Err(Failure::Forward(reply));
    }
    Ok(reply
        .json()
        .map(Loan::from_json)
        .unwrap_or_else(|| loan.clone()))
}
