//! Okapi's tenant interface 2.0: `POST /_/tenant` (enable, upgrade, disable, purge) and the
//! job resource `GET`/`DELETE /_/tenant/{id}`. The work is done before answering; the job is
//! stored in the tenant's `rmb_job` table (not in memory), so any instance can answer for it.
use super::State;
use crate::db::{self, circulation_rules, store};
use crate::error::StorageError;
use crate::records::{self, ids, Write};
use crate::reference_data;
use crate::tenant::TenantId;
use actix_web::{web, HttpResponse};
use diesel::PgConnection;
use serde::Deserialize;
use serde_json::{json, Value};

/// Reference data is (re)loaded only when upgrading from a version older than this, as FOLIO does.
const REFERENCE_DATA_SINCE: (u32, u32, u32) = (14, 0, 0);
/// The same for the sample loans.
const SAMPLE_DATA_SINCE: (u32, u32, u32) = (7, 0, 0);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantAttributes {
    module_from: Option<String>,
    module_to: Option<String>,
    #[serde(default)]
    purge: bool,
    #[serde(default)]
    parameters: Vec<TenantParameter>,
}

#[derive(Debug, Deserialize)]
struct TenantParameter {
    key: String,
    value: Option<String>,
}

impl TenantAttributes {
    /// A new install, or an upgrade from a version older than `since`.
    fn is_new(&self, since: (u32, u32, u32)) -> bool {
        self.module_from
            .as_deref()
            .and_then(version_of)
            .is_none_or(|from| from < since)
    }

    fn flag(&self, key: &str) -> bool {
        self.parameters.iter().any(|p| {
            p.key == key
                && p.value
                    .as_deref()
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        })
    }
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/_/tenant", web::post().to(post_tenant)).service(
        web::resource("/_/tenant/{id}")
            .route(web::get().to(get_job))
            .route(web::delete().to(delete_job)),
    );
}

/// `mod-circulation-storage-17.2.0` or `17.2.0` → (17, 2, 0).
fn version_of(module: &str) -> Option<(u32, u32, u32)> {
    let start = module
        .char_indices()
        .find(|(i, c)| c.is_ascii_digit() && (*i == 0 || module.as_bytes()[i - 1] == b'-'))
        .map(|(i, _)| i)?;
    let mut parts = module[start..]
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
        parts.next().flatten().unwrap_or(0),
    ))
}

async fn post_tenant(
    tenant: TenantId,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let attributes: TenantAttributes = serde_json::from_slice(&body)
        .map_err(|e| StorageError::BadRequest(format!("Invalid tenantAttributes: {e}")))?;
    log::info!("tenant {} attributes {:?}", tenant.as_str(), attributes);

    if attributes.purge {
        db::purge(&state.pool, &tenant).await?;
        return Ok(HttpResponse::NoContent().finish());
    }
    if attributes.module_from.is_some() && attributes.module_to.is_none() {
        // Disable keeps the data; Okapi simply stops routing to us. Anything else installs.
        return Ok(HttpResponse::NoContent().finish());
    }

    db::migrate(&state.pool, &tenant).await.map_err(|e| {
        StorageError::BadRequest(format!("Enabling tenant {} failed: {e}", tenant.as_str()))
    })?;

    let load_reference =
        attributes.flag("loadReference") && attributes.is_new(REFERENCE_DATA_SINCE);
    let load_sample = attributes.flag("loadSample") && attributes.is_new(SAMPLE_DATA_SINCE);
    let job_id = uuid::Uuid::new_v4();
    let job = json!({
        "id": job_id.to_string(),
        "tenant": tenant.as_str(),
        "tenantAttributes": serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null),
        "complete": true
    });
    let stored_job = job.clone();
    db::in_tenant_job(&state.pool, &tenant, move |c| {
        if load_reference {
            load_reference_data(c)?;
        }
        if load_sample {
            load_sample_data(c)?;
        }
        store::insert(c, "rmb_job", job_id, &stored_job)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/_/tenant/{job_id}")))
        .json(job))
}

/// Like FOLIO's loader: each record is created or replaced by id; the rules document replaced.
fn load_reference_data(conn: &mut PgConnection) -> Result<(), StorageError> {
    for (rt, mut record) in reference_data::records() {
        let id = records::id_for_create(rt, &mut record)?;
        records::prepare_for_write(rt, &mut record, Write::Replace, None)?;
        store::upsert(conn, rt.table(), id, &record)?;
    }
    let mut rules = json!({"rulesAsText": reference_data::circulation_rules_text()});
    records::metadata::stamp(&mut rules, None);
    circulation_rules::replace(conn, &rules)
}

/// The sample loans, each created or replaced by id (a PUT, as FOLIO's loader does).
fn load_sample_data(conn: &mut PgConnection) -> Result<(), StorageError> {
    for mut loan in reference_data::sample_loans() {
        let id = records::id_for_create(&records::LOANS, &mut loan)?;
        records::prepare_for_write(&records::LOANS, &mut loan, Write::Replace, None)?;
        store::upsert(conn, records::LOANS.table(), id, &loan)?;
    }
    Ok(())
}

fn job_id(id: &str) -> Result<uuid::Uuid, StorageError> {
    ids::parse_rmb_uuid(id).ok_or_else(|| StorageError::BadRequest(format!("Invalid job id: {id}")))
}

async fn get_job(
    tenant: TenantId,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let id = job_id(&id)?;
    let job = db::read(&state.pool, &tenant, move |c| store::get(c, "rmb_job", id))
        .await
        .map_err(job_not_found)?;
    job.map(|j| HttpResponse::Ok().json(j))
        .ok_or_else(StorageError::not_found)
}

async fn delete_job(
    tenant: TenantId,
    id: web::Path<String>,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let id = job_id(&id)?;
    let deleted = db::write_one(&state.pool, &tenant, move |c| {
        store::delete(c, "rmb_job", id)
    })
    .await
    .map_err(job_not_found)?;
    if deleted {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(StorageError::not_found())
    }
}

/// For a tenant that was never enabled there is no job either.
fn job_not_found(e: StorageError) -> StorageError {
    match e {
        StorageError::BadRequest(_) => StorageError::not_found(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn versions() {
        assert_eq!(
            version_of("mod-circulation-storage-17.2.0"),
            Some((17, 2, 0))
        );
        assert_eq!(version_of("13.1.5"), Some((13, 1, 5)));
        assert_eq!(
            version_of("mod-circulation-storage-rs-0.1.0"),
            Some((0, 1, 0))
        );
        assert_eq!(version_of("mod-x"), None);
    }
}
