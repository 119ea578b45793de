//! Deterministic sample data for a tenant: service points, the location hierarchy, material and
//! loan types, patron groups, patrons, instances/holdings/items, circulation policies, fees/fines
//! policies, a fee/fine owner, a calendar and the circulation rules that tie them together.
//!
//! Reference records use FOLIO's reference/sample ids (e.g. material type `book`
//! 1a54b431-…, service point `Circ Desk 1` 3a40852d-…, group `undergrad` bdc2b6d4-…); generated
//! records get ids from a seeded PRNG, so two runs give identical data.
//!
//! * patron `n` (0-based) has barcode `2` + 9 digits of `n + 1` (e.g. `2000000001`), is active and
//!   expires on 2099-12-31; its group cycles undergrad, graduate, faculty, staff.
//! * item `n` has barcode `3` + 9 digits of `n + 1`, status Available, its own instance and
//!   holdings; every 5th item (n % 5 == 4) is in the Annex, the others in Main Library; items with
//!   n % 4 == 3 are DVDs (fixed-due-date policy), the others books; items with n % 10 == 9 have
//!   loan type Reading room (3-hour policy), the others Can circulate (rolling 3 weeks).
//! * one fee/fine owner, "Circulation desks", owns the fees and fines of both service points.
//! * Circ Desk 1 has no calendar (open all day every day); Circ Desk 2 has a calendar for
//!   2020–2040: Monday–Friday 08:00–20:00, Saturday 10:00–16:00, closed on Sundays.

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};

use crate::standins::XorShift;

/// Circ Desk 1 (no calendar: open every day, all day).
pub const SERVICE_POINT_CD1: &str = "3a40852d-49fd-4df2-a1f9-6e2641a6e91f";
/// Circ Desk 2 (calendar: weekdays 08–20, Saturday 10–16, Sunday closed).
pub const SERVICE_POINT_CD2: &str = "c4c90014-c8c9-4ade-8f24-b5e313319f4b";
pub const INSTITUTION_KU: &str = "40ee00ca-a518-4b49-be01-0638d0a4ac57";
pub const CAMPUS_CITY: &str = "62cf76b7-cca5-4d33-9217-edf42ce1a848";
pub const LIBRARY_DIKU: &str = "5d78803e-ca04-4b4a-aeae-2c63b924518b";
pub const LOCATION_MAIN: &str = "fcd64ce1-6995-48f0-840e-89ffa2288371";
pub const LOCATION_ANNEX: &str = "53cf956f-c1df-410b-8bea-27f712cca7c0";
pub const MATERIAL_TYPE_BOOK: &str = "1a54b431-2e4f-452d-9cae-9cee66c9a892";
pub const MATERIAL_TYPE_DVD: &str = "5ee11d91-f7e8-481d-b079-65d708582ccc";
pub const LOAN_TYPE_CAN_CIRCULATE: &str = "2b94c631-fca9-4892-a730-03ee529ffe27";
pub const LOAN_TYPE_READING_ROOM: &str = "2e48e713-17f3-4c13-a9f8-23845bb210a4";
pub const GROUP_UNDERGRAD: &str = "bdc2b6d4-5ceb-4a12-ab46-249b9a68473e";
pub const GROUP_GRADUATE: &str = "ad0bc554-d5bc-463c-85d1-5562127ae91b";
pub const GROUP_FACULTY: &str = "503a81cd-6c26-400f-b620-14c08943697c";
pub const GROUP_STAFF: &str = "3684a786-6671-4268-8ed0-9db82ebca60b";
/// FOLIO's instance type `text` and holdings source `FOLIO`.
pub const INSTANCE_TYPE_TEXT: &str = "6312d172-f0cf-40f6-b27d-9fa8feaf332f";
pub const HOLDINGS_SOURCE_FOLIO: &str = "f32d531e-df79-46b3-8932-cdd35f7a2264";

