#!/usr/bin/env bash
# Staffing and shifts vs pyworkforce, in one go on this machine:
#   1. builds the release binaries (switchboard, wfm-bench),
#   2. makes the venv with pyworkforce (setup-venv.sh),
#   3. runs staffing_vs_pyworkforce.py → bench/wfm/results/staffing.md,
#   4. times the scheduler at the acceptance size (300 operators × 7 days ×
#      15-minute intervals with breaks) through `switchboard wfm schedule`.
# Usage: bench/wfm/run-staffing.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cargo build --release -q -p switchboard -p switchboard-bench --bin switchboard --bin wfm-bench
python="$("$here/setup-venv.sh")"
out="$here/results/staffing.md"
mkdir -p "$here/results"
"$python" "$here/staffing_vs_pyworkforce.py" \
  --wfm-bench "$root/target/release/wfm-bench" \
  --switchboard "$root/target/release/switchboard" \
  --out "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/target/release/wfm-bench" schedule-input 300 7 15 42 "$tmp/schedule.json"
start=$(date +%s.%N)
summary="$("$root/target/release/switchboard" wfm schedule --input "$tmp/schedule.json" --out "$tmp/roster.json" --json)"
end=$(date +%s.%N)
{
  echo "## (c) \`wfm schedule\`: 300 operators × 7 days × 15-minute intervals with breaks"
  echo
  echo "Whole command (read, schedule, check every rule, write the roster): $(echo "$end - $start" | bc) s."
  echo
  echo '```json'
  echo "$summary"
  echo '```'
} >> "$out"
tail -8 "$out"
