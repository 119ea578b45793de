//! Tenant settings, read fresh on every flow as mod-circulation does: the TLR circulation
//! settings (circulation storage), the locale (mod-configuration / settings) and the check-out
//! lock (mod-settings).
use crate::domain::settings::{time_zone, title_level_requests_enabled};
use crate::domain::LockSettings;
use crate::okapi::{CallError, Okapi};
use chrono_tz::Tz;

#[derive(Clone, Copy)]
pub(crate) struct Settings<'a>(pub(super) &'a Okapi);

impl Settings<'_> {
    pub(crate) async fn title_level_requests_enabled(&self) -> Result<bool, CallError> {
        let settings = self
            .0
            .get_list(
                "TLR settings",
                "/circulation-settings-storage/circulation-settings",
                &[
                    (
                        "query",
                        "name==(\"TLR\" or \"generalTlr\" or \"regularTlr\")",
                    ),
                    ("limit", "3"),
                ],
                "circulationSettings",
            )
            .await?;
        Ok(title_level_requests_enabled(&settings))
    }

    /// The tenant's time zone; none when it cannot be read.
    pub(crate) async fn time_zone(&self) -> Option<Tz> {
        match self.0.get("locale", "/locale", &[]).await {
            Ok(locale) => time_zone(&locale),
            Err(_) => None,
        }
    }

    /// `checkoutLockFeature`; a setting that cannot be read means no lock, as in
    /// mod-circulation.
    pub(crate) async fn check_out_lock(&self) -> LockSettings {
        let query = "scope==\"mod-circulation\" and key==\"checkoutLockFeature\"";
        match self
            .0
            .get_list(
                "check-out lock settings",
                "/settings/entries",
                &[("query", query), ("limit", "1")],
                "items",
            )
            .await
        {
            Ok(items) => items
                .first()
                .and_then(|entry| entry.get("value"))
                .map(LockSettings::from_value)
                .unwrap_or(LockSettings::OFF),
            Err(e) => {
                log::warn!("check-out: lock settings not read, no lock taken: {e}");
                LockSettings::OFF
            }
        }
    }
}
