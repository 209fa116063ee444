#pragma once
// The renderings of `benchgate diff` (gate/diff.h decides the verdicts; this file only shows
// them): text (compare.py-style columns for Google Benchmark inputs, plus U-test p-value rows
// and a verdict column; a verdict table otherwise), JSON (gate::to_json), or Markdown
// (PR-comment ready, attention rows first, under 60,000 characters).

#include <string>
#include <string_view>

#include "gate/verdict.h"

namespace benchgate::report {

enum class DiffFormat { kText, kJson, kMarkdown };

/// "text" | "json" | "md" (or "markdown"); UsageError otherwise.
DiffFormat diff_format_from_name(std::string_view name);

/// Renders a diff in `format`. Every format starts with the outcome (gate/outcome.h);
/// warn_only as `diff --warn-only`.
std::string render_diff(const gate::GateResult& result, DiffFormat format, bool warn_only = false);

}  // namespace benchgate::report
