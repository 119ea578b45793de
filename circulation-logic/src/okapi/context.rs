//! The Okapi context of an incoming request as an actix extractor: handlers take an [`Okapi`]
//! argument and a request without the Okapi headers is refused with FOLIO's 400.
use super::client::Okapi;
use crate::error::Failure;
use crate::state::{AppState, WorkerHttp};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::{ready, Ready};

impl FromRequest for Okapi {
    type Error = Failure;
    type Future = Ready<Result<Okapi, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context(req))
    }
}

fn context(req: &HttpRequest) -> Result<Okapi, Failure> {
    let (Some(WorkerHttp(http)), Some(state)) = (
        req.app_data::<WorkerHttp>(),
        req.app_data::<web::Data<AppState>>(),
    ) else {
        return Err(Failure::Server("no HTTP client on this worker".into()));
    };
    Okapi::from_headers(http, state.settings.okapi_timeout_ms, req).map_err(Failure::BadRequest)
}
