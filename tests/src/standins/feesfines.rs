//! mod-feesfines stand-in: `/manualblocks`, `/overdue-fines-policies`, `/lost-item-fees-policies`,
//! and what circulation charges fees and fines with: `/owners`, `/feefines` (seeded with
//! mod-feesfines' automatic fee/fine types, as its tenant init does), `/accounts` and
//! `/feefineactions`, whose POSTs need the fields their schemas require.
//!
//! The actions circulation closes a lost item's fees with, as mod-feesfines' `RefundActionService`
//! and `CancelActionService` do them: `POST /accounts/{id}/refund` (credit and refund actions for
//! what was paid, then for what was transferred; the account left open with the refund to pay)
//! and `POST /accounts/{id}/cancel` (the account closed, its payment status the reason); and
//! `POST /actual-cost-fee-fine/cancel`, which cancels an actual cost record in circulation
//! storage, read and written back through the gateway. Not modelled: the patron notices and
//! the events mod-feesfines sends after an action, and the even split of a partial refund over
//! several transfer accounts (here they are refunded in the order transferred).

use std::sync::RwLockWriteGuard;

use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::collections::Collection;
use super::descriptor::{crud_handlers, handler, module_descriptor};
use super::request::{is_uuid, json_response, now_iso, text, unprocessable, Ctx};
use super::store::TenantData;

pub const OWNERS: &str = "/owners";
pub const FEE_FINES: &str = "/feefines";
pub const ACCOUNTS: &str = "/accounts";
pub const FEE_FINE_ACTIONS: &str = "/feefineactions";

/// mod-feesfines' automatic "Overdue fine" type (`populate-feefines.sql`).
pub const OVERDUE_FINE_TYPE_ID: &str = "9523cb96-e752-40c2-89da-60f3961a488d";

pub(crate) const COLLECTIONS: &[Collection] = &[
    Collection {
        path: "/manualblocks",
        key: "manualblocks",
    },
    Collection {
        path: "/overdue-fines-policies",
        key: "overdueFinePolicies",
    },
    Collection {
        path: "/lost-item-fees-policies",
        key: "lostItemFeePolicies",
    },
    Collection {
        path: OWNERS,
        key: "owners",
    },
    Collection {
        path: FEE_FINES,
        key: "feefines",
    },
    Collection {
        path: ACCOUNTS,
        key: "accounts",
    },
    Collection {
        path: FEE_FINE_ACTIONS,
        key: "feefineactions",
    },
];

/// mod-feesfines' reference fee/fine types: the four automatic ones.
pub fn reference_fee_fines() -> Vec<Value> {
    [
        (OVERDUE_FINE_TYPE_ID, "Overdue fine"),
        (
            "d20df2fb-45fd-4184-b238-0d25747ffdd9",
            "Replacement processing fee",
        ),
        ("cf238f9f-7018-47b7-b815-bb2db798e19f", "Lost item fee"),
        (
            "c7dede15-aa48-45ed-860b-f996540180e0",
            "Lost item processing fee",
        ),
    ]
    .into_iter()
    .map(|(id, kind)| json!({"id": id, "feeFineType": kind, "automatic": true}))
    .collect()
}

pub(crate) fn seed(tenant: &mut TenantData) {
    let store = tenant.store_mut(FEE_FINES);
    for f in reference_fee_fines() {
        let id = f["id"].as_str().unwrap_or_default().to_string();
        store.put(id, f);
    }
}

/// The fields `accountdata.json` and `feefineactiondata.json` require: a record without one
/// is refused as RMB refuses it (422, "must not be null").
pub(crate) fn before_write(path: &str, obj: &Map<String, Value>) -> Result<(), HttpResponse> {
    let required: &[&str] = match path {
        ACCOUNTS => &[
            "amount",
            "remaining",
            "status",
            "paymentStatus",
            "userId",
            "feeFineId",
            "ownerId",
        ],
        FEE_FINE_ACTIONS => &["accountId", "userId"],
        _ => &[],
    };
    match required
        .iter()
        .find(|k| obj.get(**k).is_none_or(Value::is_null))
    {
        Some(missing) => Err(unprocessable("must not be null", missing, "null")),
        None => Ok(()),
    }
}

