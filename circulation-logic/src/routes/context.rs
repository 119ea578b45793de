//! The Okapi context of an incoming request as an actix extractor: handlers take a [`Context`]
//! argument (an [`Okapi`] handle) and a request without the Okapi headers is refused with
//! FOLIO's 400.
use crate::error::Failure;
use crate::okapi::Okapi;
use crate::state::{AppState, WorkerHttp};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::{ready, Ready};
use std::ops::Deref;

/// The Okapi handle of the request being served.
pub(crate) struct Context(Okapi);

impl Deref for Context {
    type Target = Okapi;

    fn deref(&self) -> &Okapi {
        &self.0
    }
}

impl FromRequest for Context {
    type Error = Failure;
    type Future = Ready<Result<Context, Failure>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context(req).map(Context))
    }
}

fn context(req: &HttpRequest) -> Result<Okapi, Failure> {
    let (Some(WorkerHttp(http)), Some(state)) = (
        req.app_data::<WorkerHttp>(),
        req.app_data::<web::Data<AppState>>(),
    ) else {
        return Err(Failure::Server("no HTTP client on this worker".into()));
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    Okapi::from_headers(http, state.settings.okapi_timeout_ms, header).map_err(Failure::BadRequest)
}
