// `benchgate merge`: the shards' results → one results file, checked to be the pieces of one
// sharded run (runner/shard.h).

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "runner/shard.h"

namespace benchgate::runner {

namespace fs = std::filesystem;

namespace {

std::string shard_name(int index, int total) {
  return fmt::format("shard {}/{}", index, total);
}

nlohmann::json testbed_json(const results::Testbed& t) {
  nlohmann::json j = {{"cpu_model", t.cpu_model},   {"num_cpus", t.num_cpus},
                      {"kernel", t.kernel},         {"kernel_major", t.kernel_major},
                      {"build_type", t.build_type}, {"fingerprint", t.fingerprint}};
  if (!t.basis.empty()) j["basis"] = t.basis;
  return j;
}

// Artifact paths are relative to the folder of the results.json that names them.
class Rebase {
 public:
  Rebase(const std::string& file, const fs::path& out_dir)
      : from_(fs::absolute(fs::path(file)).parent_path().lexically_normal()),
        to_(fs::absolute(out_dir).lexically_normal()) {}
  void operator()(std::string& path) const {
    if (path.empty() || fs::path(path).is_absolute()) return;
    auto rel = (from_ / path).lexically_normal().lexically_relative(to_);
    if (!rel.empty()) path = rel.string();
  }
  void operator()(results::RunRecord& r) const {
    for (auto& a : r.artifacts)
      (*this)(a.path);
    for (auto& i : r.instances)
      (*this)(i.log);
    if (r.profile) {
      for (auto& a : r.profile->artifacts)
        (*this)(a.path);
    }
    for (auto& p : r.periods) {
      (*this)(p.driver.raw_output);
      if (p.profile) {
        for (auto& a : p.profile->artifacts)
          (*this)(a.path);
      }
    }
  }

