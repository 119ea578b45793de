//! Integration harness: throwaway PostgreSQL, Okapi-compatible test gateway, stand-ins for the
//! FOLIO modules outside this project, sample data, and helpers to run our module binaries.
pub mod bulk;
pub mod gateway;
pub mod http;
pub mod pg;
pub mod process;
pub mod sample_data;
pub mod stack;
pub mod standins;
pub mod storage;
