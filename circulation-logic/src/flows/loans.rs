//! The circulation loans API (`GET /circulation/loans`, `GET /circulation/loans/{id}`): loans
//! from storage, each extended as mod-circulation answers it (item summary, borrower, patron
//! group at check-out, policy names). The records for a page of loans are read in batches, not
//! one call per loan.
use crate::domain::{
    extended_loan, Holdings, Instance, Item, ItemInContext, Loan, LoanExtras, Location,
    MaterialType, PatronGroup, User,
};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::fanout::Fan;
use crate::okapi::CallError;
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

/// Records by id.
fn by_id<T>(records: Vec<T>, id: impl Fn(&T) -> &str) -> HashMap<String, T> {
    records
        .into_iter()
        .map(|r| (id(&r).to_string(), r))
        .collect()
}

/// Reference records (cached) for each distinct id, read through the fan.
async fn each_distinct<'a, T, F, Fut>(
    fan: Fan,
    ids: impl Iterator<Item = &'a str>,
    read: F,
) -> Result<HashMap<String, T>, CallError>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CallError>>,
{
    let mut distinct: Vec<&str> = ids.collect();
    distinct.sort_unstable();
    distinct.dedup();
    let found = fan.all(distinct.iter().map(|id| read(id)).collect()).await;
    let mut out = HashMap::new();
    for (id, record) in distinct.into_iter().zip(found) {
        if let Some(record) = record? {
            out.insert(id.to_string(), record);
        }
    }
    Ok(out)
}

async fn extend(peers: Peers<'_>, loans: Vec<Loan>) -> Result<Vec<Value>, Failure> {
    let inventory = peers.inventory();
    let item_ids: Vec<&str> = loans.iter().filter_map(Loan::item_id).collect();
    let user_ids: Vec<&str> = loans.iter().filter_map(Loan::user_id).collect();
    let (items, users) = peers
        .fan
        .join2(
            inventory.items_by_ids("items", &item_ids),
            peers.users().by_ids(&user_ids),
        )
        .await;
    let items = by_id(items?, |i: &Item| i.id());
    let users = by_id(users?, |u: &User| u.id());
    let holdings_ids: Vec<&str> = items
        .values()
        .filter_map(Item::holdings_record_id)
        .collect();
    let holdings = by_id(
        inventory.holdings_by_ids(&holdings_ids).await?,
        |h: &Holdings| h.id(),
    );
    let instance_ids: Vec<&str> = holdings
        .values()
        .filter_map(Holdings::instance_id)
        .collect();
    let storage = peers.storage();
    let feesfines = peers.feesfines();
    let users_repo = peers.users();
    let (instances, locations, material_types, groups, loan_policies, overdue, lost) = peers
        .fan
        .join7(
            inventory.instances_by_ids(&instance_ids),
            each_distinct(
                peers.fan,
                items.values().filter_map(Item::effective_location_id),
                |id| inventory.location(id, false),
            ),
            each_distinct(
                peers.fan,
                items.values().filter_map(Item::material_type_id),
                |id| inventory.material_type(id),
            ),
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
        )
        .await;
    let instances = by_id(instances?, |i: &Instance| i.id());
    let (locations, material_types, groups): (
        HashMap<String, Location>,
        HashMap<String, MaterialType>,
        HashMap<String, PatronGroup>,
    ) = (locations?, material_types?, groups?);
    let (loan_policies, overdue, lost) = (loan_policies?, overdue?, lost?);
    Ok(loans
        .iter()
        .map(|loan| {
            let item = loan.item_id().and_then(|id| items.get(id));
            let holdings = item
                .and_then(Item::holdings_record_id)
                .and_then(|id| holdings.get(id));
            let context = ItemInContext {
                item,
                holdings,
                instance: holdings
                    .and_then(Holdings::instance_id)
                    .and_then(|id| instances.get(id)),
                location: item
                    .and_then(Item::effective_location_id)
                    .and_then(|id| locations.get(id)),
                material_type: item
                    .and_then(Item::material_type_id)
                    .and_then(|id| material_types.get(id)),
            };
            let name =
                |id: Option<&str>, names: &dyn Fn(&str) -> Option<String>| id.and_then(names);
            extended_loan(
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
            )
        })
        .collect())
}
