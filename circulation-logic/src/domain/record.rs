//! What every view of another module's record shares: the JSON as read, kept whole so that a
//! record changed and written back loses no field another module stored, and the few readers
//! the typed accessors are built from.
use serde_json::Value;

/// A view of a record owned by another module: typed accessors over the JSON as read.
macro_rules! record_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub(crate) struct $name(serde_json::Value);

        // Not every record uses every accessor.
        #[allow(dead_code)]
        impl $name {
            pub(crate) fn from_json(json: serde_json::Value) -> Self {
                $name(json)
            }

            /// The record as read (or as changed), every field kept.
            pub(crate) fn json(&self) -> &serde_json::Value {
                &self.0
            }

            /// A field as read, for answers and events that copy it as it is.
            pub(crate) fn field(&self, key: &str) -> Option<&serde_json::Value> {
                self.0.get(key)
            }

            /// The record's id (`""` when it has none).
            pub(crate) fn id(&self) -> &str {
                $crate::domain::record::text(&self.0, &["id"]).unwrap_or_default()
            }

            /// A string field as read, empty or not (templates print what is there).
            pub(crate) fn string(&self, key: &str) -> Option<&str> {
                self.0.get(key).and_then(serde_json::Value::as_str)
            }

            /// The strings of an array field (none when it is missing).
            pub(crate) fn strings(&self, key: &str) -> Vec<&str> {
                $crate::domain::record::strings(&self.0, key)
            }
        }
    };
}
pub(crate) use record_view;

/// A string at `path` that is not empty (how FOLIO's modules treat an empty value: absent).
pub(crate) fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

/// The strings of the array at `key` (none when it is missing; other values skipped).
pub(crate) fn strings<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// A boolean at `key`.
pub(crate) fn flag(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

/// A value at `key`, cloned (for answers that copy it as it is).
pub(crate) fn cloned(v: &Value, key: &str) -> Option<Value> {
    v.get(key).cloned()
}
