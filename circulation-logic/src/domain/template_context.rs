//! The tokens a staff slip or a patron notice prints (mod-circulation's template context:
//! `TemplateContextUtil` and its item, user and request mappers), built from the records as
//! read. FOLIO's forms are kept: dates in UTC with milliseconds, lists joined by "; ", `null`
//! for a field the record lacks, `""` for an empty list, a missing copy number or patron group.
use super::inventory::{
    Holdings, Instance, Item, LoanType, Location, LocationUnit, MaterialType, ServicePoint,
};
use super::loan::Loan;
use super::policies::LoanPolicyRecord;
use super::request::Request;
use super::user::{AddressType, Department, PatronGroup, User};
use crate::due_date::parse_utc;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use shared_types::dates::iso_millis_z;

type Context = Map<String, Value>;

/// A string token: the value, or `null`.
fn token(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| json!(v))
}

/// A list token: the values joined by "; " (`""` for none).
fn joined(values: &[&str]) -> Value {
    json!(values.join("; "))
}

/// A date token as FOLIO writes dates (UTC, milliseconds); none when there is no readable date.
fn date(value: Option<&str>) -> Option<Value> {
    value.and_then(parse_utc).map(|d| json!(iso_millis_z(d)))
}

/// An item with the records its tokens name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemRecords<'a> {
    pub item: &'a Item,
    pub holdings: Option<&'a Holdings>,
    pub instance: Option<&'a Instance>,
    pub location: Option<&'a Location>,
    pub library: Option<&'a LocationUnit>,
    pub campus: Option<&'a LocationUnit>,
    pub institution: Option<&'a LocationUnit>,
    pub primary_service_point: Option<&'a ServicePoint>,
    pub material_type: Option<&'a MaterialType>,
    pub loan_type: Option<&'a LoanType>,
}

/// The item's tokens (mod-circulation's item context). An instance, location or primary
/// service point that could not be read names nothing (`null`), as FOLIO's unknown records do.
pub(crate) fn item_context(r: &ItemRecords<'_>) -> Context {
    let item = r.item;
    let unknown = Instance::default();
    let instance = r.instance.unwrap_or(&unknown);
    let mut o = Map::new();
    let mut put = |key: &str, value: Value| {
        o.insert(key.to_string(), value);
    };
    let title = match item.is_dcb() {
        true => item.instance_title(),
        false => instance.title(),
    };
    put("title", token(title));
    put("instanceHrid", token(instance.string("hrid")));
    put("primaryContributor", token(instance.primary_contributor()));
    put("allContributors", joined(&instance.contributor_names()));
    put(
        "datesOfPublication",
        joined(&instance.dates_of_publication()),
    );
    put("editions", joined(&instance.strings("editions")));
    put(
        "physicalDescriptions",
        joined(&instance.strings("physicalDescriptions")),
    );
    put("seriesStatements", joined(&instance.series_statements()));
    put("barcode", token(item.string("barcode")));
    put("status", token(item.status_name()));
    for key in ["enumeration", "volume", "chronology"] {
        put(key, token(item.string(key)));
    }
    put("yearCaption", joined(&item.strings("yearCaption")));
    put(
        "materialType",
        token(r.material_type.and_then(MaterialType::raw_name)),
    );
    put("loanType", token(r.loan_type.and_then(LoanType::name)));
    put("copy", json!(item.copy_number(r.holdings).unwrap_or("")));
    for key in [
        "numberOfPieces",
        "displaySummary",
        "descriptionOfPieces",
        "accessionNumber",
    ] {
        put(key, token(item.string(key)));
    }
    put(
        "administrativeNotes",
        joined(&item.strings("administrativeNotes")),
    );
    let name = |unit: Option<&LocationUnit>| token(unit.and_then(LocationUnit::name));
    put(
        "effectiveLocationSpecific",
        token(r.location.and_then(|l| l.string("name"))),
    );
    put("effectiveLocationLibrary", name(r.library));
    put("effectiveLocationCampus", name(r.campus));
    // A DCB item's institution is the library that lent it.
    put(
        "effectiveLocationInstitution",
        match item.is_dcb() {
            true => token(item.lending_library_code()),
            false => name(r.institution),
        },
    );
    put(
        "effectiveLocationDiscoveryDisplayName",
        token(r.location.and_then(Location::discovery_display_name)),
    );
    put(
        "effectiveLocationPrimaryServicePointName",
        token(r.primary_service_point.and_then(|sp| sp.string("name"))),
    );
    if let Some([call_number, prefix, suffix]) = item.call_number_components() {
        put("callNumber", token(call_number));
        put("callNumberPrefix", token(prefix));
        put("callNumberSuffix", token(suffix));
    }
    put(
        "shelvingOrder",
        token(item.string("effectiveShelvingOrder")),
    );
    o
}

