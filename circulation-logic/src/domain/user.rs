//! Views of the users module's records (users, patron groups, proxy relationships) and of the
//! patron blocks a check-out looks at.
use super::record::{cloned, flag, record_view, strings, text};
use crate::due_date::{parse_date_time, parse_utc};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

record_view!(
    /// A user (`/users`).
    User
);

impl User {
    pub(crate) fn barcode(&self) -> Option<&str> {
        text(&self.0, &["barcode"])
    }

    pub(crate) fn patron_group_id(&self) -> Option<&str> {
        text(&self.0, &["patronGroup"])
    }

    /// `None` when the record does not say whether the user is active; else whether active and
    /// not expired at `now`.
    pub(crate) fn is_active(&self, now: DateTime<Utc>) -> Option<bool> {
        let active = self.0.get("active")?.as_bool().unwrap_or(false);
        let expired = text(&self.0, &["expirationDate"])
            .and_then(parse_utc)
            .is_some_and(|d| d < now);
        Some(active && !expired)
    }

    /// The expiration date with its offset, as the due-date rules read it.
    pub(crate) fn expiration_date(&self) -> Option<DateTime<FixedOffset>> {
        text(&self.0, &["expirationDate"]).and_then(parse_date_time)
    }

    /// A user of type "dcb" (mod-dcb's virtual patrons).
    pub(crate) fn is_dcb(&self) -> bool {
        text(&self.0, &["type"]) == Some("dcb")
    }

    /// `Last, First` when both are there, else the username; `null` as FOLIO's messages print
    /// a missing username.
    pub(crate) fn personal_name(&self) -> String {
        self.name_or_username()
            .unwrap_or_else(|| "null".to_string())
    }

    /// mod-circulation's `User.getPersonalName`: `Last, First` when both are there, else the
    /// username, if any.
    pub(crate) fn name_or_username(&self) -> Option<String> {
        let name = |key: &str| text(&self.0, &["personal", key]).filter(|n| !n.trim().is_empty());
        match (name("lastName"), name("firstName")) {
            (Some(last), Some(first)) => Some(format!("{last}, {first}")),
            _ => self
                .0
                .get("username")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    /// The name a log record gives its source: `Last, First`, or the last name alone.
    pub(crate) fn source_name(&self) -> Option<String> {
        let last = text(&self.0, &["personal", "lastName"])?;
        Some(match text(&self.0, &["personal", "firstName"]) {
            Some(first) => format!("{last}, {first}"),
            None => last.to_string(),
        })
    }

    /// A `personal` name field as read (`firstName`, `lastName`, `middleName`,
    /// `preferredFirstName`).
    pub(crate) fn personal(&self, key: &str) -> Option<&str> {
        self.0.get("personal")?.get(key)?.as_str()
    }

    /// The contact types the user prefers, in order (`personal.preferredContactTypeIds`).
    pub(crate) fn preferred_contact_type_ids(&self) -> Vec<&str> {
        self.0
            .get("personal")
            .map(|p| strings(p, "preferredContactTypeIds"))
            .unwrap_or_default()
    }

    /// The one contact type older user records prefer (`personal.preferredContactTypeId`).
    pub(crate) fn preferred_contact_type_id(&self) -> Option<&str> {
        text(&self.0, &["personal", "preferredContactTypeId"])
    }

    /// The ids of the user's departments.
    pub(crate) fn department_ids(&self) -> Vec<&str> {
        strings(&self.0, "departments")
    }

    fn addresses(&self) -> impl Iterator<Item = Address<'_>> {
        self.0
            .get("personal")
            .and_then(|p| p.get("addresses"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|a| a.is_object())
            .map(Address)
    }

    /// The first address marked primary.
    pub(crate) fn primary_address(&self) -> Option<Address<'_>> {
        self.addresses()
            .find(|a| a.0.get("primaryAddress").and_then(Value::as_bool) == Some(true))
    }

    /// The first address of the address type `type_id`.
    pub(crate) fn address_of_type(&self, type_id: &str) -> Option<Address<'_>> {
        self.addresses().find(|a| a.type_id() == Some(type_id))
    }

    /// The borrower summary of a loan answer: always its six keys, `null` for what the user
    /// record lacks.
    pub(crate) fn borrower_summary(&self) -> Value {
        let personal = self.0.get("personal");
        let of =
            |v: Option<&Value>, key: &str| v.and_then(|v| cloned(v, key)).unwrap_or(Value::Null);
        json!({
            "firstName": of(personal, "firstName"),
            "lastName": of(personal, "lastName"),
            "middleName": of(personal, "middleName"),
            "barcode": of(Some(&self.0), "barcode"),
            "preferredFirstName": of(personal, "preferredFirstName"),
            "patronGroup": of(Some(&self.0), "patronGroup"),
        })
    }
}

