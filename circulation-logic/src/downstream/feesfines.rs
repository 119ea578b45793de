//! Fees/fines (mod-feesfines): the overdue fine and lost item fee policies (cached).
use super::Peers;
use crate::domain::{LostItemPolicy, OverdueFinePolicy};
use crate::okapi::CallError;

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
}
