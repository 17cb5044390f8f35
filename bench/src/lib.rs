//! Benchmarks of Switchboard's pure crates. Scenarios live here so the
//! criterion benches and the latency report build the same load.

pub mod routing_load;
