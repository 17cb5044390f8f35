//! Latency of single routing decisions at 1,000 operators and 10,000 waiting
//! contacts: p50, p99 and max over 200,000 decisions, and decisions/s.
//! Run: `cargo bench -p switchboard-bench --bench routing_latency`.

use std::time::Instant;

use switchboard_bench::routing_load::Load;

fn main() {
    let mut load = Load::new(1_000, 10_000);
    // Warm up.
    for _ in 0..20_000 {
        load.step();
    }
    let n = 200_000;
    let mut nanos = Vec::with_capacity(n);
    let before = load.decisions;
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        load.step();
        nanos.push(t.elapsed().as_nanos() as u64);
    }
    let total = started.elapsed();
    let decisions = load.decisions - before;
    nanos.sort_unstable();
    let pct = |p: f64| nanos[((nanos.len() as f64 * p) as usize).min(nanos.len() - 1)];
    println!(
        "routing: {} decisions in {:.3} s = {:.0} decisions/s; per step p50 {} µs, p99 {} µs, max {} µs; {} waiting",
        decisions,
        total.as_secs_f64(),
        decisions as f64 / total.as_secs_f64(),
        pct(0.50) as f64 / 1e3,
        pct(0.99) as f64 / 1e3,
        nanos[nanos.len() - 1] as f64 / 1e3,
        load.waiting()
    );
}
