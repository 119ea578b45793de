//! Configuration: the port from the command line, behaviour from the environment (each
//! variable also a flag). A malformed value stops the start with clap's error naming it.
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "circulation-logic",
    about = "FOLIO circulation business logic (mod-circulation compatible)"
)]
pub struct Args {
    /// HTTP port to listen on.
    #[arg(long, default_value_t = 8082)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: String,
    #[command(flatten)]
    pub settings: Settings,
}

/// How independent downstream calls are issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanOut {
    Concurrent,
    Sequential,
}

impl FanOut {
    pub fn parse(text: &str) -> Option<FanOut> {
        match text.trim().to_ascii_lowercase().as_str() {
            "concurrent" => Some(FanOut::Concurrent),
            "sequential" => Some(FanOut::Sequential),
            _ => None,
        }
    }

    fn from_arg(text: &str) -> Result<FanOut, String> {
        FanOut::parse(text).ok_or_else(|| format!("{text:?} is neither concurrent nor sequential"))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Where the business events also go (FOLIO's KAFKA_HOST, KAFKA_PORT, ENV, ...).
    #[command(flatten)]
    pub kafka: shared_types::kafka::KafkaConfig,
    /// Default strategy for independent downstream calls, overridable per request with the
    /// header X-Circulation-Fan-Out.
    #[arg(long, env = "FAN_OUT", default_value = "concurrent", value_parser = FanOut::from_arg)]
    pub fan_out: FanOut,
    /// Timeout of one downstream call, in ms.
    #[arg(long, env = "OKAPI_TIMEOUT_MS", default_value_t = 10_000)]
    pub okapi_timeout_ms: u64,
    /// How long rules and policies may be reused, in seconds (0: read on every request).
    #[arg(long, env = "POLICY_CACHE_SECONDS", default_value_t = 5)]
    pub policy_cache_seconds: u64,
    /// Loans under a policy with `forUseAtLocation` start "In use" (off by default, as in
    /// mod-circulation).
    #[arg(
        long = "enable-for-use-at-location",
        env = "ENABLE_FOR_USE_AT_LOCATION",
        default_value_t = false,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub for_use_at_location: bool,
}

impl Settings {
    /// The settings from the environment alone (for a module started in-process).
    pub fn from_env() -> Result<Settings, clap::Error> {
        Args::try_parse_from(["circulation-logic"]).map(|args| args.settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_values_are_refused_with_their_name() {
        let parse = |args: &[&str]| Args::try_parse_from([&["circulation-logic"], args].concat());
        let error = parse(&["--okapi-timeout-ms", "ten"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("--okapi-timeout-ms"), "{error}");
        let error = parse(&["--fan-out", "sideways"]).unwrap_err().to_string();
        assert!(
            error.contains("neither concurrent nor sequential"),
            "{error}"
        );
        let args = parse(&[
            "--fan-out",
            " Sequential ",
            "--enable-for-use-at-location",
            "TRUE",
        ])
        .unwrap();
        assert_eq!(args.settings.fan_out, FanOut::Sequential);
        assert!(args.settings.for_use_at_location);
    }
}
