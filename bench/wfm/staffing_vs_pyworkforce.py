#!/usr/bin/env python3
"""Staffing and shifts: Switchboard vs pyworkforce, same machine, same inputs.

(a) Erlang C staffing of 96 intervals: `wfm-bench erlang` (one Rust process)
    vs pyworkforce ErlangC.required_positions (one Python process). Agents must
    be identical; we report compute time (inside each process) and whole-command
    time (process start to exit, imports included).
(b) `switchboard wfm shifts` vs pyworkforce MinAbsDifference on generated
    instances (7 days × 24/48/96 periods, 5–20 shifts, two seeds, plus
    pyworkforce's own example): total absolute difference, status, compute and
    whole-command time.

Usage: staffing_vs_pyworkforce.py --wfm-bench BIN --switchboard BIN --out results/staffing.md
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd} failed: {p.stderr}")
    return p, wall


def erlang_intervals(seed=1):
    rnd = random.Random(seed)
    out = []
    for i in range(96):  # 15-minute intervals over a day
        h = i / 4
        base = 5 + 120 * max(0.0, 1 - abs(h - 12) / 9)
        out.append({
            "calls": round(base * rnd.uniform(0.8, 1.2)) + 1,
            "aht_s": rnd.choice([180, 240, 300]),
            "interval_min": 15,
            "target_sl": 0.8,
            "target_time_s": 20,
            "max_occupancy": 0.85,
        })
    return out


PY_ERLANG = r"""
import json, sys, time
t0 = time.perf_counter()
from pyworkforce.queuing import ErlangC
rows = json.load(open(sys.argv[1]))
t1 = time.perf_counter()
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    agents = []
    for r in rows:
        e = ErlangC(transactions=r["calls"], aht=r["aht_s"] / 60, asa=r["target_time_s"] / 60,
                    interval=r["interval_min"], shrinkage=0.0)
        agents.append(e.required_positions(service_level=r["target_sl"], max_occupancy=r["max_occupancy"])["raw_positions"])
    times.append(time.perf_counter() - t)
print(json.dumps({"agents": agents, "compute_s": times[0], "warm_s": min(times), "import_s": t1 - t0}))
"""

PY_SHIFTS = r"""
import json, sys, time
from pyworkforce.scheduling import MinAbsDifference
p = json.load(open(sys.argv[1]))
t = time.perf_counter()
s = MinAbsDifference(num_days=p["num_days"], periods=p["periods"], shifts_coverage=p["shifts_coverage"],
                     required_resources=p["required_resources"], max_period_concurrency=p["max_period_concurrency"],
                     max_shift_concurrency=p["max_shift_concurrency"]).solve()
