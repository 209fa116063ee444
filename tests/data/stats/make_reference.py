#!/usr/bin/python3
"""Independent reference values for tests/unit/stats (run once; output committed).

    /usr/bin/python3 tests/data/stats/make_reference.py > tests/data/stats/reference.json

Computed with Debian 12's scipy 1.10.1 / numpy 1.24.2 and exact Python integer arithmetic,
never with benchgate's code. Policies mirrored from src/stats/rank_tests.h:
- Wilcoxon signed-rank: zeros dropped (zero_method="wilcox"); exact when the remaining n <= 50
  and |d| has no ties (scipy method="exact" on the non-zero differences), otherwise scipy's
  normal approximation with correction=True.
- Mann-Whitney U: scipy.stats.mannwhitneyu defaults (method="auto", use_continuity=True), plus
  method="exact" / "asymptotic" explicitly.
- Hodges-Lehmann CIs: k = largest integer with P(T <= k-1) <= (1-level)/2 under the exact null
  distribution (computed here by brute force / exact integer recurrences, independently of the
  C++ code), CI = [A_(k), A_(N+1-k)]; for n > 50 (one-sample) k = floor(E + 0.5 - z*sd).
"""
import itertools
import json
import math
import sys
from fractions import Fraction
from functools import lru_cache

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20260501)
ALTS = ["two-sided", "greater", "less"]


def f(x):
    return float(x)


# ---------------------------------------------------------------- descriptive
def descriptive_cases():
    out = []
    samples = [
        [3.0],
        [1.0, 2.0],
        [5.0, 1.0, 4.0, 2.0, 3.0],
        [2.5, 2.5, 1.0, 7.0, 7.0, 7.0],
        list(rng.normal(100, 15, 17)),
        list(rng.lognormal(0, 1, 40)),
    ]
    qs = [0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0]
    for s in samples:
        a = np.array(s)
        out.append({
            "values": [f(x) for x in s],
            "median": f(np.median(a)),
            "mean": f(np.mean(a)),
            "stddev": f(np.std(a, ddof=1)) if len(s) > 1 else None,
            "quantiles": {repr(q): f(np.quantile(a, q, method="linear")) for q in qs},
            "ranks": [f(r) for r in stats.rankdata(a)],
        })
    return out


# ---------------------------------------------------------------- normal
def normal_cases():
    ps = [1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.95,
          0.975, 0.999, 1 - 1e-10]
    zs = [-40, -10, -5, -3.5, -1.96, -1, -0.5, 0, 0.5, 1, 1.96, 3.5, 5, 10, 30]
    return {
        "quantile": [{"p": p, "z": f(stats.norm.ppf(p))} for p in ps],
        "sf": [{"z": z, "sf": f(stats.norm.sf(z)), "cdf": f(stats.norm.cdf(z))} for z in zs],
    }


