//! Table-driven tests of the check-out due date.
use chrono::{NaiveTime, Utc};
use serde_json::{json, Value};

use super::*;
use crate::domain::RequestQueue;

const POLICY_ID: &str = "d9cd0bed-1b49-4b5e-a7bd-064b8d177231";
const SCHEDULE_ID: &str = "cb201cd6-296c-4457-9ac4-617d9584e27b";

fn utc(s: &str) -> DateTime<Utc> {
    parse_utc(s).unwrap_or_else(|| panic!("bad date {s}"))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

fn policy_with(loans: Value, extra: Value) -> LoanPolicy {
    let mut v = json!({"id": POLICY_ID, "name": "Test policy", "loanable": true,
        "renewable": true, "loansPolicy": loans});
    if let Value::Object(m) = extra {
        for (k, x) in m {
            v[k] = x;
        }
    }
    serde_json::from_value(v).unwrap()
}

fn rolling(duration: i32, interval: &str, management: &str) -> LoanPolicy {
    policy_with(
        json!({"profileId": "Rolling", "period": {"duration": duration, "intervalId": interval},
            "closedLibraryDueDateManagementId": management}),
        json!({}),
    )
}

fn schedule(ranges: &[(&str, &str, &str)]) -> FixedDueDateSchedule {
    let schedules: Vec<Value> = ranges
        .iter()
        .map(|(from, to, due)| json!({"from": from, "to": to, "due": due}))
        .collect();
    serde_json::from_value(json!({"id": SCHEDULE_ID, "name": "Semester", "schedules": schedules}))
        .unwrap()
}

fn spring_2024() -> FixedDueDateSchedule {
    schedule(&[
        (
            "2024-01-01T00:00:00.000Z",
            "2024-05-31T23:59:59.000Z",
            "2024-06-15T23:59:59.000Z",
        ),
        (
            "2024-06-01T00:00:00.000Z",
            "2024-08-31T23:59:59.000Z",
            "2024-09-05T23:59:59.000Z",
        ),
    ])
}

fn input<'a>(
    policy: &'a LoanPolicy,
    schedules: &'a [FixedDueDateSchedule],
    loan_date: &str,
    hold: bool,
) -> CheckOutDueDate<'a> {
    CheckOutDueDate {
        policy,
        schedules,
        loan_date: utc(loan_date),
        has_waiting_hold: hold,
    }
}

fn policy_error(message: &str) -> DueDateError {
    DueDateError::LoanPolicy {
        message: message.to_string(),
        loan_policy_id: Some(POLICY_ID.to_string()),
        loan_policy_name: "Test policy".to_string(),
    }
}

#[test]
fn rolling_periods() {
    let cases = [
        (
            1,
            "Months",
            "2024-01-31T10:15:00.000Z",
            "2024-02-29T10:15:00Z",
        ),
        (
            1,
            "Months",
            "2023-01-31T10:15:00.000Z",
            "2023-02-28T10:15:00Z",
        ),
        (
            3,
            "Weeks",
            "2024-03-01T10:15:00.000Z",
            "2024-03-22T10:15:00Z",
        ),
        (
            1,
            "Days",
            "2024-03-09T16:00:00.000Z",
            "2024-03-10T16:00:00Z",
        ),
        (
            14,
            "Days",
            "2024-12-25T08:00:00.000Z",
            "2025-01-08T08:00:00Z",
        ),
        (
            2,
            "Hours",
            "2024-03-09T23:30:00.000Z",
            "2024-03-10T01:30:00Z",
        ),
        (
            90,
            "Minutes",
            "2024-03-09T23:30:00.000Z",
            "2024-03-10T01:00:00Z",
        ),
    ];
    for (duration, interval, loan, expected) in cases {
        let p = rolling(duration, interval, "CURRENT_DUE_DATE_TIME");
        let got = initial_due_date(&input(&p, &[], loan, false)).unwrap();
        assert_eq!(
            got.due_date,
            utc(expected),
            "{duration} {interval} from {loan}"
        );
        assert!(!got.changed_by_hold);
        assert_eq!(got.schedule_limit, None);
    }
}

