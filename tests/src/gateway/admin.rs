//! Okapi's admin API subset: `/_/proxy/modules`, `/_/discovery/modules`,
//! `/_/proxy/tenants[/{t}/install|/modules]`, plus `/_/invoke/tenant/{t}/...`.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::install::{install, InstallOptions, TenantModule};
use super::registry::{DeploymentDescriptor, ModuleDescriptor, StoredModule, Tenant};
use super::{proxy, state_arc, text_response, SharedState};

/// The admin API, in one `/_` scope: actix tries the resources of an app in order, so a
/// proxied path (never under `/_/`) skips them all with one prefix check instead of running
/// the pattern of every admin resource.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    let admin = web::scope("/_")
        .service(
            web::resource("/proxy/modules")
                .route(web::post().to(post_module))
                .route(web::get().to(list_modules)),
        )
        .service(
            web::resource("/proxy/modules/{id}")
                .route(web::get().to(get_module))
                .route(web::delete().to(delete_module)),
        )
        .service(
            web::resource("/discovery/modules")
                .route(web::post().to(post_instance))
                .route(web::get().to(list_instances)),
        )
        .service(
            web::resource("/discovery/modules/{srvc}")
                .route(web::get().to(get_service))
                .route(web::delete().to(delete_service)),
        )
        .service(
            web::resource("/discovery/modules/{srvc}/{inst}")
                .route(web::get().to(get_instance))
                .route(web::delete().to(delete_instance)),
        )
        .service(
            web::resource("/proxy/tenants")
                .route(web::post().to(post_tenant))
                .route(web::get().to(list_tenants)),
        )
        .service(
            web::resource("/proxy/tenants/{t}")
                .route(web::get().to(get_tenant))
                .route(web::delete().to(delete_tenant)),
        )
        .service(web::resource("/proxy/tenants/{t}/install").route(web::post().to(post_install)))
        .service(
            web::resource("/proxy/tenants/{t}/modules")
                .route(web::post().to(post_tenant_module))
                .route(web::get().to(list_tenant_modules)),
        )
        .service(
            web::resource("/proxy/tenants/{t}/modules/{id}")
                .route(web::get().to(get_tenant_module))
                .route(web::delete().to(delete_tenant_module)),
        )
        .service(web::resource("/proxy/health").route(web::get().to(health)))
        .service(web::resource("/version").route(web::get().to(version)))
        .service(web::resource("/invoke/tenant/{t}/{rest:.*}").to(invoke));
    cfg.service(admin);
}

fn json_response(status: StatusCode, value: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(serde_json::to_string_pretty(value).expect("serializable"))
}

fn created(location: String, value: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((LOCATION, location))
        .body(serde_json::to_string_pretty(value).expect("serializable"))
}

fn bad_request(msg: impl Into<String>) -> HttpResponse {
    text_response(StatusCode::BAD_REQUEST, msg)
}

