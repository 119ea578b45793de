//! Integration harness: throwaway PostgreSQL, Okapi-compatible test gateway, stand-ins for the
//! FOLIO modules outside this project, sample data, and helpers to run our module binaries.
pub mod bulk;
pub mod cpu;
pub mod gateway;
pub mod http;
pub mod kafka;
pub mod pg;
pub mod process;
pub mod sample_data;
pub mod stack;
pub mod standins;
pub mod storage;

// Every harness binary (gateway, stand-ins, load generators) allocates many small JSON values.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
