//! A token bucket per key, in memory: enough for one server process (a cluster would share it).
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self { burst: f64::from(burst.max(1)), per_second, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` to wait when it is empty.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.bucket(key, true)
    }

    /// Whether `key`'s bucket has a request left, without taking it: for limits fed only by
    /// failures, checked before the work that may fail (`Err(seconds)` to wait).
    pub fn peek(&self, key: &str) -> Result<(), u64> {
        self.bucket(key, false)
    }

    fn bucket(&self, key: &str, take: bool) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets rather than grow without bound.
            let burst = self.burst;
            let per_second = self.per_second;
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst);
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            if take {
                *tokens -= 1.0;
            }
            Ok(())
        } else if self.per_second > 0.0 {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        } else {
            Err(60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_requests_wait_and_keys_are_separate() {
        let limiter = RateLimiter::new(3, 0.5);
        assert!((0..3).all(|_| limiter.check("a").is_ok()));
        assert_eq!(limiter.check("a"), Err(2));
        assert!(limiter.check("b").is_ok());
    }

    #[test]
    fn peeking_takes_nothing() {
        let limiter = RateLimiter::new(2, 0.5);
        assert!((0..10).all(|_| limiter.peek("a").is_ok()));
        assert!(limiter.check("a").is_ok() && limiter.check("a").is_ok());
        assert_eq!(limiter.peek("a"), Err(2));
    }
}
