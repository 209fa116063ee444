#!/usr/bin/env python3
"""Generates the report tests' fixtures: results.json (a realistic A/B run: two apps, two
cells, ten interleaved iterations, traces, a crashed run and an invalid period) and
gate.json (a hand-made verdict set consistent with it, in gate::to_json's field names).

Deterministic (seeded); re-run after changing it:  python3 make_fixtures.py
"""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261127)
MiB = 1024 * 1024

APPS = [("main", "baseline"), ("pr", "candidate")]
POINTS = [16, 64]
ITERATIONS = 10
DURATION = 10.0
TRACE = 1.0
SAMPLE = 0.5
# Candidate effects per cell: throughput factor, latency factor, CPU/request factor, RSS factor.
EFFECT = {
    ("main", 16): (1.0, 1.0, 1.0, 1.0),
    ("main", 64): (1.0, 1.0, 1.0, 1.0),
    ("pr", 16): (0.996, 1.01, 1.004, 0.92),
    ("pr", 64): (0.94, 1.09, 1.055, 0.92),
}
BASE_TPUT = {16: 52000.0, 64: 61000.0}
BASE_P50 = {16: 0.00029, 64: 0.00098}
PIDS = {"main": (4101, 4102), "pr": (4201, 4202)}


def noisy(x, rel):
    return x * (1 + rng.gauss(0, rel))


def latency(point, lf, drift):
    p50 = BASE_P50[point] * lf * drift * noisy(1, 0.015)
    pct = {
        "50": p50,
        "75": p50 * 1.32,
        "90": p50 * 1.85,
        "99": p50 * 3.9 * noisy(1, 0.03),
        "99.9": p50 * 8.2 * noisy(1, 0.06),
        "99.99": p50 * 17.0 * noisy(1, 0.1),
        "99.999": p50 * 31.0 * noisy(1, 0.15),
    }
    return pct


