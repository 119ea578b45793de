//! Check-in by barcode (`POST /circulation/check-in-by-barcode`), fail-fast as mod-circulation:
//! the request and the item are checked one refusal at a time; then the check-in is recorded,
//! the request the item fills moves on (hold shelf, in transit, awaiting delivery), the item
//! gets its next status and the open loan is closed; then a lost item's fees are refunded and
//! the overdue fine charged, if one is due; events last.
mod request;
mod slip;

use crate::domain::check_in::{last_check_in, next_state, NextState, OPEN_AWAITING_PICKUP};
use crate::domain::feesfines::CancelReason;
use crate::domain::{
    extended_loan, CheckInAction, Holdings, Instance, Item, ItemInContext, ItemStatus, Loan,
    LoanExtras, Location, MaterialType, Request, RequestQueue, ServicePoint, User,
};
use crate::downstream::Peers;
use crate::due_date::{hold_shelf_expiration, parse_utc};
use crate::error::Failure;
use crate::events;
use crate::flows::fines::{
    charge_overdue_fine, refund_lost_item_fees, FineOccasion, LostItemBack, OverdueLoan,
};
use crate::okapi::CallError;
use crate::validation::check_in as rules;
use crate::writes::{self, undo_and_fail, undo_and_forward_refusal, Undo};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use request::CheckInRequest;
use serde_json::{json, Map, Value};
use shared_types::dates::iso_millis_z;
use shared_types::errors::Error;

/// The flow's name in undo messages and logs.
const FLOW: &str = "Check-in";

/// The first refusal, if any.
fn refuse_first(checks: impl IntoIterator<Item = Option<Error>>) -> Result<(), Failure> {
    match checks.into_iter().flatten().next() {
        Some(e) => Err(Failure::refused(e)),
        None => Ok(()),
    }
}

/// What a check-in reads before it decides.
struct Records {
    item: Item,
    holdings: Option<Holdings>,
    instance: Option<Instance>,
    location: Option<Location>,
    material_type: Option<MaterialType>,
    open_loans: Vec<Loan>,
    queue: RequestQueue,
    tz: Tz,
}

impl Records {
    fn in_context(&self) -> ItemInContext<'_> {
        ItemInContext {
            item: Some(&self.item),
            holdings: self.holdings.as_ref(),
            instance: self.instance.as_ref(),
            location: self.location.as_ref(),
            material_type: self.material_type.as_ref(),
        }
    }
}

