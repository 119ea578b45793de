//! Renewal by barcode (`POST /circulation/renew-by-barcode`), as mod-circulation: the request's
//! own refusals and the loan's lookup answer alone; then every renewal refusal is collected in
//! FOLIO's order; the new due date from the renewal rules, the calendar of the service point
//! the item was checked out at and the borrower's expiry; the loan written; its notices
//! rescheduled, a lost item's fees refunded, an overdue fine, events and the "Renewed"
//! notice.
use crate::domain::feesfines::CancelReason;
use crate::domain::request::RequestType;
use crate::domain::{
    extended_loan, BlockedAction, Holdings, Instance, Item, ItemInContext, ItemStatus, Loan,
    LoanExtras, Policies, RequestQueue, User,
};
use crate::downstream::Peers;
use crate::due_date::{renewal_due_date, RenewalDueDate};
use crate::error::Failure;
use crate::events;
use crate::flows::due::{settle, DueInput};
use crate::flows::fines::{
    charge_overdue_fine, refund_lost_item_fees, FineOccasion, LostItemBack, OverdueLoan,
};
use crate::flows::notice::{send_loan_notice, LoanNotice};
use crate::flows::policies::{circulation_rules, policies_for};
use crate::okapi::CallError;
use crate::validation::item::item_not_found;
use crate::validation::overrides::{insufficient_permissions, PATRON_BLOCK_PERMISSION};
use crate::validation::{distinct, patron_blocks, renewal as rules};
use crate::writes::{self, undo_and_forward_refusal};
use chrono::{DateTime, Utc};
use serde_json::Value;
use shared_types::errors::Error;
use shared_types::policy::LoanNoticeEvent;

/// The flow's name in undo messages and logs.
const FLOW: &str = "Renewal";

/// What a renewal asks to override (`overrideBlocks`; a present sub-object asks).
#[derive(Debug, Clone, Default)]
struct RenewalOverrides {
    patron_block: bool,
    /// `renewalBlock` or `renewalDueDateRequiredBlock`.
    renewal_block: bool,
    comment: Option<String>,
    /// `renewalDueDateRequiredBlock.dueDate`: the due date a renewal override asks for.
    due_date: Option<DateTime<Utc>>,
    /// The request's `servicePointId`: where a lost item renewed through an override has its
    /// fees refunded.
    service_point_id: Option<String>,
}

impl RenewalOverrides {
    fn from_json(body: &Value) -> RenewalOverrides {
        let blocks = body.get("overrideBlocks").filter(|o| o.is_object());
        let asked = |key: &str| {
            blocks
                .and_then(|o| o.get(key))
                .is_some_and(|v| !v.is_null())
        };
        RenewalOverrides {
            patron_block: asked("patronBlock"),
            renewal_block: asked("renewalBlock") || asked("renewalDueDateRequiredBlock"),
            comment: blocks
                .and_then(|o| o.get("comment"))
                .and_then(Value::as_str)
                .map(str::to_string),
            due_date: blocks
                .and_then(|o| o.pointer("/renewalDueDateRequiredBlock/dueDate"))
                .and_then(Value::as_str)
                .and_then(crate::due_date::parse_utc),
            service_point_id: text(body, "servicePointId"),
        }
    }
}

