#!/usr/bin/env python3
"""Forms gates from pools of instruction-mode samples and gates each with `benchgate diff`.

usage: instructions_gates.py RESULTS_JSON GATES BENCHGATE WORKDIR
Prints the spread of each pool and, per level, how many gates ended regressed / unchanged /
inconclusive (A/A: base vs aa; power: base vs w0.25, w0.5, w1, w2)."""
import json, os, random, subprocess, sys

results_path, n_gates, bg, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
os.makedirs(work, exist_ok=True)
rf = json.load(open(results_path))
pools = {}
for run in rf["runs"]:
    if run["status"] == "ok":
        pools.setdefault(run["app"], []).append(run)
metric = "instructions_per_request"
print(f"{'app':6} {'samples':>7} {'median ' + metric:>30} {'spread':>10}")
for app, runs in pools.items():
    vals = sorted(r["periods"][0]["metrics"][metric] for r in runs)
    print(f"{app:6} {len(vals):7d} {vals[len(vals)//2]:30.2f} {vals[-1]/vals[0]-1:10.2e}")

def write(runs, label, path):
    f = dict(rf)
    f["runs"] = []
    for r in runs:
        r = json.loads(json.dumps(r))
        r["app"] = label
        f["runs"].append(r)
    f["planned_runs"] = len(runs)
    json.dump(f, open(path, "w"))

rng = random.Random(12)
base_med = sorted(r["periods"][0]["metrics"][metric] for r in pools["base"])[len(pools["base"]) // 2]
print()
print(f"{'level':6} {'change':>8} {'gates':>6} {'regressed':>10} {'unchanged':>10} {'inconclusive':>13} {'other':>6}")
for level in ["aa", "w0.25", "w0.5", "w1", "w2"]:
    if level not in pools or len(pools[level]) < 3:
        print(f"{level:6} (too few samples)")
        continue
    med = sorted(r["periods"][0]["metrics"][metric] for r in pools[level])[len(pools[level]) // 2]
    counts = {}
    for g in range(n_gates):
        b = rng.sample(pools["base"], 3)
        c = rng.sample(pools[level], 3)
        write(b, "app", f"{work}/base.json")
        write(c, "app", f"{work}/cand.json")
        p = subprocess.run([bg, "diff", f"{work}/base.json", f"{work}/cand.json", "--format", "json"],
                           capture_output=True, text=True)
        verdict = "other"
        try:
            for v in json.loads(p.stdout)["verdicts"]:
                if v["metric"] == metric:
                    verdict = v["verdict"]
        except (ValueError, KeyError):
            pass
        counts[verdict] = counts.get(verdict, 0) + 1
    print(f"{level:6} {med/base_med-1:+8.3%} {n_gates:6d} {counts.get('regressed',0):10d} "
          f"{counts.get('unchanged',0):10d} {counts.get('inconclusive',0):13d} "
          f"{sum(v for k,v in counts.items() if k not in ('regressed','unchanged','inconclusive')):6d}")
