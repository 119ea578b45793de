//! One typed repository per module this module calls, all through the Okapi gateway of the
//! incoming request. Each call has a name: its hop in `Server-Timing` and in errors.
pub(crate) mod calendar;
pub(crate) mod circulation_storage;
pub(crate) mod feesfines;
pub(crate) mod inventory;
pub(crate) mod kafka;
pub(crate) mod notify;
pub(crate) mod patron_blocks;
pub(crate) mod pubsub;
pub(crate) mod settings;
pub(crate) mod users;

use crate::fanout::Fan;
use crate::okapi::{cql_quote, CallError, Okapi, PolicyCache};
use crate::rules::PolicyType;
use std::collections::{HashMap, HashSet};

pub(crate) use calendar::Calendar;
pub(crate) use circulation_storage::CirculationStorage;
pub(crate) use feesfines::FeesFines;
pub(crate) use inventory::Inventory;
pub(crate) use notify::Notify;
pub(crate) use patron_blocks::PatronBlocks;
pub(crate) use pubsub::PubSub;
pub(crate) use settings::Settings;
pub(crate) use users::Users;

/// What every repository calls with: the request's Okapi context, the policy cache for
/// configuration records, the request's fan-out strategy for batched reads, and the Kafka
/// producer when one is configured.
#[derive(Clone, Copy)]
pub(crate) struct Peers<'a> {
    pub okapi: &'a Okapi,
    pub cache: &'a PolicyCache,
    pub fan: Fan,
    pub kafka: Option<&'a std::sync::Arc<kafka::KafkaEvents>>,
}

impl<'a> Peers<'a> {
    pub(crate) fn inventory(self) -> Inventory<'a> {
        Inventory(self)
    }

    pub(crate) fn users(self) -> Users<'a> {
        Users(self)
    }

    pub(crate) fn patron_blocks(self) -> PatronBlocks<'a> {
        PatronBlocks(self.okapi)
    }

    pub(crate) fn calendar(self) -> Calendar<'a> {
        Calendar(self.okapi)
    }

    pub(crate) fn settings(self) -> Settings<'a> {
        Settings(self.okapi)
    }

    pub(crate) fn storage(self) -> CirculationStorage<'a> {
        CirculationStorage(self)
    }

    pub(crate) fn feesfines(self) -> FeesFines<'a> {
        FeesFines(self)
    }

    pub(crate) fn notify(self) -> Notify<'a> {
        Notify(self.okapi)
    }

    pub(crate) fn pubsub(self) -> PubSub<'a> {
        PubSub(self.okapi)
    }

    /// A configuration record by path through the cache; `None` for 404.
    async fn cached<T>(
        self,
        name: &str,
        path: &str,
        view: fn(serde_json::Value) -> T,
    ) -> Result<Option<T>, CallError> {
        Ok(self.cache.get(self.okapi, name, path).await?.map(view))
    }
}

impl Peers<'_> {
    /// Every policy id of each type (circulation storage's loan, request and notice policies,
    /// fees/fines' overdue and lost item policies), for the existence check of new rules.
    pub(crate) async fn policy_ids(
        self,
    ) -> Result<HashMap<PolicyType, HashSet<String>>, CallError> {
        let sources = [
            (
                PolicyType::Loan,
                "/loan-policy-storage/loan-policies",
                "loanPolicies",
            ),
            (
                PolicyType::Request,
                "/request-policy-storage/request-policies",
                "requestPolicies",
            ),
            (
                PolicyType::Notice,
                "/patron-notice-policy-storage/patron-notice-policies",
                "patronNoticePolicies",
            ),
            (
                PolicyType::OverdueFine,
                "/overdue-fines-policies",
                "overdueFinePolicies",
            ),
            (
                PolicyType::LostItem,
                "/lost-item-fees-policies",
                "lostItemFeePolicies",
            ),
        ];
        let calls = sources
            .iter()
            .map(|(kind, path, key)| async move {
                let name = format!("{} policies", kind.letter());
                let list = self
                    .okapi
                    .get_list(&name, path, &[("limit", "2147483647")], key)
                    .await?;
                let ids: HashSet<String> = list
                    .iter()
                    .filter_map(|p| p.get("id").and_then(serde_json::Value::as_str))
                    .map(str::to_string)
                    .collect();
                Ok::<_, CallError>((*kind, ids))
            })
            .collect();
        let mut out = HashMap::new();
        for r in self.fan.all(calls).await {
            let (kind, ids) = r?;
            out.insert(kind, ids);
        }
        Ok(out)
    }
}

impl Peers<'_> {
    /// Records of a collection by id, in batches of 50 ids (one call each, joined through the
    /// fan); ids are asked for once each.
    async fn by_ids(
        self,
        name: &str,
        path: &str,
        key: &str,
        ids: &[&str],
    ) -> Result<Vec<serde_json::Value>, CallError> {
        self.by_index(name, path, key, "id", ids).await
    }

    /// Records of a collection whose `index` is one of `values` (`index==("a" or "b")`), in
    /// batches of 50 values (one call each, joined through the fan); values are asked for once
    /// each.
    async fn by_index(
        self,
        name: &str,
        path: &str,
        key: &str,
        index: &str,
        values: &[&str],
    ) -> Result<Vec<serde_json::Value>, CallError> {
        let mut distinct: Vec<&str> = values.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let batches: Vec<_> = distinct
            .chunks(50)
            .map(|chunk| {
                let q = format!(
                    "{index}==({})",
                    chunk
                        .iter()
                        .map(|i| cql_quote(i))
                        .collect::<Vec<_>>()
                        .join(" or ")
                );
                async move {
                    self.okapi
                        .get_list(name, path, &[("query", &q), ("limit", "2147483647")], key)
                        .await
                }
            })
            .collect();
        let mut records = Vec::new();
        for batch in self.fan.all(batches).await {
            records.extend(batch?);
        }
        Ok(records)
    }
}

/// The first record of a collection answer.
fn first(list: Vec<serde_json::Value>) -> Option<serde_json::Value> {
    list.into_iter().next()
}

impl Peers<'_> {
    /// The first record of `path` matching the CQL `query`, asking for at most `limit`.
    async fn first_match(
        self,
        name: &str,
        path: &str,
        query: &str,
        limit: &str,
        key: &str,
    ) -> Result<Option<serde_json::Value>, CallError> {
        let list = self
            .okapi
            .get_list(name, path, &[("query", query), ("limit", limit)], key)
            .await?;
        Ok(first(list))
    }
}
