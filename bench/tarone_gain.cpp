// What Tarone's rule gains (docs/statistics.md "Tarone's rule"): re-gates stored A/B results
// with the real gate (gate::run_ab, the suite's own [gate] settings from results.json) twice,
// with the rule and with plain Holm over every informative gated test, and prints the counts
// of each. Usage: tarone-gain results.json...   (README "Measured figures" has the command)

#include <fmt/format.h>

#include <iostream>

#include "config/suite.h"
#include "gate/gate.h"
#include "results/json.h"

using namespace benchgate;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tarone-gain results.json...\n";
    return 2;
  }
  int total[2][3] = {};
  std::cout << "file\trule\tfamily\tregressed\tinconclusive\tother\n";
  for (int i = 1; i < argc; ++i) {
    const auto results = results::read_results(argv[i]);
    auto settings = config::suite_from_json(results.suite, argv[i]).gate;
    for (int with = 1; with >= 0; --with) {
      settings.tarone = with == 1;
      const auto g = gate::run_ab(results, settings);
      int reg = 0, inc = 0, other = 0;
      for (const auto& v : g.verdicts) {
        if (!v.gated) continue;
        if (v.verdict == gate::Verdict::kRegressed) {
          ++reg;
        } else if (v.verdict == gate::Verdict::kInconclusive) {
          ++inc;
        } else {
          ++other;
        }
      }
      total[with][0] += reg;
      total[with][1] += inc;
      total[with][2] += other;
      std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", argv[i], with ? "tarone" : "holm",
                               g.holm_family, reg, inc, other);
    }
  }
  for (int with = 1; with >= 0; --with) {
    std::cout << fmt::format("all\t{}\t-\t{}\t{}\t{}\n", with ? "tarone" : "holm", total[with][0],
                             total[with][1], total[with][2]);
  }
  return 0;
}
