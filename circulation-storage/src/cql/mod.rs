//! CQL (Contextual Query Language 1.2) as FOLIO uses it.
//!
//! * [`parser`]: lexer and recursive-descent parser producing a [`CqlQuery`] AST.
//! * [`sql`]: translation of the AST into a PostgreSQL WHERE / ORDER BY over RMB
//!   tables (`id uuid`, `jsonb jsonb`), every user value as a bind parameter.
//! * [`eval`]: evaluation of the AST against in-memory JSON records, with the same
//!   meaning as the SQL (used by the test stand-ins of other FOLIO modules).

pub mod eval;
pub mod parser;
pub mod sql;
mod text;

pub use parser::{
    parse, BoolOp, CqlError, CqlQuery, Modifier, Node, Relation, SortKey, MAX_NESTING,
    MAX_TREE_DEPTH,
};
