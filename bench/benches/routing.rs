//! Routing decisions per second at 1,000 operators and 10,000 waiting
//! contacts (criterion). `routing_latency` reports the p99 of one decision.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use switchboard_bench::routing_load::Load;

fn decisions(c: &mut Criterion) {
    let mut load = Load::new(1_000, 10_000);
    let mut group = c.benchmark_group("routing");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decision_1000_operators_10000_waiting", |b| b.iter(|| load.step()));
    group.finish();
    assert!(load.waiting() >= 9_000, "the queue drained: {}", load.waiting());
}

criterion_group!(benches, decisions);
criterion_main!(benches);