/// `mod-feesfines-standin-1.0.0`: interfaces `feesfines 19.1` (the parts circulation reads and
/// writes) and `actual-cost-fee-fine 0.3` (the cancellation).
pub fn descriptor() -> Value {
    let mut handlers: Vec<_> = COLLECTIONS
        .iter()
        .flat_map(|c| crud_handlers(c.path))
        .collect();
    for action in ["refund", "cancel"] {
        handlers.push(handler(&["POST"], &format!("{ACCOUNTS}/{{id}}/{action}")));
    }
    module_descriptor(
        "mod-feesfines-standin-1.0.0",
        "Fees/fines (in-memory stand-in)",
        vec![
            ("feesfines", "19.1", handlers),
            (
                "actual-cost-fee-fine",
                "0.3",
                vec![handler(&["POST"], ACTUAL_COST_CANCEL)],
            ),
        ],
    )
}

pub const ACTUAL_COST_CANCEL: &str = "/actual-cost-fee-fine/cancel";
const ACTUAL_COST_RECORDS: &str = "/actual-cost-record-storage/actual-cost-records";

/// The payment statuses of `accountdata.json`: a cancellation reason must be one of them.
const PAYMENT_STATUSES: &[&str] = &[
    "Outstanding",
    "Paid partially",
    "Paid fully",
    "Waived partially",
    "Waived fully",
    "Transferred partially",
    "Transferred fully",
    "Refunded partially",
    "Refunded fully",
    "Credited fully",
    "Credited partially",
    "Cancelled item returned",
    "Cancelled item renewed",
    "Cancelled item declared lost",
    "Cancelled as error",
    "Suspended claim returned",
];

/// An action on an account, with what it acts with and the account's id.
type Action = fn(Acting<'_>, &str) -> HttpResponse;

/// `POST /accounts/{id}/refund` and `POST /accounts/{id}/cancel`; `None` for other requests.
pub(crate) fn handle(ctx: &Ctx<'_>) -> Option<HttpResponse> {
    let rest = ctx.path.strip_prefix(ACCOUNTS)?.strip_prefix('/')?;
    let (id, action) = rest.split_once('/')?;
    if *ctx.method != Method::POST {
        return None;
    }
    let id = id.to_lowercase();
    // Each action's request schema: the fields required, and all it may have.
    let (required, allowed, act): (&[&str], &[&str], Action) = match action {
        "refund" => (
            &[
                "amount",
                "notifyPatron",
                "servicePointId",
                "userName",
                "paymentMethod",
            ],
            &[
                "amount",
                "comments",
                "transactionInfo",
                "notifyPatron",
                "servicePointId",
                "userName",
                "paymentMethod",
            ],
            refund,
        ),
        "cancel" => (
            &["notifyPatron", "servicePointId", "userName"],
            &[
                "comments",
                "notifyPatron",
                "servicePointId",
                "userName",
                "cancellationReason",
            ],
            cancel,
        ),
        _ => return None,
    };
    Some(match acting_on(ctx, &id, required, allowed) {
        Ok(acting) => act(acting, &id),
        Err(r) => r,
    })
}

/// A money amount in cents, from a JSON number or a string holding one (two decimals, as
/// mod-feesfines' `MonetaryValue` keeps them).
fn cents(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Some((n * 100.0).round() as i64)
}

fn number(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

/// Two decimals, as `MonetaryValue.toString` writes them in an action's answer.
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The request body checked against its schema: every required field there, no other field
/// than `allowed` (RMB's 422).
fn action_request(
    ctx: &Ctx<'_>,
    required: &[&str],
    allowed: &[&str],
) -> Result<Map<String, Value>, HttpResponse> {
    let body = ctx.json_object()?;
    if let Some(missing) = required
        .iter()
        .find(|k| body.get(**k).is_none_or(Value::is_null))
    {
        return Err(unprocessable("must not be null", missing, "null"));
    }
    if let Some(extra) = body.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(unprocessable("Unrecognized field", extra, ""));
    }
    match body.get("servicePointId").and_then(Value::as_str) {
        Some(sp) if !is_uuid(sp) => Err(unprocessable(
            "must match \"^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[1-5][a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$\"",
            "servicePointId",
            sp,
        )),
        _ => Ok(body),
    }
}

/// An action's request checked against its schema, the tenant (locked for writing) and the
/// account it acts on.
struct Acting<'c> {
    request: Map<String, Value>,
    tenant: RwLockWriteGuard<'c, TenantData>,
    account: Map<String, Value>,
}

