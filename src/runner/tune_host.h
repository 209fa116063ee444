#pragma once
// `--tune-host` (drive, run, compare): host settings for steadier numbers for the duration of
// the runs (platform::HostTuning), with what was done printed and recorded in results.json
// (suite.host_tuning), and the original values restored afterwards.

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "platform/host_tuning.h"

namespace benchgate::runner {

class TuneHostScope {
 public:
  /// Does nothing unless `enabled`. Otherwise applies the settings, prints one line per
  /// setting to `err` and stores them in record["host_tuning"].
  TuneHostScope(bool enabled, nlohmann::json& record, std::ostream& err);
  ~TuneHostScope();  ///< restore()
  TuneHostScope(const TuneHostScope&) = delete;
  TuneHostScope& operator=(const TuneHostScope&) = delete;
  /// Writes the original values back now (idempotent), printing any that could not be.
  void restore();

 private:
  std::optional<platform::HostTuning> tuning_;
  std::ostream& err_;
};

}  // namespace benchgate::runner
