//! Patron blocks: manual blocks (mod-feesfines' `/manualblocks`) and automated blocks
//! (mod-patron-blocks).
use crate::domain::{AutomatedBlock, ManualBlock};
use crate::okapi::{cql_quote, CallError, Okapi};
use serde_json::Value;

#[derive(Clone, Copy)]
pub(crate) struct PatronBlocks<'a>(pub(super) &'a Okapi);

impl PatronBlocks<'_> {
    pub(crate) async fn manual(&self, user_id: &str) -> Result<Vec<ManualBlock>, CallError> {
        let q = format!("userId=={}", cql_quote(user_id));
        let list = self
            .0
            .get_list(
                "manual blocks",
                "/manualblocks",
                &[("query", &q)],
                "manualblocks",
            )
            .await?;
        Ok(list.into_iter().map(ManualBlock::from_json).collect())
    }

    /// The user's automated blocks; none when mod-patron-blocks knows no such user.
    pub(crate) async fn automated(&self, user_id: &str) -> Result<Vec<AutomatedBlock>, CallError> {
        let path = format!("/automated-patron-blocks/{user_id}");
        let Some(answer) = self.0.get_opt("automated blocks", &path).await? else {
            return Ok(Vec::new());
        };
        let list = answer
            .get("automatedPatronBlocks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(list.into_iter().map(AutomatedBlock::from_json).collect())
    }
}