fn rolling_limited(duration: i32, interval: &str) -> LoanPolicy {
    policy_with(
        json!({"profileId": "rolling", "period": {"duration": duration, "intervalId": interval},
            "fixedDueDateScheduleId": SCHEDULE_ID}),
        json!({}),
    )
}

#[test]
fn rolling_due_date_limit() {
    let schedules = [spring_2024()];
    let cases: [(i32, &str, &str, Result<&str, &str>); 5] = [
        // Under the limit: the rolling due date.
        (
            2,
            "Weeks",
            "2024-03-01T10:00:00Z",
            Ok("2024-03-15T10:00:00Z"),
        ),
        // Over the limit: the limit.
        (
            3,
            "Weeks",
            "2024-05-30T10:00:00Z",
            Ok("2024-06-15T23:59:59Z"),
        ),
        (
            1,
            "Months",
            "2024-08-20T10:00:00Z",
            Ok("2024-09-05T23:59:59Z"),
        ),
        // Outside every range.
        (
            1,
            "Days",
            "2024-10-01T10:00:00Z",
            Err(LOAN_DATE_OUTSIDE_SCHEDULES),
        ),
        (
            1,
            "Days",
            "2023-12-31T10:00:00Z",
            Err(LOAN_DATE_OUTSIDE_SCHEDULES),
        ),
    ];
    for (duration, interval, loan, expected) in cases {
        let p = rolling_limited(duration, interval);
        let got = initial_due_date(&input(&p, &schedules, loan, false));
        match expected {
            Ok(due) => {
                let got = got.unwrap();
                assert_eq!(got.due_date, utc(due), "{loan}");
                assert!(got.schedule_limit.is_some());
            }
            Err(message) => assert_eq!(got, Err(policy_error(message)), "{loan}"),
        }
    }
    // The referenced schedule was not found: no limit.
    let p = rolling_limited(3, "Weeks");
    let got = initial_due_date(&input(&p, &[], "2024-05-30T10:00:00Z", false)).unwrap();
    assert_eq!(got.due_date, utc("2024-06-20T10:00:00Z"));
    // A schedule record without ranges refuses every loan date.
    let empty = [schedule(&[])];
    assert_eq!(
        initial_due_date(&input(&p, &empty, "2024-05-30T10:00:00Z", false)),
        Err(policy_error(LOAN_DATE_OUTSIDE_SCHEDULES))
    );
}

fn fixed(extra: Value) -> LoanPolicy {
    policy_with(
        json!({"profileId": "Fixed", "fixedDueDateScheduleId": SCHEDULE_ID,
            "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE"}),
        extra,
    )
}

#[test]
fn fixed_schedules() {
    let schedules = [spring_2024()];
    let p = fixed(json!({}));
    let cases: [(&str, Result<&str, &str>); 5] = [
        ("2024-03-01T10:00:00Z", Ok("2024-06-15T23:59:59Z")),
        ("2024-06-01T00:00:00.001Z", Ok("2024-09-05T23:59:59Z")),
        ("2024-08-31T23:59:58Z", Ok("2024-09-05T23:59:59Z")),
        ("2024-09-01T10:00:00Z", Err(LOAN_DATE_OUTSIDE_SCHEDULES)),
        // The range ends are exclusive.
        ("2024-01-01T00:00:00Z", Err(LOAN_DATE_OUTSIDE_SCHEDULES)),
    ];
    for (loan, expected) in cases {
        let got = initial_due_date(&input(&p, &schedules, loan, false));
        match expected {
            Ok(due) => {
                let got = got.unwrap();
                assert_eq!(got.due_date, utc(due), "{loan}");
                assert_eq!(got.schedule_limit, Some(utc(due)), "{loan}");
            }
            Err(message) => assert_eq!(got, Err(policy_error(message)), "{loan}"),
        }
    }
    // No schedule at all.
    let none = policy_with(json!({"profileId": "Fixed"}), json!({}));
    assert_eq!(
        initial_due_date(&input(&none, &schedules, "2024-03-01T10:00:00Z", false)),
        Err(policy_error(LOAN_DATE_OUTSIDE_SCHEDULES))
    );
}

