//! Users, patron groups and proxy relationships from mod-users (`userdata.json`,
//! `usergroup.json`, `proxyfor.json` and their collections).
use serde::{Deserialize, Serialize};

use crate::metadata::{JsonMap, Metadata, Tags};

/// `userdata.json` (`additionalProperties: false`; no required properties).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_system_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// Circulation: absent → "Cannot determine if user is active or not".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// `patron`, `staff`, `shadow`, `system`, `dcb` (any string).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Patron group id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron_group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departments: Option<Vec<String>>,
    /// Deprecated free-form object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_for: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<Personal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Any JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<JsonMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_email_communication: Option<Vec<EmailCommunication>>,
}

/// `userdata.personal` (`additionalProperties: false`; required `lastName`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Personal {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<String>,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_contact_type_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_contact_type_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_picture_link: Option<String>,
}

/// `userdata.personal.addresses[]` (`additionalProperties: false`; required `addressTypeId`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub address_type_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_address: Option<bool>,
}

/// `userdata.preferredEmailCommunication[]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmailCommunication {
    Support,
    Programs,
    Services,
}

/// `usergroup.json`: a patron group (unknown properties allowed; required `group`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserGroup {
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_offset_in_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl UserGroup {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];
}

/// A patron group is a `usergroup` record.
pub type PatronGroup = UserGroup;

/// `proxyfor.json` (`additionalProperties: false`; no required properties).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProxyFor {
    /// The sponsor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_for_sponsor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    /// "Sponsor" or "Proxy" (any string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accrue_to: Option<String>,
    /// "Active" or "Inactive" (any string; circulation compares case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl ProxyFor {
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["metadata"];

    /// `status` equals "Active", ignoring case (expiry is checked separately).
    pub fn is_status_active(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("Active"))
    }
}

