//! Patron notices sent at once (mod-circulation's `ImmediatePatronNoticeService`): the patron
//! action sessions that gather a patron's check-outs or check-ins, which of a notice policy's
//! loan notices an event sends and in which format, the `POST /patron-notice` body, and the
//! circulation log's `NOTICE` / `NOTICE_ERROR` records.
use super::record::{record_view, text};
use super::user::User;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use shared_types::dates::iso_millis_z;
use shared_types::policy::{
    LoanNotice, LoanNoticeEvent, NoticeFormat, NoticeFrequency, NoticeInterval, NoticeTiming,
    PatronNoticePolicy,
};

/// What a patron action session gathers (`actionType`), and the loan notice it sends when it
/// ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionAction {
    CheckOut,
    CheckIn,
}

impl SessionAction {
    /// The action named as a session names it ("Check-out", "Check-in").
    pub(crate) fn from_name(name: &str) -> Option<SessionAction> {
        match name {
            "Check-out" => Some(SessionAction::CheckOut),
            "Check-in" => Some(SessionAction::CheckIn),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SessionAction::CheckOut => "Check-out",
            SessionAction::CheckIn => "Check-in",
        }
    }

    /// The loan notice (`sendWhen`) the session's end sends.
    pub(crate) fn notice_event(self) -> LoanNoticeEvent {
        match self {
            SessionAction::CheckOut => LoanNoticeEvent::CheckOut,
            SessionAction::CheckIn => LoanNoticeEvent::CheckIn,
        }
    }
}

record_view!(
    /// A patron action session record (`/patron-action-session-storage/patron-action-sessions`).
    PatronActionSession
);

impl PatronActionSession {
    pub(crate) fn patron_id(&self) -> Option<&str> {
        text(&self.0, &["patronId"])
    }

    pub(crate) fn loan_id(&self) -> Option<&str> {
        text(&self.0, &["loanId"])
    }

    /// How FOLIO's log names a session it could not send a notice for.
    pub(crate) fn describe(&self, action: SessionAction) -> String {
        let field = |key: &str| text(&self.0, &[key]).unwrap_or("null").to_string();
        let action = match action {
            SessionAction::CheckOut => "CHECK_OUT",
            SessionAction::CheckIn => "CHECK_IN",
        };
        format!(
            "PatronSessionRecord(id={}, patronId={}, loanId={}, sessionId={}, actionType={action})",
            field("id"),
            field("patronId"),
            field("loanId"),
            field("sessionId"),
        )
    }
}

/// A notice to send: its template and format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoticeChoice {
    pub template_id: String,
    pub format: NoticeFormat,
}

/// What makes two notice configurations of one event the same notice in other formats: the
/// timing (with its period when it has one), the recurrence (with its period) and real time.
fn match_key(
    config: &LoanNotice,
) -> (
    NoticeTiming,
    Option<NoticeInterval>,
    bool,
    Option<NoticeInterval>,
    bool,
) {
    let options = config.send_options.as_ref();
    let timing = options
        .and_then(|o| o.send_how)
        .unwrap_or(NoticeTiming::UponAt);
    let recurring = config.frequency == Some(NoticeFrequency::Recurring);
    (
        timing,
        match timing {
            NoticeTiming::UponAt => None,
            _ => options.and_then(|o| o.send_by),
        },
        recurring,
        recurring
            .then(|| options.and_then(|o| o.send_every))
            .flatten(),
        config.real_time,
    )
}

/// The format a contact type id prefers ("001" mail, "002" email, "003" text message).
fn contact_format(id: &str) -> Option<NoticeFormat> {
    match id {
        "001" => Some(NoticeFormat::Print),
        "002" => Some(NoticeFormat::Email),
        "003" => Some(NoticeFormat::Sms),
        _ => None,
    }
}

