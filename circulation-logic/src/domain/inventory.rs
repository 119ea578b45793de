//! Views of inventory's records a circulation flow reads: item, holdings, instance, location,
//! material type and loan type (mod-inventory-storage's schemas).
use super::record::{flag, record_view, text};
use serde_json::{json, Value};

/// An item's status as FOLIO names it (`status.name`); names this module does not act on are
/// kept as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ItemStatus {
    Available,
    AwaitingPickup,
    AwaitingDelivery,
    CheckedOut,
    ClaimedReturned,
    DeclaredLost,
    AgedToLost,
    /// "Lost and paid": its lost item fees paid, its loan closed.
    LostAndPaid,
    IntellectualItem,
    InTransit,
    Paged,
    Other(String),
}

impl ItemStatus {
    pub(crate) fn from_name(name: &str) -> ItemStatus {
        match name {
            "Available" => ItemStatus::Available,
            "Awaiting pickup" => ItemStatus::AwaitingPickup,
            "Awaiting delivery" => ItemStatus::AwaitingDelivery,
            "Checked out" => ItemStatus::CheckedOut,
            "Claimed returned" => ItemStatus::ClaimedReturned,
            "Declared lost" => ItemStatus::DeclaredLost,
            "Aged to lost" => ItemStatus::AgedToLost,
            "Lost and paid" => ItemStatus::LostAndPaid,
            "Intellectual item" => ItemStatus::IntellectualItem,
            "In transit" => ItemStatus::InTransit,
            "Paged" => ItemStatus::Paged,
            other => ItemStatus::Other(other.to_string()),
        }
    }

    pub(crate) fn name(&self) -> &str {
        match self {
            ItemStatus::Available => "Available",
            ItemStatus::AwaitingPickup => "Awaiting pickup",
            ItemStatus::AwaitingDelivery => "Awaiting delivery",
            ItemStatus::CheckedOut => "Checked out",
            ItemStatus::ClaimedReturned => "Claimed returned",
            ItemStatus::DeclaredLost => "Declared lost",
            ItemStatus::AgedToLost => "Aged to lost",
            ItemStatus::LostAndPaid => "Lost and paid",
            ItemStatus::IntellectualItem => "Intellectual item",
            ItemStatus::InTransit => "In transit",
            ItemStatus::Paged => "Paged",
            ItemStatus::Other(name) => name,
        }
    }
}

record_view!(
    /// An item (`/item-storage/items`, or mod-dcb's `/circulation-item` for a DCB item).
    Item
);

impl Item {
    pub(crate) fn barcode(&self) -> Option<&str> {
        text(&self.0, &["barcode"])
    }

    /// `status.name`; an item without one has the status `""`.
    pub(crate) fn status(&self) -> ItemStatus {
        ItemStatus::from_name(text(&self.0, &["status", "name"]).unwrap_or(""))
    }

    /// The status name as read, for messages (`None` when there is none).
    pub(crate) fn status_name(&self) -> Option<&str> {
        text(&self.0, &["status", "name"])
    }

    pub(crate) fn holdings_record_id(&self) -> Option<&str> {
        text(&self.0, &["holdingsRecordId"])
    }

    pub(crate) fn effective_location_id(&self) -> Option<&str> {
        text(&self.0, &["effectiveLocationId"])
    }

    pub(crate) fn material_type_id(&self) -> Option<&str> {
        text(&self.0, &["materialTypeId"])
    }

    /// The temporary loan type, else the permanent one.
    pub(crate) fn loan_type_id(&self) -> Option<&str> {
        text(&self.0, &["temporaryLoanTypeId"]).or(text(&self.0, &["permanentLoanTypeId"]))
    }

    /// A DCB (Direct Consortial Borrowing) virtual item, kept by mod-dcb.
    pub(crate) fn is_dcb(&self) -> bool {
        flag(&self.0, "dcbItem") == Some(true)
    }

    /// The title a DCB item carries itself.
    pub(crate) fn instance_title(&self) -> Option<&str> {
        self.0.get("instanceTitle").and_then(Value::as_str)
    }

    /// The item as a check-out writes it back: status "Checked out" (no date), no in-transit
    /// destination, every other field as read.
    pub(crate) fn checked_out(&self) -> Item {
        let mut out = self.0.clone();
        if let Some(o) = out.as_object_mut() {
            o.insert(
                "status".into(),
                json!({"name": ItemStatus::CheckedOut.name()}),
            );
            o.remove("inTransitDestinationServicePointId");
        }
        Item(out)
    }

