//! The notices a new loan schedules (mod-circulation's `LoanScheduledNoticeService`), as
//! records: one scheduled notice per `loanNotices[]` entry of the notice policy whose `sendWhen`
//! is "Due date" — at the due date ("Upon At"), `sendBy` before or after it, repeating every
//! `sendEvery` when the frequency is "Recurring" — and the first reminder of an overdue fine
//! policy's reminder fees. [`crate::writes::notices`] sends them.
use chrono::{DateTime, Duration, Months, Utc};
use serde_json::Value;
use shared_types::dates::iso_millis_z;
use shared_types::policy::{
    IntervalId, LoanNoticeEvent, NoticeFrequency, NoticeInterval, NoticeIntervalId, NoticeTiming,
    PatronNoticePolicy, Period,
};
use shared_types::scheduled_notice::{ScheduledNotice, ScheduledNoticeConfig, TriggeringEvent};

/// CQL selecting a loan's scheduled notices of its due date.
pub(crate) const DUE_DATE_NOTICES: &str = "triggeringEvent==\"Due date\"";
/// CQL selecting the due-date notices sent upon or after the due date (an overdue fine
/// replaces them).
pub(crate) const OVERDUE_NOTICES: &str =
    "triggeringEvent==\"Due date\" and noticeConfig.timing==(\"Upon At\" or \"After\")";
/// CQL selecting a loan's scheduled reminders of a reminder-fee policy.
pub(crate) const REMINDER_NOTICES: &str = "triggeringEvent==\"Due date - with reminder fee\"";

/// `at` moved by `interval` (`sign` 1 forward, -1 back), as java.time's `ZonedDateTime` in UTC.
fn shift(at: DateTime<Utc>, interval: &NoticeInterval, sign: i64) -> Option<DateTime<Utc>> {
    let n = i64::from(interval.duration);
    let months = |m: i64| {
        let m = Months::new(u32::try_from(m).ok()?);
        if sign > 0 {
            at.checked_add_months(m)
        } else {
            at.checked_sub_months(m)
        }
    };
    match interval.interval_id {
        NoticeIntervalId::Years => months(n * 12),
        NoticeIntervalId::Months => months(n),
        NoticeIntervalId::Weeks => at.checked_add_signed(Duration::weeks(sign * n)),
        NoticeIntervalId::Days => at.checked_add_signed(Duration::days(sign * n)),
        NoticeIntervalId::Hours => at.checked_add_signed(Duration::hours(sign * n)),
        NoticeIntervalId::Minutes => at.checked_add_signed(Duration::minutes(sign * n)),
    }
}

/// A scheduled notice's `recurringPeriod` (period.json has no "Years": 12 months instead).
fn recurring_period(interval: &NoticeInterval) -> Period {
    match interval.interval_id {
        NoticeIntervalId::Years => Period {
            duration: interval.duration.saturating_mul(12),
            interval_id: IntervalId::Months,
        },
        other => Period {
            duration: interval.duration,
            interval_id: match other {
                NoticeIntervalId::Minutes => IntervalId::Minutes,
                NoticeIntervalId::Hours => IntervalId::Hours,
                NoticeIntervalId::Days => IntervalId::Days,
                NoticeIntervalId::Weeks => IntervalId::Weeks,
                _ => IntervalId::Months,
            },
        },
    }
}

/// A new scheduled notice of a loan for its borrower.
fn loan_notice(
    loan_id: &str,
    user_id: &str,
    next_run: DateTime<Utc>,
    event: TriggeringEvent,
    config: ScheduledNoticeConfig,
) -> ScheduledNotice {
    ScheduledNotice {
        id: Some(uuid::Uuid::new_v4().to_string()),
        loan_id: Some(loan_id.to_string()),
        request_id: None,
        fee_fine_action_id: None,
        recipient_user_id: Some(user_id.to_string()),
        session_id: None,
        next_run_time: iso_millis_z(next_run),
        triggering_event: Some(event),
        notice_config: config,
        metadata: None,
    }
}

