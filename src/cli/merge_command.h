#pragma once
// `benchgate merge RESULTS... --out DIR`: the results of `run --shard I/N` jobs → one results
// file, gated over the whole family and reported exactly as `run` reports (runner/shard.h).

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace benchgate::cli {

struct MergeOptions {
  std::vector<std::string> results;  ///< every shard's results.json
  std::string out;                   ///< folder of the merged results and reports
  std::string baseline;              ///< --baseline FILE: gate against a stored baseline
  bool no_color = false;
};

CLI::App* add_merge_command(CLI::App& app, MergeOptions& o);
int run_merge(const MergeOptions& o);

}  // namespace benchgate::cli
