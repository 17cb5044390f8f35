#!/usr/bin/env python3
"""Forecast benchmark: `switchboard wfm forecast` vs Nixtla statsforecast.

Same machine, same history, same backtest: the origins are the starts of
each of the last WEEKS operating weeks (an operating week = as many
operating days as there are open weekdays: 5 on the bank data) and every
model forecasts the next operating week from the days before it; WAPE =
sum|y - yhat| / sum y per origin, averaged over origins (exactly what our
backtest reports).

statsforecast models (its own ground: the series of open intervals laid end
to end, integer time index, seasonalities in intervals):
  MSTL(season_length=[day, week], trend_forecaster=AutoETS('ZZN'))
  AutoETS(season_length=day)   (statsforecast drops seasons > 24 itself)
  SeasonalNaive(season_length=week)

Ours: one CLI run (`--method auto`) backtests every model and writes the
per-model WAPE and seconds into its report; the wall time of that whole run
(parse, flags, 8 models x 6 origins, final forecast) is compared with the
sum of statsforecast's per-model backtest times.

statsforecast takes tens of minutes here (AutoETS and MSTL on ~24,000
points per origin), so its results are also written to
`--statsforecast-json` (default: beside --out); `--reuse-statsforecast`
reads them back instead of refitting, for re-running only our side after a
change. The table says which was done.

Usage: forecast_vs_statsforecast.py --history CSV --bin SWITCHBOARD --out MD
       [--statsforecast-json FILE] [--reuse-statsforecast]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")


def wape(y, f):
    y, f = np.asarray(y, float), np.asarray(f, float)
    f = np.where(np.isfinite(f), f, 0.0)
    return float(np.abs(y - f).sum() / np.abs(y).sum())


def load(path):
    df = pd.read_csv(path)
    df["timestamp"] = pd.to_datetime(df["timestamp"].str.replace("Z", "", regex=False))
    df["date"] = df["timestamp"].dt.date
    days = sorted(df["date"].unique())
    per_day = df.groupby("date").size()
    slots = int(per_day.mode().iloc[0])
    # Keep only complete operating days (the bank file has no gaps).
    full = [d for d in days if per_day[d] == slots]
    df = df[df["date"].isin(full)].reset_index(drop=True)
    week = len(set(pd.Timestamp(d).weekday() for d in full))
    return df["calls"].to_numpy(float), len(full), slots, week


def statsforecast_backtest(y, n_days, slots, week, weeks):
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    origins = [n_days - k * week for k in range(weeks, 0, -1)]
    h = week * slots
    makers = {
        "statsforecast SeasonalNaive": lambda: SeasonalNaive(season_length=slots * week),
        "statsforecast AutoETS": lambda: AutoETS(season_length=slots),
        "statsforecast MSTL": lambda: MSTL(season_length=[slots, slots * week], trend_forecaster=AutoETS(model="ZZN")),
    }
    # Warm-up: numba compiles statsforecast's kernels on first use; that
    # compile time is reported separately, not charged to the backtest.
    t0 = time.perf_counter()
    small = pd.DataFrame({"unique_id": "w", "ds": np.arange(4 * slots * week), "y": y[: 4 * slots * week]})
    for make in makers.values():
        StatsForecast(models=[make()], freq=1, n_jobs=1).forecast(df=small, h=slots)
    warmup = time.perf_counter() - t0
    results = {}
    for name, make in makers.items():
        wapes = []
        t0, c0 = time.perf_counter(), time.process_time()
        for o in origins:
            train = y[: o * slots]
            test = y[o * slots : o * slots + h]
            df = pd.DataFrame({"unique_id": "bank", "ds": np.arange(len(train)), "y": train})
            fc = StatsForecast(models=[make()], freq=1, n_jobs=1).forecast(df=df, h=h)
            col = [c for c in fc.columns if c not in ("unique_id", "ds")][0]
            wapes.append(wape(test, fc[col].to_numpy()))
        results[name] = {"wape": float(np.mean(wapes)), "per_origin": wapes, "seconds": time.perf_counter() - t0,
                         "cpu": time.process_time() - c0}
        print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    return results, warmup


def ours(bin_path, history, weeks):
    with tempfile.TemporaryDirectory() as tmp:
        out, report = os.path.join(tmp, "f.csv"), os.path.join(tmp, "r.json")
        cmd = [bin_path, "wfm", "forecast", "--history", history, "--horizon-days", "5", "--out", out,
               "--report", report, "--backtest-weeks", str(weeks)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(report) as f:
            rep = json.load(f)
    return rep, wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--history", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--statsforecast-json", help="where statsforecast's results are kept")
    ap.add_argument("--reuse-statsforecast", action="store_true",
                    help="read statsforecast's results from --statsforecast-json instead of refitting")
    a = ap.parse_args()
    sf_json = a.statsforecast_json or os.path.join(os.path.dirname(os.path.abspath(a.out)), "statsforecast.json")

    y, n_days, slots, week = load(a.history)
    rep, our_wall, our_cpu = ours(a.bin, a.history, a.weeks)
    print(f"ours: wall {our_wall:.1f} s, CPU {our_cpu:.1f} s, chosen {rep['chosen']}", file=sys.stderr, flush=True)
    if a.reuse_statsforecast:
        with open(sf_json) as f:
            kept = json.load(f)
        sf, warmup, sf_note = kept["results"], kept["warmup_s"], f"reused from `{os.path.basename(sf_json)}` ({kept['measured']})"
    else:
        sf, warmup = statsforecast_backtest(y, n_days, slots, week, a.weeks)
        measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with open(sf_json, "w") as f:
            json.dump({"results": sf, "warmup_s": warmup, "measured": measured,
                       "version": __import__("statsforecast").__version__}, f, indent=1)
        sf_note = f"measured in this run ({measured})"

    best_sf_name = min(sf, key=lambda k: sf[k]["wape"])
    best_sf = sf[best_sf_name]["wape"]
    sf_total = sum(r["seconds"] for r in sf.values())
    sf_cpu = sum(r["cpu"] for r in sf.values())
    chosen = rep["chosen"]
    our = {m["model"]: m for m in rep["models"]}
    our_wape = our[chosen]["wape"]

    lines = []
    lines.append(f"History: `{os.path.basename(a.history)}` — {n_days} operating days × {slots} intervals; "
                 f"backtest origins: the last {a.weeks} operating weeks ({week} days each), horizon {week} days.")
    lines.append("")
    lines.append("| model | mean WAPE | WAPE per origin | backtest wall time, s |")
    lines.append("|---|---|---|---|")
    for m in rep["models"]:
        secs = m.get("backtest_seconds")
        secs = f"{secs:.2f}" if secs is not None else "(reuses base forecasts)"
        mark = " **(chosen)**" if m["model"] == chosen else ""
        per = ", ".join(f"{w:.3f}" for w in m["wape_per_origin"])
        lines.append(f"| ours `{m['model']}`{mark} | {m['wape']:.4f} | {per} | {secs} |")
    for name, r in sf.items():
        per = ", ".join(f"{w:.3f}" for w in r["per_origin"])
        lines.append(f"| {name} | {r['wape']:.4f} | {per} | {r['seconds']:.2f} (CPU {r['cpu']:.2f}) |")
    lines.append("")
    ratio_wape = our_wape / best_sf
    speed = sf_total / our_wall
    speed_best = sf[best_sf_name]["seconds"] / our_wall
    lines.append("| measure | value | target | met |")
    lines.append("|---|---|---|---|")
    lines.append(f"| our chosen (`{chosen}`) WAPE / best statsforecast ({best_sf_name}, {best_sf:.4f}) "
                 f"| {ratio_wape:.3f} | ≤ 0.95 | {'yes' if ratio_wape <= 0.95 else 'no'} |")
    lines.append(f"| statsforecast time, 3 models ({sf_total:.1f} s) / our whole CLI run "
                 f"({our_wall:.1f} s, 8 models + final forecast) | {speed:.1f}× | ≥ 10× | {'yes' if speed >= 10 else 'no'} |")
    cpu_ratio = sf_cpu / our_cpu
    lines.append(f"| same, CPU time: statsforecast {sf_cpu:.1f} s / ours {our_cpu:.1f} s | {cpu_ratio:.1f}× | ≥ 10× "
                 f"| {'yes' if cpu_ratio >= 10 else 'no'} |")
    our_chosen_s = our[chosen].get("backtest_seconds") or 0.0
    best_s = sf[best_sf_name]["seconds"]
    if our_chosen_s > 0:
        r = best_s / our_chosen_s
        lines.append(f"| {best_sf_name} backtest ({best_s:.4f} s) / our chosen `{chosen}` backtest ({our_chosen_s:.4f} s) "
                     f"| {r:.1f}× | — | — |")
    ours_sn = our.get("seasonal_naive", {}).get("backtest_seconds")
    sf_sn = sf.get("statsforecast SeasonalNaive", {}).get("seconds")
    if ours_sn and sf_sn:
        lines.append(f"| same model: statsforecast SeasonalNaive ({sf_sn:.4f} s) / ours `seasonal_naive` ({ours_sn:.4f} s) "
                     f"| {sf_sn / ours_sn:.0f}× | — | — |")
    lines.append(f"| {best_sf_name} time ({best_s:.2f} s) / our whole CLI run (8 models) | {speed_best:.2f}× | — | — |")
    lines.append("")
    lines.append(f"statsforecast results {sf_note}.")
    lines.append("")
    lines.append(f"statsforecast {__import__('statsforecast').__version__}, numba warm-up (not counted) {warmup:.1f} s; "
                 f"our binary `{a.bin}`; machine: {os.cpu_count()} CPUs.")
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