#[test]
fn alternate_period_when_a_hold_waits() {
    let holds = json!({"requestManagement": {"holds": {
        "alternateCheckoutLoanPeriod": {"duration": 3, "intervalId": "Days"}}}});
    let rolling_alt = policy_with(
        json!({"profileId": "Rolling", "period": {"duration": 3, "intervalId": "Weeks"}}),
        holds.clone(),
    );
    let fixed_alt = fixed(holds);
    let rolling_plain = rolling(3, "Weeks", "CURRENT_DUE_DATE");
    let schedules = [spring_2024()];
    // (policy, hold waiting, loan date, due, changed by hold)
    let cases = [
        (
            &rolling_alt,
            true,
            "2024-03-01T10:00:00Z",
            "2024-03-04T10:00:00Z",
            true,
        ),
        (
            &rolling_alt,
            false,
            "2024-03-01T10:00:00Z",
            "2024-03-22T10:00:00Z",
            false,
        ),
        (
            &rolling_plain,
            true,
            "2024-03-01T10:00:00Z",
            "2024-03-22T10:00:00Z",
            false,
        ),
        // Fixed: the alternate period applies, capped by the schedule, flag not set.
        (
            &fixed_alt,
            true,
            "2024-03-01T10:00:00Z",
            "2024-03-04T10:00:00Z",
            false,
        ),
        (
            &fixed_alt,
            true,
            "2024-05-31T10:00:00Z",
            "2024-06-03T10:00:00Z",
            false,
        ),
        (
            &fixed_alt,
            true,
            "2024-08-30T10:00:00Z",
            "2024-09-02T10:00:00Z",
            false,
        ),
        (
            &fixed_alt,
            false,
            "2024-03-01T10:00:00Z",
            "2024-06-15T23:59:59Z",
            false,
        ),
    ];
    for (p, hold, loan, due, flag) in cases {
        let got = initial_due_date(&input(p, &schedules, loan, hold)).unwrap();
        assert_eq!(got.due_date, utc(due), "{} hold={hold} {loan}", p.name);
        assert_eq!(got.changed_by_hold, flag, "{loan}");
    }
    assert_eq!(
        initial_due_date(&input(&fixed_alt, &schedules, "2024-12-01T10:00:00Z", true)),
        Err(policy_error(LOAN_DATE_OUTSIDE_SCHEDULES))
    );
}

#[test]
fn waiting_holds_in_the_queue() {
    let req = |t: &str, status: &str, item: Option<&str>| -> Value {
        let mut v = json!({"id": "b1d1b5b4-0c3a-4b8a-9a57-6a1d2c3e4f50", "requestType": t,
            "requestDate": "2024-01-01T00:00:00.000Z", "requesterId": "e0ffb8bf-2b8a-4a6f-a1b4-3ad7c43a9ea5",
            "fulfillmentPreference": "Hold Shelf", "status": status, "requestLevel": "Item",
            "instanceId": "5bf370e0-8cca-4d9c-82e4-5170ab2a0a39"});
        if let Some(i) = item {
            v["itemId"] = json!(i);
            v["holdingsRecordId"] = json!("e3ff6133-b9a2-4d4c-a1c9-dc1867d4df19");
        } else {
            v["requestLevel"] = json!("Title");
        }
        v
    };
    let item = "7212ba6a-8dcf-45a1-be9a-ffaa847c4423";
    let other = "9b2e1f6c-0000-4000-8000-000000000001";
    let cases = [
        (vec![req("Hold", "Open - Not yet filled", Some(item))], true),
        (vec![req("Hold", "Open - Not yet filled", None)], true),
        (
            vec![req("Hold", "Open - Not yet filled", Some(other))],
            false,
        ),
        (
            vec![req("Hold", "Open - Awaiting pickup", Some(item))],
            false,
        ),
        (
            vec![req("Recall", "Open - Not yet filled", Some(item))],
            false,
        ),
        (vec![], false),
    ];
    for (queue, expected) in cases {
        let queue = RequestQueue::from_json(queue);
        assert_eq!(queue.has_waiting_hold(item), expected, "{queue:?}");
    }
}