/// What an action on account `id` acts with; or the answer refusing it (the account not found:
/// mod-feesfines' 404).
fn acting_on<'c>(
    ctx: &'c Ctx<'_>,
    id: &str,
    required: &[&str],
    allowed: &[&str],
) -> Result<Acting<'c>, HttpResponse> {
    let request = action_request(ctx, required, allowed)?;
    let tenant = ctx.write();
    let account = match tenant.store(ACCOUNTS).and_then(|s| s.get(id)) {
        Some(Value::Object(o)) => o.clone(),
        _ => {
            return Err(text(
                StatusCode::NOT_FOUND,
                &format!("Fee/fine ID {id} not found"),
            ))
        }
    };
    Ok(Acting {
        request,
        tenant,
        account,
    })
}

/// mod-feesfines' 422 for an action it refuses (`actionFailureResponse.json`).
fn refused(account_id: &str, amount: Option<&Value>, message: &str) -> HttpResponse {
    let mut body = json!({"accountId": account_id, "errorMessage": message});
    if let Some(a) = amount {
        body["amount"] = a.clone();
    }
    json_response(StatusCode::UNPROCESSABLE_ENTITY, &body)
}

/// An action on `account` by the request's staff member and service point, now.
fn action(account: &Map<String, Value>, request: &Map<String, Value>, fields: Value) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
    o.insert("dateAction".into(), json!(now_iso()));
    for (to, from, source) in [
        ("accountId", "id", account),
        ("userId", "userId", account),
        ("comments", "comments", request),
        ("createdAt", "servicePointId", request),
        ("source", "userName", request),
    ] {
        if let Some(v) = source.get(from) {
            o.insert(to.into(), v.clone());
        }
    }
    if let Value::Object(fields) = fields {
        o.extend(fields);
    }
    Value::Object(o)
}

/// The account and the actions written, and the 201 answer (`actionSuccessResponse.json`).
fn done(
    tenant: &mut TenantData,
    mut account: Map<String, Value>,
    actions: Vec<Value>,
    amount: Option<String>,
) -> HttpResponse {
    let id = account["id"].as_str().unwrap_or_default().to_string();
    let remaining = account.get("remaining").and_then(cents).unwrap_or(0);
    if let Some(Value::Object(m)) = account.get_mut("metadata") {
        m.insert("updatedDate".into(), json!(now_iso()));
    }
    tenant
        .store_mut(ACCOUNTS)
        .put(id.clone(), Value::Object(account));
    for a in &actions {
        let action_id = a["id"].as_str().unwrap_or_default().to_string();
        tenant.store_mut(FEE_FINE_ACTIONS).put(action_id, a.clone());
    }
    let mut body = json!({"accountId": id, "remainingAmount": decimal(remaining),
        "feefineactions": actions});
    if let Some(a) = amount {
        body["amount"] = json!(a);
    }
    json_response(StatusCode::CREATED, &body)
}

fn refund(acting: Acting<'_>, id: &str) -> HttpResponse {
    let Acting {
        request,
        mut tenant,
        mut account,
    } = acting;
    let raw = request.get("amount");
    let Some(requested) = raw.and_then(cents) else {
        return refused(id, raw, "Invalid amount entered");
    };
    if requested <= 0 {
        return refused(id, raw, "Amount must be positive");
    }
    // What was paid, and transferred per transfer account (its name is the action's payment
    // method), in the order done; refunds already made.
    let (mut paid, mut transfers, mut refunds) = (0, Vec::<(String, i64)>::new(), 0);
    let actions = tenant
        .store(FEE_FINE_ACTIONS)
        .into_iter()
        .flat_map(|s| s.values());
    for a in actions.filter(|a| a["accountId"].as_str() == Some(id)) {
        let amount = a.get("amountAction").and_then(cents).unwrap_or(0);
        match a["typeAction"].as_str().unwrap_or_default() {
            "Paid partially" | "Paid fully" => paid += amount,
            "Transferred partially" | "Transferred fully" => {
                let to = a["paymentMethod"].as_str().unwrap_or_default().to_string();
                match transfers.iter_mut().find(|(t, _)| *t == to) {
                    Some((_, sum)) => *sum += amount,
                    None => transfers.push((to, amount)),
                }
            }
            "Refunded partially" | "Refunded fully" => refunds += amount,
            _ => {}
        }
    }
    let transferred: i64 = transfers.iter().map(|(_, a)| a).sum();
    if requested > paid + transferred - refunds {
        return refused(
            id,
            raw,
            "Refund amount must be greater than zero and less than or equal to Selected amount",
        );
    }
    let from_payments = paid.min(requested);
    let mut left = requested - from_payments;
    let full_payments = paid == from_payments;
    let full_transfers = transferred == left;
    let mut recipients = vec![("patron".to_string(), from_payments, full_payments)];
    for (to, sum) in transfers {
        let part = sum.min(left);
        left -= part;
        recipients.push((to, part, full_transfers));
    }
    let mut written = Vec::new();
    for (credit, kind, info) in [
        (true, "Credited", "Refund to"),
        (false, "Refunded", "Refunded to"),
    ] {
        for (to, amount, full) in recipients.iter().filter(|(_, a, _)| *a > 0) {
            let remaining = account.get("remaining").and_then(cents).unwrap_or(0);
            let balance = if credit {
                remaining
            } else {
                remaining + amount
            };
            let result = format!("{kind} {}", if *full { "fully" } else { "partially" });
            written.push(action(
                &account,
                &request,
                json!({"typeAction": result, "amountAction": number(*amount),
                    "balance": number(balance), "transactionInformation": format!("{info} {to}"),
                    "notify": request.get("notifyPatron").cloned().unwrap_or(Value::Null),
                    "paymentMethod": request.get("paymentMethod").cloned().unwrap_or(Value::Null)}),
            ));
            account.insert("remaining".into(), number(balance));
            account.insert("paymentStatus".into(), json!({"name": result}));
            account.insert("status".into(), json!({"name": "Open"}));
        }
    }
    done(&mut tenant, account, written, Some(decimal(requested)))
}