/// A user with the records its tokens name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserRecords<'a> {
    pub user: &'a User,
    /// `None` when not read: the token is then `""`, as FOLIO's for a user read without it.
    pub group: Option<&'a PatronGroup>,
    pub departments: &'a [Department],
    /// The types of the user's addresses (and of a request's delivery address).
    pub address_types: &'a [AddressType],
}

impl UserRecords<'_> {
    fn address_type_name(&self, id: Option<&str>) -> Value {
        let found = id.and_then(|id| self.address_types.iter().find(|t| t.id() == id));
        token(found.and_then(AddressType::name))
    }
}

/// The user's tokens (mod-circulation's user context); with `delivery_address_type_id`, also
/// the address of that type (a requester's slip). The primary address's country is not given:
/// FOLIO prints its name in Java's English locale, which this module has no table of.
pub(crate) fn user_context(r: &UserRecords<'_>, delivery_address_type_id: Option<&str>) -> Context {
    let user = r.user;
    let mut o = Map::new();
    let first = user.personal("firstName");
    o.insert("firstName".into(), token(first));
    o.insert(
        "preferredFirstName".into(),
        token(user.personal("preferredFirstName").or(first)),
    );
    o.insert("lastName".into(), token(user.personal("lastName")));
    o.insert("middleName".into(), token(user.personal("middleName")));
    o.insert("barcode".into(), token(user.string("barcode")));
    o.insert(
        "patronGroup".into(),
        match r.group {
            Some(group) => token(group.group()),
            None => json!(""),
        },
    );
    let departments: Vec<&str> = r.departments.iter().filter_map(Department::name).collect();
    o.insert("departments".into(), joined(&departments));
    if let Some(address) = user.primary_address() {
        for (key, field) in [
            ("primaryAddressLine1", "addressLine1"),
            ("primaryAddressLine2", "addressLine2"),
            ("primaryCity", "city"),
            ("primaryStateProvRegion", "region"),
            ("primaryZipPostalCode", "postalCode"),
        ] {
            o.insert(key.into(), token(address.field(field)));
        }
        o.insert(
            "primaryDeliveryAddressType".into(),
            r.address_type_name(address.type_id()),
        );
    }
    if let Some(address) = delivery_address_type_id.and_then(|id| user.address_of_type(id)) {
        for key in [
            "addressLine1",
            "addressLine2",
            "city",
            "region",
            "postalCode",
            "countryId",
        ] {
            o.insert(key.into(), token(address.field(key)));
        }
        o.insert("addressType".into(), r.address_type_name(address.type_id()));
    }
    o
}

/// A request with the records its tokens name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestRecords<'a> {
    pub request: &'a Request,
    pub pickup_service_point: Option<&'a ServicePoint>,
    pub delivery_address_type: Option<&'a AddressType>,
}