#[test]
fn policy_errors() {
    let schedules = [spring_2024()];
    let no_loans: LoanPolicy = serde_json::from_value(
        json!({"id": POLICY_ID, "name": "Test policy", "loanable": true, "renewable": true}),
    )
    .unwrap();
    let cases = [
        (
            no_loans,
            "profile \"\" in the loan policy is not recognised",
        ),
        (
            policy_with(json!({"profileId": "Indefinite"}), json!({})),
            "profile \"Indefinite\" in the loan policy is not recognised",
        ),
        (
            policy_with(json!({}), json!({})),
            "profile \"null\" in the loan policy is not recognised",
        ),
        (
            policy_with(json!({"profileId": "Rolling"}), json!({})),
            UNRECOGNISED_PERIOD,
        ),
        (
            rolling(0, "Days", "CURRENT_DUE_DATE"),
            "the duration \"0\" in the loan policy is invalid",
        ),
        (
            rolling(-2, "Hours", "CURRENT_DUE_DATE"),
            "the duration \"-2\" in the loan policy is invalid",
        ),
    ];
    for (p, message) in cases {
        let got = initial_due_date(&input(&p, &schedules, "2024-03-01T10:00:00Z", false));
        assert_eq!(got, Err(policy_error(message)));
    }
    let e = policy_error(LOAN_DATE_OUTSIDE_SCHEDULES).to_folio_error();
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(
        v,
        json!({"message": LOAN_DATE_OUTSIDE_SCHEDULES, "parameters": [
            {"key": "loanPolicyId", "value": POLICY_ID},
            {"key": "loanPolicyName", "value": "Test policy"}]})
    );
    let e = DueDateError::CalendarTimetableAbsent.to_folio_error();
    assert_eq!(e.message, CALENDAR_TIMETABLE_ABSENT);
    assert_eq!(e.code.as_deref(), Some("CALENDAR_TIMETABLE_ABSENT"));
    let e = DueDateError::CalendarOpenPeriodsNotFound.to_folio_error();
    assert_eq!(e.message, CALENDAR_OPEN_PERIODS_NOT_FOUND);
    assert_eq!(e.code.as_deref(), Some("CALENDAR_OPEN_PERIODS_NOT_FOUND"));
    assert!(!DueDateError::Internal("x".into()).is_validation());
}

// ------------------------------------------------------------------------------------------
// Closed library

fn day(d: &str, hours: &[(&str, &str)]) -> SingleDayOpening {
    if hours.is_empty() {
        return SingleDayOpening::closed(date(d));
    }
    let h: Vec<_> = hours.iter().map(|(s, e)| (hm(s), hm(e))).collect();
    SingleDayOpening::open_hours(date(d), &h)
}

fn around(
    prev: SingleDayOpening,
    req: SingleDayOpening,
    next: SingleDayOpening,
) -> SurroundingOpenings {
    SurroundingOpenings {
        openings: vec![prev, req, next],
    }
}

/// Fri 2024-03-08 open 9-17, Sat 03-09 closed, Mon 03-11 open 9-17.
fn weekend() -> SurroundingOpenings {
    around(
        day("2024-03-08", &[("09:00", "17:00")]),
        day("2024-03-09", &[]),
        day("2024-03-11", &[("09:00", "17:00")]),
    )
}

/// Thu 03-07 9-17, Fri 03-08 9-17 (requested, open), Mon 03-11 9-17.
fn open_friday() -> SurroundingOpenings {
    around(
        day("2024-03-07", &[("09:00", "17:00")]),
        day("2024-03-08", &[("09:00", "17:00")]),
        day("2024-03-11", &[("09:00", "17:00")]),
    )
}