def period(app, point, drift, status="ok", reason="", invalid=None, crash_at=None):
    tf, lf, cf, rf = EFFECT[(app, point)]
    tput = BASE_TPUT[point] * tf * drift * noisy(1, 0.008)
    n_int = int(DURATION / TRACE)
    trace = [noisy(tput, 0.02) * (0.93 if i == 0 else 1.0) for i in range(n_int)]
    duration = DURATION
    if crash_at is not None:
        trace = trace[:crash_at] + [tput * 0.3]
        duration = crash_at + 0.4
    requests = int(sum(trace) * TRACE)
    pct = latency(point, lf, 1 / drift)
    count = requests
    lat = {
        "count": count,
        "min": pct["50"] * 0.21,
        "mean": pct["50"] * 1.18,
        "stdev": pct["50"] * 0.9,
        "max": pct["99.999"] * 1.6,
        "percentiles": {k: round(v, 9) for k, v in pct.items()},
    }
    cpu_per_req = 18.5e-6 * cf * (1 + (point == 64) * 0.07) * noisy(1, 0.01)
    cpu_total = cpu_per_req * tput * duration
    user = cpu_total * 0.64
    sys_ = cpu_total - user
    cpu_pct = cpu_total / duration * 100
    master, worker = PIDS[app]
    rss_master = 6.2 * MiB
    rss_worker0 = (38 + point * 0.22) * MiB * rf
    growth = 1.5 * MiB * rf
    t = [round(i * SAMPLE, 3) for i in range(int(duration / SAMPLE) + 1)]
    s_master = [int(rss_master) for _ in t]
    s_worker = [int(rss_worker0 + growth * min(1, x / 4) + rng.gauss(0, 0.05 * MiB)) for x in t]
    s_total = [a + b for a, b in zip(s_master, s_worker)]
    s_cpu = [round(noisy(cpu_pct, 0.03) * (0.9 if i == 0 else 1), 2) for i in range(len(t))]
    peak = max(s_total)
    p = {
        "point": {"clients": point, "rate": 0, "key": f"c={point}"},
        "status": status,
        "reason": reason,
        "driver": {
            "driver": "builtin",
            "command": [],
            "duration_s": round(duration, 3),
            "requests": requests,
            "non_2xx_3xx": 0,
            "status_codes": {"200": requests},
            "errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0, "parse": 0},
            "reconnects": 0,
            "bytes_read": requests * 130.0,
            "bytes_written": requests * 48.0,
            "throughput": round(tput, 2),
            "target_rate": 0,
            "latency": lat,
            "trace_interval_s": TRACE,
            "throughput_trace": [round(x, 1) for x in trace],
            "driver_cpu_s": round(duration * 0.55, 3),
            "invalid_reasons": invalid or [],
            "raw_output": "",
            "extra": {},
        },
        "app": {
            "duration_s": round(duration, 3),
            "cpu_user_s": round(user, 4),
            "cpu_sys_s": round(sys_, 4),
            "cpu_percent": round(cpu_pct, 2),
            "rss_start": s_total[0],
            "rss_end": s_total[-1],
            "rss_peak": peak,
            "processes": 2,
            "threads_max": 5,
            "per_process": [
                {"pid": master, "ppid": 1, "instance": 0, "comm": "hello-server",
                 "cpu_user_s": 0.01, "cpu_sys_s": 0.0, "rss_start": s_master[0],
                 "rss_end": s_master[-1], "rss_peak": max(s_master), "rss_hwm": max(s_master),
                 "threads_max": 1, "exited": False},
                {"pid": worker, "ppid": master, "instance": 0, "comm": "hello-worker",
                 "cpu_user_s": round(user - 0.01, 4), "cpu_sys_s": round(sys_, 4),
                 "rss_start": s_worker[0], "rss_end": s_worker[-1], "rss_peak": max(s_worker),
                 "rss_hwm": max(s_worker), "threads_max": 4, "exited": crash_at is not None},
            ],
            "per_cpu": [{"cpu": 2, "user_pct": 61.0, "sys_pct": 30.0, "idle_pct": 9.0,
                         "busy_pct": 91.0}],
            "traces": {
                "interval_s": SAMPLE,
                "t": t,
                "series": {
                    "cpu_percent": s_cpu,
                    "rss_total": s_total,
                    f"rss:{master}": s_master,
                    f"rss:{worker}": s_worker,
                    "threads": [5 for _ in t],
                },
            },
        },
        "metrics": {},
    }
    if status == "ok":
        m = p["metrics"]
        m["throughput"] = p["driver"]["throughput"]
        for key, name in (("50", "latency_p50"), ("90", "latency_p90"), ("99", "latency_p99"),
                          ("99.9", "latency_p99.9")):
            m[name] = lat["percentiles"][key]
        m["latency_max"] = lat["max"]
        m["latency_mean"] = lat["mean"]
        successes = p["driver"]["throughput"] * duration
        m["cpu_per_request"] = (p["app"]["cpu_user_s"] + p["app"]["cpu_sys_s"]) / successes
        m["cpu_percent"] = p["app"]["cpu_percent"]
        m["peak_rss"] = float(peak)
        m["rss_growth"] = float(s_total[-1] - s_total[0])
        m["errors"] = 0.0
    return p