# ---------------------------------------------------------------- signed-rank
@lru_cache(maxsize=None)
def signed_rank_counts(n):
    """Exact counts of W+ for ranks 1..n: brute force for small n, integer DP beyond."""
    if n <= 12:
        counts = [0] * (n * (n + 1) // 2 + 1)
        for signs in itertools.product([0, 1], repeat=n):
            counts[sum(r for r, s in zip(range(1, n + 1), signs) if s)] += 1
        return tuple(counts)
    prev = signed_rank_counts(n - 1)
    counts = [0] * (n * (n + 1) // 2 + 1)
    for w, c in enumerate(prev):
        counts[w] += c
        counts[w + n] += c
    return tuple(counts)


def wilcoxon_case(d):
    d = [f(x) for x in d]
    nz = [x for x in d if x != 0]
    absd = np.abs(np.array(nz))
    ties = len(np.unique(absd)) != len(absd)
    exact = len(nz) <= 50 and not ties
    res = {"d": d, "n": len(nz), "zeros": len(d) - len(nz), "ties": bool(ties), "exact": exact}
    for alt in ALTS:
        if len(nz) == 0:
            continue
        if exact:
            r = stats.wilcoxon(nz, alternative=alt, method="exact")
        else:
            r = stats.wilcoxon(d, zero_method="wilcox", correction=True, alternative=alt,
                               method="approx")
        res[alt] = f(r.pvalue)
    ranks = stats.rankdata(absd)
    res["w_plus"] = f(sum(r for r, x in zip(ranks, nz) if x > 0))
    return res


def wilcoxon_cases():
    cases = []
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 40, 50]:
        cases.append(wilcoxon_case(rng.normal(0.3, 1, n)))
    cases.append(wilcoxon_case([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]))   # all positive
    cases.append(wilcoxon_case([-1.0, -2.0, -3.0, -4.0, -5.0]))
    cases.append(wilcoxon_case(rng.normal(0, 1, 51)))       # n > 50 -> normal
    cases.append(wilcoxon_case(rng.normal(0.2, 1, 120)))
    # ties and zeros -> normal approximation
    cases.append(wilcoxon_case([1, 1, 2, -2, 3, 0, 0, 4, 5, -1, 2, 6]))
    cases.append(wilcoxon_case([0, 0, 1, 2, 3, 4, 5, 6, 7, 8]))
    cases.append(wilcoxon_case(np.round(rng.normal(0.5, 1, 25), 1)))
    # zeros but no ties among the rest: exact on the n non-zero values (our policy)
    cases.append(wilcoxon_case([0.0, 0.11, -0.23, 0.35, 0.47, 0.52, -0.05, 0.61, 0.0]))
    # log-ratios like the A/B gate sees (10 pairs, 5 % slower, 2 % noise)
    cases.append(wilcoxon_case(np.log(1.05) + rng.normal(0, 0.02, 10)))
    return cases


# ---------------------------------------------------------------- rank-sum
@lru_cache(maxsize=None)
def u_count(m, n, k):
    """Number of arrangements of m x's and n y's with U = k (Mann & Whitney 1947 recurrence)."""
    if k < 0 or k > m * n:
        return 0
    if m == 0 or n == 0:
        return 1 if k == 0 else 0
    return u_count(m - 1, n, k - n) + u_count(m, n - 1, k)


def mann_whitney_case(x, y):
    x = [f(v) for v in x]
    y = [f(v) for v in y]
    xy = np.concatenate([x, y])
    ties = len(np.unique(xy)) != len(xy)
    res = {"x": x, "y": y, "ties": bool(ties)}
    res["auto_exact"] = (not (len(x) > 8 and len(y) > 8)) and not ties
    for alt in ALTS:
        r = stats.mannwhitneyu(x, y, alternative=alt)
        res["u1"] = f(r.statistic)
        res[alt] = f(r.pvalue)
        res["asymptotic_" + alt] = f(stats.mannwhitneyu(x, y, alternative=alt,
                                                       method="asymptotic").pvalue)
        if not ties:
            res["exact_" + alt] = f(stats.mannwhitneyu(x, y, alternative=alt,
                                                       method="exact").pvalue)
    return res


def mann_whitney_cases():
    cases = []
    for n1, n2 in [(1, 1), (1, 5), (2, 2), (3, 4), (5, 5), (8, 8), (8, 20), (3, 30), (9, 9),
                   (10, 10), (12, 12), (15, 7), (20, 25), (50, 40)]:
        cases.append(mann_whitney_case(rng.normal(0.5, 1, n1), rng.normal(0, 1, n2)))
    cases.append(mann_whitney_case([1, 2, 2, 3], [2, 4, 5]))                  # ties, small
    cases.append(mann_whitney_case(np.round(rng.normal(0, 1, 12), 1), np.round(rng.normal(1, 1, 11), 1)))
    cases.append(mann_whitney_case([5.0] * 6, [5.0] * 6))                     # all tied
    cases.append(mann_whitney_case(list(range(10, 20)), list(range(0, 10))))  # separated 10 v 10
    cases.append(mann_whitney_case(list(range(10, 16)), list(range(0, 7))))   # separated, exact
    return cases


def u_distribution_cases():
    out = []
    for m, n in [(1, 1), (2, 3), (4, 4), (5, 9), (8, 8), (10, 10), (12, 12), (3, 40)]:
        total = math.comb(m + n, m)
        counts = [u_count(m, n, k) for k in range(m * n + 1)]
        assert sum(counts) == total
        cdf = list(itertools.accumulate(counts))
        out.append({"m": m, "n": n, "total": str(total),
                    "cdf": [f(Fraction(c, total)) for c in cdf]})
    return out


# ---------------------------------------------------------------- Hodges-Lehmann
def hl_one(d, level):
    d = [f(x) for x in d]
    n = len(d)
    walsh = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    est = f(np.median(walsh))
    half = Fraction(1 - Fraction(level).limit_denominator(1000)) / 2
    if n <= 50:
        counts = signed_rank_counts(n)
        total = 2 ** n
        k, acc = 0, 0
        for t, c in enumerate(counts):
            acc += c
            if Fraction(acc, total) > half:
                break
            k = t + 1
    else:
        mean = n * (n + 1) / 4
        sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
        k = max(0, math.floor(mean + 0.5 - stats.norm.ppf(1 - float(half)) * sd))
    M = len(walsh)
    lo = walsh[k - 1] if k >= 1 else None
    hi = walsh[M - k] if k >= 1 else None
    return {"d": d, "level": level, "estimate": est, "k": k, "ci_low": lo, "ci_high": hi}


def hl_two(x, y, level):
    x = [f(v) for v in x]
    y = [f(v) for v in y]
    m, n = len(x), len(y)
    diffs = sorted(a - b for a in x for b in y)
    est = f(np.median(diffs))
    half = Fraction(1 - Fraction(level).limit_denominator(1000)) / 2
    total = math.comb(m + n, m)
    k, acc = 0, 0
    for u in range(m * n + 1):
        acc += u_count(m, n, u)
        if Fraction(acc, total) > half:
            break
        k = u + 1
    N = len(diffs)
    lo = diffs[k - 1] if k >= 1 else None
    hi = diffs[N - k] if k >= 1 else None
    return {"x": x, "y": y, "level": level, "estimate": est, "k": k, "ci_low": lo, "ci_high": hi}


def hl_cases():
    one, two = [], []
    for n in [1, 3, 5, 6, 8, 10, 12, 20, 35, 50, 60, 80]:
        d = rng.normal(0.05, 0.02, n)
        for level in [0.90, 0.95, 0.99]:
            one.append(hl_one(d, level))
    one.append(hl_one([0.0, 0.0, 0.01, -0.02, 0.03, 0.0, 0.01, 0.01, 0.02, 0.04], 0.95))
    for m, n in [(1, 1), (2, 2), (3, 5), (5, 5), (8, 8), (10, 10), (12, 12), (7, 15), (20, 20)]:
        x = rng.normal(0.1, 0.05, m)
        y = rng.normal(0.0, 0.05, n)
        for level in [0.90, 0.95]:
            two.append(hl_two(x, y, level))
    return one, two


# ---------------------------------------------------------------- Holm
def holm(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adj = [0.0] * m
    running = 0.0
    for j, i in enumerate(order):
        running = max(running, min(1.0, (m - j) * p[i]))
        adj[i] = running
    return adj


def holm_cases():
    cases = []
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") = 0.05 0.08 0.09 0.09 0.09
    cases.append({"p": [0.01, 0.02, 0.03, 0.04, 0.05], "adjusted": [0.05, 0.08, 0.09, 0.09, 0.09],
                  "source": "R p.adjust documentation-style example, computed by hand"})
    for m in [1, 3, 10, 40]:
        p = list(rng.uniform(0, 0.2, m))
        cases.append({"p": p, "adjusted": holm(p), "source": "direct Holm formula"})
    return cases


# ---------------------------------------------------------------- minimum p
def min_p_cases():
    wil = []
    for n in [1, 4, 5, 6, 7, 10, 20, 50]:
        d = list(range(1, n + 1))  # every difference positive
        wil.append({"n": n, "greater": f(stats.wilcoxon(d, alternative="greater", method="exact").pvalue),
                    "two-sided": f(stats.wilcoxon(d, alternative="two-sided", method="exact").pvalue)})
    mw = []
    for n1, n2 in [(2, 2), (3, 3), (5, 5), (8, 8), (8, 30), (9, 9), (10, 10), (12, 12), (20, 15)]:
        x = list(range(100, 100 + n1))
        y = list(range(n2))
        mw.append({"n1": n1, "n2": n2,
                   "greater": f(stats.mannwhitneyu(x, y, alternative="greater").pvalue),
                   "two-sided": f(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)})
    return {"wilcoxon": wil, "mann_whitney": mw}


# ---------------------------------------------------------------- gate scenarios
def gate_cases():
    """Whole comparisons as the gate sees them (tests/unit/gate): raw samples in, p-values and
    Hodges-Lehmann % change with its 95 % CI out."""
    ab = []
    base = 10000 * np.exp(rng.normal(0, 0.01, 10))
    for factor, better in [(0.95, "higher"), (1.0, "higher"), (1.02, "higher")]:
        cand = base * factor * np.exp(rng.normal(0, 0.01, 10))
        d = np.log(cand / base)
        worse, good = ("less", "greater") if better == "higher" else ("greater", "less")
        hl = hl_one(d, 0.95)
        ab.append({
            "base": [f(x) for x in base], "cand": [f(x) for x in cand], "better": better,
            "p_worse": f(stats.wilcoxon(d, alternative=worse, method="exact").pvalue),
            "p_better": f(stats.wilcoxon(d, alternative=good, method="exact").pvalue),
            "p_two_sided": f(stats.wilcoxon(d, alternative="two-sided", method="exact").pvalue),
            "estimate": math.expm1(hl["estimate"]),
            "ci_low": math.expm1(hl["ci_low"]), "ci_high": math.expm1(hl["ci_high"]),
        })
    unpaired = []
    for n1, n2, factor in [(12, 12, 1.08), (8, 10, 1.0), (6, 6, 1.3)]:
        b = 0.002 * np.exp(rng.normal(0, 0.03, n1))
        c = 0.002 * factor * np.exp(rng.normal(0, 0.03, n2))
        hl = hl_two(np.log(c), np.log(b), 0.95)
        unpaired.append({
            "base": [f(x) for x in b], "cand": [f(x) for x in c], "better": "lower",
            # The gate's one-sided tests use the exact distribution when there are no ties.
            "p_worse": f(stats.mannwhitneyu(c, b, alternative="greater", method="exact").pvalue),
            "p_better": f(stats.mannwhitneyu(c, b, alternative="less", method="exact").pvalue),
            "p_two_sided": f(stats.mannwhitneyu(b, c, alternative="two-sided").pvalue),
            "estimate": math.expm1(hl["estimate"]),
            "ci_low": math.expm1(hl["ci_low"]) if hl["ci_low"] is not None else None,
            "ci_high": math.expm1(hl["ci_high"]) if hl["ci_high"] is not None else None,
        })
    return {"ab": ab, "unpaired": unpaired}


one, two = hl_cases()
out = {
    "generator": "tests/data/stats/make_reference.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "descriptive": descriptive_cases(),
    "normal": normal_cases(),
    "wilcoxon": wilcoxon_cases(),
    "mann_whitney": mann_whitney_cases(),
    "u_distribution": u_distribution_cases(),
    "hodges_lehmann_one_sample": one,
    "hodges_lehmann_two_sample": two,
    "holm": holm_cases(),
    "min_p": min_p_cases(),
    "gate": gate_cases(),
}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
