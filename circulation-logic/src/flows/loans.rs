//! The circulation loans API (`GET /circulation/loans`, `GET /circulation/loans/{id}`): loans
//! from storage, each extended as mod-circulation answers it (item summary, borrower, patron
//! group at check-out, policy names, what is left to pay of its fees and fines). The records for a page of loans are read in batches, not
//! one call per loan.
use crate::domain::feesfines::Account;
use crate::domain::representation::with_fees_remaining;
use crate::domain::{extended_loan, Item, Loan, LoanExtras, PatronGroup, User};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::flows::batch::{by_id, each_distinct, read_items};
use serde_json::{json, Value};
use std::collections::HashMap;

/// One loan, extended; `None` when storage has none.
pub(crate) async fn loan_by_id(peers: Peers<'_>, id: &str) -> Result<Option<Value>, Failure> {
    let Some(loan) = peers.storage().loan(id).await? else {
        return Ok(None);
    };
    Ok(extend(peers, vec![loan]).await?.pop())
}

/// A page of loans (storage's `query`, `limit`, `offset`), extended:
/// `{"loans": [...], "totalRecords": N}`.
pub(crate) async fn loans(peers: Peers<'_>, params: &[(&str, &str)]) -> Result<Value, Failure> {
    let (loans, total) = peers.storage().loans(params).await?;
    let extended = extend(peers, loans).await?;
    Ok(json!({"loans": extended, "totalRecords": total}))
}

async fn extend(peers: Peers<'_>, loans: Vec<Loan>) -> Result<Vec<Value>, Failure> {
    let item_ids: Vec<&str> = loans.iter().filter_map(Loan::item_id).collect();
    let user_ids: Vec<&str> = loans.iter().filter_map(Loan::user_id).collect();
    let storage = peers.storage();
    let feesfines = peers.feesfines();
    let users_repo = peers.users();
    let loan_ids: Vec<&str> = loans.iter().map(Loan::id).collect();
    let (items, users, groups, loan_policies, overdue, lost, accounts) = peers
        .fan
        .join7(
            read_items(peers, &item_ids),
            users_repo.by_ids(&user_ids),
            each_distinct(
                peers.fan,
                loans.iter().filter_map(Loan::patron_group_id_at_checkout),
                |id| users_repo.patron_group(id),
            ),
            each_distinct(
                peers.fan,
                loans.iter().filter_map(Loan::loan_policy_id),
                |id| storage.loan_policy(id),
            ),
            each_distinct(
                peers.fan,
                loans.iter().filter_map(Loan::overdue_fine_policy_id),
                |id| feesfines.overdue_fine_policy(id),
            ),
            each_distinct(
                peers.fan,
                loans.iter().filter_map(Loan::lost_item_policy_id),
                |id| feesfines.lost_item_policy(id),
            ),
            feesfines.accounts_of_loans(&loan_ids),
        )
        .await;
    let accounts = accounts?;
    let items = items?;
    let users = by_id(users?, |u: &User| u.id());
    let groups: HashMap<String, PatronGroup> = groups?;
    let (loan_policies, overdue, lost) = (loan_policies?, overdue?, lost?);
    Ok(loans
        .iter()
        .map(|loan| {
            let context = items.in_context(loan.item_id());
            let item = context.item;
            let name =
                |id: Option<&str>, names: &dyn Fn(&str) -> Option<String>| id.and_then(names);
            let charged: Vec<&Account> = accounts
                .iter()
                .filter(|a| a.loan_id() == Some(loan.id()))
                .collect();
            let extended = extended_loan(
                loan,
                LoanExtras {
                    item: context,
                    item_status: item.and_then(Item::status_name).unwrap_or(""),
                    borrower: loan.user_id().and_then(|id| users.get(id)),
                    patron_group: loan
                        .patron_group_id_at_checkout()
                        .and_then(|id| groups.get(id)),
                    policy_names: [
                        (
                            "loanPolicy",
                            name(loan.loan_policy_id(), &|id| {
                                loan_policies.get(id)?.name().map(str::to_string)
                            }),
                        ),
                        (
                            "overdueFinePolicy",
                            name(loan.overdue_fine_policy_id(), &|id| overdue.get(id)?.name()),
                        ),
                        (
                            "lostItemPolicy",
                            name(loan.lost_item_policy_id(), &|id| lost.get(id)?.name()),
                        ),
                    ],
                    changed_by_hold: false,
                    changed_by_expiry: false,
                },
            );
            with_fees_remaining(extended, &charged)
        })
        .collect())
}
