//! Hop timing: every downstream call is recorded with its name, start and duration, so the
//! response can carry a `Server-Timing` header and the log can name the critical path.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One downstream call.
#[derive(Debug, Clone)]
pub struct Hop {
    pub name: String,
    /// Offset from the start of the incoming request.
    pub start: Duration,
    pub duration: Duration,
}

/// The hops of one incoming request (shared by concurrent branches).
#[derive(Debug, Clone)]
pub struct HopLog {
    started: Instant,
    hops: Arc<Mutex<Vec<Hop>>>,
}

impl Default for HopLog {
    fn default() -> Self {
        Self::new()
    }
}

impl HopLog {
    pub fn new() -> Self {
        HopLog {
            started: Instant::now(),
            hops: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn record(&self, name: &str, began: Instant, duration: Duration) {
        let hop = Hop {
            name: name.to_string(),
            start: began.saturating_duration_since(self.started),
            duration,
        };
        self.hops.lock().expect("hop log").push(hop);
    }

    /// Hops in the order they started (ties by name), so output never depends on which
    /// concurrent call finished first.
    pub fn hops(&self) -> Vec<Hop> {
        let mut hops = self.hops.lock().expect("hop log").clone();
        hops.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.name.cmp(&b.name)));
        hops
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

pub fn critical_path(hops: &[Hop]) -> Duration {
    let mut intervals: Vec<(Duration, Duration)> = hops
        .iter()
        .map(|h| (h.start, h.start + h.duration))
        .collect();
    intervals.sort();
    let mut total = Duration::ZERO;
    let mut current: Option<(Duration, Duration)> = None;
    for (s, e) in intervals {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = current {
        total += ce - cs;
    }
    total
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Header token characters only (RFC 7230 `token`): anything else becomes `_`.
fn token(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `Server-Timing`: each hop's duration and, as an extension parameter, when it started after
/// the request came in (so a reader can tell calls made one after another from calls made side
/// by side); then the total.
pub fn server_timing(hops: &[Hop], total: Duration) -> String {
    let mut parts: Vec<String> = hops
        .iter()
        .map(|h| {
            format!(
                "{};dur={};start={}",
                token(&h.name),
                ms(h.duration),
                ms(h.start)
            )
        })
        .collect();
    parts.push(format!("total;dur={}", ms(total)));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(name: &str, start: u64, dur: u64) -> Hop {
        Hop {
            name: name.into(),
            start: Duration::from_millis(start),
            duration: Duration::from_millis(dur),
        }
    }

    #[test]
    fn critical_path_is_union_of_intervals() {
        let hops = vec![
            hop("a", 0, 10),
            hop("b", 2, 5),
            hop("c", 12, 3),
            hop("d", 13, 5),
        ];
        assert_eq!(critical_path(&hops), Duration::from_millis(16));
        assert_eq!(critical_path(&[]), Duration::ZERO);
    }

    #[test]
    fn server_timing_format() {
        let text = server_timing(&[hop("user by barcode", 3, 1)], Duration::from_millis(5));
        assert_eq!(text, "user_by_barcode;dur=1.00;start=3.00, total;dur=5.00");
    }
}
