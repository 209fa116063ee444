#pragma once
// Descriptive statistics over spans: median, quantiles, mean, standard deviation, ranks.
// Pure functions; empty input gives NaN (quantile-like results) or an empty vector.

#include <span>
#include <vector>

namespace benchgate::stats {

/// Median; the mean of the two middle values for an even count. NaN when empty.
double median(std::span<const double> values);

/// Quantile q in [0, 1] with linear interpolation between order statistics (Hyndman & Fan
/// type 7, numpy's and R's default). NaN when empty.
double quantile(std::span<const double> values, double q);

/// Several quantiles of one sample (sorts once).
std::vector<double> quantiles(std::span<const double> values, std::span<const double> qs);

/// Arithmetic mean. NaN when empty.
double mean(std::span<const double> values);

/// Sample standard deviation (n − 1 denominator, as Google Benchmark's stddev). NaN for n < 2.
double stddev(std::span<const double> values);

/// Coefficient of variation stddev/mean (Google Benchmark's cv). NaN for n < 2.
double cv(std::span<const double> values);

/// Ranks 1..n of `values`, in input order, into `ranks`; tied values get the average of their
/// ranks (scipy rankdata's "average" method). Returns the tie term Σ (t³ − t) over groups of
/// tied values (the rank tests' variance correction). One sort.
double average_ranks(std::span<const double> values, std::vector<double>& ranks);

}  // namespace benchgate::stats
