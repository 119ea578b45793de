//! One typed repository per module this module calls, all through the Okapi gateway of the
//! incoming request. Each call has a name: its hop in `Server-Timing` and in errors.
pub(crate) mod calendar;
pub(crate) mod circulation_storage;
pub(crate) mod feesfines;
pub(crate) mod inventory;
pub(crate) mod patron_blocks;
pub(crate) mod pubsub;
pub(crate) mod settings;
pub(crate) mod users;

use crate::fanout::Fan;
use crate::okapi::{Okapi, PolicyCache};

pub(crate) use calendar::Calendar;
pub(crate) use circulation_storage::CirculationStorage;
pub(crate) use feesfines::FeesFines;
pub(crate) use inventory::Inventory;
pub(crate) use patron_blocks::PatronBlocks;
pub(crate) use pubsub::PubSub;
pub(crate) use settings::Settings;
pub(crate) use users::Users;

/// What every repository calls with: the request's Okapi context, the policy cache for
/// configuration records, and the request's fan-out strategy for batched reads.
#[derive(Clone, Copy)]
pub(crate) struct Peers<'a> {
    pub okapi: &'a Okapi,
    pub cache: &'a PolicyCache,
    pub fan: Fan,
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

    pub(crate) fn pubsub(self) -> PubSub<'a> {
        PubSub(self.okapi)
    }

    /// A configuration record by path through the cache; `None` for 404.
    async fn cached<T>(
        self,
        name: &str,
        path: &str,
        view: fn(serde_json::Value) -> T,
    ) -> Result<Option<T>, crate::okapi::CallError> {
        Ok(self.cache.get(self.okapi, name, path).await?.map(view))
    }
}

/// The first record of a collection answer.
fn first(list: Vec<serde_json::Value>) -> Option<serde_json::Value> {
    list.into_iter().next()
}
