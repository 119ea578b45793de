//! What a template context (a staff slip, a patron notice) names beyond the records a flow
//! reads for itself: an item's loan type and location units, a user's patron group,
//! departments and address types (all of it configuration, read through the cache), and the
//! patron info added to a loan.
use crate::domain::template_context::{user_context, UserRecords};
use crate::domain::{
    AddressType, Department, Item, Loan, LoanType, Location, LocationUnit, PatronGroup, User,
};
use crate::downstream::Peers;
use crate::okapi::CallError;
use serde_json::{Map, Value};

/// An item's loan type and its location's library, campus and institution.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemNames {
    pub loan_type: Option<LoanType>,
    pub library: Option<LocationUnit>,
    pub campus: Option<LocationUnit>,
    pub institution: Option<LocationUnit>,
}

/// The loan type and location units of `item`, at `location`.
pub(crate) async fn item_names(
    peers: Peers<'_>,
    item: &Item,
    location: Option<&Location>,
) -> Result<ItemNames, CallError> {
    let inventory = peers.inventory();
    let (loan_type, units) = peers
        .fan
        .join2(
            inventory.loan_type_of(item),
            inventory.location_units_of(location),
        )
        .await;
    let [library, campus, institution] = units?;
    Ok(ItemNames {
        loan_type: loan_type?,
        library,
        campus,
        institution,
    })
}

/// A user with the patron group, departments and address types its tokens name.
#[derive(Debug, Clone)]
pub(crate) struct UserNames {
    pub user: User,
    pub group: Option<PatronGroup>,
    pub departments: Vec<Department>,
    pub address_types: Vec<AddressType>,
}

impl UserNames {
    pub(crate) fn records(&self) -> UserRecords<'_> {
        UserRecords {
            user: &self.user,
            group: self.group.as_ref(),
            departments: &self.departments,
            address_types: &self.address_types,
        }
    }
}

/// `user` with its patron group, its departments (in the user's order, those found) and the
/// types of its primary address and of `delivery_address_type_id`.
pub(crate) async fn user_names(
    peers: Peers<'_>,
    user: User,
    delivery_address_type_id: Option<&str>,
) -> Result<UserNames, CallError> {
    let users = peers.users();
    let (group, departments, address_types) = peers
        .fan
        .join3(
            users.patron_group_of(&user),
            peers.fan.all(
                user.department_ids()
                    .into_iter()
                    .map(|id| users.department(id))
                    .collect(),
            ),
            address_types(peers, &user, delivery_address_type_id),
        )
        .await;
    Ok(UserNames {
        group: group?,
        departments: found(departments)?,
        address_types: address_types?,
        user,
    })
}

/// The types of `user`'s primary address and of `delivery_address_type_id`.
pub(crate) async fn address_types(
    peers: Peers<'_>,
    user: &User,
    delivery_address_type_id: Option<&str>,
) -> Result<Vec<AddressType>, CallError> {
    let mut ids: Vec<&str> = user
        .primary_address()
        .and_then(|a| a.type_id())
        .into_iter()
        .chain(delivery_address_type_id)
        .collect();
    ids.dedup();
    let users = peers.users();
    found(
        peers
            .fan
            .all(ids.into_iter().map(|id| users.address_type(id)).collect())
            .await,
    )
}

/// The `user` tokens of a patron notice: the patron as mod-circulation reads one for a notice,
/// with its addresses' types but without its patron group (`""`) or departments.
pub(crate) async fn notice_user_context(
    peers: Peers<'_>,
    user: &User,
) -> Result<Map<String, Value>, CallError> {
    let address_types = address_types(peers, user, None).await?;
    Ok(user_context(
        &UserRecords {
            user,
            group: None,
            departments: &[],
            address_types: &address_types,
        },
        None,
    ))
}

/// The comment of the loan's latest "patronInfoAdded" action (its `additionalInfo` token): the
/// loan's own when that was its last action, else its history's.
pub(crate) async fn patron_info(
    peers: Peers<'_>,
    loan: &Loan,
) -> Result<Option<String>, CallError> {
    match loan.action() {
        Some("patronInfoAdded") => Ok(loan.action_comment().map(str::to_string)),
        _ => peers.storage().latest_patron_info(loan.id()).await,
    }
}

/// The records found among the answers of several reads; the first failure, if any.
pub(crate) fn found<T>(reads: Vec<Result<Option<T>, CallError>>) -> Result<Vec<T>, CallError> {
    reads.into_iter().filter_map(Result::transpose).collect()
}
