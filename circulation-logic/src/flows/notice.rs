//! Patron notices about one loan sent at once, as mod-circulation's `LoanNoticeSender` (the
//! "Renewed" notice after a renewal): the loan notice of the event in the notice policy the
//! circulation rules chose, to the borrower or the proxy, with the `user`, `item` and `loan`
//! tokens, logged as a `NOTICE` or `NOTICE_ERROR`. Also who receives a loan's notices, which
//! ending a patron's sessions asks too.
use crate::domain::notice::{log_item, notices_for, NoticeChoice, NoticeLog};
use crate::domain::template_context::{item_context, loan_context, ItemRecords, LoanRecords};
use crate::domain::{
    Holdings, Instance, Item, Loan, LoanPolicyRecord, Location, NoticePolicy, User,
};
use crate::downstream::Peers;
use crate::flows::template::{item_names, notice_user_context, patron_info};
use crate::okapi::CallError;
use crate::writes::notices::send_patron_notices;
use chrono::Utc;
use serde_json::json;
use shared_types::policy::LoanNoticeEvent;

/// The loan's proxy when an active relationship sends the patron's notices to the proxy; else
/// `None` (the patron).
pub(crate) async fn recipient(peers: Peers<'_>, loan: &Loan) -> Result<Option<String>, CallError> {
    let (Some(proxy), Some(user)) = (loan.proxy_user_id(), loan.user_id()) else {
        return Ok(None);
    };
    if proxy == user {
        return Ok(None);
    }
    let now = Utc::now();
    let relationships = peers.users().proxy_relationships(proxy, user).await?;
    Ok(relationships
        .iter()
        .any(|r| r.is_active(now) && r.notifies_proxy())
        .then(|| proxy.to_string()))
}

/// The notices `policy` sends for `event` to `patron` (`domain::notice::notices_for`); none,
/// logged, when the policy cannot be read.
pub(crate) fn chosen_notices(
    policy: &NoticePolicy,
    event: LoanNoticeEvent,
    patron: &User,
) -> Vec<NoticeChoice> {
    notices_for(policy.json(), event, patron).unwrap_or_else(|e| {
        log::warn!("{} notice not sent: {e}", event.as_str());
        Vec::new()
    })
}

/// A notice about one loan: the event, the policy that may send it, and the records the
/// notice names as the flow has them.
#[derive(Clone, Copy)]
pub(crate) struct LoanNotice<'a> {
    pub event: LoanNoticeEvent,
    /// The notice policy the circulation rules chose for the loan (`None`: not read).
    pub policy_id: &'a str,
    pub policy: Option<&'a NoticePolicy>,
    /// The loan as written.
    pub loan: &'a Loan,
    pub loan_policy: Option<&'a LoanPolicyRecord>,
    pub borrower: &'a User,
    /// The item as written, and its holdings, instance and location.
    pub item: &'a Item,
    pub holdings: Option<&'a Holdings>,
    pub instance: Option<&'a Instance>,
    pub location: Option<&'a Location>,
}

/// Sends the notice policy's loan notice of the event, in the formats chosen for the borrower.
/// A policy without one reads and sends nothing. Best
/// effort: what fails is only logged, mod-notify's refusal as a `NOTICE_ERROR`.
pub(crate) async fn send_loan_notice(peers: Peers<'_>, notice: LoanNotice<'_>) {
    let event = notice.event.as_str();
    let Some(policy) = notice.policy else {
        log::warn!(
            "{event} notice not sent: notice policy {} not read",
            notice.policy_id
        );
        return;
    };
    let choices = chosen_notices(policy, notice.event, notice.borrower);
    if choices.is_empty() {
        return;
    }
    // Boxed: the reads would otherwise grow every flow's future that awaits the notice.
    if let Err(e) = Box::pin(send(peers, notice, &choices)).await {
        log::warn!("{event} notice not sent: {e}");
    }
}

/// Reads what the notice names beside the flow's records, then sends it in each format chosen.
async fn send(
    peers: Peers<'_>,
    n: LoanNotice<'_>,
    choices: &[NoticeChoice],
) -> Result<(), CallError> {
    let inventory = peers.inventory();
    let (recipient, names, material_type, primary_service_point, user, patron_info) = peers
        .fan
        .join6(
            recipient(peers, n.loan),
            Box::pin(item_names(peers, n.item, n.location)),
            async {
                match n.item.material_type_id() {
                    Some(id) => inventory.material_type(id).await,
                    None => Ok(None),
                }
            },
            async {
                match n.location.and_then(Location::primary_service_point) {
                    Some(id) => inventory.service_point(id).await,
                    None => Ok(None),
                }
            },
            notice_user_context(peers, n.borrower),
            patron_info(peers, n.loan),
        )
        .await;
    let (names, material_type, primary_service_point) =
        (names?, material_type?, primary_service_point?);
    let patron_info = patron_info?;
    let item = ItemRecords {
        item: n.item,
        holdings: n.holdings,
        instance: n.instance,
        location: n.location,
        library: names.library.as_ref(),
        campus: names.campus.as_ref(),
        institution: names.institution.as_ref(),
        primary_service_point: primary_service_point.as_ref(),
        material_type: material_type.as_ref(),
        loan_type: names.loan_type.as_ref(),
    };
    let loan = LoanRecords {
        loan: n.loan,
        loan_policy: n.loan_policy,
        patron_info: patron_info.as_deref(),
    };
    let context = json!({
        "user": user?,
        "item": item_context(&item),
        "loan": loan_context(&loan),
    });
    let recipient = recipient?;
    let recipient_id = recipient.as_deref().unwrap_or(n.borrower.id());
    let items = [log_item(
        n.loan,
        Some(n.item),
        n.holdings.and_then(Holdings::instance_id),
    )];
    let log = NoticeLog {
        user_id: Some(n.borrower.id()),
        user_barcode: n.borrower.barcode(),
        notice_policy_id: Some(n.policy_id),
        template_id: None,
        triggering_event: n.event.as_str(),
        date: Utc::now(),
        error: None,
    };
    send_patron_notices(peers, recipient_id, choices, &context, log, &items).await;
    Ok(())
}
