//! `GET/PUT /circulation/rules` (through `/circulation-rules-storage`) and the policy lookups
//! `GET /circulation/rules/{loan,request,notice,overdue-fine,lost-item}-policy[-all]`.
use super::{okapi_for, text};
use crate::app::AppState;
use crate::fanout::Fan;
use crate::okapi::{CallError, Okapi};
use crate::rules::{self, MatchInput, PolicyType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

const RULES_PATH: &str = "/circulation-rules-storage";

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_string_pretty(body).unwrap_or_default())
}

pub async fn get_rules(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let okapi = match okapi_for(&req, &state) {
        Ok(o) => o,
        Err(r) => return r,
    };
    match okapi.get("circulation rules", RULES_PATH, &[]).await {
        Ok(v) => json_response(
            StatusCode::OK,
            &json!({"rulesAsText": v.get("rulesAsText").cloned().unwrap_or(json!(""))}),
        ),
        Err(e) => e.to_response(),
    }
}

/// Every policy id of each type, for the existence check of `PUT`.
async fn policy_ids(
    okapi: &Okapi,
    fan: Fan,
) -> Result<HashMap<PolicyType, HashSet<String>>, CallError> {
    let sources = [
        (
            PolicyType::Loan,
            "/loan-policy-storage/loan-policies",
            "loanPolicies",
        ),
        (
            PolicyType::Request,
            "/request-policy-storage/request-policies",
            "requestPolicies",
        ),
        (
            PolicyType::Notice,
            "/patron-notice-policy-storage/patron-notice-policies",
            "patronNoticePolicies",
        ),
        (
            PolicyType::OverdueFine,
            "/overdue-fines-policies",
            "overdueFinePolicies",
        ),
        (
            PolicyType::LostItem,
            "/lost-item-fees-policies",
            "lostItemFeePolicies",
        ),
    ];
    let calls = sources
        .iter()
        .map(|(kind, path, key)| async move {
            let list = okapi
                .get_list(
                    &format!("{} policies", kind.letter()),
                    path,
                    &[("limit", "2147483647")],
                    key,
                )
                .await?;
            let ids: HashSet<String> = list
                .iter()
                .filter_map(|p| p.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            Ok::<_, CallError>((*kind, ids))
        })
        .collect();
    let mut out = HashMap::new();
    for r in fan.all(calls).await {
        let (kind, ids) = r?;
        out.insert(kind, ids);
    }
    Ok(out)
}

pub async fn put_rules(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let okapi = match okapi_for(&req, &state) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("Invalid JSON: {e}")),
    };
    let Some(rules_text) = body.get("rulesAsText").and_then(Value::as_str) else {
        return text(StatusCode::UNPROCESSABLE_ENTITY, "rulesAsText is required");
    };
    let fan = Fan::for_request(&req, state.settings.fan_out);
    let ids = match policy_ids(&okapi, fan).await {
        Ok(ids) => ids,
        Err(e) => return e.to_response(),
    };
    let checked = rules::parse_with_policy_check(rules_text, |kind, id| {
        ids.get(&kind).is_some_and(|set| set.contains(id))
    });
    if let Err(e) = checked {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &serde_json::to_value(&e).unwrap_or_default(),
        );
    }
    let stored = json!({"rulesAsText": rules_text});
    let result = okapi
        .write(
            "store circulation rules",
            Method::PUT,
            RULES_PATH,
            Some(&stored),
        )
        .await;
    state.cache.invalidate(&okapi.tenant, RULES_PATH);
    match result {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err(e) => e.to_response(),
    }
}

/// `{kind}-policy` or `{kind}-policy-all`: the policy type, its id key, and whether every
/// match is wanted.
fn kind_of(path: &str) -> Option<(PolicyType, &'static str, bool)> {
    let (name, all) = match path.strip_suffix("-all") {
        Some(name) => (name, true),
        None => (path, false),
    };
    let (kind, key) = match name {
        "loan-policy" => (PolicyType::Loan, "loanPolicyId"),
        "request-policy" => (PolicyType::Request, "requestPolicyId"),
        "notice-policy" => (PolicyType::Notice, "noticePolicyId"),
        "overdue-fine-policy" => (PolicyType::OverdueFine, "overdueFinePolicyId"),
        "lost-item-policy" => (PolicyType::LostItem, "lostItemPolicyId"),
        _ => return None,
    };
    Some((kind, key, all))
}

pub async fn policy_lookup(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some((kind, key, all)) = kind_of(&path) else {
        return text(StatusCode::NOT_FOUND, "Not found");
    };
    let okapi = match okapi_for(&req, &state) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut params = Vec::new();
    for name in [
        "item_type_id",
        "loan_type_id",
        "patron_type_id",
        "location_id",
    ] {
        match query.get(name).filter(|v| !v.trim().is_empty()) {
            Some(v) => params.push(v.clone()),
            None => {
                return text(
                    StatusCode::BAD_REQUEST,
                    format!("required query parameter missing: {name}"),
                )
            }
        }
    }
    let location = match okapi
        .get_opt("location", &format!("/locations/{}", params[3]))
        .await
    {
        Ok(l) => l,
        Err(e) => return e.to_response(),
    };
    let unit = |k: &str| {
        location
            .as_ref()
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let input = MatchInput {
        item_type_id: params[0].clone(),
        loan_type_id: params[1].clone(),
        patron_group_id: params[2].clone(),
        location_id: params[3].clone(),
        library_id: unit("libraryId"),
        campus_id: unit("campusId"),
        institution_id: unit("institutionId"),
    };
    let gatherer = crate::checkout::gather::Gatherer {
        okapi: &okapi,
        fan: Fan::for_request(&req, state.settings.fan_out),
        cache: &state.cache,
    };
    // `-all` may evaluate rules given in the request instead of the stored ones.
    let given = query.get("rules").filter(|_| all);
    let rules = match given {
        Some(text) => match rules::parse(text) {
            Ok(r) => std::sync::Arc::new(r),
            Err(e) => {
                return json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &serde_json::to_value(&e).unwrap_or_default(),
                )
            }
        },
        None => match gatherer.rules().await {
            Ok(r) => r,
            Err(f) => return f.to_response(),
        },
    };
    if all {
        let matches: Vec<Value> = rules
            .find_all(kind, &input)
            .into_iter()
            .map(|m| {
                let line = match m.line {
                    0 => rules.fallback_line(),
                    line => line,
                };
                json!({"ruleLine": line, key: m.policy_id})
            })
            .collect();
        return json_response(StatusCode::OK, &json!({ "ruleMatches": matches }));
    }
    let found = rules.find(kind, &input);
    json_response(
        StatusCode::OK,
        &json!({
            key: found.policy_id,
            "appliedRuleConditions": found.applied_rule_conditions,
        }),
    )
}
