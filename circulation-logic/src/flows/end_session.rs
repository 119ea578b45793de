//! Ending patron action sessions (`POST /circulation/end-patron-action-session`), as
//! mod-circulation's `PatronActionSessionService`: a check-out or check-in records a session
//! per loan; ending a patron's sessions of one action sends the "Check out" or "Check in" loan
//! notice of their loans' notice policy, one notice per recipient and policy listing every
//! loan, and deletes the sessions. A session whose loan, item or patron is gone sends nothing
//! and is logged as a `NOTICE_ERROR`. What goes wrong after the request is read is only
//! logged: FOLIO answers 204 before it ends the sessions; this module ends them first, so that
//! the notices are sent when the answer comes.
use crate::domain::notice::{log_item, NoticeLog, PatronActionSession, SessionAction};
use crate::domain::template_context::{item_context, loan_context, ItemRecords, LoanRecords};
use crate::domain::{
    Holdings, Item, Loan, LoanPolicyRecord, LoanType, LocationUnit, LocationUnitKind, User,
};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::flows::batch::{by_id, each_distinct, read_items, ItemsRead};
use crate::flows::notice::{chosen_notices, recipient};
use crate::flows::policies::{circulation_rules, policy_id};
use crate::flows::template::{notice_user_context, patron_info};
use crate::rules::PolicyType;
use crate::writes::notices::{log_notice, send_patron_notices};
use chrono::Utc;
use serde_json::{json, Map, Value};
use shared_types::errors::Error;
use std::collections::HashMap;

/// Ends the sessions the request names (`endSessions[]`: `patronId`, `actionType`). A blank
/// patron or action anywhere refuses the request; an unknown action is refused when it is the
/// first entry's (FOLIO answers for its first entry), and the other entries are ended all the
/// same.
pub(crate) async fn end_sessions(peers: Peers<'_>, body: &Value) -> Result<(), Failure> {
    let Some(entries) = body.get("endSessions").and_then(Value::as_array) else {
        return Err(Failure::Server(
            "End patron session request must have endSessions".into(),
        ));
    };
    let field = |entry: &'_ Value, key: &str| -> Option<String> {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
            .map(str::to_string)
    };
    let mut to_end = Vec::new();
    let mut answer = Ok(());
    for (n, entry) in entries.iter().enumerate() {
        let Some(patron_id) = field(entry, "patronId") else {
            return Err(refusal("patron id", "patronId", None));
        };
        let Some(action) = field(entry, "actionType") else {
            return Err(refusal("action type", "actionType", None));
        };
        match SessionAction::from_name(&action) {
            Some(action) => to_end.push((patron_id, action)),
            None if n == 0 => {
                answer = Err(Failure::refused(
                    Error::new("Invalid patron action type value")
                        .with_parameter("actionType", Some(action)),
                ))
            }
            None => {}
        }
    }
    peers
        .fan
        .all(
            to_end
                .iter()
                .map(|(patron_id, action)| end_session(peers, patron_id, *action))
                .collect(),
        )
        .await;
    answer
}

fn refusal(what: &str, key: &str, value: Option<String>) -> Failure {
    Failure::refused(
        Error::new(format!("End patron session request must have {what}"))
            .with_parameter(key, value),
    )
}

/// Ends `patron_id`'s sessions of `action`; what fails is logged.
async fn end_session(peers: Peers<'_>, patron_id: &str, action: SessionAction) {
    if let Err(e) = Box::pin(send_and_delete(peers, patron_id, action)).await {
        log::warn!(
            "end patron action session: {} sessions of {patron_id} not ended: {e}",
            action.name()
        );
    }
}

/// What the notices of a patron's sessions name beside the loans: the items and their
/// records, loan types, location units, loan policies and the patron info added to each loan.
struct NoticeRecords {
    items: ItemsRead,
    loan_types: HashMap<String, LoanType>,
    units: HashMap<(LocationUnitKind, String), LocationUnit>,
    loan_policies: HashMap<String, LoanPolicyRecord>,
    patron_info: HashMap<String, String>,
}

impl NoticeRecords {
    fn item(&self, loan: &Loan) -> Option<&Item> {
        loan.item_id().and_then(|id| self.items.items.get(id))
    }

    /// The instance id of the loan's item (its holdings').
    fn instance_id(&self, loan: &Loan) -> Option<&str> {
        self.items
            .in_context(loan.item_id())
            .holdings
            .and_then(Holdings::instance_id)
    }

