#include "runner/tune_host.h"

namespace benchgate::runner {

TuneHostScope::TuneHostScope(bool enabled, nlohmann::json& record, std::ostream& err) : err_(err) {
  if (!enabled) return;
  tuning_.emplace();
  const auto lines = platform::HostTuning::describe(tuning_->apply());
  for (const auto& l : lines)
    err_ << "benchgate: --tune-host: " << l << "\n";
  record["host_tuning"] = lines;
}

TuneHostScope::~TuneHostScope() {
  try {
    restore();
  } catch (...) {
  }
}

void TuneHostScope::restore() {
  if (!tuning_) return;
  for (const auto& p : tuning_->restore())
    err_ << "benchgate: --tune-host: " << p << "\n";
}

}  // namespace benchgate::runner
