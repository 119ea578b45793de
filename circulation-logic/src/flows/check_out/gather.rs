//! The reads of a check-out, in dependency waves, as three branches joined through the
//! request's fan-out:
//! * the decisive branch: the user and proxy, the item chain (item and TLR settings →
//!   location, material type, loan type, open loan, request queue; with title-level requests
//!   the holdings before the queue), the locale and the rules text; then the policies (rules
//!   evaluated in-process, see [`crate::flows::policies`]), then what depends on the loan
//!   policy (fixed schedule, item-limit count, the due date with its calendar read);
//! * the patron checks (blocks, patron group, proxy relationship), once the user is known;
//! * holdings and instance, which only the answer shows ([`Gatherer::display_records`], run by
//!   the flow beside the writes).
//!
//! The last two only feed the validation and the answer, so they never hold up the due date.
//!
//! Users, items, holdings, instances, loans, requests, blocks and settings are always read
//! fresh; rules, policies and the reference records the rules match on (patron group,
//! location, material type, loan type) go through the policy cache.
use super::records::CheckOutRecords;
use super::request::CheckOutRequest;
use crate::domain::{
    AutomatedBlock, Holdings, Instance, Item, ItemStatus, Loan, ManualBlock, PatronGroup,
    ProxyRelationship, RequestQueue, User,
};
use crate::downstream::Peers;
use crate::error::Failure;
use crate::flows::due::{self, DueInput};
use crate::flows::policies::{circulation_rules, policies_for};
use crate::okapi::CallError;
use crate::rules::AppliedRuleConditions;
use chrono::{DateTime, Utc};
use futures::channel::oneshot;
use shared_types::errors::Error;

/// What is left to read for the answer once the item chain is done.
#[derive(Debug)]
pub(super) enum ForDisplay {
    /// The holdings (and then their instance).
    Holdings(String),
    /// The instance (the holdings were read for the title-level queue).
    Instance(String),
    /// The holdings were read for the title-level queue and do not exist.
    MissingHoldings(String),
}

/// FOLIO reads the holdings with the item, and refuses the whole check-out with this one error
/// when they do not exist.
fn holdings_missing(holdings_id: &str) -> Failure {
    Failure::refused(
        Error::new("Holdings record does not exist")
            .with_parameter("id", Some(holdings_id.to_string())),
    )
}

/// What [`Gatherer::patron_checks`] read.
struct PatronChecks {
    manual_blocks: Vec<ManualBlock>,
    automated_blocks: Vec<AutomatedBlock>,
    group: Option<PatronGroup>,
    proxy_relationships: Vec<ProxyRelationship>,
}

/// What the due date needs beyond the gathered records.
#[derive(Debug, Clone)]
pub(super) struct DueRequest {
    pub loan_date: DateTime<Utc>,
    pub service_point_id: String,
}

/// Reads of one check-out.
pub(super) struct Gatherer<'a> {
    pub peers: Peers<'a>,
}

