// results.json / baseline loader: JSON scanner, schema validation, conversion, and what the
// offline commands do next with an accepted file (baseline from results, samples, the JSON
// written back). Mirrors read_results / read_baseline without the file system.
#include <string>

#include "fuzz_common.h"
#include "gate/baseline.h"
#include "gate/diff.h"
#include "report/diff.h"
#include "results/json.h"
#include "results/model.h"

using namespace benchgate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::as_text(data, size));
  nlohmann::json j;
  if (!fuzz::accepts([&] { j = results::parse_json_text(text, "fuzz.json"); })) return 0;
  const std::string kind = j.is_object() && j.contains("kind") && j["kind"].is_string()
                               ? j["kind"].get<std::string>()
                               : std::string();
  if (kind == "benchgate.baseline") {
    gate::Baseline b;
    if (!fuzz::accepts([&] { b = gate::baseline_from_json(j, "fuzz.json"); })) return 0;
    (void)fuzz::accepts([&] { (void)gate::to_json(b).dump(2); });
    return 0;
  }
  results::ResultsFile r;
  if (!fuzz::accepts([&] { r = results::results_from_json(j, "fuzz.json"); })) return 0;
  (void)fuzz::accepts([&] { (void)results::incomplete_reason(r); });
  (void)fuzz::accepts([&] { (void)results::collect_samples(r); });
  (void)fuzz::accepts([&] { (void)gate::make_baseline(r, false); });
  (void)fuzz::accepts([&] { (void)gate::make_baseline(r, true, true); });
  // `benchgate report` reads the recorded gate (its verdicts, a baseline's history).
  if (r.gate.is_object()) (void)fuzz::accepts([&] { (void)gate::gate_result_from_json(r.gate); });
  // diff r.json r.json --allow-partial, rendered as JSON.
  gate::DiffInput input;
  input.path = "fuzz.json";
  input.kind = gate::DiffInput::Kind::kResults;
  input.results = r;
  (void)fuzz::accepts([&] {
    (void)report::render_diff(gate::diff_inputs(input, input, results::GateSettings{}, true),
                              report::DiffFormat::kJson);
  });
  // Written back (validate, export): accepted results serialise and read back.
  nlohmann::json back;
  fuzz::require(fuzz::accepts([&] { back = r; }), "an accepted results file does not serialise");
  std::string dumped;
  fuzz::require(fuzz::accepts([&] { dumped = back.dump(2); }), "results JSON does not dump");
  (void)fuzz::accepts([&] {
    (void)results::results_from_json(results::parse_json_text(dumped, "back.json"), "back.json");
  });
  return 0;
}
