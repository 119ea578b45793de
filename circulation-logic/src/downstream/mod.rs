//! One typed repository per module this module calls, all through the Okapi gateway of the
//! incoming request. Each call has a name: its hop in `Server-Timing` and in errors.
pub mod calendar;
pub mod circulation_storage;
pub mod feesfines;
pub mod inventory;
pub mod patron_blocks;
pub mod pubsub;
pub mod settings;
pub mod users;

use crate::fanout::Fan;
use crate::okapi::{Okapi, PolicyCache};

pub use calendar::Calendar;
pub use circulation_storage::CirculationStorage;
pub use feesfines::FeesFines;
pub use inventory::Inventory;
pub use patron_blocks::PatronBlocks;
pub use pubsub::PubSub;
pub use settings::Settings;
pub use users::Users;

/// What every repository calls with: the request's Okapi context, the policy cache for
/// configuration records, and the request's fan-out strategy for batched reads.
#[derive(Clone, Copy)]
pub struct Peers<'a> {
    pub okapi: &'a Okapi,
    pub cache: &'a PolicyCache,
    pub fan: Fan,
}

impl<'a> Peers<'a> {
    pub fn inventory(self) -> Inventory<'a> {
        Inventory(self)
    }

    pub fn users(self) -> Users<'a> {
        Users(self)
    }

    pub fn patron_blocks(self) -> PatronBlocks<'a> {
        PatronBlocks(self.okapi)
    }

    pub fn calendar(self) -> Calendar<'a> {
        Calendar(self.okapi)
    }

    pub fn settings(self) -> Settings<'a> {
        Settings(self.okapi)
    }

    pub fn storage(self) -> CirculationStorage<'a> {
        CirculationStorage(self)
    }

    pub fn feesfines(self) -> FeesFines<'a> {
        FeesFines(self)
    }

    pub fn pubsub(self) -> PubSub<'a> {
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
