//! Policies and the other small circulation records of mod-circulation-storage:
//! loan policies (`loan-policy.json`, `period.json`, `time-period.json`), request policies,
//! fixed due date schedules (`fixed-due-date-schedule.json`, `schedule.json`), patron notice
//! policies (`patron-notice-policy.json`, `interval.json`), cancellation reasons, circulation
//! rules and circulation settings, with their collections.
use serde::{Deserialize, Serialize};

use crate::metadata::{JsonMap, Metadata};
use crate::request::RequestType;

// ---------------------------------------------------------------------------------------------
// Periods

/// `period.json` (`additionalProperties: false`; both required): a duration in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Period {
    /// `minimum: 0` (0 with Days means "until the end of the day").
    pub duration: i32,
    pub interval_id: IntervalId,
}

/// `intervalId` of `period.json` and `time-period.json` (also the inventory service point's
/// `holdShelfExpiryPeriod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IntervalId {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
}

impl IntervalId {
    /// `time-period.json` declares `"default": "Days"`.
    pub fn days() -> Self {
        IntervalId::Days
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IntervalId::Minutes => "Minutes",
            IntervalId::Hours => "Hours",
            IntervalId::Days => "Days",
            IntervalId::Weeks => "Weeks",
            IntervalId::Months => "Months",
        }
    }
}

/// mod-circulation-storage `time-period.json` (unknown properties allowed). `intervalId` is
/// required but has a default ("Days"), so an absent one becomes "Days" as in RMB's POJO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimePeriod {
    pub duration: i32,
    #[serde(default = "IntervalId::days")]
    pub interval_id: IntervalId,
    #[serde(flatten)]
    pub extra: JsonMap,
}

// ---------------------------------------------------------------------------------------------
// Loan policy

/// `loan-policy.json` (`additionalProperties: false`; required `name`, `loanable`, `renewable`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoanPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub loanable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loans_policy: Option<LoansPolicy>,
    pub renewable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewals_policy: Option<RenewalsPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_management: Option<RequestManagement>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl LoanPolicy {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// `loanPolicy.loansPolicy` (`additionalProperties: false`).
///
/// `profileId` and `closedLibraryDueDateManagementId` are free strings in the schema (storage
/// accepts any value); [`LoansPolicy::profile`] and [`LoansPolicy::due_date_management`] read
/// them the way mod-circulation does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoansPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_library_due_date_management_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_time_offset: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_due_date_schedule_id: Option<String>,
    /// 1..=9999 in the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_use_at_location: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_shelf_expiry_period_for_use_at_location: Option<TimePeriod>,
}

impl LoansPolicy {
    /// The loan profile, or `None` when `profileId` is absent or not one mod-circulation knows.
    pub fn profile(&self) -> Option<LoanProfile> {
        self.profile_id.as_deref().and_then(LoanProfile::from_id)
    }

    /// The closed-library strategy; absent or unknown ids mean `CURRENT_DUE_DATE`, as in
    /// mod-circulation.
    pub fn due_date_management(&self) -> DueDateManagement {
        self.closed_library_due_date_management_id
            .as_deref()
            .and_then(DueDateManagement::from_id)
            .unwrap_or(DueDateManagement::KeepTheCurrentDueDate)
    }
}

/// `loansPolicy.profileId` values mod-circulation acts on (compared case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoanProfile {
    Rolling,
    Fixed,
}

impl LoanProfile {
    pub fn from_id(id: &str) -> Option<Self> {
        if id.eq_ignore_ascii_case("Rolling") {
            Some(LoanProfile::Rolling)
        } else if id.eq_ignore_ascii_case("Fixed") {
            Some(LoanProfile::Fixed)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoanProfile::Rolling => "Rolling",
            LoanProfile::Fixed => "Fixed",
        }
    }
}

/// `loansPolicy.closedLibraryDueDateManagementId` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DueDateManagement {
    #[serde(rename = "CURRENT_DUE_DATE")]
    KeepTheCurrentDueDate,
    #[serde(rename = "END_OF_THE_PREVIOUS_OPEN_DAY")]
    MoveToTheEndOfThePreviousOpenDay,
    #[serde(rename = "END_OF_THE_NEXT_OPEN_DAY")]
    MoveToTheEndOfTheNextOpenDay,
    #[serde(rename = "CURRENT_DUE_DATE_TIME")]
    KeepTheCurrentDueDateTime,
    #[serde(rename = "END_OF_THE_CURRENT_SERVICE_POINT_HOURS")]
    MoveToEndOfCurrentServicePointHours,
    #[serde(rename = "BEGINNING_OF_THE_NEXT_OPEN_SERVICE_POINT_HOURS")]
    MoveToBeginningOfNextOpenServicePointHours,
}

