//! `checkout-lock-storage`: a per-patron lock around check-out, in the plain table
//! `check_out_lock (id, user_id UNIQUE, creation_date)`.
use super::{paging, Params, State};
use crate::db::{self, locks, locks::Lock};
use crate::error::StorageError;
use crate::records::{self, dates, ids};
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared_types::errors::Error as FolioError;
use uuid::Uuid;

const PATH: &str = "/check-out-lock-storage";
const ITEM_PATH: &str = "/check-out-lock-storage/{lockId}";

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(PATH)
            .route(web::get().to(list))
            .route(web::post().to(acquire)),
    )
    .service(
        web::resource(ITEM_PATH)
            .route(web::get().to(get))
            .route(web::delete().to(release)),
    );
}

pub(crate) fn served_routes() -> Vec<(&'static str, String)> {
    vec![
        ("GET", PATH.into()),
        ("POST", PATH.into()),
        ("GET", ITEM_PATH.into()),
        ("DELETE", ITEM_PATH.into()),
    ]
}

/// A lock as the API shows it.
fn lock_json(lock: &Lock) -> Value {
    json!({
        "id": lock.id.to_string(),
        "userId": lock.user_id.to_string(),
        "creationDate": dates::iso_millis_offset(lock.creation_date),
    })
}

fn unable_to_acquire() -> StorageError {
    StorageError::Unavailable("Unable to acquire lock".into())
}

/// A lock id from the path; anything but an RMB UUID (version 1-5, variant 8-b) is FOLIO's
/// 400 `Invalid lock id`.
fn lock_id(text: &str) -> Result<Uuid, StorageError> {
    ids::parse_rmb_uuid(text).ok_or_else(|| StorageError::BadRequest("Invalid lock id".into()))
}

/// `{"userId","ttlMs"}`: drops the user's lock if older than `ttlMs`, then takes a new one;
/// a lock still held → 503 `Unable to acquire lock`.
async fn acquire(
    tenant: TenantId,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let request = records::parse_body(&body)?;
    let user_id = match request.get("userId") {
        Some(Value::String(text)) => ids::parse_rmb_uuid(text).ok_or_else(|| {
            StorageError::unprocessable(
                FolioError::new(format!("must match \"{}\"", ids::UUID_PATTERN))
                    .with_type("1")
                    .with_code("jakarta.validation.constraints.Pattern.message")
                    .with_parameter("userId", Some(text.clone())),
            )
        })?,
        // FOLIO's SQL fails on a missing user, which it reports as not acquired.
        _ => return Err(unable_to_acquire()),
    };
    let Some(ttl_ms) = request.get("ttlMs").and_then(Value::as_i64) else {
        return Err(unable_to_acquire());
    };
    let lock = db::in_tenant(&state.pool, &tenant, move |c| {
        locks::acquire(c, user_id, ttl_ms).map_err(|e| match e {
            StorageError::Constraint { .. } => unable_to_acquire(),
            other => other,
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(lock_json(&lock)))
}

/// `?userId=&offset=&limit=`: the user's locks; `totalRecords` counts the page, as in FOLIO.
async fn list(
    tenant: TenantId,
    params: Params,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let (limit, offset) = paging(&params)?;
    let Some(user_id) = params.get("userId").and_then(|u| Uuid::parse_str(u).ok()) else {
        // FOLIO's query fails without a user id, answered as its RAML's 422 text.
        return Ok(HttpResponse::UnprocessableEntity()
            .content_type("text/plain")
            .body("Invalid Parameters"));
    };
    let page = db::read(&state.pool, &tenant, move |c| {
        locks::of_user(c, user_id, limit, offset)
    })
    .await?;
    let locks: Vec<Value> = page.iter().map(lock_json).collect();
    let total = locks.len();
    Ok(HttpResponse::Ok().json(json!({"checkoutLocks": locks, "totalRecords": total})))
}

async fn get(
    tenant: TenantId,
    lock: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let id = lock_id(&lock)?;
    let lock = db::read(&state.pool, &tenant, move |c| locks::get(c, id)).await?;
    lock.map(|l| HttpResponse::Ok().json(lock_json(&l)))
        .ok_or_else(StorageError::not_found)
}

/// Releasing is idempotent: 204 whether or not the lock was still there (as FOLIO answers).
async fn release(
    tenant: TenantId,
    lock: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let id = lock_id(&lock)?;
    db::write_one(&state.pool, &tenant, move |c| locks::release(c, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