/// A renewal: the extended loan and its `Location`.
pub(crate) struct Renewed {
    pub(crate) body: Value,
    pub(crate) location: String,
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

pub(crate) async fn renew_by_barcode(peers: Peers<'_>, body: &Value) -> Result<Renewed, Failure> {
    let item_barcode = text(body, "itemBarcode");
    let user_barcode = text(body, "userBarcode");
    let request_errors = [
        rules::required(
            item_barcode.as_deref(),
            "itemBarcode",
            "an item barcode",
            Some("RENEWAL_REQUEST_ITEM_BARCODE_REQUIRED"),
        ),
        rules::required(
            user_barcode.as_deref(),
            "userBarcode",
            "a user barcode",
            Some("RENEWAL_REQUEST_USER_BARCODE_REQUIRED"),
        ),
    ];
    if let Some(e) = request_errors.into_iter().flatten().next() {
        return Err(Failure::refused(e));
    }
    let (Some(item_barcode), Some(user_barcode)) = (item_barcode, user_barcode) else {
        return Err(Failure::Server(
            "renewal: request checked but incomplete".into(),
        ));
    };
    // The loan, its item and its borrower: any failure here answers alone.
    let Some(item) = peers.inventory().item_by_barcode(&item_barcode).await? else {
        return Err(Failure::refused(item_not_found(&item_barcode)));
    };
    let loan = open_loan(peers, &item).await?;
    let overrides = RenewalOverrides::from_json(body);
    renew(
        peers,
        item,
        loan,
        Requester::Barcode(user_barcode),
        overrides,
    )
    .await
}

/// `POST /circulation/renew-by-id`: as by barcode, but another user's loan is one refusal
/// among the renewal's others (FOLIO goes on checking the loan's own borrower).
pub(crate) async fn renew_by_id(peers: Peers<'_>, body: &Value) -> Result<Renewed, Failure> {
    let item_id = text(body, "itemId");
    let user_id = text(body, "userId");
    let request_errors = [
        rules::required(item_id.as_deref(), "itemId", "an item ID", None),
        rules::required(user_id.as_deref(), "userId", "a user ID", None),
    ];
    if let Some(e) = request_errors.into_iter().flatten().next() {
        return Err(Failure::refused(e));
    }
    let (Some(item_id), Some(user_id)) = (item_id, user_id) else {
        return Err(Failure::Server(
            "renewal: request checked but incomplete".into(),
        ));
    };
    let Some(item) = peers.inventory().item_by_id(&item_id).await? else {
        return Err(Failure::refused(rules::item_id_not_found(&item_id)));
    };
    let loan = open_loan(peers, &item).await?;
    let overrides = RenewalOverrides::from_json(body);
    renew(peers, item, loan, Requester::Id(user_id), overrides).await
}

/// The item's one open loan; FOLIO's 500 when there is not exactly one.
async fn open_loan(peers: Peers<'_>, item: &Item) -> Result<Loan, Failure> {
    let loans = peers.storage().open_loans_for_item(item.id()).await?;
    match loans.as_slice() {
        [loan] => Ok(loan.clone()),
        _ => Err(Failure::Server(format!(
            "More than one open loan for item {}",
            item.barcode().unwrap_or("null")
        ))),
    }
}

/// Who asks for the renewal.
enum Requester {
    Barcode(String),
    Id(String),
}

/// The renewal of `loan` for `requester`.
async fn renew(
    peers: Peers<'_>,
    item: Item,
    loan: Loan,
    requester: Requester,
    overrides: RenewalOverrides,
) -> Result<Renewed, Failure> {
    let loan = &loan;
    let now = Utc::now();
    // The borrower and what the renewal decides on, read together (the blocks by the loan's
    // borrower id, before the borrower is known to exist).
    let user_id = loan.user_id().unwrap_or_default();
    let blocks = peers.patron_blocks();
    let inventory = peers.inventory();
    let settings = peers.settings();
    let (user, (manual, automated), overdue, location, queue_and_titles, rules_text, tz) = peers
        .fan
        .join7(
            peers.users().by_id("loan borrower", user_id),
            peers
                .fan
                .join2(blocks.manual(user_id), blocks.automated(user_id)),
            async {
                match loan.overdue_fine_policy_id() {
                    Some(id) => peers.feesfines().overdue_fine_policy(id).await,
                    None => Ok(None),
                }
            },
            inventory.location_of(&item),
            queue_and_titles(peers, &item),
            circulation_rules(peers),
            settings.time_zone(),
        )
        .await;
    let Some(user) = user? else {
        return Err(Failure::refused(rules::user_not_found(user_id)));
    };
    // Another user's loan: by barcode the answer alone; by id one refusal among the others.
    let mut errors: Vec<Error> = Vec::new();
    match &requester {
        Requester::Barcode(barcode) if user.barcode() != Some(barcode.as_str()) => {
            return Err(Failure::refused(rules::checked_out_to_different_user(
                "userBarcode",
                barcode,
            )));
        }
        Requester::Id(id) if user.id() != id => {
            errors.push(rules::checked_out_to_different_user("userId", id));
        }
        _ => {}
    }
    let (manual, automated, overdue) = (manual?, automated?, overdue?);
    let (queue, holdings, instance) = queue_and_titles?;
    let tz = tz.unwrap_or(chrono_tz::UTC);
    let granted = |p: &str| peers.okapi.has_permission(p);

    errors.extend(rules::borrower_active(&user, now));
    if overrides.patron_block {
        errors.extend(insufficient_permissions(
            "patronBlock",
            PATRON_BLOCK_PERMISSION,
            &granted,
        ));
    } else {
        errors.extend(patron_blocks::manual_blocks(
            &manual,
            BlockedAction::Renewing,
            now,
            &granted,
        ));
        errors.extend(patron_blocks::automated_blocks(
            &automated,
            BlockedAction::Renewing,
            &granted,
        ));
    }
    if overrides.renewal_block {
        errors.extend(insufficient_permissions(
            "renewalBlock",
            rules::RENEWAL_BLOCK_PERMISSION,
            &granted,
        ));
    }
    // A renewal override covers the reminder fees: FOLIO checks them only without one.
    if !overrides.renewal_block
        && loan.has_billed_reminders()
        && !overdue
            .as_ref()
            .is_some_and(|p| p.allows_renewal_with_reminders())
    {
        return Err(Failure::refused(rules::reminder_fees()));
    }
    let location = location?;
    let units = location.as_ref().map(|l| l.units()).unwrap_or_default();
    let policies = policies_for(peers, rules_text, &user, &item, units, None).await?;
    let renewal = Renewal {
        peers,
        p: &policies,
        loan,
        item: &item,
        queue: &queue,
        user: &user,
        tz,
        now,
    };
    let decided = match overrides.renewal_block {
        true => renewal.through_override(&overrides).await?,
        false => renewal.regular(&overrides).await?,
    };
    let renewed = match decided {
        Ok(renewed) if errors.is_empty() => renewed,
        Ok(_) => return Err(Failure::Refused(distinct(errors))),
        Err(more) => {
            errors.extend(more);
            return Err(Failure::Refused(distinct(errors)));
        }
    };
    // A lost item renewed through an override is checked out again, before the loan is
    // written (undone if the loan cannot be).
    let status_before = item.status();
    let item_before = item.clone();
    let item = match item_before.status() {
        ItemStatus::DeclaredLost | ItemStatus::AgedToLost if overrides.renewal_block => {
            let after = item_before.checked_out();
            let undo = match writes::item::update_status(peers, &item_before, &after).await {
                Ok(undo) => undo,
                Err((undo, e)) => {
                    let steps = undo.into_iter().collect();
                    return Err(undo_and_forward_refusal(peers, FLOW, steps, e).await);
                }
            };
            if let Err(e) = peers
                .storage()
                .update_loan_as_read("renew loan", &renewed)
                .await
            {
                return Err(undo_and_forward_refusal(peers, FLOW, vec![undo], e).await);
            }
            after
        }
        _ => {
            peers
                .storage()
                .update_loan_as_read("renew loan", &renewed)
                .await?;
            item_before
        }
    };
    writes::notices::reschedule(
        peers,
        policies.notice_policy.as_ref(),
        overdue.as_ref(),
        &renewed,
        tz,
    )
    .await;
    // A renewal-block override refunds a lost item's fees first (FOLIO's
    // processFeesFinesForRenewalBlockOverride).
    if overrides.renewal_block {
        let lost = LostItemBack {
            reason: CancelReason::ItemRenewed,
            item_id: item.id(),
            item_status_before: &status_before,
            loan: Some(loan),
            service_point_id: overrides.service_point_id.as_deref(),
            now,
        };
        refund_lost_item_fees(peers, FLOW, lost).await;
    }
    // A loan renewed overdue is fined as if returned now (FOLIO's renewal fine).
    if loan.due_date().is_some_and(|due| due < now) {
        let material_type = match item.material_type_id() {
            Some(id) => peers.inventory().material_type(id).await.ok().flatten(),
            None => None,
        };
        let overdue = OverdueLoan {
            occasion: FineOccasion::Renewal,
            loan,
            item: ItemInContext {
                item: Some(&item),
                holdings: holdings.as_ref(),
                instance: instance.as_ref(),
                location: location.as_ref(),
                material_type: material_type.as_ref(),
            },
            item_status_before: &status_before,
            borrower: Some(&user),
            tz,
            now,
        };
        charge_overdue_fine(peers, FLOW, overdue).await;
    }
    events::publish(
        peers,
        [events::loan_due_date_changed(&renewed)]
            .into_iter()
            .chain(events::renewal_log_records(
                loan,
                &renewed,
                events::RenewalLog {
                    borrower: &user,
                    item: &item,
                    instance_id: holdings.as_ref().and_then(Holdings::instance_id),
                    tz,
                    logged_in_user_id: peers.okapi.user_id.as_deref(),
                    now,
                },
            ))
            .collect(),
    );
    // The "Renewed" notice, when the policy has one (FOLIO's last step before the answer).
    send_loan_notice(
        peers,
        LoanNotice {
            event: LoanNoticeEvent::Renewed,
            policy_id: &policies.notice_policy_id,
            policy: policies.notice_policy.as_ref(),
            loan: &renewed,
            loan_policy: Some(&policies.loan_policy),
            borrower: &user,
            item: &item,
            holdings: holdings.as_ref(),
            instance: instance.as_ref(),
            location: location.as_ref(),
        },
    )
    .await;
    let titles = Titles {
        holdings,
        instance,
        location,
    };
    let overdue_name = overdue.and_then(|p| p.name());
    let body = answer(
        peers,
        &renewed,
        &policies,
        overdue_name,
        &user,
        &item,
        titles,
    )
    .await;
    Ok(Renewed {
        location: format!("/circulation/loans/{}", renewed.id()),
        body,
    })
}

/// What a renewal decides on once the loan's borrower and policies are known.
struct Renewal<'a> {
    peers: Peers<'a>,
    p: &'a Policies,
    loan: &'a Loan,
    item: &'a Item,
    queue: &'a RequestQueue,
    user: &'a User,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
}