def run(seq, app, role, iteration, drift, fail=False, invalid16=False):
    rid = f"run-{seq + 1:03d}-{app}"
    periods = [
        period(app, 16, drift,
               status="invalid" if invalid16 else "ok",
               reason="driver CPU saturated (98 % of one core): it would measure itself" if invalid16 else "",
               invalid=["driver thread CPU-saturated"] if invalid16 else None),
        period(app, 64, drift, status="failed" if fail else "ok",
               reason="the app died during the load period" if fail else "",
               crash_at=6 if fail else None),
    ]
    startup = round(noisy(0.046 if app == "main" else 0.041, 0.05), 4)
    idle = int(noisy(11.8 * MiB, 0.01))
    total_t = 2 + 2 * (2 + DURATION) + 1
    t = [round(i * SAMPLE, 2) for i in range(int(total_t / SAMPLE) + 1)]
    rss, cpu = [], []
    for x in t:
        if x < 2:
            rss.append(idle)
            cpu.append(0.4)
        else:
            k = 0 if x < 14 else 1
            pr = periods[k]
            rss.append(int(pr["app"]["rss_peak"] * (0.98 if (x - 2) % 12 < 2 else 1.0)))
            cpu.append(round(pr["app"]["cpu_percent"] * (0.6 if (x - 2) % 12 < 2 else 1.0), 1))
    if fail:
        cut = int((2 + 12 + 2 + 6.4) / SAMPLE)
        t, rss, cpu = t[:cut], rss[:cut], cpu[:cut]
    log = f"artifacts/{rid}/app.log"
    r = {
        "id": rid,
        "sequence": seq,
        "iteration": iteration,
        "app": app,
        "role": role,
        "scenario": "plaintext",
        "url": "http://127.0.0.1:8080/plaintext",
        "status": "failed" if fail else "ok",
        "failure": "app exited with status 139 (SIGSEGV) during load point c=64" if fail else "",
        "started_at": 1795812060.0 + seq * 30,
        "elapsed_s": round(t[-1] + 0.6, 2),
        "overhead_s": 2.3,
        "startup": {"measured": True, "time_to_ready_s": startup, "idle_rss": idle,
                    "idle_cpu_percent": 0.4},
        "termination": {"expected": not fail,
                        "description": "killed by signal 11 (SIGSEGV)" if fail else "terminated by SIGTERM"},
        "instances": [{"index": 0, "pid": PIDS[app][0],
                       "command": [f"./build-{app}/hello-server", "--port", "8080"],
                       "cpus": "2", "log": log}],
        "periods": periods,
        "metrics": {"startup_time": startup, "idle_rss": float(idle)} if not fail else {},
        "artifacts": [{"kind": "app-log", "path": log}],
        "traces": {"interval_s": SAMPLE, "t": t,
                   "series": {"rss_total": rss, "cpu_percent": cpu}},
    }
    if app == "pr" and iteration == 1:
        r["profile"] = {
            "profiler": "flame", "status": "ok", "reason": "",
            "top_symbols": [{"name": "json_escape", "share": 0.21, "dso": "hello-server"}],
            "by_dso": [{"name": "hello-server", "share": 0.64}],
            "extra": {},
            "artifacts": [{"kind": "flamegraph", "path": f"artifacts/{rid}/flame.svg",
                           "description": "CPU flame graph of the whole run"}],
        }
    return r


runs = []
seq = 0
for it in range(1, ITERATIONS + 1):
    drift = 1 + 0.01 * math.sin(it)  # slow machine drift, shared by both apps of a pair
    order = APPS[:] if rng.random() < 0.5 else APPS[::-1]
    for app, role in order:
        runs.append(run(seq, app, role, it, drift,
                        fail=(app == "pr" and it == 3),
                        invalid16=(app == "main" and it == 5)))
        seq += 1

results = {
    "kind": "benchgate.results",
    "schema_version": 1,
    "tool": {"name": "benchgate", "version": "0.1.0"},
    "command": "run",
    "status": "complete",
    "name": "hello",
    "started_at": "2026-11-27T20:41:00+00:00",
    "finished_at": "2026-11-27T20:46:12+00:00",
    "suite": {"name": "hello", "iterations": ITERATIONS},
    "order": {"seed": 42, "sequence": [r["id"] for r in runs]},
    "machine": {
        "date": "2026-11-27T20:41:00+00:00", "host_name": "ci-runner-7",
        "executable": "benchgate", "num_cpus": 4, "mhz_per_cpu": 2445,
        "cpu_scaling_enabled": False, "load_avg": [0.52, 0.61, 0.58],
        "library_build_type": "release", "cpu_model": "AMD EPYC 7763 64-Core Processor",
        "kernel": "6.1.0-27-amd64", "governor": "performance", "compiler": "g++ 12.2.0",
        "build_flags": "-O2 -g", "cgroup_cpu_quota": "none", "available_cpus": "0-3",
    },
    "testbed": {"cpu_model": "AMD EPYC 7763 64-Core Processor", "num_cpus": 4,
                "kernel": "6.1.0-27-amd64", "kernel_major": "6.1", "build_type": "release",
                "fingerprint": "3f9a1c07e2b4d518"},
    "provenance": {
        "GITHUB_SHA": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "GITHUB_REF": "refs/pull/42/merge", "GITHUB_HEAD_REF": "faster-plaintext",
        "GITHUB_BASE_REF": "main", "GITHUB_REPOSITORY": "acme/hello",
        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": "123456789",
        "GITHUB_RUN_ATTEMPT": "1", "GITHUB_WORKFLOW": "perf-gate", "GITHUB_JOB": "gate",
        "GITHUB_EVENT_NAME": "pull_request", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "GitHub Actions 7",
    },
    "runs": runs,
    "gate": None,
    "warnings": ["load average 0.52 at start (more than 0.5 per CPU is noisy)"],
}


