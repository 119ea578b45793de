//! Runtime configuration: port from the command line, behaviour from the environment.
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
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Default strategy (`FAN_OUT`), overridable per request.
    pub fan_out: FanOut,
    /// Timeout of one downstream call (`OKAPI_TIMEOUT_MS`).
    pub okapi_timeout_ms: u64,
    /// How long rules and policies may be reused (`POLICY_CACHE_SECONDS`; 0 disables).
    pub policy_cache_seconds: u64,
    /// Loans under a policy with `forUseAtLocation` start "In use"
    /// (`ENABLE_FOR_USE_AT_LOCATION`, default false, as in mod-circulation).
    pub for_use_at_location: bool,
}

impl Settings {
    pub fn from_env() -> Settings {
        let var = |name: &str| std::env::var(name).ok();
        Settings {
            fan_out: var("FAN_OUT")
                .and_then(|v| FanOut::parse(&v))
                .unwrap_or(FanOut::Concurrent),
            okapi_timeout_ms: shared_types::okapi::timeout_ms_from_env(),
            policy_cache_seconds: var("POLICY_CACHE_SECONDS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(5),
            for_use_at_location: var("ENABLE_FOR_USE_AT_LOCATION")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        }
    }
}
