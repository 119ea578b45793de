//! Tenant install: dependency resolution (simplified from Okapi's) and the `_tenant`
//! interface calls.
//!
//! Per module, in dependency order: enable = `POST /_/tenant` with
//! `{"module_to": id[, "module_from": old], "parameters": [{key, value}...]}` and headers
//! `X-Okapi-Tenant`, `X-Okapi-Url` (+ `X-Okapi-Url-to`, a dummy token, a request id);
//! disable = `POST /_/tenant` with `{"module_from": id[, "purge": true]}`.
//! `204` (or any 2xx without `Location`) = done. `201` + `Location` = a job: it is polled with
//! `GET <job>?wait=60000` (long poll for RMB; a module that ignores `wait` is re-polled with
//! a growing pause) on the same instance until `"complete": true`, then `DELETE`d; a non-null
//! `error` fails the install. The module is committed as enabled right after its own call,
//! as in Okapi (an earlier module of a failed install stays enabled).
//!
//! Errors (Okapi's texts, `text/plain`): unknown module → 400 `Module <id> not found`;
//! missing dependency → 400 `interface <i> required by module <m> not found`; failing call
//! → 400 `POST request for <m> /_/tenant failed with <body or error>`; failed job → 500
//! `Tenant operation failed for module <m>: <error>`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::proxy::{chain_request_id, dummy_token};
use super::registry::{compare_versions, split_module_id, ModuleDescriptor, Registry};
use super::State;

/// One entry of an install request/response (Okapi's `TenantModuleDescriptor`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TenantModule {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default = "enable")]
    pub action: String,
}

fn enable() -> String {
    "enable".to_string()
}

#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub tenant_parameters: Option<String>,
    pub simulate: bool,
    pub invoke: bool,
    pub dep_check: bool,
    pub purge: bool,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            tenant_parameters: None,
            simulate: false,
            invoke: true,
            dep_check: true,
            purge: false,
        }
    }
}

pub type InstallError = (StatusCode, String);

fn user_error(msg: impl Into<String>) -> InstallError {
    (StatusCode::BAD_REQUEST, msg.into())
}

/// Runs an install for `tenant`; returns the resulting list as Okapi does.
pub(crate) async fn install(
    state: &State,
    tenant: &str,
    request: Vec<TenantModule>,
    options: &InstallOptions,
) -> Result<Vec<TenantModule>, InstallError> {
    let plan = {
        let reg = state.registry.read().expect("registry lock");
        if !reg.tenants.contains_key(tenant) {
            return Err((StatusCode::NOT_FOUND, tenant.to_string()));
        }
        Planner::new(&reg, tenant, options.dep_check).plan(request)?
    };
    if options.simulate {
        return Ok(plan);
    }
    for tm in &plan {
        let (to, from) = match tm.action.as_str() {
            "enable" => (Some(tm.id.as_str()), tm.from.as_deref()),
            "disable" => (None, Some(tm.id.as_str())),
            _ => continue, // uptodate
        };
        let md = {
            let reg = state.registry.read().expect("registry lock");
            reg.module(to.or(from).expect("id"))
        };
        let Some(md) = md else {
            return Err(user_error(format!("Module {} not found", tm.id)));
        };
        if options.invoke {
            let started = Instant::now();
            log::info!(
                "Starting activation of module '{}' for tenant '{tenant}'",
                md.id
            );
            invoke_tenant_interface(state, tenant, &md, to, from, options).await?;
            log::info!(
                "Activation of module '{}' for tenant '{tenant}' completed successfully in {} ms",
                md.id,
                started.elapsed().as_millis()
            );
        }
        let mut reg = state.registry.write().expect("registry lock");
        if let Some(from) = from {
            reg.set_enabled(tenant, from, false);
        }
        if let Some(to) = to {
            reg.set_enabled(tenant, to, true);
        }
    }
    Ok(plan)
}

/// Orders an install request: dependencies first, missing ones added from the registered
/// modules (latest version providing a compatible interface), upgrades detected by product.
struct Planner<'a> {
    reg: &'a Registry,
    dep_check: bool,
    /// Modules enabled after the install.
    target: BTreeSet<String>,
    /// Modules to enable → module they replace.
    pending: HashMap<String, Option<String>>,
    placed: HashSet<String>,
    visiting: HashSet<String>,
    out: Vec<TenantModule>,
    errors: Vec<String>,
}

