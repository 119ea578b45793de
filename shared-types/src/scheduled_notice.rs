//! Scheduled notices (`scheduled-notice.json`): a notice to send at a time, with its
//! collection.
use serde::{Deserialize, Serialize};

use crate::metadata::Metadata;
use crate::policy::{NoticeFormat, NoticeTiming, Period};
/// `scheduled-notice.json` (`additionalProperties: false`; required `nextRunTime`,
/// `noticeConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledNotice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_fine_action_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    pub next_run_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggering_event: Option<TriggeringEvent>,
    pub notice_config: ScheduledNoticeConfig,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl ScheduledNotice {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// `scheduledNotice.triggeringEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TriggeringEvent {
    #[serde(rename = "Hold expiration")]
    HoldExpiration,
    #[serde(rename = "Request expiration")]
    RequestExpiration,
    #[serde(rename = "Due date")]
    DueDate,
    #[serde(rename = "Overdue fine returned")]
    OverdueFineReturned,
    #[serde(rename = "Overdue fine renewed")]
    OverdueFineRenewed,
    #[serde(rename = "Due date - with reminder fee")]
    DueDateWithReminderFee,
    #[serde(rename = "Aged to lost")]
    AgedToLost,
    #[serde(rename = "Aged to lost - fine charged")]
    AgedToLostFineCharged,
    #[serde(rename = "Aged to lost & item returned - fine adjusted")]
    AgedToLostItemReturnedFineAdjusted,
    #[serde(rename = "Aged to lost & item replaced - fine adjusted")]
    AgedToLostItemReplacedFineAdjusted,
    #[serde(rename = "Title level request expiration")]
    TitleLevelRequestExpiration,
}

/// `scheduledNotice.noticeConfig` (`additionalProperties: false`; required `timing`,
/// `templateId`, `format`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledNoticeConfig {
    pub timing: NoticeTiming,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurring_period: Option<Period>,
    pub template_id: String,
    pub format: NoticeFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_in_real_time: Option<bool>,
}

/// `scheduled-notices.json` (`additionalProperties: false`; `totalRecords` optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledNotices {
    pub scheduled_notices: Vec<ScheduledNotice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_records: Option<i32>,
}