/// The answer of a check-in: `loan` (when one was closed), `item` and `inHouseUse`.
pub(crate) async fn check_in(peers: Peers<'_>, body: &Value) -> Result<Value, Failure> {
    let req = CheckInRequest::from_json(body);
    refuse_first([
        rules::logged_in_user(peers.okapi.user_id.as_deref()),
        rules::required(
            req.item_barcode.as_deref(),
            "itemBarcode",
            "an item barcode",
        ),
        rules::required(
            req.service_point_id.as_deref(),
            "servicePointId",
            "a service point id",
        ),
        rules::required(
            req.check_in_date.as_deref(),
            "checkInDate",
            "an check in date",
        ),
        rules::known_resolution(req.claimed_returned_resolution.as_deref()),
    ])?;
    let (Some(barcode), Some(service_point), Some(date)) = (
        req.item_barcode.as_deref(),
        req.service_point_id.as_deref(),
        req.check_in_date.as_deref(),
    ) else {
        return Err(Failure::Server(
            "check-in: request checked but incomplete".into(),
        ));
    };
    // FOLIO fails with a 500 here; a date that cannot be read is the client's error.
    let Some(check_in_date) = parse_utc(date) else {
        return Err(Failure::refused(
            Error::new(format!("Invalid checkInDate: {date}"))
                .with_parameter("checkInDate", Some(date.to_string())),
        ));
    };
    let now = Utc::now();
    let resolution = req.claimed_returned_resolution.as_deref();

    let r = gather(peers, barcode).await?;
    let Some(mut r) = r else {
        return Err(Failure::refused(crate::validation::item::item_not_found(
            barcode,
        )));
    };
    if r.item.status() == ItemStatus::IntellectualItem {
        // The refusal names the title: read it now (holdings and instance are otherwise read
        // beside the writes).
        (r.holdings, r.instance) = titles(peers, &r).await?;
    }
    refuse_first([
        rules::not_intellectual_item(
            &r.item,
            barcode,
            r.in_context().title(),
            r.material_type.as_ref().and_then(MaterialType::raw_name),
        ),
        rules::claimed_returned_resolved(&r.item, resolution),
    ])?;
    if r.open_loans.len() > 1 {
        return Err(Failure::Server(format!(
            "More than one open loan for item {barcode}"
        )));
    }
    let filled = r.queue.first_fulfillable(r.item.id());
    let next = next_state(r.location.as_ref(), service_point, filled)
        .map_err(|message| Failure::refused(Error::new(message)))?;
    let action = match resolution {
        Some("Found by library") => CheckInAction::FoundByLibrary,
        Some("Returned by patron") => CheckInAction::ReturnedByPatron,
        _ => CheckInAction::CheckedIn,
    };
    let loan = r.open_loans.first();
    let waits_here = next.request_status == Some(OPEN_AWAITING_PICKUP);
    let pickup_service_point = service_point_if(peers, waits_here.then_some(service_point)).await?;

    // The request it fills, moved on (with its hold shelf expiration when it waits here).
    let expiration = pickup_service_point
        .as_ref()
        .and_then(ServicePoint::hold_shelf_expiry_period)
        .and_then(|period| hold_shelf_expiration(now, &period, r.tz))
        .map(iso_millis_z);
    let moved = match (filled, next.request_status) {
        (Some(request), Some(status)) => Some((
            request.clone(),
            request
                .clone()
                .with_item(r.item.id(), r.item.holdings_record_id())
                .with_status(status, expiration.as_deref()),
        )),
        _ => None,
    };
    let item_after = r.item.checked_in(
        &next.status,
        next.destination.as_deref(),
        last_check_in(
            &iso_millis_z(now),
            service_point,
            peers.okapi.user_id.as_deref(),
        ),
    );
    let closed = loan.map(|l| {
        l.closed_by_check_in(
            action,
            check_in_date,
            now,
            service_point,
            next.status.name(),
        )
    });

    // The writes, and beside them what only the answer shows.
    let writes = async {
        let record = check_in_record(&r, &req, service_point, now, peers.okapi.user_id.as_deref());
        peers.storage().create_check_in(&record).await?;
        write_changes(
            peers,
            &r.item,
            &item_after,
            moved.as_ref(),
            loan,
            closed.as_ref(),
        )
        .await?;
        if let (Some(loan), Some(user_id)) = (&closed, closed.as_ref().and_then(Loan::user_id)) {
            writes::session::record(peers, FLOW, "Check-in", user_id, loan.id()).await;
        }
        Ok::<_, Failure>(())
    };
    let for_answer = async {
        let service_points = [
            next.destination.as_deref(),
            Some(service_point),
            r.location
                .as_ref()
                .and_then(Location::primary_service_point),
            filled.and_then(Request::pickup_service_point_id),
        ];
        let (titles, slip, borrower, names) = peers
            .fan
            .join4(
                titles(peers, &r),
                // Boxed: the slip's reads would make the check-in's future too big for a
                // worker's stack in a debug build.
                Box::pin(slip::read(
                    peers,
                    &r,
                    service_points,
                    pickup_service_point.as_ref(),
                    filled,
                )),
                async {
                    match loan.and_then(Loan::user_id) {
                        Some(id) => peers.users().by_id("loan borrower", id).await,
                        None => Ok(None),
                    }
                },
                async {
                    match loan {
                        Some(loan) => Some(policy_names(peers, loan).await),
                        None => None,
                    }
                },
            )
            .await;
        Ok::<_, CallError>((titles?, slip?, borrower?, names))
    };
    let (written, answer_records) = peers
        .fan
        .join2(Box::pin(writes), Box::pin(for_answer))
        .await;
    written?;
    let ((holdings, instance), slip, borrower, names) = answer_records?;
    (r.holdings, r.instance) = (holdings, instance);
    let destination = slip.service_point(next.destination.as_deref());
    let lost = LostItemBack {
        reason: CancelReason::ItemReturned,
        item_id: r.item.id(),
        item_status_before: &r.item.status(),
        loan: closed.as_ref(),
        service_point_id: Some(service_point),
        now: Utc::now(),
    };
    refund_lost_item_fees(peers, FLOW, lost).await;
    if let Some(loan) = &closed {
        let overdue = OverdueLoan {
            occasion: FineOccasion::CheckIn {
                found_by_library: action == CheckInAction::FoundByLibrary,
            },
            loan,
            item: ItemInContext {
                item: Some(&item_after),
                ..r.in_context()
            },
            item_status_before: &r.item.status(),
            borrower: borrower.as_ref(),
            tz: r.tz,
            now: Utc::now(),
        };
        charge_overdue_fine(peers, FLOW, overdue).await;
    }
    let log = events::CheckInLog {
        service_point_id: service_point,
        loan: closed.as_ref(),
        borrower_barcode: borrower.as_ref().and_then(User::barcode),
        item: &item_after,
        item_barcode: barcode,
        instance_id: r.holdings.as_ref().and_then(Holdings::instance_id),
        destination: destination.and_then(ServicePoint::name),
        tz: r.tz,
        claimed_returned_resolution: resolution,
        request: moved
            .as_ref()
            .zip(next.request_status)
            .map(|((before, _), status)| (before, status)),
    };
    events::publish(peers, events::check_in_events(log));

    let mut answer = Map::new();
    let context = ItemInContext {
        item: Some(&item_after),
        ..r.in_context()
    };
    if let (Some(loan), Some(names)) = (&closed, names) {
        let body = extended_loan(
            loan,
            LoanExtras {
                item: context,
                item_status: next.status.name(),
                borrower: borrower.as_ref(),
                patron_group: None,
                policy_names: names,
                changed_by_hold: false,
                changed_by_expiry: false,
            },
        );
        answer.insert("loan".into(), body);
    }
    answer.insert("item".into(), item_answer(context, &next, destination));
    let moved_request = moved.as_ref().map(|(_, after)| after);
    answer.insert(
        "staffSlipContext".into(),
        slip.context(
            &r,
            &item_after,
            moved_request,
            service_point,
            next.destination.as_deref(),
            now,
        ),
    );
    answer.insert("inHouseUse".into(), json!(in_house_use(&r, service_point)));
    Ok(Value::Object(answer))
}

