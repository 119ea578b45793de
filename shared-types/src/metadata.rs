//! Pieces every FOLIO record shares: `metadata` (raml-util `metadata.schema`), `tags`
//! (raml-util `tags.schema`), the map that keeps unknown properties, and the handling of
//! `readonly` properties.
//!
//! Conventions used by every record type in this crate (they mirror how RMB maps a body onto
//! the POJO generated from a JSON schema):
//! - `"additionalProperties": false` → `#[serde(deny_unknown_fields)]`: an unknown property is
//!   an error (RMB: 422 `Unrecognized field`).
//! - otherwise unknown properties are kept in `extra` (`#[serde(flatten)]`), so nothing is
//!   lost on a round trip.
//! - required properties are plain fields (missing → error), optional ones are `Option`s and
//!   are left out of the output when `None` (RMB leaves nulls out too).
//! - `enum`s are Rust enums: a value outside the list fails deserialisation.
//! - `format: date-time` and UUIDs stay `String`s; their syntax is checked by the storage
//!   module. JSON `integer` is `i32` (Java `Integer`), `number` is `f64` (Java `Double`).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Unknown properties kept on records whose schema allows them.
pub type JsonMap = serde_json::Map<String, Value>;

/// `metadata.schema`: creation and change information, filled by the storage module on write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    pub created_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_username: Option<String>,
}

/// `tags.schema`: a list of simple tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_list: Option<Vec<String>>,
}

/// Removes the properties at the given dotted paths (`"metadata"`, `"status.date"`), as RMB
/// does with `readonly` properties before it maps a body: they are silently dropped, never
/// rejected. Each record type lists its paths in `READ_ONLY_FIELDS`. A path segment that
/// meets an array applies to every element.
pub fn strip_read_only(value: &mut Value, paths: &[&str]) {
    for path in paths {
        let segments: Vec<&str> = path.split('.').collect();
        strip_path(value, &segments);
    }
}

fn strip_path(value: &mut Value, segments: &[&str]) {
    match value {
        Value::Array(items) => {
            for item in items {
                strip_path(item, segments);
            }
        }
        Value::Object(map) => match segments {
            [] => {}
            [last] => {
                map.remove(*last);
            }
            [first, rest @ ..] => {
                if let Some(child) = map.get_mut(*first) {
                    strip_path(child, rest);
                }
            }
        },
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers for the unit tests of every record module: FOLIO's example files and a
    //! round-trip comparison.
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::Value;
    use std::path::{Path, PathBuf};

    /// `/work/shared/folio-spec/<rel>` seen from this crate.
    pub fn spec_path(rel: &str) -> PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/folio-spec"
        ))
        .join(rel)
    }

    /// One FOLIO file as JSON; a missing file fails the test, naming the path (the spec
    /// folder is beside the project, see the README).
    pub fn spec_file(rel: &str) -> Value {
        let path = spec_path(rel);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("FOLIO spec file {} missing: {e}", path.display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    }

    /// Every `*.json` / `*.sample` file of a FOLIO folder, sorted by name; a missing folder
    /// fails the test, naming the path.
    pub fn spec_dir(rel: &str) -> Vec<(PathBuf, Value)> {
        let dir = spec_path(rel);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("FOLIO spec folder {} missing: {e}", dir.display()));
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("json") | Some("sample")
                    )
            })
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", p.display()));
                (p, value)
            })
            .collect()
    }

    /// Nulls removed (RMB leaves them out) and every number as f64 (`3` and `3.0` are equal).
    pub fn normalize(value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), normalize(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
            Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
            other => other.clone(),
        }
    }

    /// Parses `value` as `T`, panicking with the file name on failure, and checks that
    /// serialising it back gives the same JSON (modulo nulls and number formatting).
    pub fn round_trip<T>(value: &Value, origin: &str) -> T
    where
        T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    {
        let typed: T = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{origin} does not parse: {e}"));
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(
            normalize(value),
            normalize(&back),
            "{origin}: round trip changed the record"
        );
        let again: T = serde_json::from_value(back).unwrap();
        assert_eq!(typed, again, "{origin}: second parse differs");
        typed
    }

    /// A FOLIO example that does not conform to its own schema (checked independently with a
    /// JSON-schema validator) must be rejected, with an error mentioning `needle`.
    pub fn stale_example_rejected<T: DeserializeOwned + std::fmt::Debug>(rel: &str, needle: &str) {
        {
            let v = spec_file(rel);
            let err = serde_json::from_value::<T>(v)
                .expect_err(&format!("{rel} was expected to violate its schema"));
            assert!(
                err.to_string().contains(needle),
                "{rel}: unexpected error {err}"
            );
        }
    }

    /// Asserts that adding `field` at the top level (or inside `path`) is rejected.
    pub fn rejects_unknown<T: DeserializeOwned + std::fmt::Debug>(value: &Value, path: &[&str]) {
        let mut v = value.clone();
        let mut target = &mut v;
        for p in path {
            target = target.get_mut(*p).expect("path exists in the sample");
        }
        target
            .as_object_mut()
            .expect("object")
            .insert("noSuchField".into(), Value::Bool(true));
        let err = serde_json::from_value::<T>(v).expect_err("unknown field accepted");
        assert!(
            err.to_string().contains("unknown field `noSuchField`"),
            "unexpected error: {err}"
        );
    }

    /// Asserts that removing the top-level `field` is rejected as a missing field.
    pub fn rejects_missing<T: DeserializeOwned + std::fmt::Debug>(value: &Value, field: &str) {
        let mut v = value.clone();
        v.as_object_mut().unwrap().remove(field);
        let err = serde_json::from_value::<T>(v).expect_err("missing field accepted");
        assert!(
            err.to_string()
                .contains(&format!("missing field `{field}`")),
            "unexpected error: {err}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_round_trip_and_rules() {
        let v = json!({
            "createdDate": "2020-01-01T00:00:00.000+00:00",
            "createdByUserId": "79ff2a8b-d9c3-5b39-ad4a-0a84025ab085",
            "updatedDate": "2020-01-02T00:00:00.000+00:00",
            "updatedByUserId": "79ff2a8b-d9c3-5b39-ad4a-0a84025ab085",
            "createdByUsername": "admin",
            "updatedByUsername": "admin"
        });
        test_support::round_trip::<Metadata>(&v, "metadata");
        test_support::rejects_unknown::<Metadata>(&v, &[]);
        test_support::rejects_missing::<Metadata>(&v, "createdDate");
    }

    #[test]
    fn tags_reject_unknown() {
        let v = json!({"tagList": ["a", "b"]});
        test_support::round_trip::<Tags>(&v, "tags");
        test_support::rejects_unknown::<Tags>(&v, &[]);
    }

    #[test]
    fn strip_read_only_paths() {
        let mut v = json!({
            "metadata": {"createdDate": "x"},
            "status": {"name": "Available", "date": "d"},
            "notes": [{"a": 1, "ro": 2}, {"ro": 3}],
            "keep": 1
        });
        strip_read_only(&mut v, &["metadata", "status.date", "notes.ro", "absent.x"]);
        assert_eq!(
            v,
            json!({"status": {"name": "Available"}, "notes": [{"a": 1}, {}], "keep": 1})
        );
    }
}
