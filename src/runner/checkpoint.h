#pragma once
// results.json while benchgate runs: a new file's header, the checkpoints after each run, and
// its life cycle (results/model.h): "running" from the first checkpoint on; "complete" only
// with the last write, once every planned run has finished; "failed" when fewer runs than
// planned finished or an error stops benchgate; "interrupted" after a signal.

#include <filesystem>
#include <string>

#include "results/model.h"

namespace benchgate::runner {

/// A ResultsFile with tool version, start time, machine context, testbed and provenance set,
/// status "running".
results::ResultsFile new_results(const std::string& command, const std::string& name);

/// The status of a results file whose runs are over: "interrupted" after a signal, "failed"
/// ("only N of M planned runs ran") when fewer runs than planned finished, else "complete".
/// Sets finished_at to `finished_at`.
void settle_status(results::ResultsFile& results, bool cancelled, const std::string& finished_at);

/// Writes one results file atomically at each checkpoint.
class Checkpoint {
 public:
  Checkpoint(results::ResultsFile& results, std::filesystem::path path)
      : results_(results), path_(std::move(path)) {}
  /// Writes the file as it is now (throws what write_results throws).
  void write() const;
  /// benchgate could not finish: status "failed" with `reason`, written if the disk still
  /// takes it (otherwise the file on disk keeps its last checkpoint). Never throws.
  void fail(const std::string& reason, const std::string& finished_at) noexcept;
  const std::filesystem::path& path() const { return path_; }

 private:
  results::ResultsFile& results_;
  std::filesystem::path path_;
};

}  // namespace benchgate::runner
