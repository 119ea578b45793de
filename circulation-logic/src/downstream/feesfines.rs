//! Fees/fines (mod-feesfines): the overdue fine and lost item fee policies (cached), fee/fine
//! owners and types, the accounts and actions of the fees and fines circulation charges, and
//! the actions API that refunds and cancels a lost item's fees.
use super::Peers;
use crate::domain::feesfines::{Account, FeeFineAction};
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

    /// The loan's accounts of the fee/fine types given:
    /// `GET /accounts?query=loanId=="<id>" and feeFineType==("<type>" or …)`, without a limit
    /// (mod-feesfines then answers ten at most), as mod-circulation asks.
    pub(crate) async fn accounts_of_loan(
        &self,
        loan_id: &str,
        fee_fine_types: &[&str],
    ) -> Result<Vec<Account>, CallError> {
        let types: Vec<String> = fee_fine_types.iter().map(|t| cql_quote(t)).collect();
        let q = format!(
            "loanId=={} and feeFineType==({})",
            cql_quote(loan_id),
            types.join(" or ")
        );
        let list = self
            .0
            .okapi
            .get_list("lost item fees", "/accounts", &[("query", &q)], "accounts")
            .await?;
        Ok(list.into_iter().map(Account::from_json).collect())
    }

    /// The accounts charged for any of the loans: `GET /accounts?query=loanId==("<id>" or …)`,
    /// 50 loans a call (mod-circulation's `findAccountsForLoans`).
    pub(crate) async fn accounts_of_loans(
        &self,
        loan_ids: &[&str],
    ) -> Result<Vec<Account>, CallError> {
        let list = self
            .0
            .by_index(
                "accounts of loans",
                "/accounts",
                "accounts",
                "loanId",
                loan_ids,
            )
            .await?;
        Ok(list.into_iter().map(Account::from_json).collect())
    }

    /// The actions of the accounts: `GET /feefineactions?query=accountId==("<id>" or …)`, 50
    /// accounts a call.
    pub(crate) async fn actions_of_accounts(
        &self,
        account_ids: &[&str],
    ) -> Result<Vec<FeeFineAction>, CallError> {
        let list = self
            .0
            .by_index(
                "fee/fine actions",
                "/feefineactions",
                "feefineactions",
                "accountId",
                account_ids,
            )
            .await?;
        Ok(list.into_iter().map(FeeFineAction::from_json).collect())
    }

    /// `POST /accounts/{id}/refund`: the actions API's answer (`actionSuccessResponse.json`).
    pub(crate) async fn refund_account(
        &self,
        account_id: &str,
        request: &Value,
    ) -> Result<Value, CallError> {
        self.account_action("refund account", account_id, "refund", request)
            .await
    }

    /// `POST /accounts/{id}/cancel`: the actions API's answer.
    pub(crate) async fn cancel_account(
        &self,
        account_id: &str,
        request: &Value,
    ) -> Result<Value, CallError> {
        self.account_action("cancel account", account_id, "cancel", request)
            .await
    }

    async fn account_action(
        &self,
        name: &str,
        account_id: &str,
        action: &str,
        request: &Value,
    ) -> Result<Value, CallError> {
        let path = format!("/accounts/{account_id}/{action}");
        let reply = self
            .0
            .okapi
            .write(name, Method::POST, &path, Some(request))
            .await?;
        reply.json().ok_or_else(|| CallError::BadBody {
            name: name.to_string(),
            detail: "not JSON".into(),
        })
    }

    /// `POST /actual-cost-fee-fine/cancel`.
    pub(crate) async fn cancel_actual_cost(&self, request: &Value) -> Result<Reply, CallError> {
        self.0
            .okapi
            .write(
                "cancel actual cost fee",
                Method::POST,
                "/actual-cost-fee-fine/cancel",
                Some(request),
            )
            .await
    }
}
