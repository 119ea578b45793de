//! `GET/PUT /circulation/rules` (through `/circulation-rules-storage`) and the policy lookups
//! `GET /circulation/rules/{loan,request,notice,overdue-fine,lost-item}-policy[-all]`.
use super::text;
use super::Context;
use crate::error::Failure;
use crate::flows::policies::circulation_rules;
use crate::rules::{self, MatchInput, PolicyType};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use serde_json::{json, Value};

fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_string_pretty(body).unwrap_or_default())
}

pub(crate) async fn get_rules(
    req: HttpRequest,
    okapi: Context,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let peers = super::peers(&req, &okapi, &state);
    // The storage document as it is (`id`, `rulesAsText`, `metadata`), as FOLIO answers.
    let document = peers.storage().rules_document().await?;
    Ok(json_response(StatusCode::OK, &document))
}

/// A 422 `{"message": ...}`: FOLIO's answer to a body it cannot take as rules.
fn message_422(message: impl Into<String>) -> HttpResponse {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({"message": message.into()}),
    )
}

pub(crate) async fn put_rules(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    // A body that is no JSON object is FOLIO's decode failure: 422 with the decoder's message.
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return message_422("Failed to decode:expected a JSON object"),
        Err(e) => return message_422(format!("Failed to decode:{e}")),
    };
    let rules_text = match body.get("rulesAsText") {
        Some(Value::String(t)) => t.as_str(),
        None | Some(Value::Null) => return message_422("rulesAsText is required"),
        Some(_) => return message_422("rulesAsText must be a string"),
    };
    let peers = super::peers(&req, &okapi, &state);
    let ids = match peers.policy_ids().await {
        Ok(ids) => ids,
        Err(e) => return Failure::Call(e).error_response(),
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
    // The client's whole object goes to storage (as FOLIO does), its rules now checked.
    match peers.storage().store_rules(&body).await {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err(e) => Failure::Call(e).error_response(),
    }
}

/// `{kind}-policy` or `{kind}-policy-all`: the policy type, its id key (of the single lookup
/// and of the RAML-named `ruleMatches`), and whether every match is wanted.
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

/// The id key of each `circulationRuleMatches` entry, as FOLIO's rules engine writes it
/// (`overduePolicyId`, where the single lookup says `overdueFinePolicyId`).
fn folio_match_key(kind: PolicyType) -> &'static str {
    match kind {
        PolicyType::Loan => "loanPolicyId",
        PolicyType::Request => "requestPolicyId",
        PolicyType::Notice => "noticePolicyId",
        PolicyType::OverdueFine => "overduePolicyId",
        PolicyType::LostItem => "lostItemPolicyId",
    }
}

/// The pattern FOLIO checks each lookup parameter against; it is quoted in the 400.
const UUID_PATTERN: &str =
    "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[1-5][a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$";

/// Whether `value` matches [`UUID_PATTERN`]: 8-4-4-4-12 hex digits, version 1-5, variant 8/9/a/b.
fn is_folio_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => (b'1'..=b'5').contains(&c),
            19 => matches!(c, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
            _ => c.is_ascii_hexdigit(),
        })
}

/// The four lookup parameters (item type, loan type, patron group, location), checked in
/// FOLIO's order; the first absent or malformed one is a 400 `text/plain`. A repeated
/// parameter counts by its first value.
fn lookup_params(query: &[(String, String)]) -> Result<[String; 4], Failure> {
    let names = [
        "item_type_id",
        "loan_type_id",
        "patron_type_id",
        "location_id",
    ];
    let mut values: [String; 4] = Default::default();
    for (slot, name) in values.iter_mut().zip(names) {
        let Some((_, value)) = query.iter().find(|(k, _)| k == name) else {
            return Err(Failure::BadRequest(format!(
                "required query parameter missing: {name}"
            )));
        };
        if !is_folio_uuid(value) {
            return Err(Failure::BadRequest(format!(
                "invalid uuid format of {name}, expecting {UUID_PATTERN} but it is {value}"
            )));
        }
        *slot = value.clone();
    }
    Ok(values)
}