fn not_found(msg: impl Into<String>) -> HttpResponse {
    text_response(StatusCode::NOT_FOUND, msg)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<(T, Value), String> {
    let raw: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let typed = serde_json::from_value(raw.clone()).map_err(|e| e.to_string())?;
    Ok((typed, raw))
}

macro_rules! registry {
    ($state:expr, read) => {
        $state.registry.read().expect("registry lock")
    };
    ($state:expr, write) => {
        $state.registry.write().expect("registry lock")
    };
}

// ---- modules ----

async fn post_module(state: SharedState, body: web::Bytes) -> HttpResponse {
    let (md, raw) = match parse::<ModuleDescriptor>(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    if md.id.is_empty() {
        return bad_request("Missing id in module descriptor");
    }
    let mut reg = registry!(state, write);
    if let Some(existing) = reg.modules.get(&md.id) {
        if existing.raw != raw {
            return bad_request(format!("create: module {} already exists", md.id));
        }
    }
    let id = md.id.clone();
    log::info!("registered module {id}");
    reg.modules.insert(
        id.clone(),
        StoredModule {
            md: Arc::new(md),
            raw: raw.clone(),
        },
    );
    reg.invalidate_routes();
    created(format!("/_/proxy/modules/{id}"), &raw)
}

async fn list_modules(
    state: SharedState,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let full = query.get("full").map(String::as_str) == Some("true");
    let reg = registry!(state, read);
    let list: Vec<Value> = reg
        .modules
        .values()
        .map(|m| {
            if full {
                m.raw.clone()
            } else {
                let mut brief = json!({"id": m.md.id});
                if let Some(name) = &m.md.name {
                    brief["name"] = json!(name);
                }
                brief
            }
        })
        .collect();
    json_response(StatusCode::OK, &list)
}

async fn get_module(state: SharedState, id: web::Path<String>) -> HttpResponse {
    match registry!(state, read).modules.get(id.as_str()) {
        Some(m) => json_response(StatusCode::OK, &m.raw),
        None => not_found(id.into_inner()),
    }
}

async fn delete_module(state: SharedState, id: web::Path<String>) -> HttpResponse {
    let mut reg = registry!(state, write);
    if let Some((t, _)) = reg
        .tenants
        .iter()
        .find(|(_, t)| t.enabled.contains(id.as_str()))
    {
        return bad_request(format!("delete: module {id} is used by tenant {t}"));
    }
    match reg.modules.remove(id.as_str()) {
        Some(_) => HttpResponse::NoContent().finish(),
        None => not_found(format!("delete: module {id} does not exist")),
    }
}

// ---- discovery ----

async fn post_instance(state: SharedState, body: web::Bytes) -> HttpResponse {
    let (mut dd, _) = match parse::<DeploymentDescriptor>(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    if dd.srvc_id.is_empty() {
        return bad_request("Needs srvcId");
    }
    if dd.url.is_empty() {
        return bad_request("missing nodeId");
    }
    if dd.inst_id.is_empty() {
        dd.inst_id = uuid::Uuid::new_v4().to_string();
    }
    let mut reg = registry!(state, write);
    let list = reg.discovery.entry(dd.srvc_id.clone()).or_default();
    if list.iter().any(|d| d.inst_id == dd.inst_id) {
        return bad_request(format!("Duplicate instId {}", dd.inst_id));
    }
    list.push(dd.clone());
    log::info!(
        "registered instance {} of {} at {}",
        dd.inst_id,
        dd.srvc_id,
        dd.url
    );
    created(
        format!("/_/discovery/modules/{}/{}", dd.srvc_id, dd.inst_id),
        &dd,
    )
}

async fn list_instances(state: SharedState) -> HttpResponse {
    let reg = registry!(state, read);
    let all: Vec<&DeploymentDescriptor> = reg.discovery.values().flatten().collect();
    json_response(StatusCode::OK, &all)
}

async fn get_service(state: SharedState, srvc: web::Path<String>) -> HttpResponse {
    match registry!(state, read).discovery.get(srvc.as_str()) {
        Some(list) if !list.is_empty() => json_response(StatusCode::OK, list),
        _ => not_found(format!("not found: {srvc}")),
    }
}

async fn delete_service(state: SharedState, srvc: web::Path<String>) -> HttpResponse {
    match registry!(state, write).discovery.remove(srvc.as_str()) {
        Some(list) if !list.is_empty() => HttpResponse::NoContent().finish(),
        _ => not_found(format!("not found: {srvc}")),
    }
}

async fn get_instance(state: SharedState, path: web::Path<(String, String)>) -> HttpResponse {
    let (srvc, inst) = path.into_inner();
    let reg = registry!(state, read);
    match reg
        .discovery
        .get(&srvc)
        .and_then(|l| l.iter().find(|d| d.inst_id == inst))
    {
        Some(dd) => json_response(StatusCode::OK, dd),
        None => not_found(format!("not found: {srvc}/{inst}")),
    }
}

async fn delete_instance(state: SharedState, path: web::Path<(String, String)>) -> HttpResponse {
    let (srvc, inst) = path.into_inner();
    let mut reg = registry!(state, write);
    let Some(list) = reg.discovery.get_mut(&srvc) else {
        return not_found(format!("not found: {srvc}/{inst}"));
    };
    let before = list.len();
    list.retain(|d| d.inst_id != inst);
    if list.len() == before {
        return not_found(format!("not found: {srvc}/{inst}"));
    }
    if list.is_empty() {
        reg.discovery.remove(&srvc);
    }
    log::info!("removed instance {inst} of {srvc}");
    HttpResponse::NoContent().finish()
}

// ---- tenants ----

async fn post_tenant(state: SharedState, body: web::Bytes) -> HttpResponse {
    let (_, mut raw) = match parse::<Value>(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    let Some(id) = raw.get("id").and_then(Value::as_str).map(str::to_string) else {
        return bad_request("Tenant id required");
    };
    if id.is_empty() {
        return bad_request("Tenant id required");
    }
    if raw.get("name").is_none() {
        raw["name"] = json!(id);
    }
    let mut reg = registry!(state, write);
    if reg.tenants.contains_key(&id) {
        return bad_request(format!("Duplicate tenant id {id}"));
    }
    reg.tenants.insert(id.clone(), Tenant::new(raw.clone()));
    created(format!("/_/proxy/tenants/{id}"), &raw)
}

async fn list_tenants(state: SharedState) -> HttpResponse {
    let reg = registry!(state, read);
    let list: Vec<&Value> = reg.tenants.values().map(|t| &t.descriptor).collect();
    json_response(StatusCode::OK, &list)
}

async fn get_tenant(state: SharedState, t: web::Path<String>) -> HttpResponse {
    match registry!(state, read).tenants.get(t.as_str()) {
        Some(tenant) => json_response(StatusCode::OK, &tenant.descriptor),
        None => not_found(t.into_inner()),
    }
}

async fn delete_tenant(state: SharedState, t: web::Path<String>) -> HttpResponse {
    match registry!(state, write).tenants.remove(t.as_str()) {
        Some(_) => HttpResponse::NoContent().finish(),
        None => not_found(t.into_inner()),
    }
}

fn flag(query: &HashMap<String, String>, name: &str, default: bool) -> bool {
    match query.get(name).map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => default,
    }
}

async fn post_install(
    state: SharedState,
    t: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    body: web::Bytes,
) -> HttpResponse {
    let (request, _) = match parse::<Vec<TenantModule>>(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    let options = InstallOptions {
        tenant_parameters: query.get("tenantParameters").cloned(),
        simulate: flag(&query, "simulate", false),
        invoke: flag(&query, "invoke", true),
        dep_check: flag(&query, "depCheck", true),
        purge: flag(&query, "purge", false),
    };
    let state = state_arc(&state);
    match install(&state, &t, request, &options).await {
        Ok(list) => json_response(StatusCode::OK, &list),
        Err((status, msg)) => {
            log::warn!("install for tenant {t} failed: {status} {msg}");
            text_response(status, msg)
        }
    }
}

async fn post_tenant_module(
    state: SharedState,
    t: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    body: web::Bytes,
) -> HttpResponse {
    let (tm, _) = match parse::<TenantModule>(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(e),
    };
    let options = InstallOptions {
        tenant_parameters: query.get("tenantParameters").cloned(),
        invoke: flag(&query, "invoke", true),
        dep_check: flag(&query, "depCheck", true),
        ..InstallOptions::default()
    };
    let state = state_arc(&state);
    let request = vec![TenantModule {
        id: tm.id.clone(),
        from: None,
        action: "enable".to_string(),
    }];
    match install(&state, &t, request, &options).await {
        Ok(list) => {
            let id = list
                .iter()
                .rev()
                .find(|m| m.action != "disable")
                .map(|m| m.id.clone())
                .unwrap_or(tm.id);
            created(
                format!("/_/proxy/tenants/{t}/modules/{id}"),
                &json!({"id": id}),
            )
        }
        Err((status, msg)) => text_response(status, msg),
    }
}

async fn list_tenant_modules(state: SharedState, t: web::Path<String>) -> HttpResponse {
    let reg = registry!(state, read);
    match reg.tenants.get(t.as_str()) {
        Some(tenant) => {
            let list: Vec<Value> = tenant.enabled.iter().map(|id| json!({"id": id})).collect();
            json_response(StatusCode::OK, &list)
        }
        None => not_found(t.into_inner()),
    }
}

async fn get_tenant_module(state: SharedState, path: web::Path<(String, String)>) -> HttpResponse {
    let (t, id) = path.into_inner();
    let reg = registry!(state, read);
    match reg.tenants.get(&t) {
        Some(tenant) if tenant.enabled.contains(&id) => {
            json_response(StatusCode::OK, &json!({"id": id}))
        }
        Some(_) => not_found(id),
        None => not_found(t),
    }
}

async fn delete_tenant_module(
    state: SharedState,
    path: web::Path<(String, String)>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let (t, id) = path.into_inner();
    let options = InstallOptions {
        invoke: flag(&query, "invoke", true),
        purge: flag(&query, "purge", false),
        ..InstallOptions::default()
    };
    let state = state_arc(&state);
    let request = vec![TenantModule {
        id,
        from: None,
        action: "disable".to_string(),
    }];
    match install(&state, &t, request, &options).await {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err((status, msg)) => text_response(status, msg),
    }
}

async fn health() -> HttpResponse {
    json_response(StatusCode::OK, &json!([]))
}

async fn version() -> HttpResponse {
    text_response(StatusCode::OK, "7.0.0-circulation-test-gateway")
}

/// `/_/invoke/tenant/{t}/<path>`: proxy with the tenant taken from the path.
async fn invoke(
    state: SharedState,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (tenant, _) = path.into_inner();
    // the raw (still percent-encoded) rest of the path
    let raw = req.path();
    let rest = raw
        .strip_prefix("/_/invoke/tenant/")
        .and_then(|r| r.split_once('/'))
        .map(|(_, rest)| format!("/{rest}"))
        .unwrap_or_else(|| "/".to_string());
    proxy::forward(state, req, body, rest, Some(tenant)).await
}