impl<'a> Planner<'a> {
    fn new(reg: &'a Registry, tenant: &str, dep_check: bool) -> Planner<'a> {
        Planner {
            reg,
            dep_check,
            target: reg.tenants[tenant].enabled.clone(),
            pending: HashMap::new(),
            placed: HashSet::new(),
            visiting: HashSet::new(),
            out: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn enabled_of_product(&self, id: &str) -> Option<String> {
        let product = split_module_id(id).0;
        self.target
            .iter()
            .find(|e| split_module_id(e).0 == product)
            .cloned()
    }

    fn plan(mut self, request: Vec<TenantModule>) -> Result<Vec<TenantModule>, InstallError> {
        let mut enables = Vec::new();
        for tm in request {
            match tm.action.as_str() {
                "enable" => match self.reg.resolve_module_id(&tm.id) {
                    None => self.errors.push(format!("Module {} not found", tm.id)),
                    Some(id) if self.target.contains(&id) => self.out.push(TenantModule {
                        id,
                        from: None,
                        action: "uptodate".to_string(),
                    }),
                    Some(id) => {
                        let from = self.enabled_of_product(&id);
                        if let Some(f) = &from {
                            self.target.remove(f);
                        }
                        self.target.insert(id.clone());
                        self.pending.insert(id.clone(), from);
                        enables.push(id);
                    }
                },
                "disable" => {
                    let id = if self.target.contains(&tm.id) {
                        Some(tm.id.clone())
                    } else {
                        self.enabled_of_product(&tm.id)
                    };
                    match id {
                        Some(id) => {
                            self.target.remove(&id);
                            self.out.push(TenantModule {
                                id,
                                from: None,
                                action: "disable".to_string(),
                            });
                        }
                        None => self.errors.push(format!("Module {} not found", tm.id)),
                    }
                }
                "uptodate" => {}
                other => self
                    .errors
                    .push(format!("Not implemented: action = {other}")),
            }
        }
        for id in enables {
            self.visit(&id);
        }
        if self.errors.is_empty() {
            Ok(self.out)
        } else {
            Err(user_error(self.errors.join(". ")))
        }
    }

    fn visit(&mut self, id: &str) {
        if self.placed.contains(id) || !self.visiting.insert(id.to_string()) {
            return;
        }
        if self.dep_check {
            let md = self.reg.module(id).expect("resolved module");
            for req in &md.requires {
                self.satisfy(&md, &req.id, &req.version);
            }
        }
        self.placed.insert(id.to_string());
        self.out.push(TenantModule {
            id: id.to_string(),
            from: self.pending.get(id).cloned().flatten(),
            action: "enable".to_string(),
        });
    }

    fn satisfy(&mut self, md: &ModuleDescriptor, iface: &str, version: &str) {
        let provider = self.target.iter().find(|p| {
            self.reg
                .module(p)
                .is_some_and(|m| m.provides_compatible(iface, version))
        });
        if let Some(p) = provider.cloned() {
            if self.pending.contains_key(&p) {
                self.visit(&p);
            }
            return;
        }
        let candidate = self
            .reg
            .modules
            .values()
            .filter(|m| m.md.provides_compatible(iface, version))
            .map(|m| m.md.id.clone())
            .max_by(|a, b| {
                compare_versions(
                    split_module_id(a).1.unwrap_or(""),
                    split_module_id(b).1.unwrap_or(""),
                )
            });
        match candidate {
            Some(c) => {
                let from = self.enabled_of_product(&c);
                if let Some(f) = &from {
                    self.target.remove(f);
                }
                self.target.insert(c.clone());
                self.pending.insert(c.clone(), from);
                self.visit(&c);
            }
            None => self.errors.push(format!(
                "interface {iface} required by module {} not found",
                md.id
            )),
        }
    }
}

fn tenant_parameters(spec: &str) -> Value {
    let params: Vec<Value> = spec
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => json!({"key": k, "value": v}),
            None => json!({"key": p}),
        })
        .collect();
    Value::Array(params)
}

/// Calls the `_tenant` interface of `md` (no interface: nothing to do, as in Okapi).
async fn invoke_tenant_interface(
    state: &State,
    tenant: &str,
    md: &ModuleDescriptor,
    module_to: Option<&str>,
    module_from: Option<&str>,
    options: &InstallOptions,
) -> Result<(), InstallError> {
    let Some(iface) = md.interface("_tenant") else {
        log::info!("{}: has no support for tenant init", md.id);
        return Ok(());
    };
    let v2 = iface.version.trim().starts_with('2');
    let disabling = module_to.is_none();
    let post_path = iface
        .handlers
        .iter()
        .filter(|h| h.methods.iter().any(|m| m == "POST" || m == "*"))
        .filter_map(|h| h.path_pattern.clone().or_else(|| h.path.clone()))
        .find(|p| {
            if disabling && !v2 {
                p.ends_with("/disable")
            } else {
                !p.contains('{') && !p.ends_with("/disable")
            }
        });
    let Some(post_path) = post_path else {
        log::info!("{}: no _tenant handler for this operation", md.id);
        return Ok(());
    };
    let job_pattern = iface
        .handlers
        .iter()
        .filter(|h| h.methods.iter().any(|m| m == "GET" || m == "*"))
        .filter_map(|h| h.path_pattern.clone())
        .find(|p| p.contains("{id}"));

    let mut body = json!({});
    if let Some(to) = module_to {
        body["module_to"] = json!(to);
    }
    if let Some(from) = module_from {
        body["module_from"] = json!(from);
    }
    if disabling && options.purge {
        body["purge"] = json!(true);
    }
    if let Some(tp) = &options.tenant_parameters {
        body["parameters"] = tenant_parameters(tp);
    }

    let instances = state
        .registry
        .write()
        .expect("registry lock")
        .instances_round_robin(&md.id);
    if instances.is_empty() {
        return Err(user_error(format!(
            "No running instances for module {}. Can not invoke {post_path}",
            md.id
        )));
    }
    let call = |method: reqwest::Method, instance: &str, path: &str, timeout: Duration| {
        state
            .client
            .request(method, format!("{instance}{path}"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "*/*")
            .header("X-Okapi-Tenant", tenant)
            .header("X-Okapi-Url", state.base_url.as_str())
            .header("X-Okapi-Url-to", instance)
            .header("X-Okapi-Token", dummy_token(tenant, None))
            .header("X-Okapi-Request-Id", chain_request_id(None, path))
    };
    let failed = |method: &str, path: &str, what: String| {
        user_error(format!(
            "{method} request for {} {path} failed with {what}",
            md.id
        ))
    };

    // POST, skipping instances that refuse the connection
    let mut chosen = None;
    for (i, instance) in instances.iter().enumerate() {
        match call(
            reqwest::Method::POST,
            instance,
            &post_path,
            super::REQUEST_TIMEOUT,
        )
        .body(body.to_string())
        .send()
        .await
        {
            Ok(resp) => {
                chosen = Some((instance.clone(), resp));
                break;
            }
            Err(e) if e.is_connect() && i + 1 < instances.len() => {
                log::warn!("{}: instance {instance} refused: {e}; trying next", md.id);
            }
            Err(e) => return Err(failed("POST", &post_path, e.to_string())),
        }
    }
    let (instance, resp) = chosen.expect("an attempt returned");
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(failed("POST", &post_path, text));
    }
    let Some(location) = location else {
        return Ok(()); // done synchronously (204)
    };
    let job_id = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
    let job_path = match (&job_id, &job_pattern) {
        (Some(id), Some(pattern)) => pattern.replace("{id}", id),
        _ => {
            let loc = location
                .strip_prefix(instance.as_str())
                .unwrap_or(&location)
                .to_string();
            if loc.starts_with("http://") || loc.starts_with("https://") {
                return Err(failed(
                    "POST",
                    &post_path,
                    format!("unusable Location {location}"),
                ));
            }
            loc
        }
    };

    let deadline = Instant::now() + Duration::from_secs(900);
    let mut pause = Duration::from_millis(100);
    let job = loop {
        let sep = if job_path.contains('?') { '&' } else { '?' };
        let resp = call(
            reqwest::Method::GET,
            &instance,
            &format!("{job_path}{sep}wait=60000"),
            Duration::from_secs(90),
        )
        .send()
        .await
        .map_err(|e| failed("GET", &job_path, e.to_string()))?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(failed("GET", &job_path, text));
        }
        let job: Value = serde_json::from_str(&text)
            .map_err(|e| failed("GET", &job_path, format!("{e}: {text}")))?;
        if job.get("complete").and_then(Value::as_bool) == Some(true) {
            break job;
        }
        if Instant::now() > deadline {
            return Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "Tenant operation failed for module {}: job {job_path} not complete after 15 minutes",
                    md.id
                ),
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 5 / 4).min(Duration::from_secs(2));
    };
    let resp = call(
        reqwest::Method::DELETE,
        &instance,
        &job_path,
        super::REQUEST_TIMEOUT,
    )
    .send()
    .await
    .map_err(|e| failed("DELETE", &job_path, e.to_string()))?;
    if !resp.status().is_success() {
        let text = resp.text().await.unwrap_or_default();
        return Err(failed("DELETE", &job_path, text));
    }
    match job.get("error") {
        None | Some(Value::Null) => Ok(()),
        Some(error) => {
            let mut message = match error {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some(Value::Array(msgs)) = job.get("messages") {
                for m in msgs {
                    message.push('\n');
                    message.push_str(
                        m.as_str()
                            .map(str::to_string)
                            .unwrap_or(m.to_string())
                            .as_str(),
                    );
                }
            }
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Tenant operation failed for module {}: {message}", md.id),
            ))
        }
    }
}