    /// The `{item, loan}` context of one loan of the notice.
    fn loan_entry(&self, loan: &Loan) -> Option<Value> {
        let context = self.items.in_context(loan.item_id());
        let units = context.location.map(|l| l.units()).unwrap_or_default();
        let unit = |kind, id: &str| self.units.get(&(kind, id.to_string()));
        let item = ItemRecords {
            item: context.item?,
            holdings: context.holdings,
            instance: context.instance,
            location: context.location,
            library: unit(LocationUnitKind::Library, &units.library_id),
            campus: unit(LocationUnitKind::Campus, &units.campus_id),
            institution: unit(LocationUnitKind::Institution, &units.institution_id),
            // Read in a batch, as FOLIO's, the locations name no primary service point.
            primary_service_point: None,
            material_type: context.material_type,
            loan_type: context
                .item
                .and_then(Item::loan_type_id)
                .and_then(|id| self.loan_types.get(id)),
        };
        let loan_records = LoanRecords {
            loan,
            loan_policy: loan
                .loan_policy_id()
                .and_then(|id| self.loan_policies.get(id)),
            patron_info: self.patron_info.get(loan.id()).map(String::as_str),
        };
        Some(json!({
            "item": item_context(&item),
            "loan": loan_context(&loan_records),
        }))
    }
}

/// The records of `loans`' notices, read in batches (reference records through the cache).
async fn notice_records(peers: Peers<'_>, loans: &[&Loan]) -> Result<NoticeRecords, Failure> {
    let item_ids: Vec<&str> = loans.iter().filter_map(|l| l.item_id()).collect();
    let storage = peers.storage();
    let (items, loan_policies, patron_info) = peers
        .fan
        .join3(
            read_items(peers, &item_ids),
            each_distinct(
                peers.fan,
                loans.iter().filter_map(|l| l.loan_policy_id()),
                |id| storage.loan_policy(id),
            ),
            // The latest patron info: the loan's own comment when that was its last action,
            // else its history's.
            peers.fan.all(
                loans
                    .iter()
                    .map(|loan| async move {
                        let info = patron_info(peers, loan).await?;
                        Ok::<_, crate::okapi::CallError>((loan.id().to_string(), info))
                    })
                    .collect(),
            ),
        )
        .await;
    let items = items?;
    let inventory = peers.inventory();
    let mut unit_ids: Vec<(LocationUnitKind, String)> = items
        .locations
        .values()
        .flat_map(|l| {
            let u = l.units();
            [
                (LocationUnitKind::Library, u.library_id),
                (LocationUnitKind::Campus, u.campus_id),
                (LocationUnitKind::Institution, u.institution_id),
            ]
        })
        .filter(|(_, id)| !id.is_empty())
        .collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let (loan_types, units) = peers
        .fan
        .join2(
            each_distinct(
                peers.fan,
                items.items.values().filter_map(Item::loan_type_id),
                |id| inventory.loan_type(id),
            ),
            peers.fan.all(
                unit_ids
                    .iter()
                    .map(|(kind, id)| async move {
                        let unit = inventory.location_unit(*kind, id).await?;
                        Ok::<_, crate::okapi::CallError>(unit.map(|u| ((*kind, id.clone()), u)))
                    })
                    .collect(),
            ),
        )
        .await;
    let mut patron_infos = HashMap::new();
    for read in patron_info {
        if let (id, Some(info)) = read? {
            patron_infos.insert(id, info);
        }
    }
    let mut unit_map = HashMap::new();
    for read in units {
        unit_map.extend(read?);
    }
    Ok(NoticeRecords {
        items,
        loan_types: loan_types?,
        units: unit_map,
        loan_policies: loan_policies?,
        patron_info: patron_infos,
    })
}

