//! Fees/fines (mod-feesfines): the overdue fine and lost item fee policies (cached), fee/fine
//! owners and types, and the accounts and actions of the fees and fines circulation charges.
use super::Peers;
use crate::domain::{FeeFine, FeeFineOwner, LostItemPolicy, OverdueFinePolicy};
use crate::okapi::{cql_quote, CallError, Reply};
use reqwest::Method;
use serde_json::Value;

#[derive(Clone, Copy)]
pub(crate) struct FeesFines<'a>(pub(super) Peers<'a>);

impl FeesFines<'_> {
    pub(crate) async fn overdue_fine_policy(
        &self,
        id: &str,
    ) -> Result<Option<OverdueFinePolicy>, CallError> {
        let path = format!("/overdue-fines-policies/{id}");
        self.0
            .cached("overdue fine policy", &path, OverdueFinePolicy::from_json)
            .await
    }

    pub(crate) async fn lost_item_policy(
        &self,
        id: &str,
    ) -> Result<Option<LostItemPolicy>, CallError> {
        let path = format!("/lost-item-fees-policies/{id}");
        self.0
            .cached("lost item policy", &path, LostItemPolicy::from_json)
            .await
    }

    /// The first fee/fine owner serving `service_point_id`:
    /// `GET /owners?query=servicePointOwner=("<id>")&limit=2147483647`.
    pub(crate) async fn owner_for_service_point(
        &self,
        service_point_id: &str,
    ) -> Result<Option<FeeFineOwner>, CallError> {
        let q = format!("servicePointOwner=({})", cql_quote(service_point_id));
        let owner = self
            .0
            .first_match("fee/fine owner", "/owners", &q, "2147483647", "owners")
            .await?;
        Ok(owner.map(FeeFineOwner::from_json))
    }

    /// The automatic fee/fine type named `fee_fine_type`:
    /// `GET /feefines?query=feeFineType==("<type>") and automatic=="true"&limit=1`.
    pub(crate) async fn automatic_fee_fine(
        &self,
        fee_fine_type: &str,
    ) -> Result<Option<FeeFine>, CallError> {
        let q = format!(
            "feeFineType==({}) and automatic==\"true\"",
            cql_quote(fee_fine_type)
        );
        let fee_fine = self
            .0
            .first_match("automatic fee/fine type", "/feefines", &q, "1", "feefines")
            .await?;
        Ok(fee_fine.map(FeeFine::from_json))
    }

    pub(crate) async fn create_account(&self, account: &Value) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write("create account", Method::POST, "/accounts", Some(account))
            .await
    }

    pub(crate) async fn create_action(&self, action: &Value) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(
                "create fee/fine action",
                Method::POST,
                "/feefineactions",
                Some(action),
            )
            .await
    }
}