impl Renewal<'_> {
    /// A renewal without a renewal-block override: every refusal of the loan, policy and
    /// queue collected in FOLIO's order, else the loan renewed to the policy's next due date
    /// (closed days and the borrower's expiry applied).
    async fn regular(
        &self,
        overrides: &RenewalOverrides,
    ) -> Result<Result<Loan, Vec<Error>>, Failure> {
        let (p, loan, item) = (self.p, self.loan, self.item);
        let granted = |perm: &str| self.peers.okapi.has_permission(perm);
        let mut errors = Vec::new();
        let loanable = rules::loanable(p, &granted);
        let due_date_possible = loanable.is_none();
        errors.extend(loanable);
        errors.extend(rules::no_recall(self.queue.recall_for(item.id()), &granted));
        errors.extend(rules::not_lost(item, &granted));
        errors.extend(rules::within_renewal_limit(
            p,
            loan.renewal_count(),
            &granted,
        ));
        errors.extend(rules::renewable(p, &granted));
        let hold_first = self
            .queue
            .first()
            .is_some_and(|r| r.request_type() == RequestType::Hold);
        if hold_first {
            errors.extend(rules::hold_first(p, &granted));
        }
        errors.extend(rules::not_claimed_returned(item));
        let current_due = loan.due_date().unwrap_or(self.now);
        let mut new_due = None;
        if due_date_possible {
            match proposed_due_date(self.peers, p, self.now, current_due, hold_first).await? {
                Err(e) => errors.push(rules::due_date_refused(&e.message, e.code, p, &granted)),
                Ok((proposed, limit)) => {
                    match rules::changes_due_date(proposed, current_due, p, &granted) {
                        Some(e) => errors.push(e),
                        None => {
                            let input = DueInput {
                                policy: &p.loan,
                                schedule: p.schedule.as_ref(),
                                loan_date: self.now,
                                tz: self.tz,
                                service_point_id: loan
                                    .checkout_service_point_id()
                                    .unwrap_or_default(),
                                queue: self.queue,
                                item_id: item.id(),
                                user: self.user,
                            };
                            new_due = Some(settle(self.peers, &input, proposed, limit).await?.0);
                        }
                    }
                }
            }
        }
        let new_due = match (new_due, errors.is_empty()) {
            (Some(due), true) => due,
            (_, false) => return Ok(Err(errors)),
            (None, true) => {
                return Err(Failure::Server(
                    "renewal: no due date after validation".into(),
                ))
            }
        };
        let renewed = loan.renewed(new_due, &p.loan_policy_id);
        // Patron blocks overridden: FOLIO records the override.
        Ok(Ok(match overrides.patron_block {
            true => renewed.through_override(overrides.comment.as_deref()),
            false => renewed,
        }))
    }

    /// A renewal through a renewal-block override (mod-circulation's renewal through
    /// override): a comment, then the due date the override allows (the policy's, without
    /// the alternate period for holds or closed-day handling, or the one requested).
    async fn through_override(
        &self,
        overrides: &RenewalOverrides,
    ) -> Result<Result<Loan, Vec<Error>>, Failure> {
        let comment = overrides.comment.as_deref();
        if let Some(e) = rules::override_comment(comment) {
            return Ok(Err(vec![e]));
        }
        let (p, loan, item) = (self.p, self.loan, self.item);
        let current_due = loan.due_date().unwrap_or(self.now);
        let proposed = match p.loan.loanable && p.loan.renewable {
            true => proposed_due_date(self.peers, p, self.now, current_due, false)
                .await?
                .ok()
                .map(|(date, _)| date),
            false => None,
        };
        let decided = rules::override_due_date(&rules::OverrideRenewal {
            policies: p,
            proposed,
            current_due,
            requested_due: overrides.due_date,
            renewals: loan.renewal_count(),
            recalled: self.queue.recall_for(item.id()).is_some(),
            item_lost: matches!(
                item.status(),
                ItemStatus::DeclaredLost | ItemStatus::AgedToLost
            ),
            reminders_billed: loan.has_billed_reminders(),
        });
        Ok(decided
            .map(|due| loan.renewed_through_override(due, comment.unwrap_or_default()))
            .map_err(|e| vec![*e]))
    }
}

