//! Typed views of the records circulation reads from other modules and from its storage. Each
//! keeps the record whole (what a flow writes back loses nothing another module stored); flows
//! read fields only through these types, never by JSON path.
mod record;

pub mod inventory;
pub mod loan;
pub mod policies;
pub mod representation;
pub mod request;
pub mod scheduled_notices;
pub mod settings;
pub mod user;

pub use inventory::{
    Holdings, Instance, Item, ItemStatus, LoanType, Location, LocationUnits, MaterialType,
};
pub use loan::{CheckOutAction, Loan, NewLoan};
pub use policies::{LoanPolicyRecord, LostItemPolicy, NoticePolicy, OverdueFinePolicy, Policies};
pub use representation::{extended_loan, ItemInContext, LoanExtras};
pub use request::{Fulfilment, Request, RequestQueue, RequestType};
pub use settings::LockSettings;
pub use user::{AutomatedBlock, ManualBlock, PatronGroup, ProxyRelationship, User};
