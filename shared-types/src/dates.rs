//! How FOLIO's modules write date-times. The two forms differ only in the zone suffix, and
//! clients compare them as text, so each module writes its own.
use chrono::{DateTime, SecondsFormat, Utc};

/// UTC with milliseconds and `Z` (`2024-05-01T10:00:00.000Z`), as mod-circulation writes them.
pub fn iso_millis_z(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// UTC with milliseconds and `+00:00` (`2024-05-01T10:00:00.000+00:00`), as RMB's Jackson writes
/// them for mod-circulation-storage.
pub fn iso_millis_offset(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn both_forms() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        assert_eq!(iso_millis_z(t), "2024-05-01T10:00:00.000Z");
        assert_eq!(iso_millis_offset(t), "2024-05-01T10:00:00.000+00:00");
    }
}