/// The item and the records its check-in decides on; `None` when no item has the barcode.
/// Holdings and instance are left for [`titles`] unless title-level requests need the
/// instance's queue.
async fn gather(peers: Peers<'_>, barcode: &str) -> Result<Option<Records>, Failure> {
    let inventory = peers.inventory();
    let storage = peers.storage();
    let settings = peers.settings();
    let (item, tlr, tz) = peers
        .fan
        .join3(
            inventory.item_by_barcode(barcode),
            settings.title_level_requests_enabled(),
            settings.time_zone(),
        )
        .await;
    let Some(item) = item? else {
        return Ok(None);
    };
    let tlr = tlr?;
    let item_id = item.id();
    let queue = async {
        if !tlr {
            return Ok((None, storage.request_queue(item_id, None).await?));
        }
        let holdings = match item.holdings_record_id() {
            Some(id) => inventory.holdings(id).await?,
            None => None,
        };
        let queue = match holdings.as_ref().and_then(Holdings::instance_id) {
            Some(instance_id) => storage.request_queue(item_id, Some(instance_id)).await?,
            None => RequestQueue::default(),
        };
        Ok::<_, CallError>((holdings, queue))
    };
    let location = inventory.location_of(&item);
    let material_type = inventory.material_type_of(&item);
    let (queue, location, material_type, open_loans) = peers
        .fan
        .join4(
            queue,
            location,
            material_type,
            storage.open_loans_for_item(item_id),
        )
        .await;
    let (holdings, queue) = queue?;
    Ok(Some(Records {
        holdings,
        instance: None,
        location: location?,
        material_type: material_type?,
        open_loans: open_loans?,
        queue,
        tz: tz.unwrap_or(chrono_tz::UTC),
        item,
    }))
}

/// The item's holdings (unless already read) and instance, which the answer and the
/// intellectual-item refusal show.
async fn titles(
    peers: Peers<'_>,
    r: &Records,
) -> Result<(Option<Holdings>, Option<Instance>), CallError> {
    let inventory = peers.inventory();
    let holdings = match (&r.holdings, r.item.holdings_record_id()) {
        (Some(h), _) => Some(h.clone()),
        (None, Some(id)) => inventory.holdings(id).await?,
        (None, None) => None,
    };
    let instance = match holdings.as_ref().and_then(Holdings::instance_id) {
        Some(id) => inventory.instance(id).await?,
        None => None,
    };
    Ok((holdings, instance))
}

async fn service_point_if(
    peers: Peers<'_>,
    id: Option<&str>,
) -> Result<Option<ServicePoint>, CallError> {
    match id {
        Some(id) => peers.inventory().service_point(id).await,
        None => Ok(None),
    }
}