/// The request's tokens (mod-circulation's request context); each only when there is a value.
/// A cancellation reason is not named: the open request a check-in fills has none.
pub(crate) fn request_context(r: &RequestRecords<'_>) -> Context {
    let request = r.request;
    let mut o = Map::new();
    if !request.id().is_empty() {
        o.insert("requestID".into(), json!(request.id()));
    }
    if let Some(name) = r.pickup_service_point.and_then(|sp| sp.string("name")) {
        o.insert("servicePointPickup".into(), json!(name));
    }
    for key in [
        "requestDate",
        "requestExpirationDate",
        "holdShelfExpirationDate",
    ] {
        if let Some(d) = date(request.string(key)) {
            o.insert(key.into(), d);
        }
    }
    if let Some(info) = request.string("cancellationAdditionalInformation") {
        o.insert("additionalInfo".into(), json!(info));
    }
    if let Some(name) = r.delivery_address_type.and_then(AddressType::name) {
        o.insert("deliveryAddressType".into(), json!(name));
    }
    if let Some(comments) = request
        .string("patronComments")
        .filter(|c| !c.trim().is_empty())
    {
        o.insert("patronComments".into(), json!(comments));
    }
    o
}

/// What the staff slip of a check-in shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CheckInSlip<'a> {
    /// The item as checked in (its new status).
    pub item: ItemRecords<'a>,
    /// The request the item fills, and its requester.
    pub request: Option<(RequestRecords<'a>, Option<UserRecords<'a>>)>,
    /// The service point an item in transit goes to, when read.
    pub destination: Option<&'a ServicePoint>,
    /// The service point of the check-in, when read.
    pub check_in_service_point: Option<&'a ServicePoint>,
    pub now: DateTime<Utc>,
}

/// The check-in's `staffSlipContext`: `item` (checked in now, from and to which service
/// point), `request` and `requester` when the item fills a request, and `currentDateTime`.
pub(crate) fn check_in_context(slip: &CheckInSlip<'_>) -> Value {
    let now = json!(iso_millis_z(slip.now));
    let mut item = item_context(&slip.item);
    item.insert("lastCheckedInDateTime".into(), now.clone());
    if let Some(sp) = slip.destination {
        item.insert("toServicePoint".into(), token(sp.string("name")));
    }
    if let Some(sp) = slip.check_in_service_point {
        item.insert("fromServicePoint".into(), token(sp.string("name")));
    }
    let mut o = Map::new();
    o.insert("item".into(), Value::Object(item));
    if let Some((request, requester)) = &slip.request {
        o.insert("request".into(), Value::Object(request_context(request)));
        if let Some(requester) = requester {
            let delivery = request.request.delivery_address_type_id();
            o.insert(
                "requester".into(),
                Value::Object(user_context(requester, delivery)),
            );
        }
    }
    o.insert("currentDateTime".into(), now);
    Value::Object(o)
}

/// A loan with what its tokens name beside the stored loan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoanRecords<'a> {
    pub loan: &'a Loan,
    pub loan_policy: Option<&'a LoanPolicyRecord>,
    /// The comment of the loan's latest "patronInfoAdded" action.
    pub patron_info: Option<&'a str>,
}

