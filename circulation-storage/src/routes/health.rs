//! `GET /admin/health`: 200 when the database answers.
use super::State;
use actix_web::{web, HttpResponse};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/health", web::get().to(health));
}

async fn health(state: State) -> HttpResponse {
    match crate::db::ping(&state.pool).await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("OK"),
        Err(e) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body(e.to_string()),
    }
}
