//! The generic RMB resource: collection GET/POST/DELETE and item GET/PUT/DELETE for any record
//! type of the catalogue, with RMB's status codes and bodies.
use super::{paging, Params, State};
use crate::cql::{self, sql::SqlQuery, sql::TableConfig};
use crate::db::{self, store};
use crate::error::StorageError;
use crate::okapi_client::Okapi;
use crate::records::{self, ids, metadata, DeleteAll, Put, RecordType, Write};
use crate::tenant::{Caller, TenantId};
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};
use shared_types::errors::Error as FolioError;

/// Writes whose RAML declares no 422 (no `validate` trait): RMB answers a constraint violation
/// there with its sentence as 400 text.
fn constraint_as_text(rt: &RecordType, write: Write) -> bool {
    matches!(
        (rt.table(), write),
        ("staff_slips", _) | ("cancellation_reason", Write::Replace)
    )
}

/// A constraint violation of a POST or PUT, after the type's own messages.
fn write_failure(rt: &RecordType, write: Write, e: StorageError, record: &Value) -> StorageError {
    let e = (rt.constraint_message)(e, record);
    if write == Write::Replace && rt.put == Put::Upsert {
        // The upsert PUTs answer any remaining violation as 400 text.
        e.constraint_as_bad_request()
    } else if constraint_as_text(rt, write) {
        e.constraint_as_rmb_text(rt.table())
    } else {
        e
    }
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig, rt: &'static RecordType) {
    let mut collection = web::resource(rt.collection_path)
        .route(web::get().to(move |t: TenantId, p: Params, s: State| list(rt, t, p, s)))
        .route(
            web::post().to(move |c: Caller, r: HttpRequest, b: web::Bytes, s: State| {
                create(rt, c, r, b, s)
            }),
        );
    if rt.delete_all != DeleteAll::NotAllowed {
        collection = collection.route(
            web::delete().to(move |t: TenantId, p: Params, s: State| delete_all(rt, t, p, s)),
        );
    }
    let mut item = web::resource(format!("{}/{{id}}", rt.collection_path)).route(
        web::get().to(move |t: TenantId, id: web::Path<String>, s: State| get(rt, t, id, s)),
    );
    if rt.put != Put::NotAllowed {
        item = item.route(web::put().to(
            move |c: Caller, r: HttpRequest, id: web::Path<String>, b: web::Bytes, s: State| {
                replace(rt, c, r, id, b, s)
            },
        ));
    }
    if rt.item_delete {
        item = item.route(
            web::delete()
                .to(move |t: TenantId, id: web::Path<String>, s: State| delete(rt, t, id, s)),
        );
    }
    cfg.service(collection).service(item);
}

/// The routes `configure` registers for a record type.
pub(crate) fn served_routes(rt: &RecordType) -> Vec<(&'static str, String)> {
    let item = format!("{}/{{id}}", rt.collection_path);
    let mut routes = vec![
        ("GET", rt.collection_path.to_string()),
        ("POST", rt.collection_path.to_string()),
        ("GET", item.clone()),
    ];
    if rt.delete_all != DeleteAll::NotAllowed {
        routes.push(("DELETE", rt.collection_path.to_string()));
    }
    if rt.put != Put::NotAllowed {
        routes.push(("PUT", item.clone()));
    }
    if rt.item_delete {
        routes.push(("DELETE", item));
    }
    routes
}

/// Translates the `query` parameter; no query (or an empty one) selects everything.
pub fn filter_for(query: Option<&str>, table: &TableConfig) -> Result<SqlQuery, StorageError> {
    let query = query
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .unwrap_or("cql.allRecords=1");
    let parsed = cql::parse(query)
        .map_err(|e| StorageError::BadRequest(format!("Invalid CQL query: {e}")))?;
    cql::sql::to_sql(&parsed, table, 1)
        .map_err(|e| StorageError::BadRequest(format!("Invalid CQL query: {e}")))
}

/// An SQL failure caused by a query's values (a cast, say) is the client's 400, not our 500;
/// the database's own text stays in our log.
pub(crate) fn query_failure(e: StorageError, query: Option<&str>) -> StorageError {
    match e {
        StorageError::Internal(detail) => {
            log::warn!("query {:?} failed: {detail}", query.unwrap_or_default());
            StorageError::BadRequest(format!("Invalid query: {}", query.unwrap_or_default()))
        }
        other => other,
    }
}

pub(crate) fn collection_body(key: &str, records: Vec<Value>, total: i64) -> Value {
    let mut body = Map::new();
    body.insert(key.to_string(), Value::Array(records));
    body.insert("totalRecords".into(), json!(total));
    Value::Object(body)
}

