#!/usr/bin/env bash
# Creates bench/wfm/.venv with the peers we measure the planner's maths
# against: pyworkforce (Erlang staffing, shift optimisation) and Nixtla's
# statsforecast (MSTL, AutoETS, SeasonalNaive). Idempotent; the venv is
# git-ignored. Usage: bench/wfm/setup-venv.sh  (prints the venv's python path)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import pyworkforce, statsforecast" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet pyworkforce statsforecast pandas >&2
fi
echo "$venv/bin/python"