/// The notices `policy` sends for `event` to a patron with the preferences of `patron`, or why
/// the policy cannot be read (then FOLIO sends none). Of the policy's loan notices for the
/// event, those matching the first one (timing, recurrence, real time) are one notice in
/// several formats: all of it when it has one format; else the formats the patron prefers
/// (`preferredContactTypeIds`, else the older `preferredContactTypeId`) that it has, else email,
/// else its first format.
pub(crate) fn notices_for(
    policy: &Value,
    event: LoanNoticeEvent,
    patron: &User,
) -> Result<Vec<NoticeChoice>, String> {
    let policy: PatronNoticePolicy = serde_json::from_value(policy.clone())
        .map_err(|e| format!("Unable to parse patron notice policy: {e}"))?;
    let mut configs = Vec::new();
    for config in policy.loan_notices.iter().flatten() {
        let options = config.send_options.as_ref();
        let timing = options.and_then(|o| o.send_how);
        let needs_period = matches!(timing, Some(NoticeTiming::Before | NoticeTiming::After));
        let recurring = config.frequency == Some(NoticeFrequency::Recurring);
        if (needs_period && options.and_then(|o| o.send_by).is_none())
            || (recurring && options.and_then(|o| o.send_every).is_none())
        {
            return Err(
                "Unable to parse patron notice policy: the loan period is not recognised".into(),
            );
        }
        if options.map(|o| o.send_when) == Some(event) {
            configs.push(config);
        }
    }
    let Some(first) = configs.first() else {
        return Ok(Vec::new());
    };
    let key = match_key(first);
    let mut by_format: Vec<&LoanNotice> = Vec::new();
    for config in configs.iter().filter(|c| match_key(c) == key) {
        if by_format.iter().all(|c| c.format != config.format) {
            by_format.push(config);
        }
    }
    let choice = |c: &&LoanNotice| NoticeChoice {
        template_id: c.template_id.clone(),
        format: c.format,
    };
    let of_format = |format: NoticeFormat| by_format.iter().find(|c| c.format == format);
    if by_format.len() == 1 {
        return Ok(by_format.iter().map(choice).collect());
    }
    let mut preferred: Vec<NoticeFormat> = Vec::new();
    for format in patron
        .preferred_contact_type_ids()
        .into_iter()
        .filter_map(contact_format)
    {
        if !preferred.contains(&format) {
            preferred.push(format);
        }
    }
    let chosen: Vec<NoticeChoice> = if preferred.is_empty() {
        patron
            .preferred_contact_type_id()
            .and_then(contact_format)
            .and_then(of_format)
            .map(choice)
            .into_iter()
            .collect()
    } else {
        preferred
            .into_iter()
            .filter_map(of_format)
            .map(choice)
            .collect()
    };
    if !chosen.is_empty() {
        return Ok(chosen);
    }
    Ok(of_format(NoticeFormat::Email)
        .or(by_format.first())
        .map(choice)
        .into_iter()
        .collect())
}

/// The `POST /patron-notice` body: who, which template, how, and the template's context.
pub(crate) fn patron_notice(recipient_id: &str, choice: &NoticeChoice, context: Value) -> Value {
    let (channel, output) = match choice.format {
        NoticeFormat::Email => ("email", "text/html"),
        NoticeFormat::Sms => ("sms", "text/plain"),
        NoticeFormat::Print => ("mail", "text/html"),
    };
    json!({
        "recipientId": recipient_id,
        "templateId": choice.template_id,
        "deliveryChannel": channel,
        "outputFormat": output,
        "context": context,
    })
}

/// The loan a notice is about, as its log record names it.
pub(crate) fn log_item(
    loan: &super::loan::Loan,
    item: Option<&super::inventory::Item>,
    instance_id: Option<&str>,
) -> Map<String, Value> {
    let mut o = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            o.insert(key.to_string(), json!(v));
        }
    };
    put("itemBarcode", item.and_then(|i| i.string("barcode")));
    put("itemId", loan.item_id());
    put("instanceId", instance_id);
    put(
        "holdingsRecordId",
        item.and_then(super::inventory::Item::holdings_record_id),
    );
    put("loanId", Some(loan.id()));
    put("servicePointId", loan.checkout_service_point_id());
    o
}

/// What a notice's log record says beside its loans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoticeLog<'a> {
    pub user_id: Option<&'a str>,
    pub user_barcode: Option<&'a str>,
    pub notice_policy_id: Option<&'a str>,
    pub template_id: Option<&'a str>,
    pub triggering_event: &'a str,
    pub date: DateTime<Utc>,
    /// Why the notice was not sent: the record is then a `NOTICE_ERROR`.
    pub error: Option<&'a str>,
}

