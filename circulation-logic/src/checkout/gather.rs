//! The reads of a check-out, in dependency waves, as three branches joined through the
//! per-request [`Fan`]:
//! * the decisive branch: the user and proxy, the item chain (item and TLR settings →
//!   location, material type, loan type, open loan, request queue; with title-level requests
//!   the holdings before the queue), the locale and the rules text; then the policies (rules
//!   evaluated in-process, see [`super::policies`]), then what depends on the loan policy
//!   (fixed schedule, item-limit count, the due date with its calendar read);
//! * the patron checks (blocks, patron group, proxy relationship), once the user is known;
//! * holdings and instance, which only the answer shows ([`Gatherer::display_records`], run by
//!   the flow beside the writes).
//!
//! The last two only feed the validation and the answer, so they never hold up the due date.
//!
//! Users, items, holdings, instances, loans, requests, blocks and settings are always read
//! fresh; rules, policies and the reference records the rules match on (patron group,
//! location, material type, loan type) go through the [`PolicyCache`].
use super::due::{self, Due, DueInput};
use super::lock::{self, LockSettings};
use super::policies::Policies;
use super::{s, CheckOutRequest, Failure};
use crate::fanout::Fan;
use crate::okapi::{cql_quote, CallError, Okapi, PolicyCache};
use crate::rules;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::channel::oneshot;
use serde_json::Value;
use std::sync::Arc;

/// mod-dcb's circulation items (virtual items of Direct Consortial Borrowing).
pub const CIRCULATION_ITEMS: &str = "/circulation-item";

/// A DCB virtual item (from [`CIRCULATION_ITEMS`]).
pub fn is_dcb_item(item: &Value) -> bool {
    item.get("dcbItem").and_then(Value::as_bool) == Some(true)
}

pub const OPEN_REQUEST_STATUSES: &str = "(\"Open - Not yet filled\" or \"Open - Awaiting pickup\" or \"Open - In transit\" or \"Open - Awaiting delivery\")";

/// Everything the validators and the writes need.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub user: Option<Value>,
    pub proxy: Option<Value>,
    pub manual_blocks: Vec<Value>,
    pub automated_blocks: Vec<Value>,
    pub proxy_relationships: Vec<Value>,
    pub group: Option<Value>,
    pub item: Option<Value>,
    pub holdings: Option<Value>,
    pub instance: Option<Value>,
    pub location: Option<Value>,
    pub material_type: Option<Value>,
    pub loan_type: Option<Value>,
    pub open_loans_for_item: Vec<Value>,
    pub queue: Vec<Value>,
    pub timezone: Option<Tz>,
    pub policies: Option<Policies>,
    /// Open loans counted against the item limit (only when the limit applies).
    pub item_limit_count: Option<usize>,
    /// The due date, when it was asked for and the records for it were found.
    pub due: Option<Result<Due, Failure>>,
    /// The tenant's check-out lock setting.
    pub lock: LockSettings,
}

/// What is left to read for the answer once the item chain is done.
#[derive(Debug)]
pub enum ForDisplay {
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
    Failure::Refused(vec![shared_types::errors::Error::new(
        "Holdings record does not exist",
    )
    .with_parameter("id", Some(holdings_id.to_string()))])
}

/// What [`Gatherer::patron_checks`] read.
struct PatronChecks {
    manual_blocks: Vec<Value>,
    automated_blocks: Vec<Value>,
    group: Option<Value>,
    proxy_relationships: Vec<Value>,
}

/// What the due date needs beyond the gathered records.
#[derive(Debug, Clone)]
pub struct DueRequest {
    pub loan_date: DateTime<Utc>,
    pub service_point_id: String,
}

/// Reads of one check-out.
pub struct Gatherer<'a> {
    pub okapi: &'a Okapi,
    pub fan: Fan,
    pub cache: &'a PolicyCache,
}

fn first(list: Vec<Value>) -> Option<Value> {
    list.into_iter().next()
}

fn id_of(v: &Value) -> Option<&str> {
    s(v, &["id"])
}

