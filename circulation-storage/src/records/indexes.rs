//! The indexes of mod-circulation-storage's schema.json per table, so CQL folds values the way
//! each index does and PostgreSQL can use it (expression indexes are matched literally).
use crate::cql::sql::{FieldIndex, IndexKind};

const fn ix(
    field: &'static str,
    kind: IndexKind,
    case_sensitive: bool,
    remove_accents: bool,
) -> FieldIndex {
    FieldIndex {
        field,
        kind,
        case_sensitive,
        remove_accents,
    }
}

use IndexKind::{Btree, FullText, Gin, Like, Unique};

pub(crate) const LOAN: &[FieldIndex] = &[
    ix("userId", Btree, false, true),
    ix("itemId", Btree, false, true),
    ix("checkinServicePointId", Btree, false, false),
    ix("checkoutServicePointId", Btree, false, false),
    ix("metadata.createdByUsername", Btree, false, true),
    ix("dueDate", Btree, false, false),
    ix("loanDate", Btree, false, false),
    ix("status.name", Btree, false, true),
    ix("itemStatus", Btree, false, true),
    ix(
        "agedToLostDelayedBilling.lostItemHasBeenBilled",
        Btree,
        false,
        false,
    ),
    ix("action", Btree, false, true),
    ix("itemId", Unique, false, true),
    ix("itemId", Like, false, true),
    ix("status.name", Gin, false, true),
];
pub(crate) const CANCELLATION_REASON: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const CIRCULATION_SETTINGS: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const REQUEST: &[FieldIndex] = &[
    ix("itemId", Btree, false, true),
    ix("pickupServicePointId", Btree, false, false),
    ix("requesterId", Btree, false, false),
    ix("requestType", Btree, false, false),
    ix("status", Btree, false, false),
    ix("requestLevel", Btree, false, false),
    ix("instanceId", Btree, false, true),
    ix("searchIndex.pickupServicePointName", Btree, false, false),
    ix("searchIndex.shelvingOrder", Btree, false, false),
    ix("item.itemEffectiveLocationId", Btree, false, false),
    ix("item.itemEffectiveLocationName", Btree, false, false),
    ix("item.retrievalServicePointId", Btree, false, false),
    ix("item.retrievalServicePointName", Btree, false, false),
    ix(
        "searchIndex.callNumberComponents.callNumber",
        Gin,
        false,
        false,
    ),
    ix("item.itemEffectiveLocationId", Gin, false, false),
    ix("item.itemEffectiveLocationName", Gin, false, false),
    ix("item.retrievalServicePointId", Gin, false, false),
    ix("item.retrievalServicePointName", Gin, false, false),
];
pub(crate) const FIXED_DUE_DATE_SCHEDULE: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const REQUEST_POLICY: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const STAFF_SLIPS: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const PATRON_NOTICE_POLICY: &[FieldIndex] = &[ix("name", Unique, false, true)];
pub(crate) const SCHEDULED_NOTICE: &[FieldIndex] = &[
    ix("nextRunTime", Btree, false, false),
    ix("noticeConfig.sendInRealTime", Btree, false, false),
    ix("triggeringEvent", Btree, false, false),
    ix("requestId", Btree, false, false),
];
pub(crate) const PATRON_ACTION_SESSION: &[FieldIndex] = &[ix("patronId", Btree, false, false)];
pub(crate) const AUDIT_LOAN: &[FieldIndex] = &[
    ix("loan.id", Like, false, true),
    ix("loan.action", Like, false, true),
];
pub(crate) const REQUEST_PREFERENCE: &[FieldIndex] = &[ix("userId", Unique, false, true)];
pub(crate) const ACTUAL_COST_RECORD: &[FieldIndex] = &[
    ix("loan.id", Btree, false, true),
    ix("lossType", Btree, false, true),
    ix("lossDate", Btree, false, true),
    ix("instance.title", Btree, false, true),
    ix("item.permanentLocation", Btree, false, true),
    ix("feeFine.type", Btree, false, true),
    ix("feeFine.owner", Btree, false, true),
    ix("status", Btree, false, true),
    ix("expirationDate", Btree, false, false),
    ix("instance.title", FullText, false, true),
    ix("user.firstName", FullText, false, true),
    ix("user.lastName", FullText, false, true),
];
