#!/usr/bin/python3
"""Independent binomial tails for tests/unit/stats (src/stats/binomial.h), run once, output
committed:

    /usr/bin/python3 tests/data/stats/make_binomial.py > tests/data/stats/binomial.json

scipy 1.10's binom.cdf / binom.sf (Boost's incomplete beta), never benchgate's code; the
two-sided p is the doubled smaller tail, min(1, 2 min(P(X <= k), P(X >= k))), and the Poisson
rate comparison is that test on a given a + b with p = exposure_a / (exposure_a + exposure_b).
"""
import json
import sys

import scipy
from scipy import stats


def case(k, n, p):
    cdf = float(stats.binom.cdf(k, n, p))
    sf_incl = float(stats.binom.sf(k - 1, n, p))
    return {"k": k, "n": n, "p": p, "cdf": cdf, "sf_inclusive": sf_incl,
            "two_sided": min(1.0, 2 * min(cdf, sf_incl))}


cases = [case(k, n, p) for k, n, p in [
    (0, 1, 0.5), (1, 1, 0.5), (3, 10, 0.5), (5, 10, 0.5), (7, 10, 0.5), (0, 20, 0.05),
    (4, 20, 0.05), (9, 20, 0.3), (17, 20, 0.9), (50, 100, 0.5), (40, 100, 0.5), (65, 100, 0.5),
    (1240, 2604, 0.5), (1364, 2604, 0.5), (1500, 2604, 0.5), (2000, 50000, 0.05),
    (2600, 50000, 0.05), (500000, 1000000, 0.5), (501500, 1000000, 0.5), (2, 3000, 0.001),
    (12, 3000, 0.001), (3000, 3000, 0.999), (0, 5000, 0.3)]]

# Profile frames: a samples in the candidate over exposure_a requests, b in the baseline.
poisson = []
for a, ea, b, eb in [(110, 1000.0, 100, 1000.0), (1100, 1000.0, 1000, 1000.0),
                     (11000, 1000.0, 10000, 1000.0), (5, 2.0, 5, 1.0), (0, 1.0, 7, 1.0),
                     (1330, 54321.0, 1250, 57000.0), (3, 1.0, 0, 1.0)]:
    p = ea / (ea + eb)
    r = case(a, a + b, p)
    poisson.append({"a": a, "exposure_a": ea, "b": b, "exposure_b": eb, "p": r["two_sided"]})

json.dump({"generator": "tests/data/stats/make_binomial.py", "scipy": scipy.__version__,
           "binomial": cases, "poisson_rates": poisson}, sys.stdout, indent=1)
sys.stdout.write("\n")
