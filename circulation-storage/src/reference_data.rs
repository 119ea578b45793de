//! The module's reference data, loaded with `loadReference=true`: the same ids and names as
//! mod-circulation-storage's (cancellation reasons, default policies, default circulation rules).
use crate::records::{self, RecordType};
use serde_json::{json, Value};

pub(crate) fn records() -> Vec<(&'static RecordType, Value)> {
    vec![
        (
            &records::LOAN_POLICIES,
            json!({
                "id": "43198de5-f56a-4a53-a0bd-5a324418967a",
                "name": "One Hour",
                "loanable": true,
                "loansPolicy": {
                    "profileId": "Rolling",
                    "period": {"duration": 1, "intervalId": "Hours"},
                    "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE_TIME"
                },
                "renewable": true,
                "renewalsPolicy": {"unlimited": false, "numberAllowed": 3, "renewFromId": "SYSTEM_DATE", "differentPeriod": false}
            }),
        ),
        (
            &records::LOAN_POLICIES,
            json!({
                "id": "d9cd0bed-1b49-4b5e-a7bd-064b8d177231",
                "name": "Example Loan Policy",
                "description": "An example loan policy",
                "loanable": true,
                "loansPolicy": {
                    "profileId": "Rolling",
                    "period": {"duration": 60, "intervalId": "Days"},
                    "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE",
                    "gracePeriod": {"duration": 7, "intervalId": "Days"}
                },
                "renewable": true,
                "renewalsPolicy": {
                    "unlimited": true,
                    "renewFromId": "CURRENT_DUE_DATE",
                    "differentPeriod": true,
                    "period": {"duration": 30, "intervalId": "Days"}
                },
                "requestManagement": {
                    "recalls": {
                        "minimumGuaranteedLoanPeriod": {"duration": 30, "intervalId": "Days"},
                        "recallReturnInterval": {"duration": 5, "intervalId": "Days"}
                    }
                }
            }),
        ),
        (
            &records::REQUEST_POLICIES,
            json!({
                "id": "334e5a9e-94f9-4673-8d1d-ab552863886b",
                "name": "Allow All",
                "description": "Allow all request types",
                "requestTypes": ["Hold", "Page", "Recall"]
            }),
        ),
        (
            &records::REQUEST_POLICIES,
            json!({
                "id": "4c6e1fb0-2ef1-4666-bd15-f9190ff89060",
                "name": "Hold only",
                "description": "Only allow holds",
                "requestTypes": ["Hold"]
            }),
        ),
        (
            &records::PATRON_NOTICE_POLICIES,
            json!({
                "id": "122b3d2b-4788-4f1e-9117-56daa91cb75c",
                "name": "Send No Notices",
                "description": "A basic notice policy that does not define any notices",
                "active": true,
                "loanNotices": [],
                "requestNotices": []
            }),
        ),
        cancellation_reason(
            "ff474f60-d9ce-4bd8-8659-eb51af825a56",
            "Item Not Available",
            "Item is no longer available",
            None,
            false,
        ),
        cancellation_reason(
            "1c0e9ba1-6a97-4bbc-94fc-83eecc32f5fd",
            "Needed For Course Reserves",
            "Item is needed for course reserves",
            Some("Item is no longer available for request"),
            false,
        ),
        cancellation_reason(
            "b548b182-55c2-4741-b169-616d9cd995a8",
            "Other",
            "Other",
            None,
            true,
        ),
        cancellation_reason(
            "75187e8d-e25a-47a7-89ad-23ba612338de",
            "Patron Cancelled",
            "Cancelled at patron\u{2019}s request",
            None,
            false,
        ),
    ]
}

fn cancellation_reason(
    id: &str,
    name: &str,
    description: &str,
    public_description: Option<&str>,
    requires_additional_information: bool,
) -> (&'static RecordType, Value) {
    let mut reason = json!({
        "id": id,
        "name": name,
        "description": description,
        "requiresAdditionalInformation": requires_additional_information
    });
    if let Some(public) = public_description {
        reason["publicDescription"] = json!(public);
    }
    (&records::CANCELLATION_REASONS, reason)
}

