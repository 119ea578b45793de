//! Builds the actix application, bound to a listener so tests can use port 0.
use crate::config::Settings;
use actix_web::middleware::Logger;
use actix_web::{dev::Server, web, App, HttpResponse, HttpServer};
use std::net::TcpListener;

pub struct AppState {
    pub settings: Settings,
}

pub fn run(listener: TcpListener, settings: Settings) -> std::io::Result<Server> {
    let state = web::Data::new(AppState { settings });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(Logger::new("%{x-okapi-request-id}i %{x-okapi-tenant}i \"%r\" %s %b %Dms"))
            .route("/admin/health", web::get().to(health))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// The module holds no state, so it is healthy whenever it answers.
async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("OK")
}
