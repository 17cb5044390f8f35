#!/usr/bin/env bash
# Order creation through the HTTP API on SQLite, durable (WAL,
# synchronous=FULL): orders per second and latency percentiles of 5-line
# orders. Builds the release binaries, then `order-load` sets up a fresh
# installation with the real `switchboard` binary and drives it.
#   bench/orders/run.sh [--clients N] [--orders N] [--warmup N]
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -p switchboard -p switchboard-bench --bin switchboard --bin order-load
"$TARGET/release/order-load" --switchboard "$TARGET/release/switchboard" \
    --json bench/orders/results/latest.json "$@"
