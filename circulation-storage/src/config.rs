//! Runtime configuration: the port from the command line, the database from RMB's `DB_*` variables.
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "circulation-storage",
    about = "FOLIO circulation storage module (mod-circulation-storage compatible)"
)]
pub struct Args {
    /// HTTP port to listen on.
    #[arg(long, default_value_t = 8081)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: String,
}

#[derive(Debug, Clone)]
pub struct DbConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    pub database: String,
    pub max_pool_size: u32,
    /// Server-side statement timeout (RMB's DB_QUERYTIMEOUT, ms; 0 = none).
    pub query_timeout_ms: u64,
}

impl DbConfig {
    pub fn from_env() -> DbConfig {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        DbConfig {
            host: var("DB_HOST", "localhost"),
            port: var("DB_PORT", "5432").parse().unwrap_or(5432),
            username: var("DB_USERNAME", "folio_admin"),
            password: var("DB_PASSWORD", "folio_admin"),
            database: var("DB_DATABASE", "okapi_modules"),
            max_pool_size: var("DB_MAXPOOLSIZE", "10").parse().unwrap_or(10).max(1),
            query_timeout_ms: var("DB_QUERYTIMEOUT", "60000").parse().unwrap_or(60000),
        }
    }

    /// libpq connection string; values are quoted so spaces or quotes in a password stay intact.
    pub fn connection_string(&self) -> String {
        let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
        let mut s = format!(
            "host={} port={} user={} password={} dbname={} application_name=circulation-storage",
            quote(&self.host),
            self.port,
            quote(&self.username),
            quote(&self.password),
            quote(&self.database)
        );
        if self.query_timeout_ms > 0 {
            s.push_str(&format!(
                " options='-c statement_timeout={}'",
                self.query_timeout_ms
            ));
        }
        s
    }
}