/// The due-date notices of a loan, or why the policy cannot give any.
pub(crate) fn due_date_notices(
    policy: &Value,
    loan_id: &str,
    user_id: &str,
    due_date: DateTime<Utc>,
) -> Result<Vec<ScheduledNotice>, String> {
    let policy: PatronNoticePolicy =
        serde_json::from_value(policy.clone()).map_err(|e| e.to_string())?;
    let mut notices = Vec::new();
    for config in policy.loan_notices.iter().flatten() {
        let Some(options) = &config.send_options else {
            continue;
        };
        let timing = options.send_how.unwrap_or(NoticeTiming::UponAt);
        let next_run = match timing {
            NoticeTiming::UponAt => Some(due_date),
            NoticeTiming::Before | NoticeTiming::After => {
                let by = options
                    .send_by
                    .as_ref()
                    .ok_or("the loan period is not recognised")?;
                shift(
                    due_date,
                    by,
                    if timing == NoticeTiming::Before {
                        -1
                    } else {
                        1
                    },
                )
            }
        }
        .ok_or("the notice time is out of range")?;
        let recurring = match config.frequency {
            Some(NoticeFrequency::Recurring) => Some(recurring_period(
                options
                    .send_every
                    .as_ref()
                    .ok_or("the loan period is not recognised")?,
            )),
            _ => None,
        };
        if options.send_when != LoanNoticeEvent::DueDate {
            continue;
        }
        notices.push(loan_notice(
            loan_id,
            user_id,
            next_run,
            TriggeringEvent::DueDate,
            ScheduledNoticeConfig {
                timing,
                recurring_period: recurring,
                template_id: config.template_id.clone(),
                format: config.format,
                send_in_real_time: Some(config.real_time),
            },
        ));
    }
    Ok(notices)
}