pub(crate) async fn policy_lookup(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some((kind, key, all)) = kind_of(&path) else {
        return text(StatusCode::NOT_FOUND, "Not found");
    };
    let params = match lookup_params(&query) {
        Ok(p) => p,
        Err(f) => return f.error_response(),
    };
    let okapi = match Context::extract(&req).await {
        Ok(o) => o,
        Err(f) => return f.error_response(),
    };
    // As FOLIO: a location that cannot be read (missing, or any failure) leaves the rules
    // evaluated without its institution, campus and library.
    let peers = super::peers(&req, &okapi, &state);
    let location = match peers.inventory().location_read_fresh(&params[3]).await {
        Ok(l) => l,
        Err(e) => {
            log::warn!(
                "circulation rules: location {} not read, evaluating without it: {e}",
                params[3]
            );
            None
        }
    };
    let units = location.map(|l| l.units()).unwrap_or_default();
    let input = MatchInput {
        item_type_id: params[0].clone(),
        loan_type_id: params[1].clone(),
        patron_group_id: params[2].clone(),
        location_id: params[3].clone(),
        library_id: units.library_id,
        campus_id: units.campus_id,
        institution_id: units.institution_id,
    };
    // `-all` may evaluate rules given in the request instead of the stored ones.
    let given = query
        .iter()
        .find(|(k, _)| k == "rules")
        .map(|(_, v)| v)
        .filter(|_| all);
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
        None => match circulation_rules(peers).await {
            Ok(r) => r,
            Err(f) => return f.error_response(),
        },
    };
    if all {
        // Both namings: FOLIO's code answers `circulationRuleMatches` (`circulationRuleLine`,
        // `overduePolicyId`), its RAML documents `ruleMatches` (`ruleLine`).
        let found: Vec<(usize, String)> = rules
            .find_all(kind, &input)
            .into_iter()
            .map(|m| {
                let line = match m.line {
                    0 => rules.fallback_line(),
                    line => line,
                };
                (line, m.policy_id)
            })
            .collect();
        let folio_key = folio_match_key(kind);
        let folio: Vec<Value> = found
            .iter()
            .map(|(line, id)| json!({"circulationRuleLine": line, folio_key: id}))
            .collect();
        let raml: Vec<Value> = found
            .iter()
            .map(|(line, id)| json!({"ruleLine": line, key: id}))
            .collect();
        return json_response(
            StatusCode::OK,
            &json!({"circulationRuleMatches": folio, "ruleMatches": raml}),
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "1a54b431-2e4f-452d-9cae-9cee66c9a892";

    #[test]
    fn uuid_check_is_folios_pattern() {
        assert!(is_folio_uuid(ID));
        assert!(is_folio_uuid("1A54B431-2E4F-552D-BCAE-9CEE66C9A892"));
        for bad in [
            "",
            "0",
            "f",
            "-",
            "1a54b4312e4f452d9cae9cee66c9a892",
            "1a54b431-2e4f-052d-9cae-9cee66c9a892",
            "1a54b431-2e4f-652d-9cae-9cee66c9a892",
            "1a54b431-2e4f-452d-7cae-9cee66c9a892",
            "1a54b431-2e4f-452d-cae0-9cee66c9a892",
            "1a54b431-2e4f-452d-9cae-9cee66c9a89g",
            "1a54b431-2e4f-452d-9cae-9cee66c9a892\n",
            " 1a54b431-2e4f-452d-9cae-9cee66c9a892",
        ] {
            assert!(!is_folio_uuid(bad), "{bad:?}");
        }
    }

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    async fn body_of(response: HttpResponse) -> (u16, String) {
        let status = response.status().as_u16();
        let bytes = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap_or_default();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[actix_web::test]
    async fn lookup_parameters_in_folios_order() {
        let all = [
            ("item_type_id", ID),
            ("loan_type_id", ID),
            ("patron_type_id", ID),
            ("location_id", ID),
        ];
        assert!(lookup_params(&query(&all)).is_ok());

        let missing = lookup_params(&query(&all[1..]))
            .unwrap_err()
            .error_response();
        assert_eq!(
            body_of(missing).await,
            (400, "required query parameter missing: item_type_id".into())
        );
        // The first bad one in order wins, whatever the query's order.
        let q = query(&[
            ("location_id", "x"),
            ("item_type_id", ID),
            ("loan_type_id", ""),
        ]);
        assert_eq!(
            body_of(lookup_params(&q).unwrap_err().error_response()).await,
            (
                400,
                format!("invalid uuid format of loan_type_id, expecting {UUID_PATTERN} but it is ")
            )
        );
        // A repeated parameter counts by its first value.
        let mut q = query(&all);
        q.insert(0, ("patron_type_id".into(), "0".into()));
        let (status, text) = body_of(lookup_params(&q).unwrap_err().error_response()).await;
        assert_eq!(status, 400);
        assert!(text.ends_with("but it is 0"), "{text}");
    }
}
