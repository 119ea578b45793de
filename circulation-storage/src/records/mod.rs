//! The catalogue of record types: table, paths, collection key and what each type adds
//! to RMB's generic behaviour (validation messages, defaults, constraint messages).
pub(crate) mod actual_cost_record;
pub(crate) mod circulation_setting;
pub(crate) mod coercion;
pub(crate) mod constraints;
pub(crate) mod dates;
pub(crate) mod defaults;
pub(crate) mod fixed_due_date_schedule;
pub(crate) mod ids;
pub(crate) mod indexes;
pub(crate) mod loan;
pub(crate) mod loan_policy;
pub(crate) mod metadata;
pub(crate) mod patron_notice_policy;
pub(crate) mod refusals;
pub(crate) mod request;
pub(crate) mod request_policy;
pub(crate) mod request_preference;
pub(crate) mod shape;
pub(crate) mod staff_slip;

use crate::cql::sql::TableConfig;
use crate::error::StorageError;
use diesel::PgConnection;
use serde_json::Value;

/// Create (POST) or replace (PUT) — some checks differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    Create,
    Replace,
}

/// What `DELETE <collection>` does for a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteAll {
    NotAllowed,
    /// Deletes everything (query ignored).
    Everything,
    /// `query` required; `cql.allRecords=1` deletes everything.
    QueryRequired,
    /// Without `query` everything, with it the matching records.
    QueryOptional,
}

/// What `PUT <item>` does when the record is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    /// Creates it and answers 204 (loans, requests, loan/request policies, schedules).
    Upsert,
    /// Answers 404.
    UpdateOnly,
    /// Creates it as a POST would and answers 201 with the stored record (staff slips).
    CreateMissing,
    /// No PUT at all (check-ins).
    NotAllowed,
}

/// A check that needs the database (see [`RecordType::check_in_db`]).
pub(crate) type DbCheck = fn(&mut PgConnection, &Value, Write) -> Result<(), StorageError>;

/// A POST handled without inserting (see [`RecordType::create_instead`]).
pub(crate) type DeleteCheck = fn(&mut PgConnection, uuid::Uuid) -> Result<(), StorageError>;
pub(crate) type CreateInstead = fn(&mut PgConnection, &Value) -> Result<bool, StorageError>;

pub struct RecordType {
    pub(crate) collection_path: &'static str,
    pub(crate) collection_key: &'static str,
    pub cql: TableConfig,
    pub(crate) with_metadata: bool,
    pub(crate) put: Put,
    pub(crate) delete_all: DeleteAll,
    pub(crate) item_delete: bool,
    /// `format: date-time` properties, re-serialised as RMB does (`...T...SSS+00:00`).
    pub(crate) date_time_fields: &'static [&'static str],
    /// The scalar properties and their schema types, for Jackson's coercion of a body's values
    /// before the shape check (`coercion::coerce`).
    pub(crate) scalars: coercion::Scalars,
    /// Shape check against the type's JSON schema (required, unknown fields, enums, types).
    pub(crate) shape: fn(&Value) -> Result<(), StorageError>,
    /// Type-specific defaults and checks, before the write.
    pub(crate) prepare: fn(&mut Value, Write) -> Result<(), StorageError>,
    /// Checks that need the database, inside the write transaction (`None`: no such check, so
    /// a plain create or update is one statement and needs no transaction).
    pub(crate) check_in_db: Option<DbCheck>,
    /// Turns a constraint violation into the type's own FOLIO message.
    pub(crate) constraint_message: fn(StorageError, &Value) -> StorageError,
    /// A POST that FOLIO answers without inserting (returns true when it handled the record);
    /// `None`: always insert.
    pub(crate) create_instead: Option<CreateInstead>,
    /// Checks before a DELETE by id, in its transaction (`None`: the DELETE alone).
    pub(crate) check_delete: Option<DeleteCheck>,
    /// The 404 text for a GET by an id that is not a UUID ("Not found" stands for RMB's
    /// `Invalid UUID format of id...` sentence).
    pub(crate) malformed_id_message: &'static str,
}