print(json.dumps({"status": s["status"], "cost": s["cost"], "compute_s": time.perf_counter() - t}))
"""


def shifts_instance(periods, n_shifts, seed):
    rnd = random.Random(seed)
    per_hour = periods // 24
    length = 8 * per_hour
    shifts = {}
    for k in range(n_shifts - 1):
        start = rnd.randrange(0, periods - length + 1)
        shifts[f"S{k:02d}"] = [1 if start <= p < start + length else 0 for p in range(periods)]
    # One night shift that wraps past midnight (not one block).
    night = 22 * per_hour
    shifts["Night"] = [1 if p >= night or p < (night + length) % periods else 0 for p in range(periods)]
    req = []
    for d in range(7):
        level = 1.0 if d < 5 else 0.6
        day = []
        for p in range(periods):
            h = p / per_hour
            curve = 4 + 20 * max(0.0, 1 - abs(h - 13) / 8)
            day.append(max(0, round(level * curve * rnd.uniform(0.7, 1.3))))
        req.append(day)
    return {
        "num_days": 7,
        "periods": periods,
        "shifts_coverage": shifts,
        "required_resources": req,
        "max_period_concurrency": 40,
        "max_shift_concurrency": 25,
    }


def pyworkforce_example():
    hours = range(24)
    return {
        "num_days": 2,
        "periods": 24,
        "shifts_coverage": {
            "Morning": [1 if 5 <= h < 13 else 0 for h in hours],
            "Afternoon": [1 if 13 <= h < 21 else 0 for h in hours],
            "Night": [1 if h >= 21 or h < 5 else 0 for h in hours],
            "Mixed": [1 if 9 <= h < 17 else 0 for h in hours],
        },
        "required_resources": [
            [9, 11, 17, 9, 7, 12, 5, 11, 8, 9, 18, 17, 8, 12, 16, 8, 7, 12, 11, 10, 13, 19, 16, 7],
            [13, 13, 12, 15, 18, 20, 13, 16, 17, 8, 13, 11, 6, 19, 11, 20, 19, 17, 10, 13, 14, 23, 16, 8],
        ],
        "max_period_concurrency": 27,
        "max_shift_concurrency": 25,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wfm-bench", required=True)
    ap.add_argument("--switchboard", help="switchboard binary; without it `wfm-bench shifts` (same library call) is timed")
    ap.add_argument("--out", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    py = sys.executable
    tmp = tempfile.mkdtemp(prefix="wfm-bench-")
    lines = []

    # (a) Erlang staffing, 96 intervals.
    path = os.path.join(tmp, "erlang.json")
    rows = erlang_intervals()
    json.dump(rows, open(path, "w"))
    ours, theirs = [], []
    for _ in range(a.repeat):
        p, wall = run([a.wfm_bench, "erlang", path, "1"])
        ours.append((json.loads(p.stdout), wall))
        p, wall = run([py, "-c", PY_ERLANG, path, "1"])
        theirs.append((json.loads(p.stdout), wall))
    # Steady state: 200 passes over the 96 intervals in one process each, fastest pass.
    p, _ = run([a.wfm_bench, "erlang", path, "200"])
    ow_warm = json.loads(p.stdout)["warm_s"]
    p, _ = run([py, "-c", PY_ERLANG, path, "200"])
    tw_warm = json.loads(p.stdout)["warm_s"]
    same = all(o[0]["agents"] == t[0]["agents"] for o, t in zip(ours, theirs))
    diff = [i for i, (x, y) in enumerate(zip(ours[0][0]["agents"], theirs[0][0]["agents"])) if x != y]
    oc = min(o[0]["compute_s"] for o in ours)
    tc = min(t[0]["compute_s"] for t in theirs)
    ow = min(o[1] for o in ours)
    tw = min(t[1] for t in theirs)
    lines += [
        "## (a) Erlang C staffing, 96 intervals (15 min, SL 80/20 s, max occupancy 85 %)",
        "",
        f"Best of {a.repeat} runs, one process each.",
        "",
        "| | Switchboard (`wfm-bench erlang`) | pyworkforce `ErlangC` | ratio |",
        "|---|---|---|---|",
        f"| agents identical | {'yes' if same else 'NO: intervals ' + str(diff)} | | |",
        f"| total agents | {sum(ours[0][0]['agents'])} | {sum(theirs[0][0]['agents'])} | |",
        f"| compute, one pass (cold) | {oc * 1e3:.3f} ms | {tc * 1e3:.3f} ms | {tc / oc:.0f}× |",
        f"| compute, fastest of 200 passes (warm) | {ow_warm * 1e3:.4f} ms | {tw_warm * 1e3:.3f} ms | {tw_warm / ow_warm:.0f}× |",
        f"| whole command | {ow * 1e3:.1f} ms | {tw * 1e3:.1f} ms | {tw / ow:.0f}× |",
        "",
    ]

    # (b) shifts vs MinAbsDifference.
    instances = [("pyworkforce example (2 d × 24)", pyworkforce_example())]
    for periods, n_shifts in [(24, 5), (48, 10), (96, 20)]:
        for seed in (1, 2):
            instances.append((f"7 d × {periods} periods, {n_shifts} shifts, seed {seed}",
                              shifts_instance(periods, n_shifts, seed)))
    lines += [
        "## (b) `wfm shifts` vs pyworkforce `MinAbsDifference` (CP-SAT, its defaults: 120 s limit, 2 workers)",
        "",
        f"Best of {a.repeat} runs on each side, one process each.",
        "",
        f"Ours run as `{'switchboard wfm shifts' if a.switchboard else 'wfm-bench shifts (the same wfm::shifts::solve call)'}`.",
        "",
        "| instance | ours abs diff | pyworkforce abs diff | ours status | pyworkforce status "
        "| ours compute | pyworkforce compute | compute ratio | ours whole | pyworkforce whole | whole ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    worse = 0
    ratios = []
    for name, inst in instances:
        ip = os.path.join(tmp, "shifts.json")
        op = os.path.join(tmp, "answer.json")
        json.dump(inst, open(ip, "w"))
        cmd = [a.switchboard, "wfm", "shifts", "--input", ip, "--out", op] if a.switchboard else [a.wfm_bench, "shifts", ip, op]
        # Best of --repeat runs on each side (one process per run), as for Erlang.
        ocs, ows, tcs, tws = [], [], [], []
        for _ in range(a.repeat):
            p, w = run(cmd)
            ows.append(w)
            ocs.append(float(p.stderr.split(" in ")[1].split(" ms")[0]) / 1e3)
            ans = json.load(open(op))
            p, w = run([py, "-c", PY_SHIFTS, ip])
            tws.append(w)
            t = json.loads(p.stdout)
            tcs.append(t["compute_s"])
        oc, ow, tw = min(ocs), min(ows), min(tws)
        t["compute_s"] = min(tcs)
        if ans["total_abs_difference"] > t["cost"] + 1e-9:
            worse += 1
        ratios.append(t["compute_s"] / oc)
        lines.append(
            f"| {name} | {ans['total_abs_difference']:.0f} | {t['cost']:.0f} | {ans['status']} | {t['status']} "
            f"| {oc * 1e3:.2f} ms | {t['compute_s'] * 1e3:.0f} ms | {t['compute_s'] / oc:.0f}× "
            f"| {ow * 1e3:.0f} ms | {tw * 1e3:.0f} ms | {tw / ow:.0f}× |"
        )
    lines += [
        "",
        f"Instances where ours is worse: {worse} of {len(instances)}. "
        f"Compute-time ratio: min {min(ratios):.0f}×, max {max(ratios):.0f}×.",
        "",
    ]
    text = "\n".join(lines)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