impl DueDateManagement {
    pub const ALL: [DueDateManagement; 6] = [
        DueDateManagement::KeepTheCurrentDueDate,
        DueDateManagement::MoveToTheEndOfThePreviousOpenDay,
        DueDateManagement::MoveToTheEndOfTheNextOpenDay,
        DueDateManagement::KeepTheCurrentDueDateTime,
        DueDateManagement::MoveToEndOfCurrentServicePointHours,
        DueDateManagement::MoveToBeginningOfNextOpenServicePointHours,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DueDateManagement::KeepTheCurrentDueDate => "CURRENT_DUE_DATE",
            DueDateManagement::MoveToTheEndOfThePreviousOpenDay => "END_OF_THE_PREVIOUS_OPEN_DAY",
            DueDateManagement::MoveToTheEndOfTheNextOpenDay => "END_OF_THE_NEXT_OPEN_DAY",
            DueDateManagement::KeepTheCurrentDueDateTime => "CURRENT_DUE_DATE_TIME",
            DueDateManagement::MoveToEndOfCurrentServicePointHours => {
                "END_OF_THE_CURRENT_SERVICE_POINT_HOURS"
            }
            DueDateManagement::MoveToBeginningOfNextOpenServicePointHours => {
                "BEGINNING_OF_THE_NEXT_OPEN_SERVICE_POINT_HOURS"
            }
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == id)
    }
}

/// `loanPolicy.renewalsPolicy` (unknown properties allowed). `renewFromId` is a free string
/// in the schema; [`RenewalsPolicy::renew_from`] reads it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalsPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlimited: Option<bool>,
    /// JSON `number` in the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_allowed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_from_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub different_period: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_fixed_due_date_schedule_id: Option<String>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl RenewalsPolicy {
    pub fn renew_from(&self) -> Option<RenewFrom> {
        self.renew_from_id.as_deref().and_then(RenewFrom::from_id)
    }
}

/// `renewalsPolicy.renewFromId` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RenewFrom {
    #[serde(rename = "CURRENT_DUE_DATE")]
    CurrentDueDate,
    #[serde(rename = "SYSTEM_DATE")]
    SystemDate,
}

impl RenewFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            RenewFrom::CurrentDueDate => "CURRENT_DUE_DATE",
            RenewFrom::SystemDate => "SYSTEM_DATE",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "CURRENT_DUE_DATE" => Some(RenewFrom::CurrentDueDate),
            "SYSTEM_DATE" => Some(RenewFrom::SystemDate),
            _ => None,
        }
    }
}

/// `loanPolicy.requestManagement` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestManagement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalls: Option<RecallsSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds: Option<HoldsSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<PagesSettings>,
}

/// `requestManagement.recalls` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecallsSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_grace_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_guaranteed_loan_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recall_return_interval: Option<Period>,
    /// Schema default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_recalls_to_extend_overdue_loans: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_recall_return_interval: Option<Period>,
}

/// `requestManagement.holds` and `requestManagement.pages` (`additionalProperties: false`;
/// both have the same properties).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestTypeSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_checkout_loan_period: Option<Period>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_items_with_request: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_renewal_loan_period: Option<Period>,
}

/// `requestManagement.holds`.
pub type HoldsSettings = RequestTypeSettings;
/// `requestManagement.pages`.
pub type PagesSettings = RequestTypeSettings;

// ---------------------------------------------------------------------------------------------
// Request policy

/// `request-policy.json` (`additionalProperties: false`; required `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_types: Option<Vec<RequestType>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_service_points: Option<AllowedServicePoints>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl RequestPolicy {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// `requestPolicy.allowedServicePoints` (`additionalProperties: false`): service point ids per
/// request type (`allowed-service-point-ids.json`: array or null, at least one unique uuid).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedServicePoints {
    #[serde(rename = "Page", default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Vec<String>>,
    #[serde(rename = "Hold", default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<Vec<String>>,
    #[serde(rename = "Recall", default, skip_serializing_if = "Option::is_none")]
    pub recall: Option<Vec<String>>,
}

// ---------------------------------------------------------------------------------------------
// Fixed due date schedule

/// `fixed-due-date-schedule.json` (`additionalProperties: false`; required `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixedDueDateSchedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<Vec<Schedule>>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl FixedDueDateSchedule {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// `schedule.json` (`additionalProperties: false`; all required): loans made in
/// `[from, to]` are due at `due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    pub from: String,
    pub to: String,
    pub due: String,
}