const MANAGEMENT: [&str; 6] = [
    "CURRENT_DUE_DATE",
    "CURRENT_DUE_DATE_TIME",
    "END_OF_THE_PREVIOUS_OPEN_DAY",
    "END_OF_THE_NEXT_OPEN_DAY",
    "END_OF_THE_CURRENT_SERVICE_POINT_HOURS",
    "BEGINNING_OF_THE_NEXT_OPEN_SERVICE_POINT_HOURS",
];

fn check_closed_library(
    tz: Tz,
    interval: &str,
    openings: &SurroundingOpenings,
    loan: &str,
    due: &str,
    expected: [Result<&str, DueDateError>; 6],
) {
    for (management, expected) in MANAGEMENT.iter().zip(expected) {
        let p = rolling(1, interval, management);
        let got = apply_closed_library(utc(due), &p, openings, tz, utc(loan), None);
        assert_eq!(
            got,
            expected.map(utc),
            "{management} due {due} loan {loan} in {tz}"
        );
    }
}

#[test]
fn closed_library_due_on_a_closed_day() {
    check_closed_library(
        Tz::UTC,
        "Days",
        &weekend(),
        "2024-03-08T12:00:00Z",
        "2024-03-09T15:00:00Z",
        [
            Ok("2024-03-09T23:59:59Z"),
            Ok("2024-03-09T15:00:00Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-11T23:59:59Z"),
            // Loan date inside Friday's hours: end of Friday's hours.
            Ok("2024-03-08T17:00:00Z"),
            Ok("2024-03-11T09:00:00Z"),
        ],
    );
    // Loan date after Friday's closing: the end of the next open hours.
    check_closed_library(
        Tz::UTC,
        "Hours",
        &weekend(),
        "2024-03-08T18:00:00Z",
        "2024-03-09T15:00:00Z",
        [
            Ok("2024-03-09T23:59:59Z"),
            Ok("2024-03-09T15:00:00Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-11T23:59:59Z"),
            Ok("2024-03-11T17:00:00Z"),
            Ok("2024-03-11T09:00:00Z"),
        ],
    );
    // Loan date outside the three days' timetable.
    check_closed_library(
        Tz::UTC,
        "Hours",
        &weekend(),
        "2024-03-07T12:00:00Z",
        "2024-03-09T15:00:00Z",
        [
            Ok("2024-03-09T23:59:59Z"),
            Ok("2024-03-09T15:00:00Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-11T23:59:59Z"),
            Err(DueDateError::CalendarTimetableAbsent),
            Ok("2024-03-11T09:00:00Z"),
        ],
    );
}

#[test]
fn closed_library_due_on_an_open_day() {
    // After closing time on an open day.
    check_closed_library(
        Tz::UTC,
        "Hours",
        &open_friday(),
        "2024-03-08T15:00:00Z",
        "2024-03-08T20:00:00Z",
        [
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T20:00:00Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T17:00:00Z"),
            Ok("2024-03-11T09:00:00Z"),
        ],
    );
    // Within the hours: the short-term strategies keep the time.
    check_closed_library(
        Tz::UTC,
        "Minutes",
        &open_friday(),
        "2024-03-08T09:30:00Z",
        "2024-03-08T11:00:00Z",
        [
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T11:00:00Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T23:59:59Z"),
            Ok("2024-03-08T11:00:00Z"),
            Ok("2024-03-08T11:00:00Z"),
        ],
    );
}

#[test]
fn closed_library_without_any_opening() {
    for openings in [SurroundingOpenings::all_closed(), weekend_all_closed()] {
        check_closed_library(
            Tz::UTC,
            "Days",
            &openings,
            "2024-03-08T12:00:00Z",
            "2024-03-09T15:00:00Z",
            [
                Ok("2024-03-09T23:59:59Z"),
                Ok("2024-03-09T15:00:00Z"),
                Err(DueDateError::CalendarTimetableAbsent),
                Err(DueDateError::CalendarTimetableAbsent),
                Err(DueDateError::CalendarTimetableAbsent),
                Err(DueDateError::CalendarTimetableAbsent),
            ],
        );
    }
}