    /// The item as read, to be written back over the version stored now (`_version` is
    /// inventory's optimistic lock) with its status date left to inventory.
    pub(crate) fn restored(&self, current_version: Option<&Value>) -> Item {
        let mut body = self.0.clone();
        if let (Some(v), true) = (current_version, body.get("_version").is_some()) {
            body["_version"] = v.clone();
        }
        if let Some(status) = body.get_mut("status").and_then(Value::as_object_mut) {
            status.remove("date");
        }
        Item(body)
    }

    /// The item as a check-in writes it back: its new status (dated by inventory), the
    /// in-transit destination when in transit, and `lastCheckIn`; every other field as read.
    pub(crate) fn checked_in(
        &self,
        status: &ItemStatus,
        destination: Option<&str>,
        last_check_in: Value,
    ) -> Item {
        let mut out = self.0.clone();
        if let Some(o) = out.as_object_mut() {
            o.insert("status".into(), json!({"name": status.name()}));
            match destination {
                Some(sp) => o.insert("inTransitDestinationServicePointId".into(), json!(sp)),
                None => o.remove("inTransitDestinationServicePointId"),
            };
            o.insert("lastCheckIn".into(), last_check_in);
        }
        Item(out)
    }

    /// The copy number: the item's, else its holdings' (the first that is not blank).
    pub(crate) fn copy_number<'a>(&'a self, holdings: Option<&'a Holdings>) -> Option<&'a str> {
        let not_blank = |s: &&str| !s.trim().is_empty();
        self.string("copyNumber").filter(not_blank).or_else(|| {
            holdings
                .and_then(|h| h.string("copyNumber"))
                .filter(not_blank)
        })
    }

    /// `effectiveCallNumberComponents`: call number, prefix and suffix as read (none when the
    /// item has no such object).
    pub(crate) fn call_number_components(&self) -> Option<[Option<&str>; 3]> {
        let c = self.0.get("effectiveCallNumberComponents")?.as_object()?;
        let part = |key: &str| c.get(key).and_then(Value::as_str);
        Some([part("callNumber"), part("prefix"), part("suffix")])
    }

    /// The lending library of a DCB item (its slips name it as the institution).
    pub(crate) fn lending_library_code(&self) -> Option<&str> {
        self.string("lendingLibraryCode")
    }

    /// `_version`, inventory's optimistic-locking counter.
    pub(crate) fn version(&self) -> Option<&Value> {
        self.0.get("_version")
    }
}

record_view!(
    /// A holdings record (`/holdings-storage/holdings`).
    Holdings
);

impl Holdings {
    pub(crate) fn instance_id(&self) -> Option<&str> {
        text(&self.0, &["instanceId"])
    }
}

record_view!(
    /// An instance (`/instance-storage/instances`).
    Instance
);

impl Instance {
    pub(crate) fn title(&self) -> Option<&str> {
        self.0.get("title").and_then(Value::as_str)
    }

    /// The objects of an array field.
    fn entries(&self, key: &str) -> impl Iterator<Item = &Value> {
        self.0
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// The contributors' names, in order (a contributor without a name is skipped).
    pub(crate) fn contributor_names(&self) -> Vec<&str> {
        self.entries("contributors")
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .collect()
    }

    /// The name of the first contributor marked primary.
    pub(crate) fn primary_contributor(&self) -> Option<&str> {
        self.entries("contributors")
            .find(|c| c.get("primary").and_then(Value::as_bool) == Some(true))
            .and_then(|c| c.get("name").and_then(Value::as_str))
    }

    /// The publications' dates (a publication without one is skipped).
    pub(crate) fn dates_of_publication(&self) -> Vec<&str> {
        self.entries("publication")
            .filter_map(|p| p.get("dateOfPublication").and_then(Value::as_str))
            .collect()
    }

    /// The series statements' values (older instances list plain strings).
    pub(crate) fn series_statements(&self) -> Vec<&str> {
        self.entries("series")
            .filter_map(|s| {
                s.as_str()
                    .or_else(|| s.get("value").and_then(Value::as_str))
            })
            .collect()
    }
}

record_view!(
    /// A location (`/locations`).
    Location
);

impl Location {
    pub(crate) fn name(&self) -> Option<&str> {
        text(&self.0, &["name"])
    }