/// The check-in record (`check-in.json`): written first, whatever the check-in changes.
fn check_in_record(
    r: &Records,
    req: &CheckInRequest,
    service_point: &str,
    now: DateTime<Utc>,
    user_id: Option<&str>,
) -> Value {
    let mut record = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "occurredDateTime": iso_millis_z(now),
        "itemId": r.item.id(),
        "servicePointId": service_point,
        "performedByUserId": user_id,
        "requestQueueSize": r.queue.len(),
    });
    if let Some(status) = r.item.status_name() {
        record["itemStatusPriorToCheckIn"] = json!(status);
    }
    if let Some(location) = r.item.effective_location_id() {
        record["itemLocationId"] = json!(location);
    }
    if let Some(session) = &req.session_id {
        record["sessionId"] = json!(session);
    }
    record
}

/// The request, the item, then the loan (after the item, as FOLIO); what was written is undone
/// when a later write fails.
async fn write_changes(
    peers: Peers<'_>,
    item_before: &Item,
    item_after: &Item,
    moved: Option<&(crate::domain::Request, crate::domain::Request)>,
    loan_before: Option<&Loan>,
    loan_after: Option<&Loan>,
) -> Result<(), Failure> {
    let mut done = Vec::new();
    if let Some((before, after)) = moved {
        if let Err(e) = peers.storage().update_request("move request", after).await {
            return Err(
                undo_and_fail(peers, FLOW, vec![Undo::RestoreRequest(before.clone())], e).await,
            );
        }
        done.push(Undo::RestoreRequest(before.clone()));
    }
    match writes::item::update_status(peers, item_before, item_after).await {
        Ok(undo) => done.push(undo),
        Err((undo, e)) => {
            // Another check-in that changed the item first is inventory's 409, forwarded.
            done.extend(undo);
            return Err(undo_and_forward_refusal(peers, FLOW, done, e).await);
        }
    }
    if let (Some(before), Some(after)) = (loan_before, loan_after) {
        if let Err(e) = peers
            .storage()
            .update_loan_as_read("close loan", after)
            .await
        {
            // A renewal or another check-in that changed the loan first is storage's 409,
            // forwarded, their loan kept; a write that may have landed (a timeout) is undone.
            if e.status() >= 500 {
                done.push(Undo::RestoreLoan(before.clone()));
            }
            return Err(undo_and_forward_refusal(peers, FLOW, done, e).await);
        }
    }
    Ok(())
}

/// The names of the loan's policies, as the extended loan shows them (none when unreadable).
async fn policy_names(peers: Peers<'_>, loan: &Loan) -> [(&'static str, Option<String>); 3] {
    let storage = peers.storage();
    let feesfines = peers.feesfines();
    let (loan_policy, overdue, lost) = peers
        .fan
        .join3(
            async {
                match loan.loan_policy_id() {
                    Some(id) => storage.loan_policy(id).await.ok().flatten(),
                    None => None,
                }
            },
            async {
                match loan.overdue_fine_policy_id() {
                    Some(id) => feesfines.overdue_fine_policy(id).await.ok().flatten(),
                    None => None,
                }
            },
            async {
                match loan.lost_item_policy_id() {
                    Some(id) => feesfines.lost_item_policy(id).await.ok().flatten(),
                    None => None,
                }
            },
        )
        .await;
    [
        (
            "loanPolicy",
            loan_policy.and_then(|p| p.name().map(str::to_string)),
        ),
        ("overdueFinePolicy", overdue.and_then(|p| p.name())),
        ("lostItemPolicy", lost.and_then(|p| p.name())),
    ]
}

/// The item of the answer: its summary with the new status, and the in-transit destination.
fn item_answer(
    context: ItemInContext<'_>,
    next: &NextState,
    destination: Option<&ServicePoint>,
) -> Value {
    let mut item = context.summary(next.status.name());
    if let (Some(id), Some(o)) = (next.destination.as_deref(), item.as_object_mut()) {
        o.insert("inTransitDestinationServicePointId".into(), json!(id));
        let mut sp = json!({"id": id});
        if let Some(name) = destination.and_then(ServicePoint::name) {
            sp["name"] = json!(name);
        }
        o.insert("inTransitDestinationServicePoint".into(), sp);
    }
    item
}

/// In-house use: the item was available, nobody waits for it, and it is checked in where its
/// location is served.
fn in_house_use(r: &Records, service_point: &str) -> bool {
    r.item.status() == ItemStatus::Available
        && r.queue.is_empty()
        && r.location
            .as_ref()
            .is_some_and(|l| l.served_by(service_point))
}
