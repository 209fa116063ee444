// Suite TOML loader with BENCHGATE_* environment and --set overrides.
// Input: TOML text, optionally followed by a line "#--overrides--" and "NAME=VALUE" lines:
// BENCHGATE_* names go through apply_env_overrides (as the environment would), other names
// through apply_override (as --set / a flag would). An accepted suite must survive the
// round trip through results.json's "suite" (suite_to_json -> suite_from_json) and the matrix.
#include <map>
#include <string>

#include "config/suite.h"
#include "fuzz_common.h"
#include "matrix/matrix.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(fuzz::as_text(data, size));
  constexpr std::string_view kMarker = "\n#--overrides--\n";
  const auto cut = input.find(kMarker);
  const std::string toml = input.substr(0, cut);
  std::map<std::string, std::string> env;
  std::vector<std::pair<std::string, std::string>> sets;
  if (cut != std::string::npos) {
    for (const auto& line : split(std::string_view(input).substr(cut + kMarker.size()), '\n')) {
      const auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string name = line.substr(0, eq), value = line.substr(eq + 1);
      if (name.starts_with("BENCHGATE_")) {
        env[name] = value;
      } else {
        sets.emplace_back(name, value);
      }
    }
  }
  config::SuiteConfig suite;
  if (!fuzz::accepts([&] { suite = config::parse_suite_text(toml, "fuzz.toml", "fuzzhost"); })) {
    return 0;
  }
  const bool overridden = fuzz::accepts([&] {
    config::apply_env_overrides(suite, [&](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
    for (const auto& [name, value] : sets)
      config::apply_override(suite, name, value, "--set");
    config::validate_suite(suite);
  });
  if (!overridden) return 0;
  // What the CLI does next: record the suite and expand the matrix. Neither may fail on a
  // suite that passed validation.
  nlohmann::json j;
  fuzz::require(fuzz::accepts([&] { j = config::suite_to_json(suite); }),
                "suite_to_json rejected a validated suite");
  fuzz::require(fuzz::accepts([&] { (void)config::suite_from_json(j, "results.json"); }),
                "suite_from_json rejected suite_to_json's output");
  (void)fuzz::accepts([&] { (void)j.dump(); });
  if (!suite.defaults.seed) suite.defaults.seed = 1;  // deterministic order
  (void)fuzz::accepts([&] { (void)matrix::expand(suite); });
  return 0;
}