/// The loan's tokens (mod-circulation's loan context): its dates, the renewals taken, allowed
/// and remaining (when the policy was read), and the patron info added.
pub(crate) fn loan_context(r: &LoanRecords<'_>) -> Context {
    let loan = r.loan;
    let mut o = Map::new();
    for (token_name, key) in [
        ("initialBorrowDate", "loanDate"),
        ("dueDate", "dueDate"),
        ("checkedInDate", "returnDate"),
    ] {
        if let Some(d) = date(loan.string(key)) {
            o.insert(token_name.into(), d);
        }
    }
    let taken = loan.renewal_count();
    o.insert("numberOfRenewalsTaken".into(), json!(taken.to_string()));
    if let Some(policy) = r.loan_policy {
        let (allowed, remaining) = match policy.renewal_limit() {
            None => ("unlimited".to_string(), "unlimited".to_string()),
            Some(limit) => (
                limit.to_string(),
                limit.saturating_sub(i64::from(taken)).max(0).to_string(),
            ),
        };
        o.insert("numberOfRenewalsAllowed".into(), json!(allowed));
        o.insert("numberOfRenewalsRemaining".into(), json!(remaining));
    }
    if let Some(info) = r.patron_info.filter(|i| !i.trim().is_empty()) {
        o.insert("additionalInfo".into(), json!(info));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_records<'a>(
        item: &'a Item,
        instance: Option<&'a Instance>,
        location: Option<&'a Location>,
    ) -> ItemRecords<'a> {
        ItemRecords {
            item,
            holdings: None,
            instance,
            location,
            library: None,
            campus: None,
            institution: None,
            primary_service_point: None,
            material_type: None,
            loan_type: None,
        }
    }

    #[test]
    fn item_tokens_from_every_record() {
        let item = Item::from_json(json!({
            "id": "i", "barcode": "b1", "status": {"name": "Available"}, "enumeration": "v.1",
            "yearCaption": ["2019", "2020"], "administrativeNotes": ["a", "b"],
            "numberOfPieces": "2", "effectiveShelvingOrder": "QA 176",
            "effectiveCallNumberComponents": {"callNumber": "QA76", "prefix": "P"},
        }));
        let holdings = Holdings::from_json(json!({"copyNumber": "c.2"}));
        let instance = Instance::from_json(json!({
            "title": "Dune", "hrid": "in1",
            "contributors": [{"name": "Herbert, Frank"}, {"name": "Doe, J", "primary": true}],
            "publication": [{"dateOfPublication": "1965"}, {"publisher": "P"}, {"dateOfPublication": "1990"}],
            "editions": ["1st"], "physicalDescriptions": [],
            "series": [{"value": "S1"}, "S2"],
        }));
        let location =
            Location::from_json(json!({"name": "Main", "discoveryDisplayName": "Main Lib"}));
        let library = LocationUnit::from_json(json!({"name": "DI"}));
        let campus = LocationUnit::from_json(json!({"name": "City"}));
        let institution = LocationUnit::from_json(json!({"name": "KU"}));
        let primary = ServicePoint::from_json(json!({"name": "Desk 1"}));
        let material = MaterialType::from_json(json!({"name": "book"}));
        let loan_type = LoanType::from_json(json!({"name": "Can circulate"}));
        let r = ItemRecords {
            holdings: Some(&holdings),
            library: Some(&library),
            campus: Some(&campus),
            institution: Some(&institution),
            primary_service_point: Some(&primary),
            material_type: Some(&material),
            loan_type: Some(&loan_type),
            ..item_records(&item, Some(&instance), Some(&location))
        };
        let c = Value::Object(item_context(&r));
        assert_eq!(
            c,
            json!({
                "title": "Dune", "instanceHrid": "in1", "primaryContributor": "Doe, J",
                "allContributors": "Herbert, Frank; Doe, J", "datesOfPublication": "1965; 1990",
                "editions": "1st", "physicalDescriptions": "", "seriesStatements": "S1; S2",
                "barcode": "b1", "status": "Available", "enumeration": "v.1", "volume": null,
                "chronology": null, "yearCaption": "2019; 2020", "materialType": "book",
                "loanType": "Can circulate", "copy": "c.2", "numberOfPieces": "2",
                "displaySummary": null, "descriptionOfPieces": null, "accessionNumber": null,
                "administrativeNotes": "a; b", "effectiveLocationSpecific": "Main",
                "effectiveLocationLibrary": "DI", "effectiveLocationCampus": "City",
                "effectiveLocationInstitution": "KU",
                "effectiveLocationDiscoveryDisplayName": "Main Lib",
                "effectiveLocationPrimaryServicePointName": "Desk 1",
                "callNumber": "QA76", "callNumberPrefix": "P", "callNumberSuffix": null,
                "shelvingOrder": "QA 176",
            })
        );
    }

    #[test]
    fn unknown_records_name_nothing() {
        let item = Item::from_json(json!({"barcode": "b1", "copyNumber": " "}));
        let c = item_context(&item_records(&item, None, None));
        assert_eq!(c["title"], Value::Null);
        assert_eq!(c["allContributors"], "");
        assert_eq!(c["copy"], "");
        assert_eq!(c["effectiveLocationSpecific"], Value::Null);
        assert_eq!(c["effectiveLocationPrimaryServicePointName"], Value::Null);
        // No call number components: no call number tokens.
        assert!(c.get("callNumber").is_none());
        assert!(c.get("lastCheckedInDateTime").is_none());
    }

    #[test]
    fn a_dcb_item_names_its_own_title_and_lending_library() {
        let item = Item::from_json(json!({"dcbItem": true, "instanceTitle": "Virtual",
                                          "lendingLibraryCode": "11223"}));
        let instance = Instance::from_json(json!({"title": "Other"}));
        let institution = LocationUnit::from_json(json!({"name": "KU"}));
        let r = ItemRecords {
            institution: Some(&institution),
            ..item_records(&item, Some(&instance), None)
        };
        let c = item_context(&r);
        assert_eq!(c["title"], "Virtual");
        assert_eq!(c["effectiveLocationInstitution"], "11223");
    }

    fn requester() -> User {
        User::from_json(json!({
            "barcode": "u1", "departments": ["d1", "d2"],
            "personal": {"firstName": "Jane", "lastName": "Doe", "addresses": [
                {"addressTypeId": "home", "addressLine1": "1 Road", "city": "Town",
                 "countryId": "DK", "primaryAddress": false},
                {"addressTypeId": "work", "addressLine1": "2 Street", "region": "R",
                 "postalCode": "1000", "primaryAddress": true},
            ]},
        }))
    }

    #[test]
    fn user_tokens_with_group_departments_and_addresses() {
        let user = requester();
        let group = PatronGroup::from_json(json!({"group": "staff"}));
        let departments = [
            Department::from_json(json!({"id": "d1", "name": "Physics"})),
            Department::from_json(json!({"id": "d2", "name": "Maths"})),
        ];
        let types = [
            AddressType::from_json(json!({"id": "home", "addressType": "Home"})),
            AddressType::from_json(json!({"id": "work", "addressType": "Work"})),
        ];
        let r = UserRecords {
            user: &user,
            group: Some(&group),
            departments: &departments,
            address_types: &types,
        };
        let c = Value::Object(user_context(&r, Some("home")));
        assert_eq!(
            c,
            json!({
                "firstName": "Jane", "preferredFirstName": "Jane", "lastName": "Doe",
                "middleName": null, "barcode": "u1", "patronGroup": "staff",
                "departments": "Physics; Maths",
                "primaryAddressLine1": "2 Street", "primaryAddressLine2": null,
                "primaryCity": null, "primaryStateProvRegion": "R",
                "primaryZipPostalCode": "1000", "primaryDeliveryAddressType": "Work",
                "addressLine1": "1 Road", "addressLine2": null, "city": "Town",
                "region": null, "postalCode": null, "countryId": "DK", "addressType": "Home",
            })
        );
        // Read without group and departments: FOLIO's empty tokens; no delivery address.
        let bare = UserRecords {
            user: &user,
            group: None,
            departments: &[],
            address_types: &[],
        };
        let c = user_context(&bare, None);
        assert_eq!(c["patronGroup"], "");
        assert_eq!(c["departments"], "");
        assert_eq!(c["primaryDeliveryAddressType"], Value::Null);
        assert!(c.get("addressLine1").is_none());
    }

    #[test]
    fn request_tokens_only_when_there() {
        let request = Request::from_json(json!({
            "id": "r1", "requestDate": "2030-01-01T10:00:00.000+02:00",
            "requestExpirationDate": "2030-02-01T23:59:59Z", "patronComments": "  ",
        }));
        let pickup = ServicePoint::from_json(json!({"name": "Desk 1"}));
        let home = AddressType::from_json(json!({"id": "home", "addressType": "Home"}));
        let r = RequestRecords {
            request: &request,
            pickup_service_point: Some(&pickup),
            delivery_address_type: Some(&home),
        };
        assert_eq!(
            Value::Object(request_context(&r)),
            json!({"requestID": "r1", "servicePointPickup": "Desk 1",
                   "requestDate": "2030-01-01T08:00:00.000Z",
                   "requestExpirationDate": "2030-02-01T23:59:59.000Z",
                   "deliveryAddressType": "Home"})
        );
    }

    #[test]
    fn check_in_slip_with_and_without_a_request() {
        let now = DateTime::parse_from_rfc3339("2030-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let item = Item::from_json(json!({"barcode": "b1", "status": {"name": "In transit"}}));
        let desk1 = ServicePoint::from_json(json!({"name": "Desk 1"}));
        let desk2 = ServicePoint::from_json(json!({"name": "Desk 2"}));
        let plain = CheckInSlip {
            item: item_records(&item, None, None),
            request: None,
            destination: Some(&desk1),
            check_in_service_point: Some(&desk2),
            now,
        };
        let c = check_in_context(&plain);
        assert_eq!(c["currentDateTime"], "2030-03-10T12:00:00.000Z");
        assert_eq!(
            c["item"]["lastCheckedInDateTime"],
            "2030-03-10T12:00:00.000Z"
        );
        assert_eq!(c["item"]["toServicePoint"], "Desk 1");
        assert_eq!(c["item"]["fromServicePoint"], "Desk 2");
        assert_eq!(c["item"]["status"], "In transit");
        assert!(c.get("request").is_none() && c.get("requester").is_none());

        let user = requester();
        let request = Request::from_json(json!({"id": "r1", "deliveryAddressTypeId": "home"}));
        let types = [AddressType::from_json(
            json!({"id": "home", "addressType": "Home"}),
        )];
        let with_request = CheckInSlip {
            request: Some((
                RequestRecords {
                    request: &request,
                    pickup_service_point: None,
                    delivery_address_type: None,
                },
                Some(UserRecords {
                    user: &user,
                    group: None,
                    departments: &[],
                    address_types: &types,
                }),
            )),
            destination: None,
            ..plain
        };
        let c = check_in_context(&with_request);
        assert_eq!(c["request"], json!({"requestID": "r1"}));
        assert_eq!(c["requester"]["lastName"], "Doe");
        assert_eq!(c["requester"]["addressType"], "Home");
        assert!(c["item"].get("toServicePoint").is_none());
    }

    #[test]
    fn loan_tokens_with_renewals_left() {
        let loan = Loan::from_json(json!({
            "loanDate": "2030-01-01T10:00:00Z", "dueDate": "2030-01-22T10:00:00.000+00:00",
            "renewalCount": 2,
        }));
        let limited = LoanPolicyRecord::from_json(
            json!({"renewalsPolicy": {"unlimited": false, "numberAllowed": 3}}),
        );
        let r = LoanRecords {
            loan: &loan,
            loan_policy: Some(&limited),
            patron_info: Some("Call me"),
        };
        assert_eq!(
            Value::Object(loan_context(&r)),
            json!({"initialBorrowDate": "2030-01-01T10:00:00.000Z",
                   "dueDate": "2030-01-22T10:00:00.000Z", "numberOfRenewalsTaken": "2",
                   "numberOfRenewalsAllowed": "3", "numberOfRenewalsRemaining": "1",
                   "additionalInfo": "Call me"})
        );
        let unlimited = LoanPolicyRecord::from_json(json!({"renewalsPolicy": {"unlimited": true}}));
        let c = loan_context(&LoanRecords {
            loan_policy: Some(&unlimited),
            patron_info: None,
            ..r
        });
        assert_eq!(c["numberOfRenewalsAllowed"], "unlimited");
        assert_eq!(c["numberOfRenewalsRemaining"], "unlimited");
        assert!(c.get("additionalInfo").is_none());
        let c = loan_context(&LoanRecords {
            loan_policy: None,
            ..r
        });
        assert!(c.get("numberOfRenewalsAllowed").is_none());
    }
}