/// Loan policies.
pub const LOAN_POLICY_ROLLING: &str = "d9cd0bed-1b49-4b5e-a7bd-064b8d177231";
pub const LOAN_POLICY_FIXED: &str = "1f8c2d3a-6b8e-4c5d-9e0f-1a2b3c4d5e61";
pub const LOAN_POLICY_SHORT_TERM: &str = "43198de5-f56a-4a53-a0bd-5a324418967a";
pub const FIXED_DUE_DATE_SCHEDULE: &str = "7a3b9c1d-2e4f-4a6b-8c0d-1e2f3a4b5c62";
pub const REQUEST_POLICY_ALLOW_ALL: &str = "334e5a9e-94f9-4673-8d1d-ab552863886b";
pub const NOTICE_POLICY_NONE: &str = "122b3d2b-4788-4f1e-9117-56daa91cb75c";
pub const OVERDUE_FINE_POLICY: &str = "cd3f6cac-fa17-4079-9fae-2fb28e521412";
pub const LOST_ITEM_FEE_POLICY: &str = "ed892c0e-52e0-4cd9-8133-c0ef07b4a709";
pub const CALENDAR_CD2: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c63";
/// The fee/fine owner of both service points.
pub const FEE_FINE_OWNER: &str = "6f1a3c2e-8b4d-4e5f-9a0b-1c2d3e4f5a64";

/// The patron groups, in the order patrons cycle through them.
pub const GROUPS: [&str; 4] = [GROUP_UNDERGRAD, GROUP_GRADUATE, GROUP_FACULTY, GROUP_STAFF];

/// Everything one tenant gets, as FOLIO JSON records.
#[derive(Debug, Clone)]
pub struct SampleData {
    pub service_points: Vec<Value>,
    pub institutions: Vec<Value>,
    pub campuses: Vec<Value>,
    pub libraries: Vec<Value>,
    pub locations: Vec<Value>,
    pub material_types: Vec<Value>,
    pub loan_types: Vec<Value>,
    pub groups: Vec<Value>,
    pub users: Vec<Value>,
    pub instances: Vec<Value>,
    pub holdings: Vec<Value>,
    pub items: Vec<Value>,
    pub fixed_due_date_schedules: Vec<Value>,
    pub loan_policies: Vec<Value>,
    pub request_policies: Vec<Value>,
    pub notice_policies: Vec<Value>,
    pub overdue_fine_policies: Vec<Value>,
    pub lost_item_fee_policies: Vec<Value>,
    pub fee_fine_owners: Vec<Value>,
    pub calendars: Vec<Value>,
    pub circulation_rules: String,
}

/// A deterministic v4-shaped UUID from the PRNG.
fn next_uuid(rng: &mut XorShift) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

const FIRST_NAMES: [&str; 8] = [
    "Ada", "Bjørn", "Chidi", "Dana", "Emil", "Fatima", "Gustav", "Hana",
];
const LAST_NAMES: [&str; 8] = [
    "Andersen",
    "Berg",
    "Christensen",
    "Dahl",
    "Eriksen",
    "Frost",
    "Holm",
    "Jensen",
];
const TITLE_WORDS: [&str; 10] = [
    "Interesting",
    "Times",
    "Temeraire",
    "Nod",
    "Baby",
    "Train",
    "River",
    "Garden",
    "Winter",
    "Letters",
];