 private:
  fs::path from_, to_;
};

// A string member of an object, "" when either is something else (the schema does not type
// "machine" and "suite" in depth).
std::string string_at(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

struct Shard {
  int index = 0;
  int total = 0;
  std::string hash;
  nlohmann::json partition;
  ShardInput* input = nullptr;
};

Shard read_shard_header(ShardInput& in) {
  const auto& j = in.results.shard;
  if (!j.is_object()) {
    throw UsageError(fmt::format(
        "{}: not a shard's results (no \"shard\" record): merge takes the results.json of "
        "`benchgate run --shard I/N` jobs",
        in.file));
  }
  if (j.value("merged", false)) {
    throw UsageError(
        fmt::format("{}: already merged from {} shards; merge the shards' own results.json files",
                    in.file, j.value("total", 0)));
  }
  Shard s;
  s.index = j.value("index", 0);
  s.total = j.value("total", 0);
  s.hash = j.value("suite_hash", "");
  s.partition = j.value("partition", nlohmann::json());
  s.input = &in;
  if (s.total < 1 || s.total > kMaxShards || s.index < 1 || s.index > s.total || s.hash.empty() ||
      !s.partition.is_object()) {
    throw UsageError(
        fmt::format("{}: /shard: expected index 1..total, total 1..{}, suite_hash and partition",
                    in.file, kMaxShards));
  }
  return s;
}

// Everything that must be equal for two files to be pieces of one run.
void check_same_run(const Shard& s, const Shard& ref) {
  const auto& a = s.input->results;
  const auto& b = ref.input->results;
  auto foreign = [&](const std::string& what) {
    throw UsageError(fmt::format("{}: foreign shard: {} ({} is shard {} of the same run?)",
                                 s.input->file, what, ref.input->file,
                                 shard_name(ref.index, ref.total)));
  };
  if (s.hash != ref.hash) {
    foreign(
        fmt::format("another suite (suite hash {}, {} has {})", s.hash, ref.input->file, ref.hash));
  }
  if (a.tool_version != b.tool_version) {
    foreign(fmt::format("written by benchgate {}, {} by benchgate {}", printable(a.tool_version),
                        ref.input->file, printable(b.tool_version)));
  }
  if (a.order.seed != b.order.seed) {
    foreign(
        fmt::format("order seed {}, {} has seed {} (set the same seed for every shard, or "
                    "none: a sharded run derives it from the suite)",
                    a.order.seed, ref.input->file, b.order.seed));
  }
  const auto ga = a.suite.value("gate", nlohmann::json()),
             gb = b.suite.value("gate", nlohmann::json());
  if (ga != gb) {
    std::vector<std::string> keys;
    if (ga.is_object() && gb.is_object()) {
      for (const auto& [k, v] : ga.items()) {
        if (!gb.contains(k) || gb.at(k) != v) keys.push_back(k);
      }
      for (const auto& [k, v] : gb.items()) {
        if (!ga.contains(k)) keys.push_back(k);
      }
    }
    foreign(fmt::format("other gate settings than {} (gate.{})", ref.input->file,
                        keys.empty() ? std::string("*") : join(keys, ", gate.")));
  }
  if (s.total != ref.total) {
    foreign(fmt::format("one of {} shards, {} is one of {}", s.total, ref.input->file, ref.total));
  }
  if (s.partition != ref.partition) {
    foreign(fmt::format("another partition of the suite than {}", ref.input->file));
  }
}

// The scenarios the partition gives to shard `index`.
std::set<std::string> scenarios_of(const nlohmann::json& partition, int index) {
  std::set<std::string> out;
  for (const auto& s : partition.value("shards", nlohmann::json::array())) {
    if (s.value("index", 0) != index) continue;
    for (const auto& name : s.value("scenarios", nlohmann::json::array())) {
      if (name.is_string()) out.insert(name.get<std::string>());
    }
  }
  return out;
}

}  // namespace

// Over 100 lines on purpose: the list of checks that the files are the pieces of one run
// (suite hash, seed, version, gate settings, partition, none missing or twice), each with the
// exit-2 message naming the file, then the union; the checks read best as one list.
results::ResultsFile merge_shards(std::vector<ShardInput> inputs, const fs::path& out_dir,
                                  const results::Testbed* baseline_testbed) {
  if (inputs.empty()) throw UsageError("merge: expected the results.json of every shard");
  std::vector<Shard> shards;
  for (auto& in : inputs)
    shards.push_back(read_shard_header(in));
  // Duplicates first (so "2/3 twice" is named as such, not as a missing 3/3).
  std::map<int, const Shard*> by_index;
  for (const auto& s : shards) {
    check_same_run(s, shards.front());
    auto [it, fresh] = by_index.emplace(s.index, &s);
    if (!fresh) {
      throw UsageError(fmt::format("{}: duplicate shard: {} is also {}", s.input->file,
                                   shard_name(s.index, s.total), it->second->input->file));
    }
  }
  const int total = shards.front().total;
  const auto& partition = shards.front().partition;
  std::vector<std::string> missing;
  for (int i = 1; i <= total; ++i) {
    if (by_index.count(i)) continue;
    const auto sc = scenarios_of(partition, i);
    missing.push_back(fmt::format("{} (scenarios {})", shard_name(i, total),
                                  join(std::vector<std::string>(sc.begin(), sc.end()), ", ")));
  }
  if (!missing.empty()) {
    throw UsageError(fmt::format(
        "merge: missing {}: no results given for {}; the merge needs all {} shards' results.json "
        "(a shard whose job failed still uploads its results.json, which says so)",
        missing.size() == 1 ? "shard" : "shards", join(missing, "; "), total));
  }

  // Shard order from here on.
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.index < b.index; });
  const auto& ref = shards.front().input->results;
  results::ResultsFile m;
  m.schema_version = ref.schema_version;
  m.tool_version = ref.tool_version;
  m.command = ref.command;
  m.name = ref.name;
  m.suite = ref.suite;
  m.order.seed = ref.order.seed;
  m.machine = ref.machine;
  m.provenance = ref.provenance;
  m.testbed = ref.testbed;

