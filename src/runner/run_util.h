#pragma once
// Small helpers shared by the runner's two ways of executing a run (runner.cpp: wall clock,
// instructions.cpp: instruction counts).

#include <cctype>
#include <chrono>
#include <string>

#include "core/clock.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// Unix time in seconds of the clock's wall time.
inline double unix_now(Clock& clock) {
  return std::chrono::duration<double>(clock.wall().time_since_epoch()).count();
}

/// A run's record as it starts: who, what, where and when (execute_run, skipped_run and
/// execute_instruction_run).
inline results::RunRecord record_for(const RunSpec& spec, Clock& clock) {
  results::RunRecord rec;
  rec.id = spec.id;
  rec.sequence = spec.sequence;
  rec.iteration = spec.iteration;
  rec.app = spec.app.label;
  rec.role = spec.app.role;
  rec.scenario = spec.scenario;
  rec.url = spec.url;
  rec.started_at = unix_now(clock);
  return rec;
}

/// A name safe in a file name: every character but [A-Za-z0-9._-] becomes '_'.
inline std::string fs_safe(std::string s) {
  for (auto& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return s;
}

}  // namespace benchgate::runner