/// One of a user's postal addresses (`personal.addresses[]`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Address<'a>(&'a Value);

impl<'a> Address<'a> {
    pub(crate) fn type_id(&self) -> Option<&'a str> {
        self.field("addressTypeId")
    }

    /// A field as read: `addressLine1`, `addressLine2`, `city`, `region`, `postalCode`,
    /// `countryId`.
    pub(crate) fn field(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }
}

record_view!(
    /// An address type (`/addresstypes`).
    AddressType
);

impl AddressType {
    /// Its name (`addressType`).
    pub(crate) fn name(&self) -> Option<&str> {
        self.string("addressType")
    }
}

record_view!(
    /// A department (`/departments`).
    Department
);

impl Department {
    pub(crate) fn name(&self) -> Option<&str> {
        self.string("name")
    }
}

record_view!(
    /// A patron group (`/groups`).
    PatronGroup
);

impl PatronGroup {
    /// The group's name as read (`group`).
    pub(crate) fn group(&self) -> Option<&str> {
        self.string("group")
    }

    /// The group's name (`group`).
    pub(crate) fn name(&self) -> Option<Value> {
        cloned(&self.0, "group")
    }

    /// The raw id, as the loan answer copies it.
    pub(crate) fn id_value(&self) -> Option<Value> {
        cloned(&self.0, "id")
    }
}

record_view!(
    /// A proxy relationship (`/proxiesfor`); older records keep status and expiry under `meta`.
    ProxyRelationship
);

impl ProxyRelationship {
    /// The patron's notices go to the proxy (`notificationsTo` "Proxy").
    pub(crate) fn notifies_proxy(&self) -> bool {
        text(&self.0, &["notificationsTo"]).is_some_and(|to| to.eq_ignore_ascii_case("proxy"))
    }

    /// Active and not expired at `now`.
    pub(crate) fn is_active(&self, now: DateTime<Utc>) -> bool {
        let status = text(&self.0, &["status"]).or(text(&self.0, &["meta", "status"]));
        let expiry =
            text(&self.0, &["expirationDate"]).or(text(&self.0, &["meta", "expirationDate"]));
        status.is_some_and(|st| st.eq_ignore_ascii_case("active"))
            && expiry.and_then(parse_utc).is_none_or(|d| d >= now)
    }
}

/// What a patron block can stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockedAction {
    Borrowing,
    Renewing,
}

record_view!(
    /// A manual patron block (`/manualblocks`).
    ManualBlock
);

impl ManualBlock {
    /// Blocks `action` (borrowing, renewing) and has not expired at `now`.
    pub(crate) fn blocks(&self, action: BlockedAction, now: DateTime<Utc>) -> bool {
        let key = match action {
            BlockedAction::Borrowing => "borrowing",
            BlockedAction::Renewing => "renewals",
        };
        flag(&self.0, key) == Some(true)
            && text(&self.0, &["expirationDate"])
                .and_then(parse_utc)
                .is_none_or(|d| d > now)
    }

    /// The description as FOLIO's message prints it (`null` when missing).
    pub(crate) fn description(&self) -> &str {
        self.0.get("desc").and_then(Value::as_str).unwrap_or("null")
    }
}

record_view!(
    /// An automated patron block (`/automated-patron-blocks/{userId}`).
    AutomatedBlock
);

impl AutomatedBlock {
    /// Blocks `action` (borrowing, renewing).
    pub(crate) fn blocks(&self, action: BlockedAction) -> bool {
        let key = match action {
            BlockedAction::Borrowing => "blockBorrowing",
            BlockedAction::Renewing => "blockRenewals",
        };
        flag(&self.0, key) == Some(true)
    }

    pub(crate) fn message(&self) -> &str {
        self.0.get("message").and_then(Value::as_str).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_name_needs_both_names() {
        let user = |v| User::from_json(v);
        assert_eq!(
            user(json!({"personal": {"lastName": "Doe", "firstName": "Jane"}})).personal_name(),
            "Doe, Jane"
        );
        assert_eq!(
            user(json!({"username": "jd", "personal": {"lastName": "Doe", "firstName": " "}}))
                .personal_name(),
            "jd"
        );
        assert_eq!(user(json!({})).personal_name(), "null");
    }

    #[test]
    fn borrower_summary_has_six_keys() {
        let summary = User::from_json(json!({"barcode": "b", "personal": {"lastName": "D"}}))
            .borrower_summary();
        assert_eq!(summary.as_object().unwrap().len(), 6);
        assert_eq!(summary["firstName"], Value::Null);
        assert_eq!(summary["barcode"], "b");
    }
}