// ---------------------------------------------------------------------------------------------
// Patron notice policy

/// `patron-notice-policy.json` (`additionalProperties: false`; required `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatronNoticePolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_notices: Option<Vec<LoanNotice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_fine_notices: Option<Vec<FeeFineNotice>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_notices: Option<Vec<RequestNotice>>,
}

impl PatronNoticePolicy {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &[];
}

/// `format` of a notice (`Email`, `SMS`, `Print`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeFormat {
    Email,
    #[serde(rename = "SMS")]
    Sms,
    Print,
}

/// `frequency` of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeFrequency {
    #[serde(rename = "One time")]
    OneTime,
    #[serde(rename = "Recurring")]
    Recurring,
}

/// `sendHow` of loan and request notices, and `timing` of a scheduled notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeTiming {
    #[serde(rename = "Upon At")]
    UponAt,
    #[serde(rename = "Before")]
    Before,
    #[serde(rename = "After")]
    After,
}

/// `sendHow` of fee/fine notices (no "Before").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeeFineNoticeTiming {
    #[serde(rename = "Upon At")]
    UponAt,
    #[serde(rename = "After")]
    After,
}

/// `interval.json` (`additionalProperties: false`; both required): `sendBy`/`sendEvery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoticeInterval {
    /// 1..=100 in the schema.
    pub duration: i32,
    pub interval_id: NoticeIntervalId,
}

/// `interval.json` `intervalId` (has "Years", unlike [`IntervalId`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeIntervalId {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

/// `loanNotices[].sendOptions.sendWhen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoanNoticeEvent {
    #[serde(rename = "Due date")]
    DueDate,
    #[serde(rename = "Renewed")]
    Renewed,
    #[serde(rename = "Check in")]
    CheckIn,
    #[serde(rename = "Check out")]
    CheckOut,
    #[serde(rename = "Manual due date change")]
    ManualDueDateChange,
    #[serde(rename = "Item recalled")]
    ItemRecalled,
    #[serde(rename = "Hold request for item")]
    HoldRequestForItem,
    #[serde(rename = "Aged to lost")]
    AgedToLost,
}

impl LoanNoticeEvent {
    /// The event as the policy names it (and a notice's log record).
    pub fn as_str(self) -> &'static str {
        match self {
            LoanNoticeEvent::DueDate => "Due date",
            LoanNoticeEvent::Renewed => "Renewed",
            LoanNoticeEvent::CheckIn => "Check in",
            LoanNoticeEvent::CheckOut => "Check out",
            LoanNoticeEvent::ManualDueDateChange => "Manual due date change",
            LoanNoticeEvent::ItemRecalled => "Item recalled",
            LoanNoticeEvent::HoldRequestForItem => "Hold request for item",
            LoanNoticeEvent::AgedToLost => "Aged to lost",
        }
    }
}

/// `feeFineNotices[].sendOptions.sendWhen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeeFineNoticeEvent {
    #[serde(rename = "Overdue fine returned")]
    OverdueFineReturned,
    #[serde(rename = "Overdue fine renewed")]
    OverdueFineRenewed,
    #[serde(rename = "Aged to lost - fine charged")]
    AgedToLostFineCharged,
    #[serde(rename = "Aged to lost & item returned - fine adjusted")]
    AgedToLostItemReturnedFineAdjusted,
    #[serde(rename = "Aged to lost & item replaced - fine adjusted")]
    AgedToLostItemReplacedFineAdjusted,
}

/// `requestNotices[].sendOptions.sendWhen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestNoticeEvent {
    #[serde(rename = "Recall request")]
    RecallRequest,
    #[serde(rename = "Hold request")]
    HoldRequest,
    #[serde(rename = "Request expiration")]
    RequestExpiration,
    #[serde(rename = "Paging request")]
    PagingRequest,
    #[serde(rename = "Available")]
    Available,
    #[serde(rename = "Hold expiration")]
    HoldExpiration,
    #[serde(rename = "Request cancellation")]
    RequestCancellation,
}

/// One notice configuration of a patron notice policy (`additionalProperties: false`;
/// required `templateId`, `format`, `realTime`). `S` is the `sendOptions` type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    bound(deserialize = "S: Deserialize<'de>")
)]
pub struct NoticeConfiguration<S> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub template_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    pub format: NoticeFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<NoticeFrequency>,
    pub real_time: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_options: Option<S>,
}