def med(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def values(app, point, metric):
    out = {}
    for r in runs:
        if r["app"] != app or r["status"] != "ok":
            continue
        for p in r["periods"]:
            if p["point"]["clients"] == point and p["status"] == "ok" and metric in p["metrics"]:
                out[r["iteration"]] = p["metrics"][metric]
    return out


# Hand-made verdicts: medians from the data above, estimates from the paired ratios, CIs and
# p-values chosen by hand to tell the story (this is report input, not a gate test).
P_ALL = 0.5 ** 9  # exact one-sided Wilcoxon p when all 9 pairs point the same way
VERDICTS = {
    16: {"throughput": ("unchanged", 0.004, 0.52, ""),
         "latency_p50": ("unchanged", 0.02, 0.31, ""),
         "latency_p99": ("unchanged", 0.025, 0.35, ""),
         "latency_p99.9": ("inconclusive", 0.2, 0.2, "CI"),
         "cpu_per_request": ("unchanged", 0.006, 0.4, ""),
         "cpu_percent": ("unchanged", 0.012, 0.45, ""),
         "peak_rss": ("improved", 0.02, 1 - P_ALL, "")},
    64: {"throughput": ("regressed", 0.012, P_ALL, ""),
         "latency_p50": ("warn", 0.022, P_ALL, "within"),
         "latency_p99": ("warn", 0.03, 0.0039, "within"),
         "cpu_per_request": ("regressed", 0.011, P_ALL, ""),
         "cpu_percent": ("unchanged", 0.015, 0.6, ""),
         "peak_rss": ("improved", 0.015, 1 - P_ALL, ""),
         "errors": ("not_comparable", 0, 1, "0 on both sides: no variation to test")},
}
METRIC_INFO = {
    "throughput": ("req/s", "higher", "ratio", 0.03),
    "latency_p50": ("s", "lower", "ratio", 0.10),
    "latency_p99": ("s", "lower", "ratio", 0.10),
    "latency_p99.9": ("s", "lower", "ratio", 0.15),
    "cpu_per_request": ("s", "lower", "ratio", 0.03),
    "cpu_percent": ("%", "lower", "ratio", 0.05),
    "peak_rss": ("bytes", "lower", "ratio", 0.03),
    "errors": ("count", "lower", "difference", 0.5),
}
FLAME = next(a["path"] for r in runs if "profile" in r for a in r["profile"]["artifacts"])
verdicts = []
for point, table in VERDICTS.items():
    for metric, (verdict, half_ci, p_raw, reason) in table.items():
        unit, better, scale, min_effect = METRIC_INFO[metric]
        b = values("main", point, metric)
        c = values("pr", point, metric)
        pairs = [math.log(c[i] / b[i]) for i in b if i in c and b[i] > 0 and c[i] > 0]
        est = math.exp(med(pairs)) - 1 if pairs and scale == "ratio" else 0.0
        v = {
            "app": "pr", "cell": f"plaintext c={point}", "metric": metric, "unit": unit,
            "better": better, "scale": scale, "verdict": verdict, "reason": reason,
            "baseline_label": "main", "baseline": med(list(b.values())) if b else 0,
            "current": med(list(c.values())) if c else 0,
            "n_baseline": len(b), "n_current": len(c), "paired": True,
            "test": "wilcoxon-signed-rank" if verdict != "not_comparable" else "none",
            "estimate": round(est, 5), "ci_low": round(est - half_ci, 5),
            "ci_high": round(est + half_ci, 5), "ci_level": 0.95,
            "p_value": p_raw, "p_adjusted": 1.0, "p_improved": 1 - p_raw,
            "p_two_sided": min(1.0, 2 * min(p_raw, 1 - p_raw)), "min_effect": min_effect,
            "alpha": 0.05, "gated": True,
            "measured_s": round(sum(p["driver"]["duration_s"] for r in runs for p in r["periods"]
                                    if p["point"]["clients"] == point), 3),
            "artifacts": [FLAME] if metric == "cpu_per_request" and point == 64 else [],
        }
        limit = f"{'-' if better == 'higher' else '+'}{min_effect * 100:g} %"
        if verdict == "regressed":
            v["reason"] = f"{est * 100:+.1f} % is beyond the {limit} limit in {len(pairs)} of {len(pairs)} pairs"
        elif reason == "within":
            v["reason"] = f"significant, but {est * 100:+.1f} % is within the {limit} limit"
        elif reason == "CI":
            v["reason"] = (f"the CI [{(est - half_ci) * 100:+.1f} %, {(est + half_ci) * 100:+.1f} %] "
                           f"is wider than ±{min_effect * 100:g} %")
        verdicts.append(v)
# Per-run metric: start-up time of the scenario.
b = {r["iteration"]: r["metrics"]["startup_time"] for r in runs if r["app"] == "main" and r["metrics"]}
c = {r["iteration"]: r["metrics"]["startup_time"] for r in runs if r["app"] == "pr" and r["metrics"]}
pairs = [math.log(c[i] / b[i]) for i in b if i in c]
est = math.exp(med(pairs)) - 1
verdicts.append({
    "app": "pr", "cell": "plaintext", "metric": "startup_time", "unit": "s", "better": "lower",
    "scale": "ratio", "verdict": "improved", "reason": "", "baseline_label": "main",
    "baseline": med(list(b.values())), "current": med(list(c.values())), "n_baseline": len(b),
    "n_current": len(c), "paired": True, "test": "wilcoxon-signed-rank",
    "estimate": round(est, 5), "ci_low": round(est - 0.04, 5), "ci_high": round(est + 0.035, 5),
    "ci_level": 0.95, "p_value": 1 - P_ALL, "p_adjusted": 1.0, "p_improved": P_ALL,
    "p_two_sided": 2 * P_ALL, "min_effect": 0.10, "alpha": 0.05, "gated": True,
    "measured_s": round(sum(r["startup"]["time_to_ready_s"] for r in runs), 3), "artifacts": []})

# Holm over every gated test (one-sided "worse" p-values).
order = sorted(range(len(verdicts)), key=lambda i: verdicts[i]["p_value"])
running = 0.0
for rank, i in enumerate(order):
    running = max(running, min(1.0, (len(verdicts) - rank) * verdicts[i]["p_value"]))
    verdicts[i]["p_adjusted"] = round(running, 6)
for v in verdicts:
    if v["verdict"] == "not_comparable":
        v["p_adjusted"] = 1.0

gate = {
    "mode": "ab",
    "baseline_source": "main",
    "testbed_match": True,
    "verdicts": verdicts,
    "notes": ["plaintext c=16: 8 of 10 pairs complete (main #5 invalid, pr #3 failed); "
              "plaintext c=64: 9 of 10 (pr #3 failed)"],
}

with open(os.path.join(HERE, "results.json"), "w") as f:
    json.dump(results, f, indent=1)
    f.write("\n")
with open(os.path.join(HERE, "gate.json"), "w") as f:
    json.dump(gate, f, indent=1)
    f.write("\n")
# The crashed run's log (its tail goes into junit.xml and the HTML report).
for r in runs:
    if r["status"] == "failed":
        path = os.path.join(HERE, r["instances"][0]["log"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("hello-server 1.4.0 listening on 127.0.0.1:8080 (1 worker)\n")
            for i in range(30):
                f.write(f"worker 4202: served {1000 * (i + 1)} requests\n")
            f.write("worker 4202: json_escape: buffer overrun at 0x7f3a2c001ff8\n")
            f.write("master 4201: worker 4202 killed by signal 11 (Segmentation fault)\n")
            f.write("master 4201: exiting with status 139\n")
print(f"{len(runs)} runs, {len(verdicts)} verdicts")
