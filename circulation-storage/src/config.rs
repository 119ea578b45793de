//! Configuration: the port from the command line, the database from RMB's `DB_*` variables and
//! Kafka from FOLIO's `KAFKA_*`/`ENV` variables (each also a flag). A malformed value stops the
//! start with clap's error naming it.
use clap::Parser;
pub use shared_types::kafka::KafkaConfig;

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
    #[command(flatten)]
    pub db: DbConfig,
    #[command(flatten)]
    pub kafka: KafkaConfig,
    /// Timeout of one call to another module, in ms.
    #[arg(long, env = "OKAPI_TIMEOUT_MS", default_value_t = 10_000)]
    pub okapi_timeout_ms: u64,
}

/// The database, from RMB's variables (each also a flag).
#[derive(Debug, Clone, clap::Args)]
pub struct DbConfig {
    /// Host name, or a Unix socket directory (libpq's rule: starting with `/`).
    #[arg(
        id = "db_host",
        long = "db-host",
        env = "DB_HOST",
        default_value = "localhost"
    )]
    pub host: String,
    #[arg(
        id = "db_port",
        long = "db-port",
        env = "DB_PORT",
        default_value_t = 5432
    )]
    pub port: u16,
    #[arg(
        id = "db_username",
        long = "db-username",
        env = "DB_USERNAME",
        default_value = "folio_admin"
    )]
    pub username: String,
    #[arg(
        id = "db_password",
        long = "db-password",
        env = "DB_PASSWORD",
        default_value = "folio_admin",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub password: String,
    #[arg(
        id = "db_database",
        long = "db-database",
        env = "DB_DATABASE",
        default_value = "okapi_modules"
    )]
    pub database: String,
    /// Connections in the pool (at least 1).
    #[arg(id = "db_maxpoolsize", long = "db-maxpoolsize", env = "DB_MAXPOOLSIZE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pool_size: u32,
    /// Server-side statement timeout in ms (0: none).
    #[arg(
        id = "db_querytimeout",
        long = "db-querytimeout",
        env = "DB_QUERYTIMEOUT",
        default_value_t = 60_000
    )]
    pub query_timeout_ms: u64,
}

impl DbConfig {
    /// libpq connection string; values are quoted so spaces or quotes in a password stay intact.
    /// `outbox`: the sessions write domain event outbox rows (a setting the triggers read).
    pub fn connection_string(&self, outbox: bool) -> String {
        let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
        let mut s = format!(
            "host={} port={} user={} password={} dbname={} application_name=circulation-storage",
            quote(&self.host),
            self.port,
            quote(&self.username),
            quote(&self.password),
            quote(&self.database)
        );
        let mut options = Vec::new();
        if self.query_timeout_ms > 0 {
            options.push(format!("-c statement_timeout={}", self.query_timeout_ms));
        }
        if outbox {
            options.push("-c circulation.outbox=on".to_string());
        }
        if !options.is_empty() {
            s.push_str(&format!(" options='{}'", options.join(" ")));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_values_are_refused_with_their_name() {
        let parse = |args: &[&str]| Args::try_parse_from([&["circulation-storage"], args].concat());
        let error = parse(&["--db-port", "54x"]).unwrap_err().to_string();
        assert!(error.contains("--db-port"), "{error}");
        let error = parse(&["--db-maxpoolsize", "0"]).unwrap_err().to_string();
        assert!(error.contains("--db-maxpoolsize"), "{error}");
        let args = parse(&["--db-host", "/tmp/pg", "--okapi-timeout-ms", "500"]).unwrap();
        assert_eq!(
            (args.db.host.as_str(), args.okapi_timeout_ms),
            ("/tmp/pg", 500)
        );
        let kafka = parse(&["--kafka-host", "broker"]).unwrap().kafka;
        assert_eq!(kafka.bootstrap_servers().as_deref(), Some("broker:9092"));
    }
}
