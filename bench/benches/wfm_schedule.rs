//! The acceptance size of the shift scheduler: 300 operators × 7 days ×
//! 15-minute intervals with breaks (target: under 60 s on the 2-core box).

use criterion::{criterion_group, criterion_main, Criterion};

fn schedule(c: &mut Criterion) {
    let input = wfm::schedule::synthetic(300, 7, 15, 42);
    let mut group = c.benchmark_group("wfm_schedule");
    group.sample_size(10);
    group.bench_function("300_operators_7_days_15_min", |b| {
        b.iter(|| wfm::schedule::schedule(&input, &mut |_, _| {}).expect("schedule"))
    });
    group.finish();
}

criterion_group!(benches, schedule);
criterion_main!(benches);
