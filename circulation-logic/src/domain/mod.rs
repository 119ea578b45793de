//! Typed views of the records circulation reads from other modules and from its storage. Each
//! keeps the record whole (what a flow writes back loses nothing another module stored); flows
//! read fields only through these types, never by JSON path.
mod record;

pub(crate) mod check_in;
pub(crate) mod feesfines;
pub(crate) mod inventory;
pub(crate) mod loan;
pub(crate) mod notice;
pub(crate) mod policies;
pub(crate) mod representation;
pub(crate) mod request;
pub(crate) mod scheduled_notices;
pub(crate) mod settings;
pub(crate) mod template_context;
pub(crate) mod user;

pub(crate) use feesfines::{FeeFine, FeeFineOwner, NewAccount};
pub(crate) use inventory::{
    Holdings, Instance, Item, ItemStatus, LoanType, Location, LocationUnit, LocationUnitKind,
    LocationUnits, MaterialType, ServicePoint,
};
pub(crate) use loan::{CheckInAction, CheckOutAction, Loan, NewLoan};
pub(crate) use policies::{
    LoanPolicyRecord, LostItemPolicy, NoticePolicy, OverdueFinePolicy, Policies,
};
pub(crate) use representation::{extended_loan, ItemInContext, LoanExtras};
pub(crate) use request::{Fulfilment, Request, RequestQueue};
pub(crate) use settings::LockSettings;
pub(crate) use user::{
    AddressType, AutomatedBlock, BlockedAction, Department, ManualBlock, PatronGroup,
    ProxyRelationship, User,
};
