//! FOLIO's error envelope (raml-util `errors.schema`): what every 422 carries.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    pub message: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// mod-circulation marks overridable check-out blocks (`overridableBlock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overridable_block: Option<serde_json::Value>,
    /// Further properties of the error object itself (RMB's `additionalProperties`), e.g. the
    /// `itemId`/`position` of mod-circulation-storage's queue-position error.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            error_type: None,
            code: None,
            parameters: Vec::new(),
            overridable_block: None,
            extra: serde_json::Map::new(),
        }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }

    /// Adds a property to the error object itself, next to `message`.
    pub fn with_extra(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    pub fn with_parameter(mut self, key: impl Into<String>, value: Option<String>) -> Self {
        self.parameters.push(Parameter {
            key: key.into(),
            value,
        });
        self
    }
}

/// `{"errors":[...]}` (optionally `total_records`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Errors {
    pub errors: Vec<Error>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_records: Option<u64>,
}

impl Errors {
    pub fn single(error: Error) -> Self {
        Errors {
            errors: vec![error],
            total_records: None,
        }
    }
}

impl From<Vec<Error>> for Errors {
    fn from(errors: Vec<Error>) -> Self {
        Errors {
            errors,
            total_records: None,
        }
    }
}

/// The 422 body as mod-circulation writes it: unlike RMB's (the serde form of [`Errors`]),
/// `parameters` is always present and a missing parameter value is JSON `null`.
pub fn mod_circulation_body(errors: &[Error]) -> serde_json::Value {
    use serde_json::json;
    let list: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| {
            let mut o = json!({
                "message": e.message,
                "parameters": e.parameters.iter()
                    .map(|p| json!({"key": p.key, "value": p.value}))
                    .collect::<Vec<_>>(),
            });
            if let Some(code) = &e.code {
                o["code"] = json!(code);
            }
            if let Some(block) = &e.overridable_block {
                o["overridableBlock"] = block.clone();
            }
            o
        })
        .collect();
    json!({ "errors": list })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod_circulation_body_has_parameters_and_null_values() {
        let body = mod_circulation_body(&[Error::new("m").with_parameter("servicePointId", None)]);
        assert_eq!(
            body,
            serde_json::json!({"errors": [{"message": "m", "parameters": [{"key": "servicePointId", "value": null}]}]})
        );
    }
}