impl RecordType {
    pub(crate) fn table(&self) -> &'static str {
        self.cql.table
    }
}

pub(crate) fn no_prepare(_: &mut Value, _: Write) -> Result<(), StorageError> {
    Ok(())
}

pub(crate) fn generic_constraint(e: StorageError, _: &Value) -> StorageError {
    e
}

const ID: (&str, &str) = ("id", "id");

pub static LOANS: RecordType = RecordType {
    collection_path: "/loan-storage/loans",
    collection_key: "loans",
    cql: TableConfig {
        table: "loan",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::LOAN,
    },
    with_metadata: true,
    put: Put::Upsert,
    delete_all: DeleteAll::QueryRequired,
    item_delete: true,
    date_time_fields: &[
        "dueDate",
        "systemReturnDate",
        "declaredLostDate",
        "claimedReturnedDate",
        "forUseAtLocation.statusDate",
        "forUseAtLocation.holdShelfExpirationDate",
        "agedToLostDelayedBilling.dateLostItemShouldBeBilled",
        "agedToLostDelayedBilling.agedToLostDate",
        "reminders.lastFeeBilled.date",
    ],
    scalars: coercion::LOAN_SCALARS,
    shape: shape::loan,
    prepare: loan::prepare,
    check_in_db: None,
    constraint_message: loan::constraint_message,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub static REQUESTS: RecordType = RecordType {
    collection_path: "/request-storage/requests",
    collection_key: "requests",
    cql: TableConfig {
        table: "request",
        uuid_fields: &[ID, ("cancellationReasonId", "cancellationreasonid")],
        case_sensitive_fields: &[("itemIdEq", "itemId")],
        indexes: indexes::REQUEST,
    },
    with_metadata: true,
    put: Put::Upsert,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &[
        "requestDate",
        "cancelledDate",
        "requestExpirationDate",
        "holdShelfExpirationDate",
        "printDetails.printEventDate",
        "awaitingPickupRequestClosedDate",
    ],
    scalars: coercion::REQUEST_SCALARS,
    shape: shape::request,
    prepare: request::prepare,
    check_in_db: Some(request::check_cancellation_reason),
    constraint_message: request::constraint_message,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static LOAN_POLICIES: RecordType = RecordType {
    collection_path: "/loan-policy-storage/loan-policies",
    collection_key: "loanPolicies",
    cql: TableConfig {
        table: "loan_policy",
        uuid_fields: &[
            ID,
            (
                "loansPolicy.fixedDueDateScheduleId",
                "loanspolicy_fixedduedatescheduleid",
            ),
            (
                "renewalsPolicy.alternateFixedDueDateScheduleId",
                "renewalspolicy_alternatefixedduedatescheduleid",
            ),
        ],
        case_sensitive_fields: &[],
        indexes: &[],
    },
    with_metadata: true,
    put: Put::Upsert,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::LOAN_POLICY_SCALARS,
    shape: shape::loan_policy,
    prepare: loan_policy::validate,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static REQUEST_POLICIES: RecordType = RecordType {
    collection_path: "/request-policy-storage/request-policies",
    collection_key: "requestPolicies",
    cql: TableConfig {
        table: "request_policy",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::REQUEST_POLICY,
    },
    with_metadata: true,
    put: Put::Upsert,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::REQUEST_POLICY_SCALARS,
    shape: shape::request_policy,
    prepare: request_policy::prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static FIXED_DUE_DATE_SCHEDULES: RecordType = RecordType {
    collection_path: "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
    collection_key: "fixedDueDateSchedules",
    cql: TableConfig {
        table: "fixed_due_date_schedule",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::FIXED_DUE_DATE_SCHEDULE,
    },
    with_metadata: true,
    put: Put::Upsert,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &["schedules[].from", "schedules[].to", "schedules[].due"],
    scalars: coercion::FIXED_DUE_DATE_SCHEDULE_SCALARS,
    shape: shape::fixed_due_date_schedule,
    prepare: fixed_due_date_schedule::validate,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found, invalid UUID format",
};

pub(crate) static PATRON_NOTICE_POLICIES: RecordType = RecordType {
    collection_path: "/patron-notice-policy-storage/patron-notice-policies",
    collection_key: "patronNoticePolicies",
    cql: TableConfig {
        table: "patron_notice_policy",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::PATRON_NOTICE_POLICY,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::PATRON_NOTICE_POLICY_SCALARS,
    shape: shape::patron_notice_policy,
    prepare: patron_notice_policy::prepare,
    check_in_db: None,
    constraint_message: patron_notice_policy::constraint_message,
    create_instead: None,
    check_delete: Some(patron_notice_policy::refuse_if_in_use),
    malformed_id_message: "Not found",
};

pub(crate) static CANCELLATION_REASONS: RecordType = RecordType {
    collection_path: "/cancellation-reason-storage/cancellation-reasons",
    collection_key: "cancellationReasons",
    cql: TableConfig {
        table: "cancellation_reason",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::CANCELLATION_REASON,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::CANCELLATION_REASON_SCALARS,
    shape: shape::cancellation_reason,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub static CIRCULATION_SETTINGS: RecordType = RecordType {
    collection_path: "/circulation-settings-storage/circulation-settings",
    collection_key: "circulationSettings",
    cql: TableConfig {
        table: "circulation_settings",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::CIRCULATION_SETTINGS,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &[],
    scalars: &[],
    shape: shape::circulation_setting,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: Some(circulation_setting::merge_into_existing),
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static PATRON_ACTION_SESSIONS: RecordType = RecordType {
    collection_path: "/patron-action-session-storage/patron-action-sessions",
    collection_key: "patronActionSessions",
    cql: TableConfig {
        table: "patron_action_session",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::PATRON_ACTION_SESSION,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &[],
    scalars: &[],
    shape: shape::patron_action_session,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static SCHEDULED_NOTICES: RecordType = RecordType {
    collection_path: "/scheduled-notice-storage/scheduled-notices",
    collection_key: "scheduledNotices",
    cql: TableConfig {
        table: "scheduled_notice",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::SCHEDULED_NOTICE,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::QueryOptional,
    item_delete: true,
    date_time_fields: &["nextRunTime"],
    scalars: coercion::SCHEDULED_NOTICE_SCALARS,
    shape: shape::scheduled_notice,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static CHECK_INS: RecordType = RecordType {
    collection_path: "/check-in-storage/check-ins",
    collection_key: "checkIns",
    cql: TableConfig::new("check_in", &[ID]),
    with_metadata: false,
    put: Put::NotAllowed,
    delete_all: DeleteAll::NotAllowed,
    item_delete: false,
    date_time_fields: &["occurredDateTime"],
    scalars: coercion::CHECK_IN_SCALARS,
    shape: shape::check_in,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static STAFF_SLIPS: RecordType = RecordType {
    collection_path: "/staff-slips-storage/staff-slips",
    collection_key: "staffSlips",
    cql: TableConfig {
        table: "staff_slips",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::STAFF_SLIPS,
    },
    with_metadata: true,
    put: Put::CreateMissing,
    delete_all: DeleteAll::Everything,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::STAFF_SLIP_SCALARS,
    shape: shape::staff_slip,
    prepare: staff_slip::prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static ACTUAL_COST_RECORDS: RecordType = RecordType {
    collection_path: "/actual-cost-record-storage/actual-cost-records",
    collection_key: "actualCostRecords",
    cql: TableConfig {
        table: "actual_cost_record",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::ACTUAL_COST_RECORD,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &["lossDate", "expirationDate"],
    scalars: coercion::ACTUAL_COST_RECORD_SCALARS,
    shape: shape::actual_cost_record,
    prepare: actual_cost_record::prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

/// Note the singular path, as FOLIO has it.
pub(crate) static REQUEST_PREFERENCES: RecordType = RecordType {
    collection_path: "/request-preference-storage/request-preference",
    collection_key: "requestPreferences",
    cql: TableConfig {
        table: "user_request_preference",
        uuid_fields: &[ID],
        case_sensitive_fields: &[],
        indexes: indexes::REQUEST_PREFERENCE,
    },
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::REQUEST_PREFERENCE_SCALARS,
    shape: shape::request_preference,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: request_preference::constraint_message,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

pub(crate) static TLR_FEATURE_TOGGLE_JOBS: RecordType = RecordType {
    collection_path: "/tlr-feature-toggle-job-storage/tlr-feature-toggle-jobs",
    collection_key: "tlrFeatureToggleJobs",
    cql: TableConfig::new("tlr_feature_toggle_job", &[ID]),
    with_metadata: true,
    put: Put::UpdateOnly,
    delete_all: DeleteAll::NotAllowed,
    item_delete: true,
    date_time_fields: &[],
    scalars: coercion::TLR_FEATURE_TOGGLE_JOB_SCALARS,
    shape: shape::tlr_feature_toggle_job,
    prepare: no_prepare,
    check_in_db: None,
    constraint_message: generic_constraint,
    create_instead: None,
    check_delete: None,
    malformed_id_message: "Not found",
};

/// Every type served with the generic collection/item routes.
pub(crate) static ALL: [&RecordType; 15] = [
    &LOANS,
    &REQUESTS,
    &LOAN_POLICIES,
    &REQUEST_POLICIES,
    &FIXED_DUE_DATE_SCHEDULES,
    &PATRON_NOTICE_POLICIES,
    &CANCELLATION_REASONS,
    &CIRCULATION_SETTINGS,
    &PATRON_ACTION_SESSIONS,
    &SCHEDULED_NOTICES,
    &CHECK_INS,
    &STAFF_SLIPS,
    &ACTUAL_COST_RECORDS,
    &REQUEST_PREFERENCES,
    &TLR_FEATURE_TOGGLE_JOBS,
];

/// Everything RMB does to a body before it is stored: Jackson's scalar coercion, dates in
/// RMB's form, the schema check, the type's own checks, and the metadata stamp.
pub(crate) fn prepare_for_write(
    rt: &RecordType,
    record: &mut Value,
    write: Write,
    user_id: Option<&str>,
) -> Result<(), StorageError> {
    prepare(rt, record, Some(write), user_id)
}

/// What RMB does to a record it only binds and validates (the request batch): as
/// [`prepare_for_write`] without the type's own checks (`rt.prepare`).
pub(crate) fn prepare_schema_only(
    rt: &RecordType,
    record: &mut Value,
    user_id: Option<&str>,
) -> Result<(), StorageError> {
    prepare(rt, record, None, user_id)
}

fn prepare(
    rt: &RecordType,
    record: &mut Value,
    write: Option<Write>,
    user_id: Option<&str>,
) -> Result<(), StorageError> {
    coercion::coerce(record, rt.scalars);
    dates::normalise(record, rt.date_time_fields)?;
    (rt.shape)(record)?;
    if let Some(write) = write {
        (rt.prepare)(record, write)?;
    }
    defaults::materialise(rt.table(), record);
    if rt.with_metadata {
        metadata::stamp(record, user_id);
    }
    Ok(())
}

/// A request body: JSON, and an object (400 text otherwise, as Jackson reports it).
pub(crate) fn parse_body(body: &[u8]) -> Result<Value, StorageError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| StorageError::BadRequest(format!("Json content error {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(StorageError::BadRequest(
            "Json content error: expected a JSON object".into(),
        ))
    }
}

/// The id of a new record: the body's (checked) or a fresh one; written back into the body.
pub(crate) fn id_for_create(
    rt: &RecordType,
    record: &mut Value,
) -> Result<uuid::Uuid, StorageError> {
    let id = match record.get("id") {
        None | Some(Value::Null) => uuid::Uuid::new_v4(),
        Some(Value::String(text)) => ids::require_id(text, rt.table())?,
        Some(other) => ids::require_id(&other.to_string(), rt.table())?,
    };
    record["id"] = Value::String(id.to_string());
    Ok(id)
}
