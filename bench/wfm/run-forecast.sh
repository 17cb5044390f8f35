#!/usr/bin/env bash
# Forecast benchmark: ours (switchboard wfm forecast) vs statsforecast MSTL,
# AutoETS and SeasonalNaive on the bank's 5-minute call history, same
# machine, same backtest origins and horizon. Writes
# bench/wfm/results/forecast.md. Usage: bench/wfm/run-forecast.sh [HISTORY.csv [--reuse-statsforecast]]
# (statsforecast takes tens of minutes; its results are kept in
# results/statsforecast.json, and --reuse-statsforecast re-runs only ours).
# SWITCHBOARD_BIN overrides the binary (default: builds target/debug, whose
# dev profile compiles wfm and the augurs crates with opt-level 3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
history="${1:-$root/../shared/data/bank_calls_5min.csv}"
shift || true
[[ -f "$history" ]] || history=/work/shared/data/bank_calls_5min.csv
python="$("$here/setup-venv.sh")"
if [[ -z "${SWITCHBOARD_BIN:-}" ]]; then
  (cd "$root" && cargo build -q -p switchboard)
  SWITCHBOARD_BIN="$root/target/debug/switchboard"
fi
"$python" "$here/forecast_vs_statsforecast.py" --history "$history" --bin "$SWITCHBOARD_BIN" \
  --out "$here/results/forecast.md" "$@"