    /// Library, campus and institution ids, `""` for one the location does not name.
    pub(crate) fn units(&self) -> LocationUnits {
        let id = |key: &str| text(&self.0, &[key]).unwrap_or_default().to_string();
        LocationUnits {
            library_id: id("libraryId"),
            campus_id: id("campusId"),
            institution_id: id("institutionId"),
        }
    }
}

impl Location {
    pub(crate) fn discovery_display_name(&self) -> Option<&str> {
        self.string("discoveryDisplayName")
    }

    /// The location's primary service point.
    pub(crate) fn primary_service_point(&self) -> Option<&str> {
        text(&self.0, &["primaryServicePoint"])
    }

    /// Whether `service_point_id` serves this location (its primary or one of its service
    /// points).
    pub(crate) fn served_by(&self, service_point_id: &str) -> bool {
        self.primary_service_point() == Some(service_point_id)
            || self
                .0
                .get("servicePointIds")
                .and_then(Value::as_array)
                .is_some_and(|ids| ids.iter().any(|id| id.as_str() == Some(service_point_id)))
    }
}

record_view!(
    /// A location unit (`/location-units/libraries`, `campuses` or `institutions`).
    LocationUnit
);

impl LocationUnit {
    pub(crate) fn name(&self) -> Option<&str> {
        self.string("name")
    }
}

/// The kinds of location unit, each with its path under `/location-units`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum LocationUnitKind {
    Library,
    Campus,
    Institution,
}

impl LocationUnitKind {
    pub(crate) fn path(self) -> &'static str {
        match self {
            LocationUnitKind::Library => "libraries",
            LocationUnitKind::Campus => "campuses",
            LocationUnitKind::Institution => "institutions",
        }
    }
}

/// The location units the circulation rules match on (`c`, `b`, `a`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LocationUnits {
    pub library_id: String,
    pub campus_id: String,
    pub institution_id: String,
}

record_view!(
    /// A service point (`/service-points`).
    ServicePoint
);

impl ServicePoint {
    pub(crate) fn name(&self) -> Option<&str> {
        text(&self.0, &["name"])
    }

    /// How long a request waits on this service point's hold shelf.
    pub(crate) fn hold_shelf_expiry_period(&self) -> Option<shared_types::policy::Period> {
        serde_json::from_value(self.0.get("holdShelfExpiryPeriod")?.clone()).ok()
    }
}

record_view!(
    /// A material type (`/material-types`).
    MaterialType
);

impl MaterialType {
    pub(crate) fn name(&self) -> Option<&str> {
        text(&self.0, &["name"])
    }

    /// The name as read, empty or not (messages print what is there).
    pub(crate) fn raw_name(&self) -> Option<&str> {
        self.0.get("name").and_then(Value::as_str)
    }
}

record_view!(
    /// A loan type (`/loan-types`).
    LoanType
);

impl LoanType {
    pub(crate) fn name(&self) -> Option<&str> {
        self.string("name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_out_keeps_every_other_field() {
        let item = Item::from_json(json!({
            "id": "i", "status": {"name": "In transit", "date": "x"}, "inTransitDestinationServicePointId": "sp",
            "yearCaption": ["2020"], "_version": 3
        }));
        assert_eq!(
            *item.checked_out().json(),
            json!({"id": "i", "status": {"name": "Checked out"}, "yearCaption": ["2020"], "_version": 3})
        );
        assert_eq!(item.status(), ItemStatus::InTransit);
    }

    #[test]
    fn restored_over_the_current_version_without_status_date() {
        let item = Item::from_json(
            json!({"id": "i", "status": {"name": "Available", "date": "d"}, "_version": 1}),
        );
        assert_eq!(
            *item.restored(Some(&json!(2))).json(),
            json!({"id": "i", "status": {"name": "Available"}, "_version": 2})
        );
        let unversioned = Item::from_json(json!({"id": "i"}));
        assert_eq!(
            *unversioned.restored(Some(&json!(2))).json(),
            json!({"id": "i"})
        );
    }

    #[test]
    fn loan_type_prefers_the_temporary_one() {
        let item = Item::from_json(json!({"permanentLoanTypeId": "p", "temporaryLoanTypeId": "t"}));
        assert_eq!(item.loan_type_id(), Some("t"));
        let item = Item::from_json(json!({"permanentLoanTypeId": "p", "temporaryLoanTypeId": ""}));
        assert_eq!(item.loan_type_id(), Some("p"));
    }
}