impl SampleData {
    /// Generates `patrons` users and `items` items (each with its own instance and holdings).
    pub fn generate(patrons: usize, items: usize) -> SampleData {
        let mut rng = XorShift::new(0x5EED_F011_0C1C);
        let service_points = vec![
            json!({"id": SERVICE_POINT_CD1, "name": "Circ Desk 1", "code": "cd1",
                   "discoveryDisplayName": "Circulation Desk -- Hallway", "pickupLocation": true,
                   "holdShelfExpiryPeriod": {"duration": 3, "intervalId": "Weeks"}}),
            json!({"id": SERVICE_POINT_CD2, "name": "Circ Desk 2", "code": "cd2",
                   "discoveryDisplayName": "Circulation Desk -- Back Entrance",
                   "pickupLocation": true,
                   "holdShelfExpiryPeriod": {"duration": 5, "intervalId": "Days"}}),
        ];
        let institutions = vec![
            json!({"id": INSTITUTION_KU, "name": "Københavns Universitet",
                                       "code": "KU"}),
        ];
        let campuses = vec![
            json!({"id": CAMPUS_CITY, "name": "City Campus", "code": "CC",
                                   "institutionId": INSTITUTION_KU}),
        ];
        let libraries = vec![json!({"id": LIBRARY_DIKU, "name": "Datalogisk Institut",
                                    "code": "DI", "campusId": CAMPUS_CITY})];
        let location = |id: &str, name: &str, code: &str, sp: &str| {
            json!({"id": id, "name": name, "code": code, "isActive": true,
                   "discoveryDisplayName": name,
                   "institutionId": INSTITUTION_KU, "campusId": CAMPUS_CITY,
                   "libraryId": LIBRARY_DIKU, "primaryServicePoint": sp,
                   "servicePointIds": [sp]})
        };
        let locations = vec![
            location(
                LOCATION_MAIN,
                "Main Library",
                "KU/CC/DI/M",
                SERVICE_POINT_CD1,
            ),
            location(LOCATION_ANNEX, "Annex", "KU/CC/DI/A", SERVICE_POINT_CD2),
        ];
        let material_types = vec![
            json!({"id": MATERIAL_TYPE_BOOK, "name": "book", "source": "folio"}),
            json!({"id": MATERIAL_TYPE_DVD, "name": "dvd", "source": "folio"}),
        ];
        let loan_types = vec![
            json!({"id": LOAN_TYPE_CAN_CIRCULATE, "name": "Can circulate"}),
            json!({"id": LOAN_TYPE_READING_ROOM, "name": "Reading room"}),
        ];
        let groups = vec![
            json!({"id": GROUP_UNDERGRAD, "group": "undergrad", "desc": "Undergraduate Student",
                   "expirationOffsetInDays": 365}),
            json!({"id": GROUP_GRADUATE, "group": "graduate", "desc": "Graduate Student"}),
            json!({"id": GROUP_FACULTY, "group": "faculty", "desc": "Faculty Member"}),
            json!({"id": GROUP_STAFF, "group": "staff", "desc": "Staff Member"}),
        ];
        let users = (0..patrons)
            .map(|n| {
                let first = FIRST_NAMES[n % FIRST_NAMES.len()];
                let last = LAST_NAMES[(n / FIRST_NAMES.len()) % LAST_NAMES.len()];
                json!({
                    "id": next_uuid(&mut rng),
                    "username": format!("patron{:06}", n + 1),
                    "barcode": Self::patron_barcode_of(n),
                    "active": true,
                    "type": "patron",
                    "patronGroup": GROUPS[n % GROUPS.len()],
                    "expirationDate": "2099-12-31T23:59:59.000+00:00",
                    "createdDate": "2024-01-01T00:00:00.000+00:00",
                    "personal": {
                        "lastName": last,
                        "firstName": first,
                        "email": format!("patron{:06}@example.org", n + 1),
                        "preferredContactTypeId": "002",
                        "addresses": [],
                    },
                    "departments": [],
                })
            })
            .collect();
        let mut instances = Vec::with_capacity(items);
        let mut holdings = Vec::with_capacity(items);
        let mut item_records = Vec::with_capacity(items);
        for n in 0..items {
            let instance_id = next_uuid(&mut rng);
            let holdings_id = next_uuid(&mut rng);
            let item_id = next_uuid(&mut rng);
            let title = format!(
                "{} {} (volume {})",
                TITLE_WORDS[n % TITLE_WORDS.len()],
                TITLE_WORDS[(n / TITLE_WORDS.len() + 3) % TITLE_WORDS.len()],
                n + 1
            );
            let location = if n % 5 == 4 {
                LOCATION_ANNEX
            } else {
                LOCATION_MAIN
            };
            let material_type = if n % 4 == 3 {
                MATERIAL_TYPE_DVD
            } else {
                MATERIAL_TYPE_BOOK
            };
            let loan_type = if n % 10 == 9 {
                LOAN_TYPE_READING_ROOM
            } else {
                LOAN_TYPE_CAN_CIRCULATE
            };
            instances.push(json!({
                "id": instance_id, "hrid": format!("in{:08}", n + 1), "source": "FOLIO",
                "title": title, "instanceTypeId": INSTANCE_TYPE_TEXT,
                "contributors": [{"name": format!("{}, {}", LAST_NAMES[n % 8], FIRST_NAMES[(n / 8) % 8])}],
                "identifiers": [], "editions": [], "series": [], "publication": [],
                "physicalDescriptions": [],
            }));
            holdings.push(json!({
                "id": holdings_id, "hrid": format!("ho{:08}", n + 1), "instanceId": instance_id,
                "sourceId": HOLDINGS_SOURCE_FOLIO, "permanentLocationId": location,
                "effectiveLocationId": location,
            }));
            item_records.push(json!({
                "id": item_id, "hrid": format!("it{:08}", n + 1),
                "holdingsRecordId": holdings_id,
                "barcode": Self::item_barcode_of(n),
                "status": {"name": "Available"},
                "materialTypeId": material_type,
                "permanentLoanTypeId": loan_type,
                "effectiveLocationId": location,
                "copyNumber": "1",
                "effectiveCallNumberComponents": {"callNumber": format!("QA{}.{}", 76 + n % 20, n + 1)},
            }));
        }
        let schedules: Vec<Value> = (2020..=2040)
            .map(|y| {
                json!({"from": format!("{y}-01-01T00:00:00.000+00:00"),
                       "to": format!("{y}-12-31T23:59:59.000+00:00"),
                       "due": format!("{y}-12-31T23:59:59.000+00:00")})
            })
            .collect();
        let fixed_due_date_schedules = vec![json!({
            "id": FIXED_DUE_DATE_SCHEDULE, "name": "Calendar years 2020-2040",
            "description": "Due at the end of the calendar year of the loan",
            "schedules": schedules,
        })];
        let loan_policies = vec![
            json!({
                "id": LOAN_POLICY_ROLLING, "name": "Rolling 3 weeks",
                "description": "Three-week rolling loans", "loanable": true,
                "loansPolicy": {"profileId": "Rolling",
                                "period": {"duration": 3, "intervalId": "Weeks"},
                                "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE",
                                "gracePeriod": {"duration": 1, "intervalId": "Days"}},
                "renewable": true,
                "renewalsPolicy": {"unlimited": false, "numberAllowed": 3,
                                   "renewFromId": "SYSTEM_DATE", "differentPeriod": false},
                "requestManagement": {"recalls": {
                    "minimumGuaranteedLoanPeriod": {"duration": 1, "intervalId": "Weeks"},
                    "recallReturnInterval": {"duration": 3, "intervalId": "Days"}},
                    "holds": {"alternateCheckoutLoanPeriod": {"duration": 1, "intervalId": "Weeks"},
                              "renewItemsWithRequest": false}},
            }),
            json!({
                "id": LOAN_POLICY_FIXED, "name": "Fixed end of year",
                "description": "Due at the end of the calendar year", "loanable": true,
                "loansPolicy": {"profileId": "Fixed",
                                "fixedDueDateScheduleId": FIXED_DUE_DATE_SCHEDULE,
                                "closedLibraryDueDateManagementId": "END_OF_THE_PREVIOUS_OPEN_DAY"},
                "renewable": false,
            }),
            json!({
                "id": LOAN_POLICY_SHORT_TERM, "name": "Three hours",
                "description": "Reading room short-term loans", "loanable": true,
                "loansPolicy": {"profileId": "Rolling",
                                "period": {"duration": 3, "intervalId": "Hours"},
                                "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE_TIME"},
                "renewable": true,
                "renewalsPolicy": {"unlimited": false, "numberAllowed": 1,
                                   "renewFromId": "SYSTEM_DATE", "differentPeriod": false},
            }),
        ];
        let request_policies = vec![json!({
            "id": REQUEST_POLICY_ALLOW_ALL, "name": "Allow All",
            "description": "Allow all request types", "requestTypes": ["Hold", "Page", "Recall"],
        })];
        let notice_policies = vec![json!({
            "id": NOTICE_POLICY_NONE, "name": "Send No Notices",
            "description": "A basic notice policy that does not define any notices",
            "active": true, "loanNotices": [], "requestNotices": [], "feeFineNotices": [],
        })];
        let overdue_fine_policies = vec![json!({
            "id": OVERDUE_FINE_POLICY, "name": "Overdue fine policy",
            "description": "Test overdue fine policy", "countClosed": true,
            "maxOverdueFine": 0.0, "forgiveOverdueFine": true, "gracePeriodRecall": true,
            "maxOverdueRecallFine": 0.0,
        })];
        let lost_item_fee_policies = vec![json!({
            "id": LOST_ITEM_FEE_POLICY, "name": "Lost item fee policy",
            "description": "Test lost item fee policy",
            "chargeAmountItem": {"chargeType": "actualCost", "amount": 0.0},
            "lostItemProcessingFee": 0.0, "chargeAmountItemPatron": true,
            "chargeAmountItemSystem": true,
            "lostItemChargeFeeFine": {"duration": 2, "intervalId": "Days"},
            "returnedLostItemProcessingFee": true, "replacedLostItemProcessingFee": true,
            "replacementProcessingFee": 0.0, "replacementAllowed": true,
            "lostItemReturned": "Charge",
        })];
        let fee_fine_owners = vec![json!({
            "id": FEE_FINE_OWNER, "owner": "Circulation desks",
            "desc": "Fees and fines of the circulation desks",
            "servicePointOwner": [
                {"value": SERVICE_POINT_CD1, "label": "Circ Desk 1"},
                {"value": SERVICE_POINT_CD2, "label": "Circ Desk 2"},
            ],
        })];
        let normal_hours: Vec<Value> = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
            .iter()
            .map(|d| json!({"startDay": d, "startTime": "08:00", "endDay": d, "endTime": "19:59"}))
            .chain(std::iter::once(
                json!({"startDay": "SATURDAY", "startTime": "10:00",
                                          "endDay": "SATURDAY", "endTime": "15:59"}),
            ))
            .collect();
        let calendars = vec![json!({
            "id": CALENDAR_CD2, "name": "Circ Desk 2 hours",
            "startDate": "2020-01-01", "endDate": "2040-12-31",
            "assignments": [SERVICE_POINT_CD2],
            "normalHours": normal_hours,
            "exceptions": [],
        })];
        let policies = |l: &str| {
            format!(
                "l {l} r {REQUEST_POLICY_ALLOW_ALL} n {NOTICE_POLICY_NONE} o {OVERDUE_FINE_POLICY} i {LOST_ITEM_FEE_POLICY}"
            )
        };
        let circulation_rules = format!(
            "priority: t, s, c, b, a, m, g\n\
             fallback-policy: {}\n\
             m {MATERIAL_TYPE_DVD}: {}\n\
             t {LOAN_TYPE_READING_ROOM}: {}\n",
            policies(LOAN_POLICY_ROLLING),
            policies(LOAN_POLICY_FIXED),
            policies(LOAN_POLICY_SHORT_TERM),
        );
        SampleData {
            service_points,
            institutions,
            campuses,
            libraries,
            locations,
            material_types,
            loan_types,
            groups,
            users,
            instances,
            holdings,
            items: item_records,
            fixed_due_date_schedules,
            loan_policies,
            request_policies,
            notice_policies,
            overdue_fine_policies,
            lost_item_fee_policies,
            fee_fine_owners,
            calendars,
            circulation_rules,
        }
    }

