//! Patron notices sent at once about loans: who receives a loan's notices, and which of a
//! notice policy's notices an event sends to a patron.
use crate::domain::notice::{notices_for, NoticeChoice};
use crate::domain::{Loan, NoticePolicy, User};
use crate::downstream::Peers;
use crate::okapi::CallError;
use chrono::Utc;
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