/// The default rules: everything falls back to the example policies; one material type gets
/// the one-hour loan policy. Overdue and lost-item policy ids refer to mod-feesfines records.
pub(crate) fn circulation_rules_text() -> String {
    [
        "priority: number-of-criteria, criterium (t, s, c, b, a, m, g), last-line",
        "fallback-policy: l d9cd0bed-1b49-4b5e-a7bd-064b8d177231 r 334e5a9e-94f9-4673-8d1d-ab552863886b \
         n 122b3d2b-4788-4f1e-9117-56daa91cb75c o cd3f6cac-fa17-4079-9fae-2fb28e521412 i ed892c0e-52e0-4cd9-8133-c0ef07b4a709 ",
        "m 1a54b431-2e4f-452d-9cae-9cee66c9a892: l 43198de5-f56a-4a53-a0bd-5a324418967a r 334e5a9e-94f9-4673-8d1d-ab552863886b \
         n 122b3d2b-4788-4f1e-9117-56daa91cb75c o cd3f6cac-fa17-4079-9fae-2fb28e521412 i ed892c0e-52e0-4cd9-8133-c0ef07b4a709",
    ]
    .join("\n")
}

/// The sample loans loaded with `loadSample=true` (FOLIO's sample data: same ids, users,
/// items, dates and states).
pub(crate) fn sample_loans() -> Vec<Value> {
    let loan = |id: &str, user: &str, item: &str, dates: (&str, &str), action: &str, open: bool| {
        json!({
            "id": id,
            "userId": user,
            "itemId": item,
            "loanDate": dates.0,
            "dueDate": dates.1,
            "action": action,
            "itemStatus": if open { "Checked out" } else { "Available" },
            "status": {"name": if open { "Open" } else { "Closed" }}
        })
    };
    let mut loans = vec![
        loan(
            "40f5e9d9-38ac-458e-ade7-7795bd821652",
            "47f7eaea-1a18-4058-907c-62b7d095c61b",
            "1b6d3338-186e-4e35-9e75-1b886b0da53e",
            ("2017-03-05T18:32:31Z", "2017-03-19T18:32:31Z"),
            "checkedout",
            true,
        ),
        loan(
            "0bab56e5-1ab6-4ac2-afdf-8b2df0434378",
            "ab579dc3-219b-4f5b-8068-ab1c7a55c402",
            "459afaba-5b39-468d-9072-eb1685e0ddf4",
            ("2017-02-03T08:43:15Z", "2017-02-17T08:43:15Z"),
            "checkedin",
            false,
        ),
        loan(
            "3fd2d7aa-a6fe-4794-9d34-837a6bd31a8b",
            "ab579dc3-219b-4f5b-8068-ab1c7a55c402",
            "bb5a6689-c008-4c96-8f8f-b666850ee12d",
            ("2017-01-05T12:42:21Z", "2017-01-19T12:42:21Z"),
            "holdrequested",
            true,
        ),
        loan(
            "959f65f6-ce51-4984-99fa-5e11c1f5661c",
            "d0fc4228-2e42-49b2-a5b0-9df48897e8c0",
            "23f2c8e1-bd5d-4f27-9398-a688c998808a",
            ("2017-03-03T15:41:54Z", "2017-03-17T15:41:54Z"),
            "recallrequested",
            true,
        ),
        loan(
            "21b34ab5-fdb1-4922-88ba-4f32750f61da",
            "9ad09b01-7429-455f-9f64-e3897027db61",
            "23fdb0bc-ab58-442a-b326-577a96204487",
            ("2017-03-05T18:32:31Z", "2017-03-19T18:32:31Z"),
            "checkedin",
            false,
        ),
    ];
    // The details only some of them have.
    loans[1]["proxyUserId"] = json!("a13dda6b-51ce-4543-be9c-eff894c0c2d0");
    loans[1]["returnDate"] = json!("2017-03-01T11:35:12Z");
    for (loan, renewals) in loans
        .iter_mut()
        .zip([Some(0), Some(0), None, Some(1), Some(0)])
    {
        if let Some(count) = renewals {
            loan["renewalCount"] = json!(count);
        }
    }
    loans
}