fn weekend_all_closed() -> SurroundingOpenings {
    around(
        day("2024-03-08", &[]),
        day("2024-03-09", &[]),
        day("2024-03-10", &[]),
    )
}

#[test]
fn closed_library_in_new_york_across_dst() {
    let tz = ny();
    // Sat 03-09 (EST) 10-18, Sun 03-10 (DST starts) closed, Mon 03-11 (EDT) 10-18.
    let openings = around(
        day("2024-03-09", &[("10:00", "18:00")]),
        day("2024-03-10", &[]),
        day("2024-03-11", &[("10:00", "18:00")]),
    );
    let p = rolling(1, "Days", "CURRENT_DUE_DATE");
    let p_schedules: [FixedDueDateSchedule; 0] = [];
    let initial =
        initial_due_date(&input(&p, &p_schedules, "2024-03-09T16:00:00Z", false)).unwrap();
    assert_eq!(initial.due_date, utc("2024-03-10T16:00:00Z"));
    assert_eq!(
        openings_query_date(initial.due_date, tz),
        date("2024-03-10")
    );
    check_closed_library(
        tz,
        "Days",
        &openings,
        "2024-03-09T16:00:00Z",
        "2024-03-10T16:00:00Z",
        [
            Ok("2024-03-11T03:59:59Z"),
            Ok("2024-03-10T16:00:00Z"),
            Ok("2024-03-10T04:59:59Z"),
            Ok("2024-03-12T03:59:59Z"),
            Ok("2024-03-09T23:00:00Z"),
            Ok("2024-03-11T14:00:00Z"),
        ],
    );
    // The query date is the local date: 21:00 EST on the 9th is the 10th in UTC.
    assert_eq!(
        openings_query_date(utc("2024-03-10T02:00:00Z"), tz),
        date("2024-03-09")
    );
    assert_eq!(
        openings_query_date(utc("2024-03-10T02:00:00Z"), Tz::UTC),
        date("2024-03-10")
    );
}

#[test]
fn end_of_current_hours_rollover() {
    // The library works through Friday night (closing 23:59) and reopens Saturday 00:00-03:00.
    let openings = around(
        day("2024-03-08", &[("08:00", "23:59")]),
        day("2024-03-09", &[("00:00", "03:00"), ("08:00", "12:00")]),
        day("2024-03-11", &[("08:00", "12:00")]),
    );
    let p = rolling(18, "Hours", "END_OF_THE_CURRENT_SERVICE_POINT_HOURS");
    let loan = utc("2024-03-08T11:00:00Z");
    let due = initial_due_date(&input(&p, &[], "2024-03-08T11:00:00Z", false))
        .unwrap()
        .due_date;
    assert_eq!(due, utc("2024-03-09T05:00:00Z"));
    assert_eq!(
        apply_closed_library(due, &p, &openings, Tz::UTC, loan, None),
        Ok(utc("2024-03-09T03:00:00Z"))
    );
    // Without the overnight opening: end of the hours the loan was made in.
    let openings = around(
        day("2024-03-08", &[("08:00", "20:00")]),
        day("2024-03-09", &[("08:00", "12:00")]),
        day("2024-03-11", &[("08:00", "12:00")]),
    );
    assert_eq!(
        apply_closed_library(due, &p, &openings, Tz::UTC, loan, None),
        Ok(utc("2024-03-08T20:00:00Z"))
    );
    // All-day openings: the due date inside an all-day open day stays.
    let openings = around(
        SingleDayOpening::open_all_day(date("2024-03-08")),
        day("2024-03-09", &[]),
        SingleDayOpening::open_all_day(date("2024-03-11")),
    );
    let p = rolling(24, "Hours", "END_OF_THE_CURRENT_SERVICE_POINT_HOURS");
    // Saturday closed: Friday's all-day interval ends at Saturday 00:00.
    assert_eq!(
        apply_closed_library(
            utc("2024-03-09T11:00:00Z"),
            &p,
            &openings,
            Tz::UTC,
            loan,
            None
        ),
        Ok(utc("2024-03-09T00:00:00Z"))
    );
}