/// The queue of the item (of its instance with title-level requests on), and the holdings and
/// instance the answer shows.
async fn queue_and_titles(
    peers: Peers<'_>,
    item: &Item,
) -> Result<(RequestQueue, Option<Holdings>, Option<Instance>), CallError> {
    let inventory = peers.inventory();
    let (tlr, holdings) = peers
        .fan
        .join2(peers.settings().title_level_requests_enabled(), async {
            match item.holdings_record_id() {
                Some(id) => inventory.holdings(id).await,
                None => Ok(None),
            }
        })
        .await;
    let (tlr, holdings) = (tlr?, holdings?);
    let instance_id = holdings.as_ref().and_then(Holdings::instance_id);
    let storage = peers.storage();
    let (queue, instance) = peers
        .fan
        .join2(
            storage.request_queue(item.id(), instance_id.filter(|_| tlr)),
            async {
                match instance_id {
                    Some(id) => inventory.instance(id).await,
                    None => Ok(None),
                }
            },
        )
        .await;
    Ok((queue?, holdings, instance?))
}

/// The proposed date with the loan's schedules read: the date and its schedule limit, or
/// FOLIO's refusal.
async fn proposed_due_date(
    peers: Peers<'_>,
    p: &Policies,
    now: DateTime<Utc>,
    current_due: DateTime<Utc>,
    hold_first: bool,
) -> Result<
    Result<(DateTime<Utc>, Option<DateTime<Utc>>), crate::due_date::RenewalDateError>,
    CallError,
