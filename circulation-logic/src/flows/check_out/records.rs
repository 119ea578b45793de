//! What a check-out reads before it decides: the records the validations, the due date, the
//! writes and the answer need.
use crate::domain::{
    AutomatedBlock, Holdings, Instance, Item, ItemInContext, Loan, LoanType, Location,
    LockSettings, ManualBlock, MaterialType, PatronGroup, Policies, ProxyRelationship,
    RequestQueue, User,
};
use crate::error::Failure;
use crate::flows::due::Due;
use chrono_tz::Tz;

#[derive(Debug, Clone, Default)]
pub(crate) struct CheckOutRecords {
    pub user: Option<User>,
    pub proxy: Option<User>,
    pub manual_blocks: Vec<ManualBlock>,
    pub automated_blocks: Vec<AutomatedBlock>,
    pub proxy_relationships: Vec<ProxyRelationship>,
    pub group: Option<PatronGroup>,
    pub item: Option<Item>,
    pub holdings: Option<Holdings>,
    pub instance: Option<Instance>,
    pub location: Option<Location>,
    pub material_type: Option<MaterialType>,
    pub loan_type: Option<LoanType>,
    pub open_loans_for_item: Vec<Loan>,
    pub queue: RequestQueue,
    pub timezone: Option<Tz>,
    pub policies: Option<Policies>,
    /// Open loans counted against the item limit (only when the limit applies).
    pub item_limit_count: Option<usize>,
    /// The due date, when it was asked for and the records for it were found.
    pub due: Option<Result<Due, Failure>>,
    /// The tenant's check-out lock setting.
    pub lock: LockSettings,
}

impl CheckOutRecords {
    /// The item with the records its summary and messages show.
    pub(crate) fn in_context(&self) -> ItemInContext<'_> {
        ItemInContext {
            item: self.item.as_ref(),
            holdings: self.holdings.as_ref(),
            instance: self.instance.as_ref(),
            location: self.location.as_ref(),
            material_type: self.material_type.as_ref(),
        }
    }
}