fn cancel(acting: Acting<'_>, id: &str) -> HttpResponse {
    let Acting {
        request,
        mut tenant,
        mut account,
    } = acting;
    let status = account.get("status").and_then(|s| s["name"].as_str());
    if status.is_some_and(|s| s.eq_ignore_ascii_case("closed")) {
        return refused(id, None, "Fee/fine is already closed");
    }
    let reason = request
        .get("cancellationReason")
        .and_then(Value::as_str)
        .unwrap_or("Cancelled as error")
        .to_string();
    if !PAYMENT_STATUSES.contains(&reason.as_str()) {
        return text(StatusCode::INTERNAL_SERVER_ERROR, &reason);
    }
    let amount = account.get("amount").cloned().unwrap_or(Value::Null);
    let cancelled = action(
        &account,
        &request,
        json!({"typeAction": reason, "amountAction": amount, "balance": 0.0}),
    );
    account.insert("remaining".into(), json!(0.0));
    account.insert("paymentStatus".into(), json!({"name": reason}));
    account.insert("status".into(), json!({"name": "Closed"}));
    done(&mut tenant, account, vec![cancelled], None)
}

/// `POST /actual-cost-fee-fine/cancel`: the open record cancelled, with the request's
/// information for staff and patron (the record's own removed when the request has none);
/// 422 `text/plain` when it is not found or not open.
pub(crate) async fn cancel_actual_cost(ctx: &Ctx<'_>) -> HttpResponse {
    let request = match action_request(
        ctx,
        &["actualCostRecordId"],
        &[
            "actualCostRecordId",
            "additionalInfoForStaff",
            "additionalInfoForPatron",
        ],
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let id = request["actualCostRecordId"].as_str().unwrap_or_default();
    if !is_uuid(id) {
        return unprocessable("must be a UUID", "actualCostRecordId", id);
    }
    let module = "actual-cost-fee-fine";
    let path = format!("{ACTUAL_COST_RECORDS}/{id}");
    let record = match ctx
        .call_back(module, reqwest::Method::GET, &path, None)
        .await
    {
        Ok(body) => serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
        Err(_) => {
            return text(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("Actual cost record {id} was not found"),
            )
        }
    };
    let Value::Object(mut record) = record else {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "unreadable record");
    };
    let status = record.get("status").and_then(Value::as_str).unwrap_or("");
    if status != "Open" {
        return text(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("Actual cost record {id} is already {status}"),
        );
    }
    record.insert("status".into(), json!("Cancelled"));
    for key in ["additionalInfoForStaff", "additionalInfoForPatron"] {
        match request.get(key) {
            Some(v) => record.insert(key.into(), v.clone()),
            None => record.remove(key),
        };
    }
    let record = Value::Object(record);
    if let Err(r) = ctx
        .call_back(module, reqwest::Method::PUT, &path, Some(&record))
        .await
    {
        return r;
    }
    json_response(StatusCode::CREATED, &record)
}