> {
    let alternate = p
        .loan
        .renewals_policy
        .as_ref()
        .and_then(|r| r.alternate_fixed_due_date_schedule_id.as_deref());
    let mut schedules: Vec<_> = p.schedule.iter().cloned().collect();
    if let Some(id) = alternate {
        schedules.extend(peers.storage().fixed_due_date_schedule(id).await?);
    }
    Ok(renewal_due_date(&RenewalDueDate {
        policy: &p.loan,
        schedules: &schedules,
        now,
        current_due,
        hold_first,
    }))
}

/// What the answer shows of the item's holdings, instance and location.
struct Titles {
    holdings: Option<Holdings>,
    instance: Option<Instance>,
    location: Option<crate::domain::Location>,
}

/// The renewed loan extended for the answer.
async fn answer(
    peers: Peers<'_>,
    renewed: &Loan,
    policies: &Policies,
    overdue: Option<String>,
    user: &User,
    item: &Item,
    titles: Titles,
) -> Value {
    let feesfines = peers.feesfines();
    let users = peers.users();
    let (material_type, group, lost) = peers
        .fan
        .join3(
            async {
                match item.material_type_id() {
                    Some(id) => peers.inventory().material_type(id).await.ok().flatten(),
                    None => None,
                }
            },
            async {
                match renewed.patron_group_id_at_checkout() {
                    Some(id) => users.patron_group(id).await.ok().flatten(),
                    None => None,
                }
            },
            async {
                match renewed.lost_item_policy_id() {
                    Some(id) => feesfines.lost_item_policy(id).await.ok().flatten(),
                    None => None,
                }
            },
        )
        .await;
    extended_loan(
        renewed,
        LoanExtras {
            item: ItemInContext {
                item: Some(item),
                holdings: titles.holdings.as_ref(),
                instance: titles.instance.as_ref(),
                location: titles.location.as_ref(),
                material_type: material_type.as_ref(),
            },
            item_status: item.status_name().unwrap_or(ItemStatus::CheckedOut.name()),
            borrower: Some(user),
            patron_group: group.as_ref(),
            policy_names: [
                (
                    "loanPolicy",
                    policies.loan_policy_name().map(str::to_string),
                ),
                ("overdueFinePolicy", overdue),
                ("lostItemPolicy", lost.and_then(|p| p.name())),
            ],
            changed_by_hold: false,
            changed_by_expiry: false,
        },
    )
}
