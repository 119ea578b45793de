//! Inventory (mod-inventory-storage), and mod-dcb's circulation items for DCB virtual items.
use super::{first, Peers};
use crate::domain::{
    Holdings, Instance, Item, LoanType, Location, LocationUnit, LocationUnitKind, MaterialType,
    ServicePoint,
};
use crate::okapi::{cql_quote, CallError, Reply};
use reqwest::Method;

const ITEMS: &str = "/item-storage/items";
/// mod-dcb's circulation items (virtual items of Direct Consortial Borrowing).
const CIRCULATION_ITEMS: &str = "/circulation-item";

#[derive(Clone, Copy)]
pub(crate) struct Inventory<'a>(pub(super) Peers<'a>);

/// Where an item is written: inventory, or mod-dcb's circulation items for a DCB item.
pub(crate) fn item_path(item: &Item) -> String {
    let base = match item.is_dcb() {
        true => CIRCULATION_ITEMS,
        false => ITEMS,
    };
    format!("{base}/{}", item.id())
}

impl Inventory<'_> {
    /// The item with this barcode; a DCB item lives in `/circulation-item`, a module that is
    /// optional, so a failure there only means "not found", as in mod-circulation.
    pub(crate) async fn item_by_barcode(&self, barcode: &str) -> Result<Option<Item>, CallError> {
        let okapi = self.0.okapi;
        let q = format!("barcode=={}", cql_quote(barcode));
        let query = [("query", q.as_str()), ("limit", "1")];
        let found = self
            .0
            .first_match("item by barcode", ITEMS, &q, "1", "items")
            .await?;
        if found.is_some() {
            return Ok(found.map(Item::from_json));
        }
        let dcb = okapi
            .get_list(
                "circulation item by barcode",
                CIRCULATION_ITEMS,
                &query,
                "items",
            )
            .await;
        Ok(dcb.ok().and_then(first).map(Item::from_json))
    }

    /// An item by id (inventory's; a DCB item in mod-dcb's circulation items when inventory has
    /// none, that module being optional).
    pub(crate) async fn item_by_id(&self, id: &str) -> Result<Option<Item>, CallError> {
        let okapi = self.0.okapi;
        if let Some(item) = okapi.get_opt("item", &format!("{ITEMS}/{id}")).await? {
            return Ok(Some(Item::from_json(item)));
        }
        let dcb = okapi
            .get_opt("circulation item", &format!("{CIRCULATION_ITEMS}/{id}"))
            .await;
        Ok(dcb.ok().flatten().map(Item::from_json))
    }

    /// Items by id, in batches of 50 (one call each, joined through the fan).
    pub(crate) async fn items_by_ids(
        &self,
        name: &str,
        ids: &[&str],
    ) -> Result<Vec<Item>, CallError> {
        let list = self.0.by_ids(name, ITEMS, "items", ids).await?;
        Ok(list.into_iter().map(Item::from_json).collect())
    }

    pub(crate) async fn holdings_by_ids(&self, ids: &[&str]) -> Result<Vec<Holdings>, CallError> {
        let list = self
            .0
            .by_ids(
                "holdings",
                "/holdings-storage/holdings",
                "holdingsRecords",
                ids,
            )
            .await?;
        Ok(list.into_iter().map(Holdings::from_json).collect())
    }

    pub(crate) async fn instances_by_ids(&self, ids: &[&str]) -> Result<Vec<Instance>, CallError> {
        let list = self
            .0
            .by_ids("instances", "/instance-storage/instances", "instances", ids)
            .await?;
        Ok(list.into_iter().map(Instance::from_json).collect())
    }

    pub(crate) async fn holdings(&self, id: &str) -> Result<Option<Holdings>, CallError> {
        let path = format!("/holdings-storage/holdings/{id}");
        Ok(self
            .0
            .okapi
            .get_opt("holdings", &path)
            .await?
            .map(Holdings::from_json))
    }

    pub(crate) async fn instance(&self, id: &str) -> Result<Option<Instance>, CallError> {
        let path = format!("/instance-storage/instances/{id}");
        Ok(self
            .0
            .okapi
            .get_opt("instance", &path)
            .await?
            .map(Instance::from_json))
    }

    /// A location (cached); a DCB item's location is a shadow location, hidden unless asked
    /// for.
    pub(crate) async fn location(
        &self,
        id: &str,
        shadow: bool,
    ) -> Result<Option<Location>, CallError> {
        let query = if shadow {
            "?includeShadowLocations=true"
        } else {
            ""
        };
        let path = format!("/locations/{id}{query}");
        self.0.cached("location", &path, Location::from_json).await
    }

    /// The item's effective location (none when it names none).
    pub(crate) async fn location_of(&self, item: &Item) -> Result<Option<Location>, CallError> {
        match item.effective_location_id() {
            Some(id) => self.location(id, item.is_dcb()).await,
            None => Ok(None),
        }
    }

    /// The item's material type (none when it names none).
    pub(crate) async fn material_type_of(
        &self,
        item: &Item,
    ) -> Result<Option<MaterialType>, CallError> {
        match item.material_type_id() {
            Some(id) => self.material_type(id).await,
            None => Ok(None),
        }
    }

    /// A location read fresh, not through the cache (the rules API answers what is there now).
    pub(crate) async fn location_read_fresh(
        &self,
        id: &str,
    ) -> Result<Option<Location>, CallError> {
        let path = format!("/locations/{id}");
        Ok(self
            .0
            .okapi
            .get_opt("location", &path)
            .await?
            .map(Location::from_json))
    }

    /// A service point (cached: configuration, re-readable at any time).
    pub(crate) async fn service_point(&self, id: &str) -> Result<Option<ServicePoint>, CallError> {
        let path = format!("/service-points/{id}");
        self.0
            .cached("service point", &path, ServicePoint::from_json)
            .await
    }

    pub(crate) async fn material_type(&self, id: &str) -> Result<Option<MaterialType>, CallError> {
        let path = format!("/material-types/{id}");
        self.0
            .cached("material type", &path, MaterialType::from_json)
            .await
    }

    pub(crate) async fn loan_type(&self, id: &str) -> Result<Option<LoanType>, CallError> {
        let path = format!("/loan-types/{id}");
        self.0.cached("loan type", &path, LoanType::from_json).await
    }

    /// The item's loan type (temporary, else permanent; none when it names none).
    pub(crate) async fn loan_type_of(&self, item: &Item) -> Result<Option<LoanType>, CallError> {
        match item.loan_type_id() {
            Some(id) => self.loan_type(id).await,
            None => Ok(None),
        }
    }

    /// A library, campus or institution (cached: configuration).
    pub(crate) async fn location_unit(
        &self,
        kind: LocationUnitKind,
        id: &str,
    ) -> Result<Option<LocationUnit>, CallError> {
        let path = format!("/location-units/{}/{id}", kind.path());
        self.0
            .cached("location unit", &path, LocationUnit::from_json)
            .await
    }

    /// The library, campus and institution a location names (each none when it names none or
    /// it is not found).
    pub(crate) async fn location_units_of(
        &self,
        location: Option<&Location>,
    ) -> Result<[Option<LocationUnit>; 3], CallError> {
        let units = location.map(Location::units).unwrap_or_default();
        let unit = |kind, id: String| async move {
            match id.is_empty() {
                true => Ok(None),
                false => self.location_unit(kind, &id).await,
            }
        };
        let (library, campus, institution) = self
            .0
            .fan
            .join3(
                unit(LocationUnitKind::Library, units.library_id),
                unit(LocationUnitKind::Campus, units.campus_id),
                unit(LocationUnitKind::Institution, units.institution_id),
            )
            .await;
        Ok([library?, campus?, institution?])
    }

    /// The item as stored now (for an undo that writes over its current version).
    pub(crate) async fn item_as_stored(
        &self,
        name: &str,
        item: &Item,
    ) -> Result<Option<Item>, CallError> {
        Ok(self
            .0
            .okapi
            .get_opt(name, &item_path(item))
            .await?
            .map(Item::from_json))
    }

    /// `PUT` the item where it lives.
    pub(crate) async fn update_item(&self, name: &str, item: &Item) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(name, Method::PUT, &item_path(item), Some(item.json()))
            .await
    }
}
