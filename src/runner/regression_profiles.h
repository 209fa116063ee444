#pragma once
// --profile-regressions: differential flame graphs of the cells an A/B gate found regressed.

#include <nlohmann/json.hpp>

#include "config/suite.h"
#include "gate/gate.h"
#include "matrix/matrix.h"
#include "report/console.h"
#include "runner/runner.h"

namespace benchgate::runner {

/// For every cell with a regressed verdict in an A/B gate, runs the baseline app and the
/// candidate app kProfilePairs more times each (interleaved, ABBA), at that cell's load point
/// only, under the `flame` profiler, then renders a differential flame graph per 1,000
/// requests (artifacts/profile-regressions/). The extra runs are not gate samples: the returned
/// array goes to results.gate.regression_profiles. A profile that cannot be made is recorded
/// with its reason and never changes the exit code.
nlohmann::json profile_regressions(const matrix::Plan& plan, const config::SuiteConfig& suite,
                                   const gate::GateResult& verdicts, RunContext& ctx,
                                   report::ProgressReporter& reporter);

}  // namespace benchgate::runner