impl Gatherer<'_> {
    /// No barcode (or an empty one) finds nobody: FOLIO would look for `barcode=="null"`.
    async fn user_by_barcode(
        &self,
        name: &str,
        barcode: Option<&str>,
    ) -> Result<Option<User>, CallError> {
        match barcode.filter(|b| !b.is_empty()) {
            Some(barcode) => self.peers.users().by_barcode(name, barcode).await,
            None => Ok(None),
        }
    }

    /// The borrower and the proxy; the borrower (with the proxy) also goes out to
    /// [`Self::patron_checks`].
    async fn patron_lookup(
        &self,
        req: &CheckOutRequest,
        g: &mut CheckOutRecords,
        patron_out: oneshot::Sender<(User, Option<User>)>,
    ) -> Result<(), CallError> {
        let (user, proxy) = self
            .peers
            .fan
            .join2(
                self.user_by_barcode("user by barcode", req.user_barcode.as_deref()),
                self.user_by_barcode("proxy by barcode", req.proxy_user_barcode.as_deref()),
            )
            .await;
        g.user = user?;
        g.proxy = proxy?;
        if let Some(user) = &g.user {
            let _ = patron_out.send((user.clone(), g.proxy.clone()));
        }
        Ok(())
    }

    /// Blocks, patron group and proxy relationship: only the validation needs them, so they
    /// are read beside the policies and the due date.
    async fn patron_checks(
        &self,
        req: &CheckOutRequest,
        user: &User,
        proxy: Option<&User>,
    ) -> Result<PatronChecks, CallError> {
        let user_id = user.id();
        let skip_blocks = req.overrides.patron_block;
        let blocks = self.peers.patron_blocks();
        let manual = async {
            match skip_blocks {
                true => Ok(Vec::new()),
                false => blocks.manual(user_id).await,
            }
        };
        let automated = async {
            match skip_blocks {
                true => Ok(Vec::new()),
                false => blocks.automated(user_id).await,
            }
        };
        let users = self.peers.users();
        let group = users.patron_group_of(user);
        let relationships = async {
            match proxy.map(User::id).filter(|id| !id.is_empty()) {
                Some(proxy_id) if proxy_id != user_id => {
                    users.proxy_relationships(proxy_id, user_id).await
                }
                _ => Ok(Vec::new()),
            }
        };
        let (manual, automated, group, relationships) = self
            .peers
            .fan
            .join4(manual, automated, group, relationships)
            .await;
        Ok(PatronChecks {
            manual_blocks: manual?,
            automated_blocks: automated?,
            group: group?,
            proxy_relationships: relationships?,
        })
    }

    async fn item_chain(
        &self,
        req: &CheckOutRequest,
        g: &mut CheckOutRecords,
        display_out: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<(), CallError> {
        // No barcode (or an empty one) finds no item.
        let Some(barcode) = req.item_barcode.as_deref().filter(|b| !b.is_empty()) else {
            return Ok(());
        };
        let inventory = self.peers.inventory();
        let storage = self.peers.storage();
        let (item, tlr) = self
            .peers
            .fan
            .join2(
                inventory.item_by_barcode(barcode),
                self.peers.settings().title_level_requests_enabled(),
            )
            .await;
        let item = item?;
        let tlr = tlr?;
        let Some(item) = item else { return Ok(()) };
        g.item = Some(item.clone());
        let item_id = item.id();

        // Holdings and instance are only shown in the answer: they are read beside the policies
        // and the due date, unless title-level requests need the holdings' instance id for the
        // queue.
        let holdings_id = item.holdings_record_id().map(str::to_string);
        let holdings_and_title_queue = async {
            if !tlr {
                let _ = display_out.send(holdings_id.map(ForDisplay::Holdings));
                return Ok((None, None));
            }
            let holdings = match holdings_id.as_deref() {
                Some(id) => inventory.holdings(id).await,
                None => Ok(None),
            };
            let instance_id = holdings
                .as_ref()
                .ok()
                .and_then(Option::as_ref)
                .and_then(Holdings::instance_id)
                .map(str::to_string);
            let display = match (&holdings, holdings_id) {
                (Ok(None), Some(id)) => Some(ForDisplay::MissingHoldings(id)),
                _ => instance_id.clone().map(ForDisplay::Instance),
            };
            let _ = display_out.send(display);
            let holdings = holdings?;
            let queue = match instance_id {
                Some(instance_id) => {
                    Some(storage.request_queue(item_id, Some(&instance_id)).await?)
                }
                None => None,
            };
            Ok::<_, CallError>((holdings, queue))
        };
        let location = inventory.location_of(&item);
        let material_type = inventory.material_type_of(&item);
        let loan_type = inventory.loan_type_of(&item);
        let open_loan = storage.open_loans_for_item(item_id);
        let queue = async {
            match tlr {
                true => Ok(RequestQueue::default()),
                false => storage.request_queue(item_id, None).await,
            }
        };
        let (hi, location, material_type, loan_type, open_loan, queue) = self
            .peers
            .fan
            .join6(
                holdings_and_title_queue,
                location,
                material_type,
                loan_type,
                open_loan,
                queue,
            )
            .await;
        let (holdings, title_queue) = hi?;
        g.holdings = holdings;
        g.location = location?;
        g.material_type = material_type?;
        g.loan_type = loan_type?;
        g.open_loans_for_item = open_loan?;
        g.queue = match title_queue {
            Some(q) => {
                queue?;
                q
            }
            None => queue?,
        };
        Ok(())
    }

    /// The decisive branch and the patron checks (see the module's comment); what is left to
    /// read for the answer goes out through `display_in` to [`Self::display_records`].
    pub(super) async fn gather(
        &self,
        req: &CheckOutRequest,
        due: Option<DueRequest>,
        display_in: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<CheckOutRecords, Failure> {
        let (patron_in, patron_out) = oneshot::channel();
        // Boxed: the nested join state machines are large, too large for a worker's stack in a
        // debug build.
        let decisive = Box::pin(self.decisive(req, due, patron_in, display_in));
        let checks = async {
            match patron_out.await {
                Ok((user, proxy)) => self
                    .patron_checks(req, &user, proxy.as_ref())
                    .await
                    .map(Some),
                Err(_) => Ok(None),
            }
        };
        let (g, checks) = self.peers.fan.join2(decisive, Box::pin(checks)).await;
        let mut g = g?;
        if let Some(c) = checks? {
            g.manual_blocks = c.manual_blocks;
            g.automated_blocks = c.automated_blocks;
            g.group = c.group;
            g.proxy_relationships = c.proxy_relationships;
        }
        Ok(g)
    }

    /// The holdings (when the item chain did not need them) and the instance, once the item
    /// chain has said what is left to read; FOLIO's refusal when the holdings do not exist.
    pub(super) async fn display_records(
        &self,
        display_out: oneshot::Receiver<Option<ForDisplay>>,
    ) -> Result<(Option<Holdings>, Option<Instance>), Failure> {
        let inventory = self.peers.inventory();
        let instance = |id: Option<String>| async move {
            match id {
                Some(id) => inventory.instance(&id).await,
                None => Ok(None),
            }
        };
        match display_out.await {
            Ok(Some(ForDisplay::Holdings(id))) => {
                let Some(holdings) = inventory.holdings(&id).await? else {
                    return Err(holdings_missing(&id));
                };
                let instance_id = holdings.instance_id().map(str::to_string);
                Ok((Some(holdings), instance(instance_id).await?))
            }
            Ok(Some(ForDisplay::Instance(id))) => Ok((None, instance(Some(id)).await?)),
            Ok(Some(ForDisplay::MissingHoldings(id))) => Err(holdings_missing(&id)),
            _ => Ok((None, None)),
        }
    }

    /// What the policies and the due date depend on, then those.
    async fn decisive(
        &self,
        req: &CheckOutRequest,
        due: Option<DueRequest>,
        patron_in: oneshot::Sender<(User, Option<User>)>,
        display_in: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<CheckOutRecords, Failure> {
        let mut patron = CheckOutRecords::default();
        let mut items = CheckOutRecords::default();
        let settings = self.peers.settings();
        let (p, i, tz, rules, lock) = self
            .peers
            .fan
            .join5(
                Box::pin(self.patron_lookup(req, &mut patron, patron_in)),
                Box::pin(self.item_chain(req, &mut items, display_in)),
                settings.time_zone(),
                circulation_rules(self.peers),
                settings.check_out_lock(),
            )
            .await;
        p?;
        i?;
        let mut g = CheckOutRecords {
            user: patron.user,
            proxy: patron.proxy,
            timezone: tz,
            lock,
            ..items
        };
        let (Some(user), Some(item)) = (g.user.clone(), g.item.clone()) else {
            return Ok(g);
        };
        // The location names its library, campus and institution, so unlike mod-circulation
        // no location-unit records are read: they would add a wave to the critical path and
        // nothing in a check-out uses their contents.
        let units = g.location.as_ref().map(|l| l.units()).unwrap_or_default();
        let policies = policies_for(
            self.peers,
            rules,
            &user,
            &item,
            units,
            req.force_loan_policy_id.as_deref(),
        )
        .await?;
        let c = policies.conditions;
        let count_needed = policies.item_limit().is_some_and(|limit| {
            (c.material_type_match || c.loan_type_match)
                && !req.overrides.item_limit_block
                && limit > 0
        });
        let count = async {
            match count_needed {
                true => self.count_for_item_limit(&user, &item, c).await.map(Some),
                false => Ok(None),
            }
        };
        // Computed before the validation has passed (it is only a read): its result, or its
        // error, is used only once the 422 gate is behind.
        let due_date = async {
            let due = due?;
            Some(
                due::due_date(
                    self.peers,
                    DueInput {
                        policy: &policies.loan,
                        schedule: policies.schedule.as_ref(),
                        loan_date: due.loan_date,
                        tz: g.timezone.unwrap_or(chrono_tz::UTC),
                        service_point_id: &due.service_point_id,
                        queue: &g.queue,
                        item_id: item.id(),
                        user: &user,
                    },
                )
                .await,
            )
        };
        let (count, due_date) = self.peers.fan.join2(count, due_date).await;
        g.item_limit_count = count?;
        g.due = due_date;
        g.policies = Some(policies);
        Ok(g)
    }

    /// The item-limit count again (under the check-out lock), when the limit applies.
    pub(super) async fn recount_item_limit(
        &self,
        req: &CheckOutRequest,
        g: &CheckOutRecords,
    ) -> Result<Option<usize>, CallError> {
        let (Some(user), Some(item), Some(p), Some(_)) =
            (&g.user, &g.item, &g.policies, g.item_limit_count)
        else {
            return Ok(None);
        };
        if req.overrides.item_limit_block {
            return Ok(None);
        }
        self.count_for_item_limit(user, item, p.conditions)
            .await
            .map(Some)
    }

    /// Open loans of the borrower whose items match the limited material type / loan type,
    /// not counting items that are "Claimed returned".
    async fn count_for_item_limit(
        &self,
        user: &User,
        item: &Item,
        c: AppliedRuleConditions,
    ) -> Result<usize, CallError> {
        let loans = self.peers.storage().open_loans_of_user(user.id()).await?;
        let ids: Vec<&str> = loans.iter().filter_map(Loan::item_id).collect();
        let items = self
            .peers
            .inventory()
            .items_by_ids("items of borrower loans", &ids)
            .await?;
        Ok(items
            .iter()
            .filter(|other| other.status() != ItemStatus::ClaimedReturned)
            .filter(|other| {
                !c.material_type_match || other.material_type_id() == item.material_type_id()
            })
            .filter(|other| !c.loan_type_match || other.loan_type_id() == item.loan_type_id())
            .count())
    }
}
