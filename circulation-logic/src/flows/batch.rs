//! Records for many loans read in batches, not one call per loan: items by id, then their
//! holdings, then instances beside the reference records (through the cache).
use crate::domain::{Holdings, Instance, Item, ItemInContext, Location, MaterialType};
use crate::downstream::Peers;
use crate::fanout::Fan;
use crate::okapi::CallError;
use std::collections::HashMap;

/// Records by id.
pub(crate) fn by_id<T>(records: Vec<T>, id: impl Fn(&T) -> &str) -> HashMap<String, T> {
    records
        .into_iter()
        .map(|r| (id(&r).to_string(), r))
        .collect()
}

/// Reference records (cached) for each distinct id, read through the fan.
pub(crate) async fn each_distinct<'a, T, F, Fut>(
    fan: Fan,
    ids: impl Iterator<Item = &'a str>,
    read: F,
) -> Result<HashMap<String, T>, CallError>
where
    F: Fn(&'a str) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CallError>>,
{
    let mut distinct: Vec<&str> = ids.collect();
    distinct.sort_unstable();
    distinct.dedup();
    let found = fan.all(distinct.iter().map(|id| read(id)).collect()).await;
    let mut out = HashMap::new();
    for (id, record) in distinct.into_iter().zip(found) {
        if let Some(record) = record? {
            out.insert(id.to_string(), record);
        }
    }
    Ok(out)
}

/// Items with their holdings, instances, locations and material types, by id.
#[derive(Debug, Default)]
pub(crate) struct ItemsRead {
    pub items: HashMap<String, Item>,
    pub holdings: HashMap<String, Holdings>,
    pub instances: HashMap<String, Instance>,
    pub locations: HashMap<String, Location>,
    pub material_types: HashMap<String, MaterialType>,
}

impl ItemsRead {
    /// The item `item_id` with the records read for it (nothing when it was not found).
    pub(crate) fn in_context(&self, item_id: Option<&str>) -> ItemInContext<'_> {
        let item = item_id.and_then(|id| self.items.get(id));
        let holdings = item
            .and_then(Item::holdings_record_id)
            .and_then(|id| self.holdings.get(id));
        ItemInContext {
            item,
            holdings,
            instance: holdings
                .and_then(Holdings::instance_id)
                .and_then(|id| self.instances.get(id)),
            location: item
                .and_then(Item::effective_location_id)
                .and_then(|id| self.locations.get(id)),
            material_type: item
                .and_then(Item::material_type_id)
                .and_then(|id| self.material_types.get(id)),
        }
    }
}

/// The items `item_ids` and their records: items, then holdings, then instances beside the
/// locations and material types.
pub(crate) async fn read_items(
    peers: Peers<'_>,
    item_ids: &[&str],
) -> Result<ItemsRead, CallError> {
    let inventory = peers.inventory();
    let items = by_id(
        inventory.items_by_ids("items", item_ids).await?,
        |i: &Item| i.id(),
    );
    let holdings_ids: Vec<&str> = items
        .values()
        .filter_map(Item::holdings_record_id)
        .collect();
    let holdings = by_id(
        inventory.holdings_by_ids(&holdings_ids).await?,
        |h: &Holdings| h.id(),
    );
    let instance_ids: Vec<&str> = holdings
        .values()
        .filter_map(Holdings::instance_id)
        .collect();
    let (instances, locations, material_types) = peers
        .fan
        .join3(
            inventory.instances_by_ids(&instance_ids),
            each_distinct(
                peers.fan,
                items.values().filter_map(Item::effective_location_id),
                |id| inventory.location(id, false),
            ),
            each_distinct(
                peers.fan,
                items.values().filter_map(Item::material_type_id),
                |id| inventory.material_type(id),
            ),
        )
        .await;
    Ok(ItemsRead {
        instances: by_id(instances?, |i: &Instance| i.id()),
        locations: locations?,
        material_types: material_types?,
        holdings,
        items,
    })
}
