//! The simulator on the acceptance week: 300 operators × 7 days ×
//! 15-minute intervals with breaks, the steady 80/20 load (~198,000
//! contacts), one replication through the routing engine (criterion).

use criterion::{criterion_group, criterion_main, Criterion};
use wfm::sim::{self, steady, Arrivals, Config, Dist};

fn steady_week(c: &mut Criterion) {
    let roster = steady::staggered_roster(300, 7, 15, "2026-11-30");
    let staff = roster.coverage().concat();
    let calls = steady::calls_for_service_level(&staff, 900.0, 180.0, 20.0, 0.8).expect("load");
    let arrivals = Arrivals::steady(&roster, calls).expect("arrivals");
    let cfg = Config::new(Dist::Exponential { mean_s: 180.0 });
    let mut group = c.benchmark_group("wfm_sim");
    group.sample_size(10);
    group.bench_function("steady_week_300_operators_1_replication", |b| {
        b.iter(|| sim::simulate(&roster, &arrivals, &cfg, &mut |_, _| {}).expect("simulation"))
    });
    group.finish();
}

criterion_group!(benches, steady_week);
criterion_main!(benches);
