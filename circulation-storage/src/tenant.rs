//! Tenant identity: `X-Okapi-Tenant` checked once at the edge, then used as a schema name.
use crate::error::StorageError;
use crate::records::metadata;
use actix_web::{dev::Payload, FromRequest, HttpRequest};
use futures::future::{ready, Ready};
use shared_types::okapi;

/// The module part of schema names (`{tenant}_mod_circulation_storage`), as RMB derives it.
pub(crate) const MODULE_SCHEMA_SUFFIX: &str = "mod_circulation_storage";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(text: &str) -> Result<TenantId, StorageError> {
        if okapi::is_valid_tenant_id(text) {
            Ok(TenantId(text.to_string()))
        } else {
            Err(StorageError::BadRequest(
                "Invalid tenant id: X-Okapi-Tenant must match ^[a-z][a-z0-9_]{0,62}$".into(),
            ))
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// Safe to splice into SQL identifiers: only [a-z0-9_] by construction.
    pub(crate) fn schema(&self) -> String {
        format!("{}_{}", self.0, MODULE_SCHEMA_SUFFIX)
    }
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn tenant_of(req: &HttpRequest) -> Result<TenantId, StorageError> {
    match req.headers().get(okapi::TENANT) {
        None => Err(StorageError::BadRequest(
            "Unable to process request Tenant must be set".into(),
        )),
        Some(value) => TenantId::parse(value.to_str().unwrap_or_default()),
    }
}

impl FromRequest for TenantId {
    type Error = StorageError;
    type Future = Ready<Result<TenantId, StorageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(tenant_of(req))
    }
}

/// What a request tells about its caller: tenant and user (for metadata).
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) tenant: TenantId,
    pub(crate) user_id: Option<String>,
}

impl FromRequest for Caller {
    type Error = StorageError;
    type Future = Ready<Result<Caller, StorageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(tenant_of(req).map(|tenant| Caller {
            tenant,
            user_id: metadata::user_id(header(req, okapi::USER_ID), header(req, okapi::TOKEN)),
        }))
    }
}
