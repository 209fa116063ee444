#pragma once
// The history a stored baseline carries: `benchgate baseline update` moves the baseline it
// replaces into the new file's "history" (oldest first, the newest `limit` kept), each entry
// with its date, commit and the median of every series. A gate against such a baseline passes
// the history on (GateResult::history, results.json "gate.baseline_history"), so report.html
// can chart each metric over past baselines and this run.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace benchgate::gate {

struct HistoryValue {
  std::string app;
  std::string cell;
  std::string metric;
  double median = 0;
};

/// One past baseline.
struct HistoryEntry {
  std::string created_at;  ///< when that baseline was written (ISO-8601)
  std::string commit;      ///< the commit its run measured, "" when unknown
  std::string tool_version;
  std::vector<HistoryValue> values;  ///< app × cell × metric, in the baseline's series order
  /// The median of one series; nullptr when this entry does not have it.
  const HistoryValue* find(std::string_view app, std::string_view cell,
                           std::string_view metric) const;
};

using History = std::vector<HistoryEntry>;

/// How many past baselines `baseline update` keeps unless told otherwise (--history).
inline constexpr std::size_t kDefaultHistoryLimit = 100;

/// [{"created_at", "commit", "tool_version", "medians": {app: {cell: {metric: median}}}}, ...]
nlohmann::json history_to_json(const History& history);
/// The inverse of history_to_json, for an array the baseline schema has validated; ConfigError
/// naming `origin` when an entry has the wrong shape.
History history_from_json(const nlohmann::json& j, const std::string& origin);

/// The commit a results file's provenance names: GITHUB_SHA, CI_COMMIT_SHA, GIT_COMMIT, then
/// git_commit (benchgate's own look at the working folder); "" when none.
std::string provenance_commit(const nlohmann::json& provenance);

/// Appends `newest` and keeps the last `limit` entries (0: none).
void append_bounded(History& history, HistoryEntry newest, std::size_t limit);

}  // namespace benchgate::gate