/// `sendOptions` of a notice (`additionalProperties: false`; required `sendWhen`).
/// `H` is the `sendHow` enum and `W` the `sendWhen` enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    bound(deserialize = "H: Deserialize<'de>, W: Deserialize<'de>")
)]
pub struct NoticeSendOptions<H, W> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_how: Option<H>,
    pub send_when: W,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_by: Option<NoticeInterval>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_every: Option<NoticeInterval>,
}

/// `loanNotices[].sendOptions`.
pub type LoanNoticeSendOptions = NoticeSendOptions<NoticeTiming, LoanNoticeEvent>;
/// `feeFineNotices[].sendOptions`.
pub type FeeFineNoticeSendOptions = NoticeSendOptions<FeeFineNoticeTiming, FeeFineNoticeEvent>;
/// `requestNotices[].sendOptions`.
pub type RequestNoticeSendOptions = NoticeSendOptions<NoticeTiming, RequestNoticeEvent>;
/// `loanNotices[]`.
pub type LoanNotice = NoticeConfiguration<LoanNoticeSendOptions>;
/// `feeFineNotices[]`.
pub type FeeFineNotice = NoticeConfiguration<FeeFineNoticeSendOptions>;
/// `requestNotices[]`.
pub type RequestNotice = NoticeConfiguration<RequestNoticeSendOptions>;

// ---------------------------------------------------------------------------------------------
// Cancellation reason, circulation rules, circulation setting

/// `cancellation-reason.json` (`additionalProperties: false`; required `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancellationReason {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_additional_information: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl CancellationReason {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// `circulation-rules.json` (`additionalProperties: false`; required `rulesAsText`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CirculationRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub rules_as_text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `circulation-setting.json` (`additionalProperties: false`; required `id`, `name`, `value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CirculationSetting {
    pub id: String,
    pub name: String,
    /// Any JSON object.
    pub value: JsonMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

// ---------------------------------------------------------------------------------------------
// Collections (`{"<key>": [...], "totalRecords": N}`)

