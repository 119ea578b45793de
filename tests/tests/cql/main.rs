//! CQL over HTTP against circulation-storage on a real PostgreSQL: expected result sets, sorting
//! and paging, index use, and hostile queries.
mod fuzz;
mod queries;
