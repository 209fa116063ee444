#!/usr/bin/python3
"""Independent Hodges-Lehmann interval ranks k and intervals at levels 0.80, 0.90, 0.95, 0.99
(run once; output committed):

    /usr/bin/python3 tests/data/stats/make_hl_grid.py > tests/data/stats/hl_grid.json

The rule (src/stats/hodges_lehmann.h): k = the largest integer with P(T <= k-1) <= (1-level)/2
under the exact null distribution of T (Wilcoxon W+ for the one-sample interval, Mann-Whitney U
for the two-sample one); CI = [A_(k), A_(N+1-k)] of the N sorted Walsh averages / pairwise
differences. Here every probability is an exact fraction (Python integers and
fractions.Fraction, the level as the decimal it is written as), so there is no floating-point
boundary: the grid includes the (n, level) points where P(T <= t) equals (1-level)/2 exactly.

Null distributions are computed independently of benchgate's C++ code: by brute-force
enumeration of all 2^n sign vectors (n <= 16) or all C(m+n, m) arrangements (m+n <= 16), and by
integer recurrences beyond; the two methods are checked against each other where both run, and
against scipy 1.10's exact distributions (scipy.stats._hypotests._get_wilcoxon_distr, and
scipy.stats._mannwhitneyu._mwu_state.cdf) as a third, floating-point opinion where they exist.
"""
import itertools
import json
import sys
from fractions import Fraction
from functools import lru_cache

import numpy as np
import scipy

LEVELS = ["0.80", "0.90", "0.95", "0.99"]


def brute_signed_rank(n):
    counts = [0] * (n * (n + 1) // 2 + 1)
    for signs in itertools.product([0, 1], repeat=n):
        counts[sum(r for r, s in zip(range(1, n + 1), signs) if s)] += 1
    return counts


@lru_cache(maxsize=None)
def signed_rank_counts(n):
    """Counts of W+ = w among the 2^n sign vectors (adding rank n: W+ stays or grows by n)."""
    if n == 0:
        return (1,)
    prev = signed_rank_counts(n - 1)
    counts = [0] * (n * (n + 1) // 2 + 1)
    for w, c in enumerate(prev):
        counts[w] += c
        counts[w + n] += c
    return tuple(counts)


def brute_u(m, n):
    counts = [0] * (m * n + 1)
    for xs in itertools.combinations(range(m + n), m):  # positions of the x's in the pooled order
        # U of x = number of (x, y) pairs with x > y = sum over x of the y's below it
        counts[sum(p - i for i, p in enumerate(xs))] += 1
    return counts


@lru_cache(maxsize=None)
def u_count(m, n, k):
    """Arrangements of m x's and n y's with U = k (Mann & Whitney 1947 recurrence)."""
    if k < 0 or k > m * n:
        return 0
    if m == 0 or n == 0:
        return 1 if k == 0 else 0
    return u_count(m - 1, n, k - n) + u_count(m, n - 1, k)


def k_from_counts(counts, level):
    half = (1 - Fraction(level)) / 2
    total = sum(counts)
    k, acc = 0, 0
    for t, c in enumerate(counts):
        acc += c
        if Fraction(acc, total) > half:
            break
        k = t + 1
    return k


def boundary(counts, level):
    """True when some P(T <= t) equals (1-level)/2 exactly (the points float arithmetic gets
    wrong)."""
    half = (1 - Fraction(level)) / 2
    total = sum(counts)
    acc = 0
    for c in counts:
        acc += c
        if Fraction(acc, total) == half:
            return True
    return False


def scipy_checks():
    """scipy's own exact null distributions agree with the counts above (float tolerance)."""
    from scipy.stats._hypotests import _get_wilcoxon_distr
    from scipy.stats._mannwhitneyu import _mwu_state
    for n in range(1, 51):
        pmf = np.asarray(_get_wilcoxon_distr(n), dtype=float)
        counts = signed_rank_counts(n)
        assert np.allclose(pmf / pmf.sum(), np.array(counts, dtype=float) / 2**n, rtol=1e-12,
                           atol=0), n
    for m in range(1, 21):
        for n in range(1, 21):
            cdf = _mwu_state.cdf(k=np.arange(m * n + 1), m=m, n=n)
            counts = [u_count(m, n, u) for u in range(m * n + 1)]
            acc = np.cumsum(np.array(counts, dtype=float)) / float(sum(counts))
            assert np.allclose(cdf, acc, rtol=1e-10, atol=0), (m, n)


def main():
    for n in range(1, 17):
        assert tuple(brute_signed_rank(n)) == signed_rank_counts(n), n
    for m in range(1, 9):
        for n in range(1, 17 - m):
            assert brute_u(m, n) == [u_count(m, n, u) for u in range(m * n + 1)], (m, n)
    scipy_checks()

    one, two = [], []
    for level in LEVELS:
        for n in range(1, 51):
            c = signed_rank_counts(n)
            one.append({"n": n, "level": float(level), "k": k_from_counts(c, level),
                        "boundary": boundary(c, level)})
        for m in range(1, 21):
            for n in range(1, 21):
                c = [u_count(m, n, u) for u in range(m * n + 1)]
                two.append({"m": m, "n": n, "level": float(level), "k": k_from_counts(c, level),
                            "boundary": boundary(c, level)})

    # Intervals on data, at every level, including boundary points (one-sample n = 3 at 0.80 and
    # n = 4 at 0.90 ..., two-sample 3 x 3 at 0.90); integer-valued data keep the Walsh averages and
    # differences exact in binary, so the endpoints compare exactly.
    rng = np.random.default_rng(20261204)
    intervals_one, intervals_two = [], []
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 50]:
        d = [float(v) for v in rng.integers(-40, 200, n)]
        walsh = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
        for level in LEVELS:
            k = k_from_counts(signed_rank_counts(n), level)
            intervals_one.append({"d": d, "level": float(level), "k": k,
                                  "ci_low": walsh[k - 1] if k >= 1 else None,
                                  "ci_high": walsh[len(walsh) - k] if k >= 1 else None})
    for m, n in [(1, 1), (2, 2), (2, 5), (3, 3), (3, 4), (4, 4), (5, 5), (6, 9), (10, 10),
                 (12, 7), (20, 20)]:
        x = [float(v) for v in rng.integers(0, 300, m)]
        y = [float(v) for v in rng.integers(-50, 250, n)]
        diffs = sorted(a - b for a in x for b in y)
        counts = [u_count(m, n, u) for u in range(m * n + 1)]
        for level in LEVELS:
            k = k_from_counts(counts, level)
            intervals_two.append({"x": x, "y": y, "level": float(level), "k": k,
                                  "ci_low": diffs[k - 1] if k >= 1 else None,
                                  "ci_high": diffs[len(diffs) - k] if k >= 1 else None})

    out = {
        "generator": "tests/data/stats/make_hl_grid.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "levels": [float(v) for v in LEVELS],
        "one_sample_k": one,
        "two_sample_k": two,
        "one_sample_intervals": intervals_one,
        "two_sample_intervals": intervals_two,
    }
    json.dump(out, sys.stdout, indent=0)
    sys.stdout.write("\n")


main()