    fn patron_barcode_of(n: usize) -> String {
        format!("2{:09}", n + 1)
    }

    fn item_barcode_of(n: usize) -> String {
        format!("3{:09}", n + 1)
    }

    /// Barcode of patron `n` (0-based; wraps around the generated patrons).
    pub fn patron_barcode(&self, n: usize) -> String {
        Self::patron_barcode_of(n % self.users.len().max(1))
    }

    /// Barcode of item `n` (0-based; wraps around the generated items).
    pub fn item_barcode(&self, n: usize) -> String {
        Self::item_barcode_of(n % self.items.len().max(1))
    }

    /// Patron `n` (0-based; wraps around).
    pub fn patron(&self, n: usize) -> &Value {
        &self.users[n % self.users.len()]
    }

    /// Item `n` (0-based; wraps around).
    pub fn item(&self, n: usize) -> &Value {
        &self.items[n % self.items.len()]
    }

    /// The service point check-outs use by default (Circ Desk 1, open all day).
    pub fn default_service_point_id(&self) -> &'static str {
        SERVICE_POINT_CD1
    }

    /// Every record with the FOLIO path it is POSTed to, in load order (dependencies first).
    pub fn records(&self) -> Vec<(&'static str, &[Value])> {
        vec![
            ("/service-points", &self.service_points[..]),
            ("/location-units/institutions", &self.institutions[..]),
            ("/location-units/campuses", &self.campuses[..]),
            ("/location-units/libraries", &self.libraries[..]),
            ("/locations", &self.locations[..]),
            ("/material-types", &self.material_types[..]),
            ("/loan-types", &self.loan_types[..]),
            ("/groups", &self.groups[..]),
            ("/users", &self.users[..]),
            ("/instance-storage/instances", &self.instances[..]),
            ("/holdings-storage/holdings", &self.holdings[..]),
            ("/item-storage/items", &self.items[..]),
            (
                "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
                &self.fixed_due_date_schedules[..],
            ),
            (
                "/loan-policy-storage/loan-policies",
                &self.loan_policies[..],
            ),
            (
                "/request-policy-storage/request-policies",
                &self.request_policies[..],
            ),
            (
                "/patron-notice-policy-storage/patron-notice-policies",
                &self.notice_policies[..],
            ),
            ("/overdue-fines-policies", &self.overdue_fine_policies[..]),
            ("/lost-item-fees-policies", &self.lost_item_fee_policies[..]),
            ("/owners", &self.fee_fine_owners[..]),
            ("/calendar/calendars", &self.calendars[..]),
        ]
    }

    /// POSTs every record through the gateway (at most 16 at a time within a record type, the
    /// types in dependency order), then PUTs the circulation rules.
    pub async fn load(
        &self,
        client: &reqwest::Client,
        gateway_url: &str,
        tenant: &str,
    ) -> Result<(), String> {
        let base = gateway_url.trim_end_matches('/');
        for (path, records) in self.records() {
            let url = format!("{base}{path}");
            let results: Vec<Result<(), String>> = stream::iter(records.iter())
                .map(|record| upsert(client, &url, tenant, record))
                .buffer_unordered(16)
                .collect()
                .await;
            if let Some(Err(e)) = results.into_iter().find(Result::is_err) {
                return Err(e);
            }
        }
        send(
            client,
            reqwest::Method::PUT,
            &format!("{base}/circulation-rules-storage"),
            tenant,
            &json!({"rulesAsText": self.circulation_rules}),
        )
        .await
    }
}

