//! Request counts and latencies per route, kept in atomics indexed by the
//! route table (no locks, no allocation per request), rendered at `/metrics`
//! in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::routes::{lookup, RouteIndex, Verb, ROUTES};
use crate::AppState;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct RouteStats {
    /// Responses by status class 1xx..5xx.
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl RouteStats {
    fn record(&self, status: u16, micros: u64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        let secs = micros as f64 / 1e6;
        if let Some(b) = BUCKETS.iter().position(|le| secs <= *le) {
            self.buckets[b].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// All counters of the process.
pub struct Metrics {
    routes: Vec<RouteStats>,
    /// Requests that matched no route.
    unmatched: AtomicU64,
}

impl Metrics {
    pub fn new(routes: usize) -> Metrics {
        Metrics { routes: (0..routes).map(|_| RouteStats::default()).collect(), unmatched: AtomicU64::new(0) }
    }

    pub fn record_unmatched(&self) {
        self.unmatched.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::with_capacity(8192);
        out.push_str("# HELP switchboard_http_requests_total HTTP requests answered, by route and status class.\n");
        out.push_str("# TYPE switchboard_http_requests_total counter\n");
        for (spec, st) in ROUTES.iter().zip(&self.routes) {
            for (c, n) in st.by_class.iter().enumerate() {
                let n = n.load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "switchboard_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}xx\"}} {n}",
                        spec.verb.as_str(),
                        spec.path,
                        c + 1
                    );
                }
            }
        }
        out.push_str("# HELP switchboard_http_unmatched_requests_total Requests to paths no route serves.\n");
        out.push_str("# TYPE switchboard_http_unmatched_requests_total counter\n");
        let _ = writeln!(out, "switchboard_http_unmatched_requests_total {}", self.unmatched.load(Ordering::Relaxed));
        out.push_str("# HELP switchboard_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE switchboard_http_request_duration_seconds histogram\n");
        for (spec, st) in ROUTES.iter().zip(&self.routes) {
            let count = st.count.load(Ordering::Relaxed);
            if count == 0 {
                continue;
            }
            let labels = format!("method=\"{}\",route=\"{}\"", spec.verb.as_str(), spec.path);
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(&st.buckets) {
                cumulative += n.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "switchboard_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(out, "switchboard_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let sum = st.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "switchboard_http_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "switchboard_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        out
    }
}

/// Finds the request's entry in the route table, hands its index to the
/// guard, and counts the answer and its latency.
pub async fn track(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let index = match (Verb::from_method(req.method()), req.extensions().get::<MatchedPath>()) {
        (Some(verb), Some(path)) => lookup(verb, path.as_str()),
        _ => None,
    };
    let Some(i) = index else {
        return next.run(req).await;
    };
    req.extensions_mut().insert(RouteIndex(i));
    let started = Instant::now();
    let resp = next.run(req).await;
    let micros = started.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
    if let Some(st) = state.metrics.routes.get(i) {
        st.record(resp.status().as_u16(), micros);
    }
    resp
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.to_prometheus()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_classes() {
        let m = Metrics::new(ROUTES.len());
        m.routes[0].record(200, 500);
        m.routes[0].record(200, 30_000);
        m.routes[0].record(503, 20_000_000);
        let text = m.to_prometheus();
        assert!(text.contains("route=\"/healthz\",status=\"2xx\"} 2"), "{text}");
        assert!(text.contains("route=\"/healthz\",status=\"5xx\"} 1"), "{text}");
        assert!(text.contains("route=\"/healthz\",le=\"0.001\"} 1"), "{text}");
        assert!(text.contains("route=\"/healthz\",le=\"0.05\"} 2"), "{text}");
        assert!(text.contains("route=\"/healthz\",le=\"+Inf\"} 3"), "{text}");
        assert!(text.contains("_count{method=\"GET\",route=\"/healthz\"} 3"), "{text}");
    }
}
