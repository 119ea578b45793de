//! Check-in records (`check-in.json`): who checked in which item where, with their
//! collection.
use serde::{Deserialize, Serialize};

/// `check-in.json` (`additionalProperties: false`; required `occurredDateTime`, `itemId`,
/// `servicePointId`, `performedByUserId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckIn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub occurred_date_time: String,
    pub item_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_status_prior_to_check_in: Option<String>,
    /// `minimum: 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_queue_size: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_location_id: Option<String>,
    pub service_point_id: String,
    pub performed_by_user_id: String,
}

/// `check-ins.json` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckIns {
    pub check_ins: Vec<CheckIn>,
    pub total_records: i32,
}