/// The circulation log's `LOG_RECORD` of a notice sent (`NOTICE`) or not (`NOTICE_ERROR`): the
/// patron, and each loan with the policy, template and event.
pub(crate) fn notice_log_record(log: NoticeLog<'_>, items: &[Map<String, Value>]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            for (key, value) in [
                ("templateId", log.template_id),
                ("noticePolicyId", log.notice_policy_id),
                ("triggeringEvent", Some(log.triggering_event)),
            ] {
                if let Some(v) = value {
                    item.insert(key.into(), json!(v));
                }
            }
            Value::Object(item)
        })
        .collect();
    let mut payload = Map::new();
    for (key, value) in [("userId", log.user_id), ("userBarcode", log.user_barcode)] {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            payload.insert(key.into(), json!(v));
        }
    }
    if !items.is_empty() {
        payload.insert("items".into(), Value::Array(items));
    }
    payload.insert("date".into(), json!(iso_millis_z(log.date)));
    if let Some(error) = log.error {
        payload.insert("errorMessage".into(), json!(error));
    }
    json!({
        "logEventType": if log.error.is_some() { "NOTICE_ERROR" } else { "NOTICE" },
        "payload": payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(template: &str, format: &str, send_when: &str) -> Value {
        json!({"templateId": template, "format": format, "realTime": true,
               "sendOptions": {"sendWhen": send_when}})
    }

    fn policy(notices: Vec<Value>) -> Value {
        json!({"name": "p", "loanNotices": notices})
    }

    fn patron(personal: Value) -> User {
        User::from_json(json!({"id": "u", "personal": personal}))
    }

    fn templates(choices: &[NoticeChoice]) -> Vec<&str> {
        choices.iter().map(|c| c.template_id.as_str()).collect()
    }

    #[test]
    fn the_notices_of_the_event_only() {
        let p = policy(vec![
            notice("t-due", "Email", "Due date"),
            notice("t-out", "Email", "Check out"),
            notice("t-in", "Email", "Check in"),
        ]);
        let anyone = patron(json!({}));
        let out = notices_for(&p, LoanNoticeEvent::CheckOut, &anyone).unwrap();
        assert_eq!(
            out,
            vec![NoticeChoice {
                template_id: "t-out".into(),
                format: NoticeFormat::Email
            }]
        );
        let none = notices_for(
            &policy(vec![notice("t-due", "Email", "Due date")]),
            LoanNoticeEvent::CheckIn,
            &anyone,
        )
        .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn several_formats_follow_the_patrons_preferences() {
        let p = policy(vec![
            notice("t-print", "Print", "Check in"),
            notice("t-email", "Email", "Check in"),
            notice("t-sms", "SMS", "Check in"),
        ]);
        let event = LoanNoticeEvent::CheckIn;
        let prefers = |personal: Value| {
            templates(&notices_for(&p, event, &patron(personal)).unwrap())
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            prefers(json!({"preferredContactTypeIds": ["003", "001", "003"]})),
            ["t-sms", "t-print"]
        );
        assert_eq!(
            prefers(json!({"preferredContactTypeId": "001"})),
            ["t-print"]
        );
        // No preference (or none configured): email, else the first.
        assert_eq!(prefers(json!({})), ["t-email"]);
        let no_email = policy(vec![
            notice("t-print", "Print", "Check in"),
            notice("t-sms", "SMS", "Check in"),
        ]);
        let chosen = notices_for(
            &no_email,
            event,
            &patron(json!({"preferredContactTypeId": "002"})),
        )
        .unwrap();
        assert_eq!(templates(&chosen), ["t-print"]);
    }

    #[test]
    fn only_the_notices_matching_the_first_and_one_per_format() {
        let mut other_timing = notice("t-late", "SMS", "Check out");
        other_timing["realTime"] = json!(false);
        let p = policy(vec![
            notice("t-1", "Email", "Check out"),
            notice("t-2", "Email", "Check out"),
            other_timing,
        ]);
        let chosen = notices_for(&p, LoanNoticeEvent::CheckOut, &patron(json!({}))).unwrap();
        assert_eq!(templates(&chosen), ["t-1"]);
    }

    #[test]
    fn an_unreadable_policy_sends_nothing() {
        let mut before = notice("t", "Email", "Due date");
        before["sendOptions"]["sendHow"] = json!("Before");
        let p = policy(vec![before, notice("t-out", "Email", "Check out")]);
        assert!(notices_for(&p, LoanNoticeEvent::CheckOut, &patron(json!({}))).is_err());
        assert!(notices_for(
            &json!({"loanNotices": []}),
            LoanNoticeEvent::CheckOut,
            &patron(json!({}))
        )
        .is_err());
    }

    #[test]
    fn the_patron_notice_body() {
        let choice = NoticeChoice {
            template_id: "t".into(),
            format: NoticeFormat::Sms,
        };
        assert_eq!(
            patron_notice("r", &choice, json!({"user": {}})),
            json!({"recipientId": "r", "templateId": "t", "deliveryChannel": "sms",
                   "outputFormat": "text/plain", "context": {"user": {}}})
        );
    }

    #[test]
    fn log_records_of_notices_sent_and_not() {
        let loan = super::super::loan::Loan::from_json(
            json!({"id": "l", "itemId": "i", "checkoutServicePointId": "sp"}),
        );
        let item = super::super::inventory::Item::from_json(
            json!({"id": "i", "barcode": "b", "holdingsRecordId": "h"}),
        );
        let items = [log_item(&loan, Some(&item), Some("in"))];
        let date = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let log = NoticeLog {
            user_id: Some("u"),
            user_barcode: Some("ub"),
            notice_policy_id: Some("np"),
            template_id: Some("t"),
            triggering_event: "Check out",
            date,
            error: None,
        };
        assert_eq!(
            notice_log_record(log, &items),
            json!({"logEventType": "NOTICE", "payload": {
                "userId": "u", "userBarcode": "ub", "date": "2030-01-01T00:00:00.000Z",
                "items": [{"itemBarcode": "b", "itemId": "i", "instanceId": "in",
                           "holdingsRecordId": "h", "loanId": "l", "servicePointId": "sp",
                           "templateId": "t", "noticePolicyId": "np",
                           "triggeringEvent": "Check out"}]}})
        );
        let failed = notice_log_record(
            NoticeLog {
                error: Some("referenced item was not found"),
                template_id: None,
                notice_policy_id: None,
                ..log
            },
            &[],
        );
        assert_eq!(failed["logEventType"], "NOTICE_ERROR");
        assert_eq!(
            failed["payload"]["errorMessage"],
            "referenced item was not found"
        );
        assert!(failed["payload"].get("items").is_none());
    }
}
