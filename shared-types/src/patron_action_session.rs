//! Patron action sessions (`patron-action-session.json`): a patron's check-outs and check-ins
//! collected for one notice, with their collection.
use serde::{Deserialize, Serialize};

use crate::metadata::{JsonMap, Metadata};
/// `patron-action-session.json` (`additionalProperties: false`; required `patronId`,
/// `loanId`, `actionType`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatronActionSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    pub patron_id: String,
    pub loan_id: String,
    pub action_type: PatronActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `patronActionSession.actionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PatronActionType {
    #[serde(rename = "Check-out")]
    CheckOut,
    #[serde(rename = "Check-in")]
    CheckIn,
}

impl PatronActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            PatronActionType::CheckOut => "Check-out",
            PatronActionType::CheckIn => "Check-in",
        }
    }
}

/// `patron-action-sessions.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatronActionSessions {
    pub patron_action_sessions: Vec<PatronActionSession>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}