#[test]
fn beginning_of_next_open_hours_with_offset() {
    let base = json!({"profileId": "Rolling", "period": {"duration": 5, "intervalId": "Hours"},
        "closedLibraryDueDateManagementId": "BEGINNING_OF_THE_NEXT_OPEN_SERVICE_POINT_HOURS"});
    let loan = utc("2024-03-08T12:00:00Z");
    let due = utc("2024-03-09T15:00:00Z");
    let cases: [(Value, Result<&str, ()>); 5] = [
        (Value::Null, Ok("2024-03-11T09:00:00Z")),
        (
            json!({"duration": 30, "intervalId": "Minutes"}),
            Ok("2024-03-11T09:30:00Z"),
        ),
        (
            json!({"duration": 2, "intervalId": "Hours"}),
            Ok("2024-03-11T11:00:00Z"),
        ),
        // Past the last opening of the timetable: its end.
        (
            json!({"duration": 9, "intervalId": "Hours"}),
            Ok("2024-03-11T17:00:00Z"),
        ),
        (json!({"duration": 1, "intervalId": "Weeks"}), Err(())),
    ];
    for (offset, expected) in cases {
        let mut loans = base.clone();
        if !offset.is_null() {
            loans["openingTimeOffset"] = offset.clone();
        }
        let p = policy_with(loans, json!({}));
        let got = apply_closed_library(due, &p, &weekend(), Tz::UTC, loan, None);
        match expected {
            Ok(e) => assert_eq!(got, Ok(utc(e)), "{offset}"),
            Err(()) => assert!(matches!(got, Err(DueDateError::Internal(_))), "{offset}"),
        }
    }
    // Offset landing in the closed gap of a split day: end of the opening before it.
    let openings = around(
        day("2024-03-08", &[("09:00", "17:00")]),
        day("2024-03-09", &[]),
        day("2024-03-11", &[("09:00", "10:00"), ("13:00", "17:00")]),
    );
    let mut loans = base.clone();
    loans["openingTimeOffset"] = json!({"duration": 2, "intervalId": "Hours"});
    let p = policy_with(loans, json!({}));
    assert_eq!(
        apply_closed_library(due, &p, &openings, Tz::UTC, loan, None),
        Ok(utc("2024-03-11T10:00:00Z"))
    );
}

#[test]
fn cap_back_to_the_due_date_limit() {
    let limit_schedule = [schedule(&[(
        "2024-01-01T00:00:00.000Z",
        "2024-12-31T23:59:59.000Z",
        "2024-03-09T12:00:00.000Z",
    )])];
    let with = |interval: &str, duration: i32, management: &str| {
        policy_with(
            json!({"profileId": "Rolling", "period": {"duration": duration, "intervalId": interval},
                "fixedDueDateScheduleId": SCHEDULE_ID, "closedLibraryDueDateManagementId": management}),
            json!({}),
        )
    };
    // (policy, loan date, expected initial, expected final)
    let cases = [
        // Long-term, moved to Monday past the limit's Saturday: back to the end of the
        // previous open day before the limit.
        (
            with("Days", 8, "END_OF_THE_NEXT_OPEN_DAY"),
            "2024-03-01T10:00:00Z",
            "2024-03-09T10:00:00Z",
            "2024-03-08T23:59:59Z",
        ),
        // Same local date as the limit: kept, although later than the limit's time.
        (
            with("Days", 8, "CURRENT_DUE_DATE"),
            "2024-03-01T10:00:00Z",
            "2024-03-09T10:00:00Z",
            "2024-03-09T23:59:59Z",
        ),
        (
            with("Weeks", 3, "CURRENT_DUE_DATE"),
            "2024-03-01T10:00:00Z",
            "2024-03-09T12:00:00Z",
            "2024-03-09T23:59:59Z",
        ),
        // Short-term: back to the end of the current service point hours.
        (
            with("Hours", 24, "END_OF_THE_NEXT_OPEN_DAY"),
            "2024-03-08T10:00:00Z",
            "2024-03-09T10:00:00Z",
            "2024-03-08T17:00:00Z",
        ),
    ];
    for (p, loan, initial, expected) in cases {
        let first = initial_due_date(&input(&p, &limit_schedule, loan, false)).unwrap();
        assert_eq!(first.due_date, utc(initial), "{loan}");
        assert_eq!(first.schedule_limit, Some(utc("2024-03-09T12:00:00Z")));
        let got = apply_closed_library(
            first.due_date,
            &p,
            &weekend(),
            Tz::UTC,
            utc(loan),
            first.schedule_limit,
        );
        assert_eq!(got, Ok(utc(expected)), "{loan} {initial}");
    }
}