async fn list(
    rt: &'static RecordType,
    tenant: TenantId,
    params: Params,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let (limit, offset) = paging(&params)?;
    let query = params.get("query").cloned();
    let filter = filter_for(query.as_deref(), &rt.cql)?;
    let (records, total) = db::read_cql(&state.pool, &tenant, move |c, statements| {
        store::search(c, statements, rt.table(), &filter, limit, offset)
    })
    .await
    .map_err(|e| query_failure(e, query.as_deref()))?;
    Ok(HttpResponse::Ok().json(collection_body(rt.collection_key, records, total)))
}

/// Checks of a POST or PUT that ask other modules (through the gateway), after the record's
/// own checks and before the write: a request policy's pickup service points.
async fn check_downstream(
    rt: &'static RecordType,
    record: &Value,
    req: &HttpRequest,
    state: &State,
) -> Result<(), StorageError> {
    if std::ptr::eq(rt, &records::REQUEST_POLICIES) {
        let okapi = Okapi::from_request(req, &state.http, state.okapi_timeout_ms);
        records::request_policy::check_pickup_locations(record, okapi.as_ref()).await?;
    }
    Ok(())
}

async fn create(
    rt: &'static RecordType,
    caller: Caller,
    req: HttpRequest,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let mut record = records::parse_body(&body)?;
    if rt.table() == "circulation_settings" && record.get("id").is_none_or(Value::is_null) {
        // `id` is required in circulation-setting.json: bean validation refuses it first.
        return Err(StorageError::unprocessable(
            FolioError::new("must not be null")
                .with_type("1")
                .with_code("jakarta.validation.constraints.NotNull.message")
                .with_parameter("id", Some("null".into())),
        ));
    }
    let id = records::id_for_create(rt, &mut record)?;
    records::prepare_for_write(rt, &mut record, Write::Create, caller.user_id.as_deref())?;
    check_downstream(rt, &record, &req, &state).await?;
    let stored = if rt.check_in_db.is_none() && rt.create_instead.is_none() {
        // Just the INSERT: one statement, atomic with its triggers.
        db::write_one(&state.pool, &caller.tenant, move |c| {
            store::insert(c, rt.table(), id, &record)
                .map_err(|e| write_failure(rt, Write::Create, e, &record))
        })
        .await?
    } else {
        db::in_tenant(&state.pool, &caller.tenant, move |c| {
            if let Some(check) = rt.check_in_db {
                check(c, &record, Write::Create)?;
            }
            if let Some(instead) = rt.create_instead {
                if instead(c, &record)? {
                    return Ok(record);
                }
            }
            store::insert(c, rt.table(), id, &record)
                .map_err(|e| write_failure(rt, Write::Create, e, &record))
        })
        .await?
    };
    Ok(HttpResponse::Created()
        .insert_header(("Location", id.to_string()))
        .json(stored))
}

async fn get(
    rt: &'static RecordType,
    tenant: TenantId,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let Some(id) = ids::parse_rmb_uuid(&id) else {
        // A type's own message answers FOLIO's looser check first (fixed due date schedules);
        // what passes that still fails RMB's getById with its uuid sentence.
        let message = match rt.malformed_id_message {
            own if own != "Not found" && ids::parse_loose_uuid(&id).is_none() => own,
            _ => ids::INVALID_UUID_MESSAGE,
        };
        return Err(StorageError::NotFound(message.into()));
    };
    let record = db::read(&state.pool, &tenant, move |c| store::get(c, rt.table(), id)).await?;
    let record = record.ok_or_else(StorageError::not_found)?;
    let mut answer = HttpResponse::Ok();
    if let Some(version) = metadata::version(&record) {
        answer.insert_header((ETAG, format!("\"{version}\"")));
    }
    Ok(answer.json(record))
}

async fn replace(
    rt: &'static RecordType,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let id = ids::require_id(&id, rt.table())?;
    let mut record = records::parse_body(&body)?;
    record["id"] = Value::String(id.to_string());
    // A PUT that may create: the record as a POST would store it.
    let as_created = (rt.put == Put::CreateMissing)
        .then(|| {
            let mut created = record.clone();
            records::prepare_for_write(rt, &mut created, Write::Create, caller.user_id.as_deref())
                .ok()
                .map(|_| created)
        })
        .flatten();
    let expected = if_match(rt, &req)?;
    records::prepare_for_write(rt, &mut record, Write::Replace, caller.user_id.as_deref())?;
    if let Some(version) = &expected {
        metadata::stamp_newer_than(&mut record, version);
    }
    check_downstream(rt, &record, &req, &state).await?;
    let work = move |c: &mut diesel::PgConnection| {
        if let Some(check) = rt.check_in_db {
            check(c, &record, Write::Replace)?;
        }
        if let Some(version) = expected {
            return replace_if_version(c, rt, id, &record, &version).map(|_| None);
        }
        let written = match rt.put {
            Put::Upsert => store::upsert(c, rt.table(), id, &record).map(|_| true),
            _ => store::update(c, rt.table(), id, &record),
        };
        match written.map_err(|e| write_failure(rt, Write::Replace, e, &record))? {
            true => Ok(None),
            false => match as_created {
                Some(created) => store::insert(c, rt.table(), id, &created)
                    .map(Some)
                    .map_err(|e| write_failure(rt, Write::Create, e, &created)),
                None => Err(StorageError::not_found()),
            },
        }
    };
    // A plain UPDATE is one statement; a check before it, the upsert's update-then-insert,
    // or an update falling back to an insert, is several and keeps a transaction.
    let created = if rt.check_in_db.is_none() && rt.put == Put::UpdateOnly {
        db::write_one(&state.pool, &caller.tenant, work).await?
    } else {
        db::in_tenant(&state.pool, &caller.tenant, work).await?
    };
    Ok(match created {
        Some(stored) => HttpResponse::Created()
            .insert_header(("Location", id.to_string()))
            .json(stored),
        None => HttpResponse::NoContent().finish(),
    })
}

