//! Staff slips: a blank name or template is refused with FOLIO's 400 text, and a new slip is
//! active unless it says otherwise.
use super::Write;
use crate::error::StorageError;
use serde_json::Value;

pub(crate) fn prepare(slip: &mut Value, write: Write) -> Result<(), StorageError> {
    let blank = |key: &str| {
        slip.get(key)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    };
    let mut messages = Vec::new();
    if blank("name") {
        messages.push("Name is a required property");
    }
    if blank("template") {
        messages.push("Template is a required property");
    }
    if !messages.is_empty() {
        return Err(StorageError::BadRequest(messages.join("\n")));
    }
    if write == Write::Create && slip.get("active").is_none_or(Value::is_null) {
        slip["active"] = Value::Bool(true);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_name_and_template_and_the_active_default() {
        let mut both = json!({"name": "", "template": ""});
        match prepare(&mut both, Write::Create) {
            Err(StorageError::BadRequest(text)) => assert_eq!(
                text,
                "Name is a required property\nTemplate is a required property"
            ),
            other => panic!("{other:?}"),
        }
        let mut slip = json!({"name": "Hold", "template": "<p></p>"});
        prepare(&mut slip, Write::Create).unwrap();
        assert_eq!(slip["active"], true);
        let mut inactive = json!({"name": "Hold", "template": "t", "active": false});
        prepare(&mut inactive, Write::Create).unwrap();
        assert_eq!(inactive["active"], false);
        let mut replaced = json!({"name": "Hold", "template": "t"});
        prepare(&mut replaced, Write::Replace).unwrap();
        assert!(replaced.get("active").is_none());
    }
}