#[test]
fn needs_calendar_for_every_computed_due_date() {
    for m in MANAGEMENT {
        assert!(needs_calendar(&rolling(1, "Days", m)));
    }
    let no_loans: LoanPolicy = serde_json::from_value(
        json!({"id": POLICY_ID, "name": "Test policy", "loanable": false, "renewable": false}),
    )
    .unwrap();
    assert!(!needs_calendar(&no_loans));
}

#[test]
fn patron_expiration_truncation() {
    let due = utc("2024-03-20T23:59:59Z");
    let expires = parse_date_time("2024-03-09T12:00:00.000+00:00").unwrap();
    assert_eq!(
        expiry_openings_date(due, Some(expires)),
        Some(date("2024-03-09"))
    );
    assert_eq!(expiry_openings_date(due, None), None);
    assert_eq!(
        expiry_openings_date(utc("2024-03-09T12:00:00Z"), Some(expires)),
        None,
        "expiring at the due date is no truncation"
    );
    // The date asked for is the expiration's own local date.
    let evening = parse_date_time("2024-03-09T23:00:00-05:00").unwrap();
    assert_eq!(
        expiry_openings_date(due, Some(evening)),
        Some(date("2024-03-09"))
    );

    let expected = [
        Ok("2024-03-09T12:00:00Z"),
        Ok("2024-03-09T12:00:00Z"),
        Ok("2024-03-08T23:59:59Z"),
        Ok("2024-03-08T23:59:59Z"),
        Ok("2024-03-08T17:00:00Z"),
        Ok("2024-03-08T17:00:00Z"),
    ];
    for (management, expected) in MANAGEMENT.iter().zip(expected) {
        let p = rolling(1, "Days", management);
        let got = truncate_to_expiry(expires, &p, &weekend(), Tz::UTC);
        assert_eq!(got, expected.map(utc), "{management}");
    }
    // Expiring inside open hours: the hours strategies go back to the start of those hours
    // (the end of the closed interval before them), as mod-circulation does.
    let inside = parse_date_time("2024-03-08T12:00:00Z").unwrap();
    let p = rolling(1, "Hours", "END_OF_THE_CURRENT_SERVICE_POINT_HOURS");
    assert_eq!(
        truncate_to_expiry(inside, &p, &open_friday(), Tz::UTC),
        Ok(utc("2024-03-08T09:00:00Z"))
    );
    // The previous open day is always used by the day strategies, even if the expiry day is
    // open.
    let p = rolling(1, "Days", "END_OF_THE_NEXT_OPEN_DAY");
    assert_eq!(
        truncate_to_expiry(inside, &p, &open_friday(), Tz::UTC),
        Ok(utc("2024-03-07T23:59:59Z"))
    );
    // No previous open day / no timetable.
    for m in &MANAGEMENT[2..] {
        let p = rolling(1, "Days", m);
        assert_eq!(
            truncate_to_expiry(expires, &p, &SurroundingOpenings::all_closed(), Tz::UTC),
            Err(DueDateError::CalendarTimetableAbsent),
            "{m}"
        );
    }
    // Tenant time zone for the end of the previous open day.
    let p = rolling(1, "Days", "END_OF_THE_PREVIOUS_OPEN_DAY");
    assert_eq!(
        truncate_to_expiry(expires, &p, &weekend(), ny()),
        Ok(utc("2024-03-09T04:59:59Z"))
    );
}