/// `loan-policies.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoanPolicies {
    pub loan_policies: Vec<LoanPolicy>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `request-policies.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPolicies {
    pub request_policies: Vec<RequestPolicy>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `fixed-due-date-schedules.json` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixedDueDateSchedules {
    pub fixed_due_date_schedules: Vec<FixedDueDateSchedule>,
    pub total_records: i32,
}

/// `patron-notice-policies.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatronNoticePolicies {
    pub patron_notice_policies: Vec<PatronNoticePolicy>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `cancellation-reasons.json` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancellationReasons {
    pub cancellation_reasons: Vec<CancellationReason>,
    pub total_records: i32,
}

/// `circulation-settings.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CirculationSettings {
    pub circulation_settings: Vec<CirculationSetting>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_in::{CheckIn, CheckIns};
    use crate::metadata::test_support::*;
    use crate::patron_action_session::{
        PatronActionSession, PatronActionSessions, PatronActionType,
    };
    use crate::scheduled_notice::{ScheduledNotice, ScheduledNotices};
    use serde_json::json;

    const EX: &str = "mod-circulation-storage/ramls/examples/";
    const REF: &str = "mod-circulation-storage/reference-data/";

    fn ex(name: &str) -> serde_json::Value {
        spec_file(&format!("{EX}{name}"))
    }

    #[test]
    fn examples_parse() {
        // The example has `holds` and `pages` at the top level instead of inside
        // `requestManagement`: RMB would answer 422 too.
        stale_example_rejected::<LoanPolicy>(
            &format!("{EX}loan-policy.json"),
            "unknown field `holds`",
        );
        {
            let v = ex("loan-policies.json");
            round_trip::<LoanPolicies>(&v, "loan-policies.json");
        }
        {
            let v = ex("request-policy.json");
            round_trip::<RequestPolicy>(&v, "request-policy.json");
        }
        {
            let v = ex("request-policies.json");
            round_trip::<RequestPolicies>(&v, "request-policies.json");
        }
        {
            let v = ex("fixed-due-date-schedule.json");
            round_trip::<FixedDueDateSchedule>(&v, "fixed-due-date-schedule.json");
        }
        {
            let v = ex("fixed-due-date-schedules.json");
            round_trip::<FixedDueDateSchedules>(&v, "fixed-due-date-schedules.json");
        }
        {
            let v = ex("patron-notice-policy.json");
            round_trip::<PatronNoticePolicy>(&v, "patron-notice-policy.json");
        }
        {
            let v = ex("cancellation-reason.json");
            round_trip::<CancellationReason>(&v, "cancellation-reason.json");
        }
        {
            let v = ex("cancellation-reasons.json");
            round_trip::<CancellationReasons>(&v, "cancellation-reasons.json");
        }
        {
            let v = ex("circulation-rules.json");
            round_trip::<CirculationRules>(&v, "circulation-rules.json");
        }
        {
            let v = ex("circulation-setting.json");
            round_trip::<CirculationSetting>(&v, "circulation-setting.json");
        }
        {
            let v = ex("circulation-settings.json");
            round_trip::<CirculationSettings>(&v, "circulation-settings.json");
        }
        {
            let v = ex("scheduled-notice.json");
            round_trip::<ScheduledNotice>(&v, "scheduled-notice.json");
        }
        {
            let v = ex("scheduled-notices.json");
            round_trip::<ScheduledNotices>(&v, "scheduled-notices.json");
        }
        {
            let v = ex("patron-action-session.json");
            round_trip::<PatronActionSession>(&v, "patron-action-session.json");
        }
        // The example has no `totalRecords`, which the collection schema requires.
        stale_example_rejected::<PatronActionSessions>(
            &format!("{EX}patron-action-sessions.json"),
            "missing field `totalRecords`",
        );
        {
            let v = ex("check-in.json");
            round_trip::<CheckIn>(&v, "check-in.json");
        }
        {
            let v = ex("check-ins.json");
            round_trip::<CheckIns>(&v, "check-ins.json");
        }
    }

    #[test]
    fn reference_data_parses() {
        for (p, v) in spec_dir(&format!("{REF}loan-policy-storage/loan-policies")) {
            let lp: LoanPolicy = round_trip(&v, &p.display().to_string());
            let loans = lp.loans_policy.unwrap();
            assert_eq!(loans.profile(), Some(LoanProfile::Rolling));
            assert!(lp.renewals_policy.unwrap().renew_from().is_some());
        }
        for (p, v) in spec_dir(&format!("{REF}request-policy-storage/request-policies")) {
            round_trip::<RequestPolicy>(&v, &p.display().to_string());
        }
        for (p, v) in spec_dir(&format!(
            "{REF}cancellation-reason-storage/cancellation-reasons"
        )) {
            round_trip::<CancellationReason>(&v, &p.display().to_string());
        }
        for (p, v) in spec_dir(&format!(
            "{REF}patron-notice-policy-storage/patron-notice-policies"
        )) {
            round_trip::<PatronNoticePolicy>(&v, &p.display().to_string());
        }
        for (p, v) in spec_dir(&format!(
            "{REF}circulation-settings-storage/circulation-settings"
        )) {
            round_trip::<CirculationSetting>(&v, &p.display().to_string());
        }
        for (p, v) in spec_dir(&format!("{REF}circulation-rules-storage")) {
            round_trip::<CirculationRules>(&v, &p.display().to_string());
        }
    }

    fn full_loan_policy() -> serde_json::Value {
        json!({
            "id": "43198de5-f56a-4a53-a0bd-5a324418967a",
            "name": "Everything",
            "description": "all fields",
            "loanable": true,
            "loansPolicy": {
                "profileId": "fixed",
                "period": {"duration": 3, "intervalId": "Weeks"},
                "closedLibraryDueDateManagementId": "END_OF_THE_NEXT_OPEN_DAY",
                "gracePeriod": {"duration": 1, "intervalId": "Hours"},
                "openingTimeOffset": {"duration": 15, "intervalId": "Minutes"},
                "fixedDueDateScheduleId": "cb201cd6-296c-4457-9ac4-617d9584e27b",
                "itemLimit": 10,
                "forUseAtLocation": true,
                "holdShelfExpiryPeriodForUseAtLocation": {"duration": 2, "intervalId": "Days"}
            },
            "renewable": true,
            "renewalsPolicy": {
                "unlimited": false,
                "numberAllowed": 3,
                "renewFromId": "SYSTEM_DATE",
                "differentPeriod": true,
                "period": {"duration": 1, "intervalId": "Months"},
                "alternateFixedDueDateScheduleId": "cb201cd6-296c-4457-9ac4-617d9584e27b",
                "futureSetting": "kept"
            },
            "requestManagement": {
                "recalls": {
                    "alternateGracePeriod": {"duration": 1, "intervalId": "Days"},
                    "minimumGuaranteedLoanPeriod": {"duration": 2, "intervalId": "Weeks"},
                    "recallReturnInterval": {"duration": 3, "intervalId": "Days"},
                    "allowRecallsToExtendOverdueLoans": true,
                    "alternateRecallReturnInterval": {"duration": 4, "intervalId": "Days"}
                },
                "holds": {
                    "alternateCheckoutLoanPeriod": {"duration": 5, "intervalId": "Days"},
                    "renewItemsWithRequest": true,
                    "alternateRenewalLoanPeriod": {"duration": 6, "intervalId": "Days"}
                },
                "pages": {
                    "alternateCheckoutLoanPeriod": {"duration": 7, "intervalId": "Days"},
                    "renewItemsWithRequest": false,
                    "alternateRenewalLoanPeriod": {"duration": 8, "intervalId": "Days"}
                }
            },
            "metadata": {"createdDate": "2020-01-01T00:00:00.000+00:00"}
        })
    }

    #[test]
    fn loan_policy_round_trip_and_helpers() {
        let lp: LoanPolicy = round_trip(&full_loan_policy(), "full loan policy");
        let loans = lp.loans_policy.as_ref().unwrap();
        assert_eq!(loans.profile(), Some(LoanProfile::Fixed));
        assert_eq!(
            loans.due_date_management(),
            DueDateManagement::MoveToTheEndOfTheNextOpenDay
        );
        assert_eq!(
            LoansPolicy::default().due_date_management(),
            DueDateManagement::KeepTheCurrentDueDate
        );
        let renewals = lp.renewals_policy.as_ref().unwrap();
        assert_eq!(renewals.renew_from(), Some(RenewFrom::SystemDate));
        assert_eq!(renewals.number_allowed, Some(3.0));
        assert!(renewals.extra.contains_key("futureSetting"));
        for d in DueDateManagement::ALL {
            assert_eq!(DueDateManagement::from_id(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), json!(d.as_str()));
        }
        // profileId, closedLibraryDueDateManagementId and renewFromId are free strings.
        let mut v = full_loan_policy();
        v["loansPolicy"]["profileId"] = json!("Indefinite");
        v["loansPolicy"]["closedLibraryDueDateManagementId"] = json!("whatever");
        v["renewalsPolicy"]["renewFromId"] = json!("x");
        let lp: LoanPolicy = serde_json::from_value(v).unwrap();
        assert_eq!(lp.loans_policy.unwrap().profile(), None);
    }

    #[test]
    fn loan_policy_rules() {
        let v = full_loan_policy();
        rejects_unknown::<LoanPolicy>(&v, &[]);
        rejects_unknown::<LoanPolicy>(&v, &["loansPolicy"]);
        rejects_unknown::<LoanPolicy>(&v, &["loansPolicy", "period"]);
        rejects_unknown::<LoanPolicy>(&v, &["requestManagement"]);
        rejects_unknown::<LoanPolicy>(&v, &["requestManagement", "recalls"]);
        rejects_unknown::<LoanPolicy>(&v, &["requestManagement", "holds"]);
        rejects_unknown::<LoanPolicy>(&v, &["requestManagement", "pages"]);
        rejects_unknown::<LoanPolicy>(&v, &["renewalsPolicy", "period"]);
        for f in ["name", "loanable", "renewable"] {
            rejects_missing::<LoanPolicy>(&v, f);
        }
        let mut bad = v.clone();
        bad["loansPolicy"]["period"]["intervalId"] = json!("Years");
        assert!(serde_json::from_value::<LoanPolicy>(bad).is_err());
        let mut bad = v.clone();
        bad["loansPolicy"]["period"]
            .as_object_mut()
            .unwrap()
            .remove("duration");
        assert!(serde_json::from_value::<LoanPolicy>(bad).is_err());
        // time-period.json: unknown fields kept, intervalId defaults to Days.
        let mut lenient = v.clone();
        lenient["loansPolicy"]["holdShelfExpiryPeriodForUseAtLocation"] =
            json!({"duration": 4, "other": 1});
        let lp: LoanPolicy = serde_json::from_value(lenient).unwrap();
        let tp = lp
            .loans_policy
            .unwrap()
            .hold_shelf_expiry_period_for_use_at_location
            .unwrap();
        assert_eq!(tp.interval_id, IntervalId::Days);
        assert!(tp.extra.contains_key("other"));
    }

    #[test]
    fn request_policy_rules() {
        let v = json!({
            "id": "d9cd0bed-1b49-4b5e-a7bd-064b8d177231",
            "name": "All",
            "description": "d",
            "requestTypes": ["Hold", "Page", "Recall"],
            "allowedServicePoints": {"Page": ["3a40852d-49fd-4df2-a1f9-6e2641a6e91f"], "Hold": null},
            "metadata": {"createdDate": "2020-01-01T00:00:00.000+00:00"}
        });
        let rp: RequestPolicy = round_trip(&v, "request policy");
        assert_eq!(rp.request_types.unwrap().len(), 3);
        rejects_unknown::<RequestPolicy>(&v, &[]);
        rejects_unknown::<RequestPolicy>(&v, &["allowedServicePoints"]);
        rejects_missing::<RequestPolicy>(&v, "name");
        let mut bad = v.clone();
        bad["requestTypes"] = json!(["Hold", "Borrow"]);
        assert!(serde_json::from_value::<RequestPolicy>(bad).is_err());
    }

    #[test]
    fn fixed_due_date_schedule_rules() {
        let v = json!({
            "id": "cb201cd6-296c-4457-9ac4-617d9584e27b",
            "name": "Semester",
            "description": "d",
            "schedules": [{"from": "2024-01-01T00:00:00.000Z", "to": "2024-06-30T23:59:59.000Z", "due": "2024-07-15T23:59:59.000Z"}]
        });
        round_trip::<FixedDueDateSchedule>(&v, "fdds");
        rejects_unknown::<FixedDueDateSchedule>(&v, &[]);
        rejects_missing::<FixedDueDateSchedule>(&v, "name");
        let mut bad = v.clone();
        bad["schedules"][0]["x"] = json!(1);
        assert!(serde_json::from_value::<FixedDueDateSchedule>(bad).is_err());
        let mut bad = v.clone();
        bad["schedules"][0].as_object_mut().unwrap().remove("due");
        assert!(serde_json::from_value::<FixedDueDateSchedule>(bad).is_err());
    }

    #[test]
    fn loan_notice_events_are_named_as_the_policy_names_them() {
        use LoanNoticeEvent::*;
        for event in [
            DueDate,
            Renewed,
            CheckIn,
            CheckOut,
            ManualDueDateChange,
            ItemRecalled,
            HoldRequestForItem,
            AgedToLost,
        ] {
            assert_eq!(serde_json::to_value(event).unwrap(), json!(event.as_str()));
        }
    }

    #[test]
    fn patron_notice_policy_rules() {
        let v = json!({
            "id": "122b3d2b-4788-4f1e-9117-56daa91cb75c",
            "name": "Notices",
            "description": "d",
            "active": true,
            "loanNotices": [{
                "name": "due", "templateId": "15cdf026-dbf5-4442-8e1b-fbc900256b56", "templateName": "t",
                "format": "Email", "frequency": "Recurring", "realTime": false,
                "sendOptions": {"sendHow": "Before", "sendWhen": "Due date",
                    "sendBy": {"duration": 1, "intervalId": "Days"},
                    "sendEvery": {"duration": 1, "intervalId": "Years"}}
            }],
            "feeFineNotices": [{
                "templateId": "15cdf026-dbf5-4442-8e1b-fbc900256b56", "format": "SMS", "realTime": true,
                "sendOptions": {"sendHow": "Upon At", "sendWhen": "Overdue fine returned"}
            }],
            "requestNotices": [{
                "templateId": "15cdf026-dbf5-4442-8e1b-fbc900256b56", "format": "Print", "frequency": "One time", "realTime": true,
                "sendOptions": {"sendHow": "After", "sendWhen": "Hold expiration"}
            }]
        });
        let p: PatronNoticePolicy = round_trip(&v, "notice policy");
        assert_eq!(
            p.loan_notices.as_ref().unwrap()[0].format,
            NoticeFormat::Email
        );
        rejects_unknown::<PatronNoticePolicy>(&v, &[]);
        rejects_missing::<PatronNoticePolicy>(&v, "name");
        let mut bad = v.clone();
        bad["loanNotices"][0]["sendOptions"]["x"] = json!(1);
        assert!(serde_json::from_value::<PatronNoticePolicy>(bad).is_err());
        let mut bad = v.clone();
        bad["feeFineNotices"][0]["sendOptions"]["sendHow"] = json!("Before");
        assert!(serde_json::from_value::<PatronNoticePolicy>(bad).is_err());
        let mut bad = v.clone();
        bad["requestNotices"][0]
            .as_object_mut()
            .unwrap()
            .remove("realTime");
        assert!(serde_json::from_value::<PatronNoticePolicy>(bad).is_err());
        let mut bad = v.clone();
        bad["loanNotices"][0]["sendOptions"]["sendWhen"] = json!("Hold expiration");
        assert!(serde_json::from_value::<PatronNoticePolicy>(bad).is_err());
    }

    #[test]
    fn small_records_rules() {
        let reason = json!({"id": "75187e8d-e25a-47a7-89ad-23ba612338de", "name": "Other", "description": "d",
            "publicDescription": "p", "requiresAdditionalInformation": true, "source": "System"});
        round_trip::<CancellationReason>(&reason, "reason");
        rejects_unknown::<CancellationReason>(&reason, &[]);
        rejects_missing::<CancellationReason>(&reason, "name");

        let rules = json!({"id": "1721f01b-e69d-5c4c-5df2-523428a04c55", "rulesAsText": "priority: t, s, c, b, a, m, g\nfallback-policy: l 43198de5-f56a-4a53-a0bd-5a324418967a"});
        round_trip::<CirculationRules>(&rules, "rules");
        rejects_unknown::<CirculationRules>(&rules, &[]);
        rejects_missing::<CirculationRules>(&rules, "rulesAsText");

        let setting = json!({"id": "00000000-0000-4000-8000-000000000001", "name": "n", "value": {"a": [1, {"b": null}]}});
        round_trip::<CirculationSetting>(&setting, "setting");
        rejects_unknown::<CirculationSetting>(&setting, &[]);
        for f in ["id", "name", "value"] {
            rejects_missing::<CirculationSetting>(&setting, f);
        }
        let mut bad = setting.clone();
        bad["value"] = json!("text");
        assert!(serde_json::from_value::<CirculationSetting>(bad).is_err());

        let notice = json!({
            "id": "4413b99a-111a-48c0-a818-fa478cb0958e", "loanId": "188522a4-a2df-4a48-ab3d-44b62daef27f",
            "requestId": "188522a4-a2df-4a48-ab3d-44b62daef27f", "feeFineActionId": "188522a4-a2df-4a48-ab3d-44b62daef27f",
            "recipientUserId": "188522a4-a2df-4a48-ab3d-44b62daef27f", "sessionId": "188522a4-a2df-4a48-ab3d-44b62daef27f",
            "nextRunTime": "2018-09-01T00:00:00.000+00:00", "triggeringEvent": "Due date - with reminder fee",
            "noticeConfig": {"timing": "Upon At", "recurringPeriod": {"duration": 1, "intervalId": "Hours"},
                "templateId": "15cdf026-dbf5-4442-8e1b-fbc900256b56", "format": "Print", "sendInRealTime": false}
        });
        round_trip::<ScheduledNotice>(&notice, "notice");
        rejects_unknown::<ScheduledNotice>(&notice, &[]);
        rejects_unknown::<ScheduledNotice>(&notice, &["noticeConfig"]);
        for f in ["nextRunTime", "noticeConfig"] {
            rejects_missing::<ScheduledNotice>(&notice, f);
        }
        let mut bad = notice.clone();
        bad["triggeringEvent"] = json!("Checked out");
        assert!(serde_json::from_value::<ScheduledNotice>(bad).is_err());

        let session = json!({"id": "4413b99a-111a-48c0-a818-fa478cb0958e", "sessionId": "4413b99a-111a-48c0-a818-fa478cb0958f",
            "patronId": "188522a4-a2df-4a48-ab3d-44b62daef27f", "loanId": "188522a4-a2df-4a48-ab3d-44b62daef27e",
            "actionType": "Check-out"});
        let s: PatronActionSession = round_trip(&session, "session");
        assert_eq!(s.action_type, PatronActionType::CheckOut);
        rejects_unknown::<PatronActionSession>(&session, &[]);
        for f in ["patronId", "loanId", "actionType"] {
            rejects_missing::<PatronActionSession>(&session, f);
        }

        let check_in = json!({"id": "4413b99a-111a-48c0-a818-fa478cb0958e", "occurredDateTime": "2020-01-01T00:00:00.000Z",
            "itemId": "188522a4-a2df-4a48-ab3d-44b62daef27f", "itemStatusPriorToCheckIn": "Checked out",
            "requestQueueSize": 0, "itemLocationId": "188522a4-a2df-4a48-ab3d-44b62daef27f",
            "servicePointId": "188522a4-a2df-4a48-ab3d-44b62daef27f", "performedByUserId": "188522a4-a2df-4a48-ab3d-44b62daef27f"});
        round_trip::<CheckIn>(&check_in, "check-in");
        rejects_unknown::<CheckIn>(&check_in, &[]);
        for f in [
            "occurredDateTime",
            "itemId",
            "servicePointId",
            "performedByUserId",
        ] {
            rejects_missing::<CheckIn>(&check_in, f);
        }
    }
}
