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