/// Like FOLIO's reference-data loader: replace the record when its id exists, else create it
/// (the sample policies may reuse ids of the storage module's reference data).
async fn upsert(
    client: &reqwest::Client,
    url: &str,
    tenant: &str,
    record: &Value,
) -> Result<(), String> {
    if let Some(id) = record.get("id").and_then(Value::as_str) {
        let existing = client
            .get(format!("{url}/{id}"))
            .header(shared_types::okapi::TENANT, tenant)
            .send()
            .await
            .map_err(|e| format!("GET {url}/{id}: {e}"))?;
        if existing.status().is_success() {
            return send(
                client,
                reqwest::Method::PUT,
                &format!("{url}/{id}"),
                tenant,
                record,
            )
            .await;
        }
    }
    send(client, reqwest::Method::POST, url, tenant, record).await
}

async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    tenant: &str,
    body: &Value,
) -> Result<(), String> {
    let resp = client
        .request(method.clone(), url)
        .header(shared_types::okapi::TENANT, tenant)
        .header("Accept", "application/json, text/plain")
        .json(body)
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {e}"))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let text = resp.text().await.unwrap_or_default();
    Err(format!("{method} {url} answered {status}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        let a = SampleData::generate(5, 12);
        let b = SampleData::generate(5, 12);
        assert_eq!(a.users, b.users);
        assert_eq!(a.items, b.items);
        assert_eq!(a.patron_barcode(0), "2000000001");
        assert_eq!(a.item_barcode(11), "3000000012");
        assert_eq!(a.item(3)["materialTypeId"], json!(MATERIAL_TYPE_DVD));
        assert_eq!(
            a.item(9)["permanentLoanTypeId"],
            json!(LOAN_TYPE_READING_ROOM)
        );
        assert_eq!(a.item(4)["effectiveLocationId"], json!(LOCATION_ANNEX));
        assert!(a.circulation_rules.contains(LOAN_POLICY_FIXED));
        let ids: std::collections::HashSet<_> = a
            .users
            .iter()
            .chain(&a.items)
            .map(|v| v["id"].clone())
            .collect();
        assert_eq!(ids.len(), 17);
    }
}
