//! CQL (Contextual Query Language 1.2) as FOLIO uses it.
//!
//! * [`parser`]: lexer and recursive-descent parser producing a [`CqlQuery`] AST.
//! * [`sql`]: translation of the AST into a PostgreSQL WHERE / ORDER BY over RMB
//!   tables (`id uuid`, `jsonb jsonb`), every user value as a bind parameter.
//! * `eval` (feature `cql-eval`): evaluation of the AST against in-memory JSON records, with
//!   the same meaning as the SQL, for the test stand-ins of other FOLIO modules.
//!
//! Refused with a [`CqlError`] (400 for the caller), as RMB's cql2pgjson refuses them:
//! `prox`, the relations `within` `encloses` `exact`, a bare term (`cql.serverChoice`:
//! no default index), relation modifiers other than /string /number /masked
//! /respectCase /ignoreCase /respectAccents /ignoreAccents (so /unmasked /regexp
//! /substring /honorWhitespace and the array modifiers `/@name=value`), `?` or an inner
//! `*` in a full-text term, modifiers on uuid fields, `< > <= >=` on a uuid field with
//! an invalid UUID. Prefix assignments and boolean modifiers are parsed and ignored.
//! Cross-table joins (RMB `targetTableAlias`) are not configured in this module.
//!
//! Where this differs from cql2pgjson on purpose: explicit case/accent modifiers are
//! honoured on `==`/`<>`; `/number` comparisons skip non-numeric values instead of
//! failing the whole query with an SQL error; the btree `left(…,600)` CASE form uses a
//! non-strict prefix comparison in its long-term branch (RMB's is not exact).

#[cfg(feature = "cql-eval")]
pub mod eval;
mod parser;
pub mod sql;
mod text;

pub use parser::{
    parse, BoolOp, CqlError, CqlQuery, Modifier, Node, Relation, SortKey, MAX_NESTING,
    MAX_TREE_DEPTH,
};
