//! Scheduling a new loan's notices, and sending a patron notice at once (best effort: a
//! failure is only logged, as in mod-circulation, and never changes the answer).
use crate::domain::notice::{notice_log_record, patron_notice, NoticeChoice, NoticeLog};
use crate::domain::scheduled_notices::{
    due_date_notices, first_reminder, DUE_DATE_NOTICES, REMINDER_NOTICES,
};
use crate::domain::{Loan, NoticePolicy, OverdueFinePolicy};
use crate::downstream::Peers;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use shared_types::dates::iso_millis_z;

/// Sends the notice of `context` to `recipient_id` in each format chosen, one after the
/// other, each recorded in the circulation log with its template.
pub(crate) async fn send_patron_notices(
    peers: Peers<'_>,
    recipient_id: &str,
    choices: &[NoticeChoice],
    context: &Value,
    log: NoticeLog<'_>,
    items: &[Map<String, Value>],
) {
    for choice in choices {
        let notice = patron_notice(recipient_id, choice, context.clone());
        let log = NoticeLog {
            template_id: Some(&choice.template_id),
            ..log
        };
        send_patron_notice(peers, &notice, log, items).await;
    }
}

/// Sends `notice` (a `POST /patron-notice` body) and records it in the circulation log: a
/// `NOTICE`, or a `NOTICE_ERROR` naming why mod-notify did not take it.
async fn send_patron_notice(
    peers: Peers<'_>,
    notice: &Value,
    log: NoticeLog<'_>,
    items: &[Map<String, Value>],
) {
    let error = match peers.notify().send(notice).await {
        Ok(()) => None,
        Err(e) => {
            log::warn!("patron notice not sent: {e}");
            Some(e.to_string())
        }
    };
    let log = NoticeLog {
        error: error.as_deref(),
        ..log
    };
    log_notice(peers, log, items).await;
}

/// Publishes the circulation log's record of a notice (`NOTICE_ERROR` when `log` has an
/// error).
pub(crate) async fn log_notice(peers: Peers<'_>, log: NoticeLog<'_>, items: &[Map<String, Value>]) {
    let record = notice_log_record(log, items);
    if let Err(e) = peers.pubsub().publish("LOG_RECORD", &record).await {
        log::warn!("notice log record not published: {e}");
    }
}

/// Schedules the loan's due-date notices (before the answer, so a client that reads them
/// right after the check-out finds them).
pub(crate) async fn schedule(
    peers: Peers<'_>,
    policy: Option<&NoticePolicy>,
    loan_id: &str,
    user_id: &str,
    due_date: DateTime<Utc>,
) {
    let Some(policy) = policy else { return };
    let notices = match due_date_notices(policy.json(), loan_id, user_id, due_date) {
        Ok(n) => n,
        Err(e) => {
            log::warn!(
                "check-out: due date notices not scheduled: Unable to parse patron notice policy: {e}"
            );
            return;
        }
    };
    let storage = peers.storage();
    let posts = notices
        .iter()
        .map(|notice| storage.schedule_notice("schedule due date notice", notice));
    for result in peers.fan.all(posts.collect()).await {
        if let Err(e) = result {
            log::warn!("check-out: due date notice not scheduled: {e}");
        }
    }
}

/// After a renewal, the loan's due-date notices and first reminder scheduled again for its new
/// due date (mod-circulation's `rescheduleDueDateNotices` and `rescheduleFirstReminder`): the
/// old ones deleted first, nothing scheduled when they could not be.
pub(crate) async fn reschedule(
    peers: Peers<'_>,
    notice_policy: Option<&NoticePolicy>,
    overdue_fine_policy: Option<&OverdueFinePolicy>,
    loan: &Loan,
    tz: chrono_tz::Tz,
) {
    let (Some(due_date), Some(user_id)) = (loan.due_date(), loan.user_id()) else {
        return;
    };
    let storage = peers.storage();
    let due_date_notices = async {
        let deleted = storage
            .delete_scheduled_notices("delete due date notices", loan.id(), DUE_DATE_NOTICES)
            .await;
        match deleted {
            Ok(_) => schedule(peers, notice_policy, loan.id(), user_id, due_date).await,
            Err(e) => log::warn!("renewal: due date notices not rescheduled: {e}"),
        }
    };
    let reminder = async {
        let Some(policy) = overdue_fine_policy.filter(|p| p.has_reminder_fees()) else {
            return;
        };
        let deleted = storage
            .delete_scheduled_notices("delete reminders", loan.id(), REMINDER_NOTICES)
            .await;
        match deleted {
            Ok(_) => {
                let service_point = loan.checkout_service_point_id().unwrap_or_default();
                schedule_first_reminder(
                    peers,
                    policy,
                    loan.id(),
                    user_id,
                    due_date,
                    service_point,
                    tz,
                )
                .await
            }
            Err(e) => log::warn!("renewal: first reminder not rescheduled: {e}"),
        }
    };
    peers.fan.join2(due_date_notices, reminder).await;
}

/// Schedules the first reminder of a reminder-fee policy. Unless the policy counts closed
/// days, a reminder falling on a day the service point is closed moves to its next open day
/// (a calendar read); no open day after it → nothing is scheduled, as in mod-circulation.
pub(crate) async fn schedule_first_reminder(
    peers: Peers<'_>,
    overdue_fine_policy: &OverdueFinePolicy,
    loan_id: &str,
    user_id: &str,
    due_date: DateTime<Utc>,
    service_point_id: &str,
    tz: chrono_tz::Tz,
) {
    let Some((mut notice, at, count_closed)) =
        first_reminder(overdue_fine_policy.json(), loan_id, user_id, due_date)
    else {
        return;
    };
    if !count_closed {
        let day = at.with_timezone(&tz).date_naive();
        let days = match peers
            .calendar()
            .surrounding_openings(service_point_id, day)
            .await
        {
            Ok(Some(days)) => days,
            Ok(None) | Err(_) => {
                log::warn!("check-out: first reminder not scheduled: calendar not read");
                return;
            }
        };
        if !days.requested().open {
            let next = days.next();
            let (true, Some(next_date)) = (next.open, next.date) else {
                log::warn!("check-out: first reminder not scheduled: No calendar time table found for requested date");
                return;
            };
            notice.next_run_time = iso_millis_z(at + Duration::days((next_date - day).num_days()));
        }
    }
    if let Err(e) = peers
        .storage()
        .schedule_notice("schedule first reminder", &notice)
        .await
    {
        log::warn!("check-out: first reminder not scheduled: {e}");
    }
}