/// The first reminder of the overdue fine policy's `reminderFeesPolicy`, before any
/// closed-day shift: the notice, its run time (due date + the first entry's interval) and
/// whether it may fall on a closed day (`countClosed`, default true). `None` without a reminder schedule, or when
/// the entry cannot make a valid notice (mod-circulation's storage call would fail then).
pub(crate) fn first_reminder(
    overdue_fine_policy: &Value,
    loan_id: &str,
    user_id: &str,
    due_date: DateTime<Utc>,
) -> Option<(ScheduledNotice, DateTime<Utc>, bool)> {
    let reminders = overdue_fine_policy.get("reminderFeesPolicy")?;
    let first = reminders.get("reminderSchedule")?.as_array()?.first()?;
    let interval = i32::try_from(first.get("interval")?.as_i64()?).ok()?;
    // mod-circulation normalises "day", "DAYS", ... to "Days".
    let unit = first.get("timeUnitId")?.as_str()?.to_ascii_lowercase();
    let interval_id = match unit.trim_end_matches('s') {
        "minute" => NoticeIntervalId::Minutes,
        "hour" => NoticeIntervalId::Hours,
        "day" => NoticeIntervalId::Days,
        "week" => NoticeIntervalId::Weeks,
        "month" => NoticeIntervalId::Months,
        "year" => NoticeIntervalId::Years,
        _ => return None,
    };
    let next_run = shift(
        due_date,
        &NoticeInterval {
            duration: interval,
            interval_id,
        },
        1,
    )?;
    let format = serde_json::from_value(first.get("noticeFormat")?.clone()).ok()?;
    let template_id = first.get("noticeTemplateId")?.as_str()?.to_string();
    let count_closed = reminders
        .get("countClosed")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    Some((
        loan_notice(
            loan_id,
            user_id,
            next_run,
            TriggeringEvent::DueDateWithReminderFee,
            ScheduledNoticeConfig {
                timing: NoticeTiming::After,
                recurring_period: None,
                template_id,
                format,
                send_in_real_time: Some(true),
            },
        ),
        next_run,
        count_closed,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn policy(loan_notices: Value) -> Value {
        json!({"name": "p", "loanNotices": loan_notices})
    }

    fn notice(send_how: &str, send_when: &str, extra: Value) -> Value {
        let mut n = json!({
            "templateId": "2d5f138f-e088-4dff-80f6-9830f13bcde7", "format": "Email",
            "frequency": "One time", "realTime": false,
            "sendOptions": {"sendHow": send_how, "sendWhen": send_when},
        });
        for (k, v) in extra.as_object().unwrap() {
            if k == "frequency" {
                n[k] = v.clone();
            } else {
                n["sendOptions"][k] = v.clone();
            }
        }
        n
    }

    #[test]
    fn schedules_due_date_notices_at_before_and_after() {
        let due = at("2030-03-31T12:00:00Z");
        let p = policy(json!([
            notice("Upon At", "Due date", json!({})),
            notice(
                "Before",
                "Due date",
                json!({"sendBy": {"duration": 1, "intervalId": "Months"}})
            ),
            notice(
                "After",
                "Due date",
                json!({"sendBy": {"duration": 2, "intervalId": "Hours"},
                "frequency": "Recurring", "sendEvery": {"duration": 1, "intervalId": "Days"}})
            ),
            notice("Upon At", "Check out", json!({})),
        ]));
        let n = due_date_notices(&p, "loan-1", "user-1", due).unwrap();
        assert_eq!(n.len(), 3);
        let times: Vec<&str> = n.iter().map(|x| x.next_run_time.as_str()).collect();
        assert_eq!(
            times,
            [
                "2030-03-31T12:00:00.000Z",
                "2030-02-28T12:00:00.000Z",
                "2030-03-31T14:00:00.000Z"
            ]
        );
        let last = serde_json::to_value(&n[2]).unwrap();
        assert_eq!(last["triggeringEvent"], "Due date");
        assert_eq!(last["loanId"], "loan-1");
        assert_eq!(last["recipientUserId"], "user-1");
        assert_eq!(
            last["noticeConfig"],
            json!({"timing": "After", "recurringPeriod": {"duration": 1, "intervalId": "Days"},
                   "templateId": "2d5f138f-e088-4dff-80f6-9830f13bcde7", "format": "Email",
                   "sendInRealTime": false})
        );
        assert!(serde_json::to_value(&n[0]).unwrap()["noticeConfig"]
            .get("recurringPeriod")
            .is_none());
    }

    #[test]
    fn an_unreadable_policy_schedules_nothing() {
        let due = at("2030-03-31T12:00:00Z");
        // "Before" without sendBy: mod-circulation cannot parse the policy at all.
        let p = policy(json!([
            notice("Upon At", "Due date", json!({})),
            notice("Before", "Due date", json!({})),
        ]));
        assert!(due_date_notices(&p, "l", "u", due).is_err());
        assert!(due_date_notices(&json!({"loanNotices": []}), "l", "u", due).is_err());
        assert!(due_date_notices(&policy(json!([])), "l", "u", due)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn first_reminder_of_a_reminder_fee_policy() {
        let due = at("2030-03-31T12:00:00Z");
        let policy = json!({"name": "o", "reminderFeesPolicy": {"countClosed": false, "reminderSchedule": [
            {"interval": 2, "timeUnitId": "day", "reminderFee": 1.5, "noticeFormat": "Email",
             "noticeTemplateId": "2d5f138f-e088-4dff-80f6-9830f13bcde7"},
            {"interval": 1, "timeUnitId": "week", "reminderFee": 2, "noticeFormat": "Print",
             "noticeTemplateId": "2d5f138f-e088-4dff-80f6-9830f13bcde7"}]}});
        let (notice, _, count_closed) = first_reminder(&policy, "l", "u", due).unwrap();
        assert!(!count_closed);
        let v = serde_json::to_value(&notice).unwrap();
        assert_eq!(v["nextRunTime"], "2030-04-02T12:00:00.000Z");
        assert_eq!(v["triggeringEvent"], "Due date - with reminder fee");
        assert_eq!(
            v["noticeConfig"],
            json!({"timing": "After", "templateId": "2d5f138f-e088-4dff-80f6-9830f13bcde7",
                   "format": "Email", "sendInRealTime": true})
        );
        assert!(first_reminder(&json!({"name": "o"}), "l", "u", due).is_none());
        let empty = json!({"reminderFeesPolicy": {"reminderSchedule": []}});
        assert!(first_reminder(&empty, "l", "u", due).is_none());
    }
}