/// `userdataCollection.json`: `{"users": [...], "totalRecords": N}` (+ `resultInfo` in extra).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Users {
    pub users: Vec<User>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `usergroups.json`: `{"usergroups": [...], "totalRecords": N}` (neither required).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserGroups {
    #[serde(default)]
    pub usergroups: Vec<UserGroup>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_records: Option<i32>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `proxyforCollection.json`: `{"proxiesFor": [...], "totalRecords": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxiesFor {
    pub proxies_for: Vec<ProxyFor>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::*;
    use serde_json::json;

    const EX: &str = "mod-users/ramls/examples/";

    #[test]
    fn examples_and_reference_data_parse() {
        if let Some(v) = spec_file(&format!("{EX}user.sample")) {
            let u: User = round_trip(&v, "user.sample");
            assert_eq!(u.active, Some(true));
            assert_eq!(u.personal.unwrap().last_name, "Handey");
        }
        if let Some(v) = spec_file(&format!("{EX}user_collection.sample")) {
            round_trip::<Users>(&v, "user_collection.sample");
        }
        if let Some(v) = spec_file(&format!("{EX}group.sample")) {
            round_trip::<UserGroup>(&v, "group.sample");
        }
        if let Some(v) = spec_file(&format!("{EX}groups.sample")) {
            round_trip::<UserGroups>(&v, "groups.sample");
        }
        if let Some(v) = spec_file(&format!("{EX}proxyfor.sample")) {
            round_trip::<ProxyFor>(&v, "proxyfor.sample");
        }
        if let Some(v) = spec_file(&format!("{EX}proxyforCollection.sample")) {
            round_trip::<ProxiesFor>(&v, "proxyforCollection.sample");
        }
        for dir in [
            "mod-users/src/main/resources/ref-data/groups-17.3.0",
            "mod-users/src/main/resources/sample-data/groups-19.4.0",
        ] {
            for (p, v) in spec_dir(dir) {
                round_trip::<UserGroup>(&v, &p.display().to_string());
            }
        }
    }

    fn full_user() -> serde_json::Value {
        json!({
            "username": "jhandey", "id": "7261ecaa-e3a7-4dc6-8b46-8e12a70b1aec", "externalSystemId": "x",
            "barcode": "123", "active": true, "type": "patron",
            "patronGroup": "3684a786-6671-4268-8ed0-9db82ebca60b",
            "departments": ["3684a786-6671-4268-8ed0-9db82ebca60c"],
            "meta": {"creation_date": "2016-11-05T0723"}, "proxyFor": [],
            "personal": {
                "pronouns": "they/them", "lastName": "Handey", "firstName": "Jack", "middleName": "M",
                "preferredFirstName": "Jackie", "email": "j@x.org", "phone": "1", "mobilePhone": "2",
                "dateOfBirth": "1990-01-01T00:00:00.000+00:00",
                "addresses": [{"id": "a", "countryId": "US", "addressLine1": "l1", "addressLine2": "l2",
                    "city": "c", "region": "r", "postalCode": "p",
                    "addressTypeId": "93d3d88d-499b-45d0-9bc7-ac73c3a19880", "primaryAddress": true}],
                "preferredContactTypeId": "002", "preferredContactTypeIds": ["002"], "profilePictureLink": "l"
            },
            "enrollmentDate": "2020-01-01T00:00:00.000+00:00", "expirationDate": "2030-01-01T00:00:00.000+00:00",
            "createdDate": "2020-01-01T00:00:00.000+00:00", "updatedDate": "2020-01-01T00:00:00.000+00:00",
            "metadata": {"createdDate": "2020-01-01T00:00:00.000+00:00"},
            "tags": {"tagList": []}, "customFields": {"anything": [1, 2]},
            "preferredEmailCommunication": ["Support", "Services"]
        })
    }

    #[test]
    fn user_rules() {
        let v = full_user();
        round_trip::<User>(&v, "full user");
        rejects_unknown::<User>(&v, &[]);
        rejects_unknown::<User>(&v, &["personal"]);
        let mut bad = v.clone();
        bad["personal"]["addresses"][0]["x"] = json!(1);
        assert!(serde_json::from_value::<User>(bad).is_err());
        let mut bad = v.clone();
        bad["personal"].as_object_mut().unwrap().remove("lastName");
        assert!(serde_json::from_value::<User>(bad)
            .unwrap_err()
            .to_string()
            .contains("missing field `lastName`"));
        let mut bad = v.clone();
        bad["preferredEmailCommunication"] = json!(["Spam"]);
        assert!(serde_json::from_value::<User>(bad).is_err());
        // No required fields at the top level.
        assert_eq!(
            serde_json::from_value::<User>(json!({})).unwrap(),
            User::default()
        );
    }

    #[test]
    fn group_and_proxy_rules() {
        let g = json!({"id": "3684a786-6671-4268-8ed0-9db82ebca60b", "group": "staff", "desc": "Staff Member",
            "expirationOffsetInDays": 730, "source": "System", "futureField": true});
        let group: PatronGroup = round_trip(&g, "group");
        assert!(group.extra.contains_key("futureField"));
        rejects_missing::<UserGroup>(&g, "group");

        let p = json!({"id": "e22cd63e-a9a0-4ef8-b8a3-b2e2522fda93", "userId": "dfeb378d-165f-43c6-8b53-204c2151fc63",
            "proxyUserId": "f394a414-25dd-4a08-88d2-abc534c516cc", "requestForSponsor": "Yes",
            "createdDate": "2020-01-01T00:00:00.000+00:00", "notificationsTo": "Proxy", "accrueTo": "Sponsor",
            "status": "active", "expirationDate": "2030-01-01T00:00:00.000+00:00"});
        let proxy: ProxyFor = round_trip(&p, "proxy");
        assert!(proxy.is_status_active());
        rejects_unknown::<ProxyFor>(&p, &[]);
        let list = json!({"proxiesFor": [p], "totalRecords": 1});
        round_trip::<ProxiesFor>(&list, "proxies");
    }
}
