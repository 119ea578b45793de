//! The latency the stand-ins add to every answer, drawn from a seeded PRNG so runs repeat.
use std::sync::Mutex;
use std::time::Duration;

/// How the stand-ins delay every answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Latency {
    /// Answer at once.
    None,
    /// The same delay before every answer.
    Fixed(Duration),
    /// A delay drawn uniformly from `[min, max]` by a PRNG seeded with `seed`.
    Uniform {
        min: Duration,
        max: Duration,
        seed: u64,
    },
    /// A normal-ish delay (sum of 12 uniforms) with the given mean and standard deviation,
    /// clipped at zero, from a PRNG seeded with `seed`.
    Normal {
        mean: Duration,
        std_dev: Duration,
        seed: u64,
    },
}

/// A small xorshift64* PRNG (deterministic for a seed; not for cryptography).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Mix the seed so that 0 and small seeds give a usable state.
        let mut s = seed ^ 0x9E37_79B9_7F4A_7C15;
        s = (s ^ (s >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        s = (s ^ (s >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        s ^= s >> 31;
        XorShift(if s == 0 { 0x2545_F491_4F6C_DD1D } else { s })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws delays for a [`Latency`].
#[derive(Debug)]
pub(crate) struct Delayer {
    latency: Latency,
    rng: Mutex<XorShift>,
}

impl Delayer {
    pub(crate) fn new(latency: Latency) -> Self {
        let seed = match &latency {
            Latency::Uniform { seed, .. } | Latency::Normal { seed, .. } => *seed,
            _ => 0,
        };
        Delayer {
            latency,
            rng: Mutex::new(XorShift::new(seed)),
        }
    }

    pub(crate) fn next_delay(&self) -> Duration {
        match &self.latency {
            Latency::None => Duration::ZERO,
            Latency::Fixed(d) => *d,
            Latency::Uniform { min, max, .. } => {
                let (lo, hi) = if min <= max {
                    (*min, *max)
                } else {
                    (*max, *min)
                };
                let u = self
                    .rng
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .next_f64();
                lo + (hi - lo).mul_f64(u)
            }
            Latency::Normal { mean, std_dev, .. } => {
                let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
                let z: f64 = (0..12).map(|_| rng.next_f64()).sum::<f64>() - 6.0;
                let secs = mean.as_secs_f64() + z * std_dev.as_secs_f64();
                Duration::from_secs_f64(secs.max(0.0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_latency_is_deterministic_and_bounded() {
        let latency = Latency::Uniform {
            min: Duration::from_millis(10),
            max: Duration::from_millis(30),
            seed: 7,
        };
        let (a, b) = (Delayer::new(latency.clone()), Delayer::new(latency));
        for _ in 0..1000 {
            let d = a.next_delay();
            assert_eq!(d, b.next_delay());
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(30));
        }
        let normal = Delayer::new(Latency::Normal {
            mean: Duration::from_millis(20),
            std_dev: Duration::from_millis(5),
            seed: 1,
        });
        let n = 2000;
        let mean = (0..n)
            .map(|_| normal.next_delay().as_secs_f64())
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.020).abs() < 0.002, "{mean}");
        assert_eq!(Delayer::new(Latency::None).next_delay(), Duration::ZERO);
    }
}