impl Gatherer<'_> {
    /// No barcode (or an empty one) finds nobody: FOLIO would look for `barcode=="null"`.
    async fn user_by_barcode(
        &self,
        name: &str,
        barcode: Option<&str>,
    ) -> Result<Option<Value>, CallError> {
        let Some(barcode) = barcode.filter(|b| !b.is_empty()) else {
            return Ok(None);
        };
        let q = format!("barcode=={}", cql_quote(barcode));
        Ok(first(
            self.okapi
                .get_list(name, "/users", &[("query", &q), ("limit", "1")], "users")
                .await?,
        ))
    }

    async fn by_id(
        &self,
        name: &str,
        path: &str,
        id: Option<&str>,
    ) -> Result<Option<Value>, CallError> {
        match id {
            Some(id) => self.okapi.get_opt(name, &format!("{path}/{id}")).await,
            None => Ok(None),
        }
    }

    /// A reference record (patron group, location, material type, loan type) by id, through
    /// the cache: configuration like the rules that name them, re-readable at any time.
    async fn reference_by_id(
        &self,
        name: &str,
        path: &str,
        id: Option<&str>,
    ) -> Result<Option<Value>, CallError> {
        self.reference_by_id_with(name, path, id, "").await
    }

    /// [`Self::reference_by_id`] with a query string (`?...`) after the id.
    async fn reference_by_id_with(
        &self,
        name: &str,
        path: &str,
        id: Option<&str>,
        query: &str,
    ) -> Result<Option<Value>, CallError> {
        match id {
            Some(id) => {
                self.cache
                    .get(self.okapi, name, &format!("{path}/{id}{query}"))
                    .await
            }
            None => Ok(None),
        }
    }

    /// The borrower and the proxy; the borrower (with the proxy) also goes out to
    /// [`Self::patron_checks`].
    async fn patron_lookup(
        &self,
        req: &CheckOutRequest,
        g: &mut Gathered,
        patron_out: oneshot::Sender<(Value, Option<Value>)>,
    ) -> Result<(), CallError> {
        let (user, proxy) = self
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
        user: &Value,
        proxy: Option<&Value>,
    ) -> Result<PatronChecks, CallError> {
        let user_id = id_of(user).unwrap_or_default().to_string();
        let skip_blocks = req.overrides.patron_block;
        let manual = async {
            if skip_blocks {
                return Ok(Vec::new());
            }
            let q = format!("userId=={}", cql_quote(&user_id));
            self.okapi
                .get_list(
                    "manual blocks",
                    "/manualblocks",
                    &[("query", &q)],
                    "manualblocks",
                )
                .await
        };
        let automated = async {
            if skip_blocks {
                return Ok(Vec::new());
            }
            match self
                .okapi
                .get_opt(
                    "automated blocks",
                    &format!("/automated-patron-blocks/{user_id}"),
                )
                .await?
            {
                Some(v) => Ok(v
                    .get("automatedPatronBlocks")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()),
                None => Ok(Vec::new()),
            }
        };
        let group = self.reference_by_id("patron group", "/groups", s(user, &["patronGroup"]));
        let proxy_id = proxy.and_then(id_of).map(str::to_string);
        let relationships = async {
            match &proxy_id {
                Some(proxy_id) if *proxy_id != user_id => {
                    let q = format!(
                        "proxyUserId=={} and userId=={}",
                        cql_quote(proxy_id),
                        cql_quote(&user_id)
                    );
                    self.okapi
                        .get_list(
                            "proxy relationship",
                            "/proxiesfor",
                            &[("query", &q), ("limit", "1000")],
                            "proxiesFor",
                        )
                        .await
                }
                _ => Ok(Vec::new()),
            }
        };
        let (manual, automated, group, relationships) = self
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
        g: &mut Gathered,
        display_out: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<(), CallError> {
        // No barcode (or an empty one) finds no item.
        let Some(barcode) = req.item_barcode.as_deref().filter(|b| !b.is_empty()) else {
            return Ok(());
        };
        let q = format!("barcode=={}", cql_quote(barcode));
        let item_lookup = async {
            let found = first(
                self.okapi
                    .get_list(
                        "item by barcode",
                        "/item-storage/items",
                        &[("query", &q), ("limit", "1")],
                        "items",
                    )
                    .await?,
            );
            if found.is_some() {
                return Ok::<_, CallError>(found);
            }
            // A DCB (Direct Consortial Borrowing) item lives in `/circulation-item`; that module
            // is optional, so a failure there only means "not found", as in mod-circulation.
            let dcb = self
                .okapi
                .get_list(
                    "circulation item by barcode",
                    CIRCULATION_ITEMS,
                    &[("query", &q), ("limit", "1")],
                    "items",
                )
                .await;
            Ok(dcb.ok().and_then(first))
        };
        let (item, tlr) = self.fan.join2(item_lookup, self.tlr_enabled()).await;
        let item = item?;
        let tlr = tlr?;
        let Some(item) = item else { return Ok(()) };
        g.item = Some(item.clone());
        let item_id = id_of(&item).unwrap_or_default().to_string();
        let loan_type_id =
            s(&item, &["temporaryLoanTypeId"]).or(s(&item, &["permanentLoanTypeId"]));

        // Holdings and instance are only shown in the answer: they are read beside the policies
        // and the due date, unless title-level requests need the holdings' instance id for the
        // queue.
        let holdings_id = s(&item, &["holdingsRecordId"]).map(str::to_string);
        let holdings_and_title_queue = async {
            if !tlr {
                let _ = display_out.send(holdings_id.map(ForDisplay::Holdings));
                return Ok((None, None));
            }
            let holdings = self
                .by_id(
                    "holdings",
                    "/holdings-storage/holdings",
                    holdings_id.as_deref(),
                )
                .await;
            let instance_id = holdings
                .as_ref()
                .ok()
                .and_then(Option::as_ref)
                .and_then(|h| s(h, &["instanceId"]))
                .map(str::to_string);
            let display = match (&holdings, holdings_id) {
                (Ok(None), Some(id)) => Some(ForDisplay::MissingHoldings(id)),
                _ => instance_id.clone().map(ForDisplay::Instance),
            };
            let _ = display_out.send(display);
            let holdings = holdings?;
            let queue = match instance_id {
                Some(instance_id) => Some(self.queue(&item_id, Some(&instance_id)).await?),
                None => None,
            };
            Ok::<_, CallError>((holdings, queue))
        };
        // A DCB item's location is a shadow location, hidden unless asked for.
        let shadow = match is_dcb_item(&item) {
            true => "?includeShadowLocations=true",
            false => "",
        };
        let location = self.reference_by_id_with(
            "location",
            "/locations",
            s(&item, &["effectiveLocationId"]),
            shadow,
        );
        let material_type = self.reference_by_id(
            "material type",
            "/material-types",
            s(&item, &["materialTypeId"]),
        );
        let loan_type = self.reference_by_id("loan type", "/loan-types", loan_type_id);
        let open_loan = async {
            let q = format!("status.name==\"Open\" and itemId=={}", cql_quote(&item_id));
            self.okapi
                .get_list(
                    "open loan for item",
                    "/loan-storage/loans",
                    &[("query", &q), ("limit", "1")],
                    "loans",
                )
                .await
        };
        let queue = async {
            if tlr {
                Ok(Vec::new())
            } else {
                self.queue(&item_id, None).await
            }
        };
        let (hi, location, material_type, loan_type, open_loan, queue) = self
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

    /// The open requests of the item (and, with title-level requests on, of its instance), in
    /// queue order.
    async fn queue(
        &self,
        item_id: &str,
        instance_id: Option<&str>,
    ) -> Result<Vec<Value>, CallError> {
        let q = match instance_id {
            None => format!(
                "itemId=={} and status=={OPEN_REQUEST_STATUSES} and requestLevel==(\"Item\") sortBy position/sort.ascending",
                cql_quote(item_id)
            ),
            Some(instance_id) => format!(
                "(itemId=={} or instanceId=={}) and status=={OPEN_REQUEST_STATUSES} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending",
                cql_quote(item_id),
                cql_quote(instance_id)
            ),
        };
        self.okapi
            .get_list(
                "request queue",
                "/request-storage/requests",
                &[("query", &q), ("limit", "1000")],
                "requests",
            )
            .await
    }

    /// Title-level requests are on when the merged `generalTlr`/`regularTlr` settings (else
    /// the older `TLR` one) say `titleLevelRequestsFeatureEnabled`.
    async fn tlr_enabled(&self) -> Result<bool, CallError> {
        let settings = self
            .okapi
            .get_list(
                "TLR settings",
                "/circulation-settings-storage/circulation-settings",
                &[
                    (
                        "query",
                        "name==(\"TLR\" or \"generalTlr\" or \"regularTlr\")",
                    ),
                    ("limit", "3"),
                ],
                "circulationSettings",
            )
            .await?;
        let value = |name: &str| {
            settings
                .iter()
                .find(|x| s(x, &["name"]) == Some(name))
                .and_then(|x| x.get("value"))
                .and_then(Value::as_object)
                .cloned()
        };
        let merged = match (value("generalTlr"), value("regularTlr")) {
            (None, None) => value("TLR").unwrap_or_default(),
            (general, regular) => {
                let mut m = general.unwrap_or_default();
                m.extend(regular.unwrap_or_default());
                m
            }
        };
        Ok(merged
            .get("titleLevelRequestsFeatureEnabled")
            .and_then(Value::as_bool)
            == Some(true))
    }

    async fn timezone(&self) -> Option<Tz> {
        match self.okapi.get("locale", "/locale", &[]).await {
            Ok(v) => s(&v, &["timezone"]).and_then(|tz| tz.parse::<Tz>().ok()),
            Err(_) => None,
        }
    }

    /// The tenant's circulation rules (cached).
    pub async fn rules(&self) -> Result<Arc<rules::Rules>, Failure> {
        let value = self
            .cache
            .get(
                self.okapi,
                "circulation rules",
                "/circulation-rules-storage",
            )
            .await?
            .unwrap_or(Value::Null);
        let text = value
            .get("rulesAsText")
            .and_then(Value::as_str)
            .unwrap_or("");
        if text.trim().is_empty() {
            return Err(Failure::Server(
                "Cannot apply blank circulation rules".into(),
            ));
        }
        self.cache
            .parsed_rules(&self.okapi.tenant, text)
            .map_err(|e| Failure::Server(e.message))
    }

    /// The decisive branch and the patron checks (see the module's comment); what is left to
    /// read for the answer goes out through `display_in` to [`Self::display_records`].
    pub async fn gather(
        &self,
        req: &CheckOutRequest,
        due: Option<DueRequest>,
        display_in: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<Gathered, Failure> {
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
        let (g, checks) = self.fan.join2(decisive, Box::pin(checks)).await;
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
    pub async fn display_records(
        &self,
        display_out: oneshot::Receiver<Option<ForDisplay>>,
    ) -> Result<(Option<Value>, Option<Value>), Failure> {
        let instance = |id: Option<String>| async move {
            match id {
                Some(id) => {
                    self.by_id("instance", "/instance-storage/instances", Some(&id))
                        .await
                }
                None => Ok(None),
            }
        };
        match display_out.await {
            Ok(Some(ForDisplay::Holdings(id))) => {
                let Some(holdings) = self
                    .by_id("holdings", "/holdings-storage/holdings", Some(&id))
                    .await?
                else {
                    return Err(holdings_missing(&id));
                };
                let instance_id = s(&holdings, &["instanceId"]).map(str::to_string);
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
        patron_in: oneshot::Sender<(Value, Option<Value>)>,
        display_in: oneshot::Sender<Option<ForDisplay>>,
    ) -> Result<Gathered, Failure> {
        let mut patron = Gathered::default();
        let mut items = Gathered::default();
        let (p, i, tz, rules, lock) = self
            .fan
            .join5(
                Box::pin(self.patron_lookup(req, &mut patron, patron_in)),
                Box::pin(self.item_chain(req, &mut items, display_in)),
                self.timezone(),
                self.rules(),
                lock::settings(self.okapi),
            )
            .await;
        p?;
        i?;
        let mut g = Gathered {
            user: patron.user,
            proxy: patron.proxy,
            timezone: tz,
            lock,
            ..items
        };
        let (Some(user), Some(item)) = (g.user.clone(), g.item.clone()) else {
            return Ok(g);
        };
        let location_units = Self::location_units(g.location.as_ref());
        let policies = self
            .policies(req, &user, &item, location_units, rules)
            .await?;
        let limit = policies
            .loan
            .loans_policy
            .as_ref()
            .and_then(|lp| lp.item_limit);
        let c = policies.conditions;
        let count_needed = limit.is_some_and(|limit| {
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
                    self.okapi,
                    DueInput {
                        policy: &policies.loan,
                        schedule: policies.schedule.as_ref(),
                        loan_date: due.loan_date,
                        tz: g.timezone.unwrap_or(chrono_tz::UTC),
                        service_point_id: &due.service_point_id,
                        queue: &g.queue,
                        user: &user,
                    },
                )
                .await,
            )
        };
        let (count, due_date) = self.fan.join2(count, due_date).await;
        g.item_limit_count = count?;
        g.due = due_date;
        g.policies = Some(policies);
        Ok(g)
    }
}