  std::vector<std::string> incomplete;
  std::map<std::string, int> sequence_of;
  nlohmann::json shard_records = nlohmann::json::array();
  std::set<std::string> fingerprints;
  for (const auto& s : shards) {
    auto& r = s.input->results;
    const auto mine = scenarios_of(partition, s.index);
    const Rebase rebase(s.input->file, out_dir);
    for (auto& run : r.runs) {
      if (!mine.count(run.scenario)) {
        throw UsageError(fmt::format(
            "{}: run {} (scenario {}) is not part of {}, whose scenarios the partition lists as "
            "{}; the file is not a shard's unchanged results",
            s.input->file, printable(run.id), printable(run.scenario), shard_name(s.index, s.total),
            join(std::vector<std::string>(mine.begin(), mine.end()), ", ")));
      }
      if (!sequence_of.emplace(run.id, run.sequence).second) {
        throw UsageError(
            fmt::format("{}: run {} appears in two shards", s.input->file, printable(run.id)));
      }
      rebase(run);
      m.runs.push_back(std::move(run));
    }
    if (const auto why = results::incomplete_reason(r); !why.empty()) {
      incomplete.push_back(fmt::format("{} ({}) did not complete: {}", shard_name(s.index, total),
                                       s.input->file, why));
    }
    m.planned_runs += r.planned_runs;
    if (!r.started_at.empty() && (m.started_at.empty() || r.started_at < m.started_at)) {
      m.started_at = r.started_at;
    }
    if (r.finished_at > m.finished_at) m.finished_at = r.finished_at;
    for (const auto& w : r.warnings)
      m.warnings.push_back(fmt::format("{}: {}", shard_name(s.index, total), w));
    for (const auto& id : r.order.sequence)
      m.order.sequence.push_back(id);
    fingerprints.insert(r.testbed.fingerprint);
    nlohmann::json rec = {{"index", s.index},
                          {"file", s.input->file},
                          {"status", r.status},
                          {"planned_runs", r.planned_runs},
                          {"runs", r.runs.size()},
                          {"host", string_at(r.machine, "host_name")},
                          {"started_at", r.started_at},
                          {"finished_at", r.finished_at},
                          {"testbed", testbed_json(r.testbed)}};
    if (!r.failure.empty()) rec["failure"] = r.failure;
    const auto client_host = string_at(
        r.suite.is_object() ? r.suite.value("defaults", nlohmann::json()) : nlohmann::json(),
        "client_host");
    if (!client_host.empty()) rec["client_host"] = client_host;
    shard_records.push_back(rec);
    // A stored baseline is valid only on its testbed: checked for every shard.
    if (baseline_testbed && r.testbed.fingerprint != baseline_testbed->fingerprint &&
        m.testbed.fingerprint == baseline_testbed->fingerprint) {
      m.testbed = r.testbed;
      m.warnings.push_back(fmt::format(
          "{} ({}) ran on another testbed than the stored baseline ({} vs {}): the comparison "
          "follows the testbed_mismatch setting for the whole family",
          shard_name(s.index, total), s.input->file, r.testbed.cpu_model,
          baseline_testbed->cpu_model));
    }
  }
  std::stable_sort(m.runs.begin(), m.runs.end(),
                   [](const results::RunRecord& a, const results::RunRecord& b) {
                     return a.sequence < b.sequence;
                   });
  std::stable_sort(m.order.sequence.begin(), m.order.sequence.end(),
                   [&](const std::string& a, const std::string& b) {
                     auto ia = sequence_of.find(a), ib = sequence_of.find(b);
                     return (ia == sequence_of.end() ? INT_MAX : ia->second) <
                            (ib == sequence_of.end() ? INT_MAX : ib->second);
                   });
  if (fingerprints.size() > 1 && !baseline_testbed) {
    m.warnings.push_back(fmt::format(
        "the {} shards ran on {} different testbeds (each cell's A/B pairs ran on one machine; "
        "\"shard.shards\" in results.json names each shard's testbed)",
        total, fingerprints.size()));
  }
  if (incomplete.empty()) {
    m.status = "complete";
  } else {
    m.status = "failed";
    m.failure = join(incomplete, "; ");
  }
  m.shard = {{"merged", true},
             {"total", total},
             {"suite_hash", shards.front().hash},
             {"partition", partition},
             {"shards", shard_records}};
  return m;
}

}  // namespace benchgate::runner
