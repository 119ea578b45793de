//! The circulation loans API: loans by id and by CQL query, extended as mod-circulation
//! answers them.
use super::support::{checked_out, sample, start};
use circulation_tests::http::encode;
use circulation_tests::sample_data as sd;
use serde_json::json;

#[tokio::test]
async fn loans_api_answers_extended_loans() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let first = checked_out(&stack, 2, 3).await;
    checked_out(&stack, 2, 4).await;
    let id = first["id"].as_str().unwrap();
    let one = client.get(&format!("/circulation/loans/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let loan = one.json();
    assert_eq!(loan["id"], first["id"]);
    assert_eq!(loan["item"]["barcode"], s.item_barcode(3).as_str());
    assert_eq!(loan["item"]["status"]["name"], "Checked out");
    assert_eq!(loan["item"]["title"], first["item"]["title"]);
    assert_eq!(loan["borrower"], first["borrower"]);
    assert_eq!(loan["loanPolicy"], first["loanPolicy"]);
    assert_eq!(
        loan["patronGroupAtCheckout"],
        first["patronGroupAtCheckout"]
    );
    assert!(loan.get("itemStatus").is_none());

    let missing = "4b0b1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c";
    let none = client.get(&format!("/circulation/loans/{missing}")).await;
    assert_eq!(none.status, 404);
    assert_eq!(
        none.body,
        format!("loan record with ID \"{missing}\" cannot be found")
    );

    let user_id = s.patron(2)["id"].as_str().unwrap();
    let page = client
        .get(&format!(
            "/circulation/loans?query={}&limit=1",
            encode(&format!("userId=={user_id} sortBy loanDate"))
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!(page["totalRecords"], 2);
    assert_eq!(page["loans"].as_array().unwrap().len(), 1);
    assert_eq!(page["loans"][0]["borrower"], first["borrower"]);
    stack.stop().await;
}

#[tokio::test]
async fn a_loans_open_fees_and_fines_are_what_is_left_to_pay() {
    let stack = start().await;
    let client = stack.client();
    let fined = checked_out(&stack, 2, 3).await;
    let clear = checked_out(&stack, 2, 4).await;
    for (remaining, status) in [(2.5, "Open"), (1.25, "Open"), (4.0, "Closed")] {
        let account = json!({"id": uuid::Uuid::new_v4().to_string(), "amount": 4.0,
            "remaining": remaining, "status": {"name": status},
            "paymentStatus": {"name": "Outstanding"}, "feeFineType": "Overdue fine",
            "feeFineId": "9523cb96-e752-40c2-89da-60f3961a488d", "ownerId": sd::FEE_FINE_OWNER,
            "loanId": fined["id"], "userId": fined["userId"]});
        let created = client.post("/accounts", &account).await;
        assert_eq!(created.status, 201, "{}", created.body);
    }
    let id = fined["id"].as_str().unwrap();
    let one = client.get(&format!("/circulation/loans/{id}")).await.json();
    assert_eq!(one["feesAndFines"], json!({"amountRemainingToPay": 3.75}));
    let user_id = fined["userId"].as_str().unwrap();
    let page = client
        .get(&format!(
            "/circulation/loans?query={}",
            encode(&format!("userId=={user_id}"))
        ))
        .await
        .json();
    let remaining = |loan: &serde_json::Value| {
        page["loans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == loan["id"])
            .map(|l| l["feesAndFines"]["amountRemainingToPay"].clone())
    };
    assert_eq!(remaining(&fined), Some(json!(3.75)));
    assert_eq!(remaining(&clear), Some(json!(0.0)));
    stack.stop().await;
}
