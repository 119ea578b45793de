//! mod-notify: patron notices, rendered from a template and sent (`POST /patron-notice`).
use crate::okapi::{CallError, Okapi};
use reqwest::Method;
use serde_json::Value;

#[derive(Clone, Copy)]
pub(crate) struct Notify<'a>(pub(super) &'a Okapi);

impl Notify<'_> {
    /// Sends one notice (`patron_notice` body: recipient, template, channel, context).
    pub(crate) async fn send(&self, notice: &Value) -> Result<(), CallError> {
        self.0
            .write(
                "send patron notice",
                Method::POST,
                "/patron-notice",
                Some(notice),
            )
            .await
            .map(|_| ())
    }
}
