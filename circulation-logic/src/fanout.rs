//! The join-or-sequence combinator: independent downstream calls either run together
//! (`futures::join!`) or one after another, chosen per request by the header
//! `X-Circulation-Fan-Out: sequential|concurrent` (default from `FAN_OUT`).
//!
//! Both strategies run the same futures; only the timing differs. Nothing short-circuits:
//! every branch runs to completion and results come back in argument order, so which error a
//! caller reports (it checks them in that order) never depends on which call finished first.
use crate::config::FanOut;
use actix_web::HttpRequest;
use futures::future::join_all;
use std::future::Future;

pub(crate) const HEADER: &str = "x-circulation-fan-out";

/// The strategy of one incoming request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fan(pub FanOut);

impl Fan {
    /// From the request header, else the configured default. An unknown value is ignored.
    pub(crate) fn for_request(req: &HttpRequest, default: FanOut) -> Fan {
        let chosen = req
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(FanOut::parse)
            .unwrap_or(default);
        Fan(chosen)
    }

    pub(crate) fn name(self) -> &'static str {
        match self.0 {
            FanOut::Concurrent => "concurrent",
            FanOut::Sequential => "sequential",
        }
    }

    /// Any number of same-typed branches; results in input order.
    pub(crate) async fn all<F: Future>(self, futures: Vec<F>) -> Vec<F::Output> {
        match self.0 {
            FanOut::Concurrent => join_all(futures).await,
            FanOut::Sequential => {
                let mut out = Vec::with_capacity(futures.len());
                for f in futures {
                    out.push(f.await);
                }
                out
            }
        }
    }
}

macro_rules! join_n {
    ($fn_name:ident; $($f:ident : $T:ident),+) => {
        impl Fan {
            #[allow(clippy::too_many_arguments)]
            pub(crate) async fn $fn_name<$($T: Future),+>(self, $($f: $T),+) -> ($($T::Output),+) {
                match self.0 {
                    FanOut::Concurrent => futures::join!($($f),+),
                    FanOut::Sequential => ($($f.await),+),
                }
            }
        }
    };
}

join_n!(join2; a: A, b: B);
join_n!(join3; a: A, b: B, c: C);
join_n!(join4; a: A, b: B, c: C, d: D);
join_n!(join5; a: A, b: B, c: C, d: D, e: E);
join_n!(join6; a: A, b: B, c: C, d: D, e: E, f: F);
join_n!(join7; a: A, b: B, c: C, d: D, e: E, f: F, g: G);

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    async fn step(log: Arc<Mutex<Vec<&'static str>>>, name: &'static str, ms: u64) -> &'static str {
        log.lock().unwrap().push(name);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        log.lock().unwrap().push(name);
        name
    }

    #[tokio::test]
    async fn sequential_runs_in_order_and_concurrent_overlaps() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let fan = Fan(FanOut::Sequential);
        let t = Instant::now();
        let out = fan
            .join3(
                step(log.clone(), "a", 30),
                step(log.clone(), "b", 10),
                step(log.clone(), "c", 1),
            )
            .await;
        assert_eq!(out, ("a", "b", "c"));
        assert_eq!(*log.lock().unwrap(), vec!["a", "a", "b", "b", "c", "c"]);
        assert!(t.elapsed() >= Duration::from_millis(41));

        let log = Arc::new(Mutex::new(Vec::new()));
        let fan = Fan(FanOut::Concurrent);
        let t = Instant::now();
        let out = fan
            .join3(
                step(log.clone(), "a", 60),
                step(log.clone(), "b", 60),
                step(log.clone(), "c", 60),
            )
            .await;
        assert_eq!(out, ("a", "b", "c"));
        assert_eq!(&log.lock().unwrap()[..3], &["a", "b", "c"]);
        assert!(t.elapsed() < Duration::from_millis(170));
    }

    #[tokio::test]
    async fn errors_come_back_in_argument_order_regardless_of_timing() {
        async fn fail(ms: u64, tag: &'static str) -> Result<(), &'static str> {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Err(tag)
        }
        for fan in [Fan(FanOut::Concurrent), Fan(FanOut::Sequential)] {
            let (a, b) = fan
                .join2(fail(30, "slow first"), fail(1, "fast second"))
                .await;
            let first = a.and(b).unwrap_err();
            assert_eq!(first, "slow first");
            let all = fan.all(vec![fail(20, "x"), fail(1, "y")]).await;
            assert_eq!(all, vec![Err("x"), Err("y")]);
        }
    }
}
