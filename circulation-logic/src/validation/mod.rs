//! mod-circulation's validations, one rule per function; each flow composes them in FOLIO's
//! order (`flows/check_out/validate.rs`). Every rule answers FOLIO's error (message, code, parameters) or nothing;
//! a flow collects them all and refuses with one 422.
pub(crate) mod check_in;
pub(crate) mod item;
pub(crate) mod item_limit;
pub(crate) mod loanable;
pub(crate) mod overrides;
pub(crate) mod patron_blocks;
pub(crate) mod proxy;
pub(crate) mod renewal;
pub(crate) mod requests;
pub(crate) mod service_point;
pub(crate) mod user;

use shared_types::errors::Error;

/// Whether the caller holds a permission (from `X-Okapi-Permissions`).
pub(crate) type Granted<'a> = &'a dyn Fn(&str) -> bool;

/// FOLIO's error with its parameters (`None`: the value JSON `null`) and code.
pub(crate) fn error(
    message: impl Into<String>,
    params: &[(&str, Option<&str>)],
    code: Option<&str>,
) -> Error {
    let mut e = Error::new(message);
    for (k, v) in params {
        e = e.with_parameter(*k, v.map(str::to_string));
    }
    if let Some(code) = code {
        e = e.with_code(code);
    }
    e
}

/// `e` marked as overridable by the block `name` with `permission`, listed as missing when
/// the caller lacks it.
pub(crate) fn overridable(mut e: Error, name: &str, permission: &str, granted: Granted) -> Error {
    let missing: Vec<&str> = if granted(permission) {
        vec![]
    } else {
        vec![permission]
    };
    e.overridable_block = Some(serde_json::json!({"name": name, "missingPermissions": missing}));
    e
}

/// Each distinct error once, in order (FOLIO answers two overrides, or two automated blocks,
/// that say the same once).
pub(crate) fn distinct(errors: Vec<Error>) -> Vec<Error> {
    let mut out: Vec<Error> = Vec::with_capacity(errors.len());
    for e in errors {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}