/// The version a PUT's `If-Match` names (beyond RMB, which keeps no version of these records:
/// a client that read a record can replace it only if nobody changed it since). Only records
/// with `metadata` have a version.
fn if_match(rt: &RecordType, req: &HttpRequest) -> Result<Option<String>, StorageError> {
    let Some(header) = req.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let version = header.to_str().ok().and_then(metadata::if_match);
    if version.is_some() && !rt.with_metadata {
        return Err(StorageError::BadRequest(format!(
            "If-Match is not supported: {} records have no metadata",
            rt.table()
        )));
    }
    Ok(version)
}

/// The conditional replacement: 404 when the record is gone, RMB's optimistic-locking 409
/// when it changed since `version`.
fn replace_if_version(
    c: &mut diesel::PgConnection,
    rt: &RecordType,
    id: uuid::Uuid,
    record: &Value,
    version: &str,
) -> Result<(), StorageError> {
    let replaced = store::update_if_version(c, rt.table(), id, record, version)
        .map_err(|e| write_failure(rt, Write::Replace, e, record))?;
    if replaced {
        return Ok(());
    }
    match store::get(c, rt.table(), id)? {
        None => Err(StorageError::not_found()),
        Some(stored) => Err(StorageError::Conflict(format!(
            "Cannot update record {id} because it has been changed (optimistic locking): \
             Stored updatedDate is {}, If-Match of request is {version}",
            metadata::version(&stored).unwrap_or("absent")
        ))),
    }
}

async fn delete(
    rt: &'static RecordType,
    tenant: TenantId,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let Some(id) = ids::parse_rmb_uuid(&id) else {
        // The item DELETE declares no 422: RMB's uuid sentence as 400 text.
        return Err(StorageError::BadRequest(ids::INVALID_UUID_MESSAGE.into()));
    };
    let work = move |c: &mut diesel::PgConnection| {
        if let Some(check) = rt.check_delete {
            check(c, id)?;
        }
        match store::delete(c, rt.table(), id) {
            Ok(true) => Ok(()),
            Ok(false) => Err(StorageError::not_found()),
            // Still referenced: RMB's `Cannot delete <table>.id = ...` sentence as 400 text.
            Err(e) => Err(e.constraint_as_rmb_text(rt.table())),
        }
    };
    // The check and the DELETE together need a transaction; the DELETE alone does not.
    if rt.check_delete.is_some() {
        db::in_tenant(&state.pool, &tenant, work).await?;
    } else {
        db::write_one(&state.pool, &tenant, work).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

async fn delete_all(
    rt: &'static RecordType,
    tenant: TenantId,
    params: Params,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let query = params
        .get("query")
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let filter = match (rt.delete_all, query.as_deref()) {
        (DeleteAll::QueryRequired, None) => {
            return Err(StorageError::BadRequest(
                "Expected CQL but query parameter is empty".into(),
            ))
        }
        (DeleteAll::Everything | DeleteAll::NotAllowed, _) | (DeleteAll::QueryOptional, None) => {
            filter_for(None, &rt.cql)?
        }
        (_, Some(q)) => filter_for(Some(q), &rt.cql)?,
    };
    // FOLIO empties the loan and request tables with TRUNCATE when everything goes, so no
    // row trigger (the loan history's `deleted` rows) fires.
    let truncate = matches!(rt.table(), "loan" | "request") && filter.where_clause == "true";
    db::in_tenant_cql(&state.pool, &tenant, move |c, statements| {
        if truncate {
            return store::truncate(c, rt.table());
        }
        store::delete_where(c, statements, rt.table(), &filter)
    })
    .await
    .map_err(|e| query_failure(e, query.as_deref()))?;
    Ok(HttpResponse::NoContent().finish())
}