/// Sends the notices of `patron_id`'s sessions of `action`, then deletes the sessions (all of
/// them, whatever was sent).
async fn send_and_delete(
    peers: Peers<'_>,
    patron_id: &str,
    action: SessionAction,
) -> Result<(), Failure> {
    let storage = peers.storage();
    let sessions = storage.sessions(patron_id, action.name()).await?;
    if sessions.is_empty() {
        return Ok(());
    }
    let loan_ids: Vec<&str> = sessions
        .iter()
        .filter_map(PatronActionSession::loan_id)
        .collect();
    let (loans, patron) = peers
        .fan
        .join2(
            storage.loans_by_ids(&loan_ids),
            peers.users().by_id("patron", patron_id),
        )
        .await;
    let loans = by_id(loans?, |l: &Loan| l.id());
    let patron = patron?;
    let session_loans: Vec<&Loan> = loan_ids.iter().filter_map(|id| loans.get(*id)).collect();
    let records = notice_records(peers, &session_loans).await?;
    let sent = send_notices(
        peers,
        patron_id,
        action,
        &sessions,
        &loans,
        patron.as_ref(),
        &records,
    )
    .await;
    let deleted = peers
        .fan
        .all(
            sessions
                .iter()
                .map(|s| storage.delete_session("end patron action session", s.id()))
                .collect(),
        )
        .await;
    for result in deleted {
        if let Err(e) = result {
            log::warn!("end patron action session: session not deleted: {e}");
        }
    }
    sent
}

/// The notices of the sessions whose loan, item and patron are there; a `NOTICE_ERROR` for
/// each other session.
async fn send_notices(
    peers: Peers<'_>,
    patron_id: &str,
    action: SessionAction,
    sessions: &[PatronActionSession],
    loans: &HashMap<String, Loan>,
    patron: Option<&User>,
    records: &NoticeRecords,
) -> Result<(), Failure> {
    let now = Utc::now();
    let mut valid: Vec<&Loan> = Vec::new();
    for session in sessions {
        let loan = session.loan_id().and_then(|id| loans.get(id));
        let error = match (loan, patron) {
            (None, _) => "referenced loan was not found",
            (Some(_), None) => "referenced user was not found",
            (Some(loan), Some(_)) if records.item(loan).is_none() => {
                "referenced item was not found"
            }
            (Some(loan), Some(_)) => {
                valid.push(loan);
                continue;
            }
        };
        let message = format!("{error}. {}", session.describe(action));
        log::warn!("Failed to send notice for patron action session: {message}");
        let mut item = match loan {
            Some(loan) => log_item(loan, records.item(loan), records.instance_id(loan)),
            None => Map::new(),
        };
        if let Some(id) = session.loan_id() {
            item.insert("loanId".into(), json!(id));
        }
        let log = NoticeLog {
            user_id: session.patron_id(),
            user_barcode: None,
            notice_policy_id: None,
            template_id: None,
            triggering_event: action.name(),
            date: now,
            error: Some(&message),
        };
        log_notice(peers, log, &[item]).await;
    }
    let Some(patron) = patron.filter(|_| !valid.is_empty()) else {
        return Ok(());
    };
    // Each loan's recipient (its proxy, when the relationship sends notices there) and notice
    // policy, grouped in the order of the sessions.
    let rules = circulation_rules(peers).await?;
    let recipients = peers
        .fan
        .all(valid.iter().map(|loan| recipient(peers, loan)).collect())
        .await;
    let mut groups: Vec<((String, String), Vec<&Loan>)> = Vec::new();
    for (loan, recipient) in valid.iter().zip(recipients) {
        let item = records.item(loan).expect("a valid session's item");
        let context = records.items.in_context(loan.item_id());
        let units = context.location.map(|l| l.units()).unwrap_or_default();
        let policy = policy_id(&rules, PolicyType::Notice, patron, item, units)?;
        let key = (recipient?.unwrap_or_else(|| patron_id.to_string()), policy);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(loan),
            None => groups.push((key, vec![loan])),
        }
    }
    let user = notice_user_context(peers, patron).await?;
    for ((recipient_id, policy_id), group) in groups {
        let Some(policy) = peers.storage().notice_policy(&policy_id).await? else {
            log::warn!(
                "Notice policy {policy_id} could not be found, please check circulation rules"
            );
            continue;
        };
        let choices = chosen_notices(&policy, action.notice_event(), patron);
        if choices.is_empty() {
            continue;
        }
        let context = json!({
            "user": user,
            "loans": group.iter().filter_map(|loan| records.loan_entry(loan)).collect::<Vec<_>>(),
        });
        let items: Vec<Map<String, Value>> = group
            .iter()
            .map(|loan| log_item(loan, records.item(loan), records.instance_id(loan)))
            .collect();
        let log = NoticeLog {
            user_id: Some(patron.id()),
            user_barcode: patron.barcode(),
            notice_policy_id: Some(&policy_id),
            template_id: None,
            triggering_event: action.notice_event().as_str(),
            date: now,
            error: None,
        };
        send_patron_notices(peers, &recipient_id, &choices, &context, log, &items).await;
    }
    Ok(())
}
