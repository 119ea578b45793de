//! Circulation rules: FOLIO's rules text (`rulesAsText`) parsed into [`Rules`], and the
//! policy selection that mod-circulation does with Drools, done here by direct matching.
//!
//! * `lexer`   — characters → tokens, including the INDENT/DEDENT tokens of nested lines.
//! * `parser`  — tokens → [`Rules`], with FOLIO's error messages and positions.
//! * `ast`     — the parsed form.
//! * `matcher` — which rule (or the fallback) gives a policy for an item/patron.
//!
//! Syntax and selection semantics follow mod-circulation's `doc/circulationrules.md` and its
//! rules grammar; see the module docs of `parser` and `matcher` for the details kept.

mod ast;
mod lexer;
mod matcher;
mod parser;

pub(crate) use ast::{PolicyType, Rules};
pub(crate) use matcher::{AppliedRuleConditions, MatchInput};
pub(crate) use parser::{parse, parse_with_policy_check};

/// A rules text that FOLIO would refuse. `line` is 1-based; `column` is what FOLIO reports for
/// the same error (usually 1-based; see `parser` for the few places where FOLIO is 0-based).
/// Serialises as FOLIO's 422 body for `PUT /circulation/rules`: `{"message","line","column"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{message}")]
pub(crate) struct RulesError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl RulesError {
    pub(crate) fn new(message: impl Into<String>, line: usize, column: usize) -> Self {
        RulesError {
            message: message.into(),
            line,
            column,
        }
    }
}
