#include "results/json.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "results/schemas.h"

namespace benchgate::results {

using nlohmann::json;

namespace {

// Non-finite doubles are not valid JSON: write null, read null back as NaN.
json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

double get_num(const json& j, const char* key, double def = 0) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return def;
  return it->get<double>();
}

template <class T>
void get_to(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it != j.end() && !it->is_null()) it->get_to(out);
}

json num_map(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m)
    j[k] = num(v);
  return j;
}

std::map<std::string, double> get_num_map(const json& j, const char* key) {
  std::map<std::string, double> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  for (auto e = it->begin(); e != it->end(); ++e) {
    out[e.key()] = e->is_null() ? std::nan("") : e->get<double>();
  }
  return out;
}

void to_json_artifacts(json& j, const char* key, const std::vector<Artifact>& a) {
  if (a.empty()) return;
  json arr = json::array();
  for (const auto& x : a) {
    json e{{"kind", x.kind}, {"path", x.path}};
    if (!x.description.empty()) e["description"] = x.description;
    arr.push_back(std::move(e));
  }
  j[key] = std::move(arr);
}

std::vector<Artifact> get_artifacts(const json& j, const char* key) {
  std::vector<Artifact> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  for (const auto& e : *it) {
    Artifact a;
    get_to(e, "kind", a.kind);
    get_to(e, "path", a.path);
    get_to(e, "description", a.description);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

void to_json(json& j, const LoadPoint& v) {
  j = json{{"clients", v.clients}, {"rate", num(v.rate)}, {"key", v.key()}};
}
void from_json(const json& j, LoadPoint& v) {
  get_to(j, "clients", v.clients);
  v.rate = get_num(j, "rate");
}

void to_json(json& j, const LatencyStats& v) {
  j = json{{"count", v.count},      {"min", num(v.min)}, {"mean", num(v.mean)},
           {"stdev", num(v.stdev)}, {"max", num(v.max)}, {"percentiles", num_map(v.percentiles)}};
  if (!v.histogram.empty()) j["histogram"] = v.histogram;
}
void from_json(const json& j, LatencyStats& v) {
  get_to(j, "count", v.count);
  v.min = get_num(j, "min");
  v.mean = get_num(j, "mean");
  v.stdev = get_num(j, "stdev");
  v.max = get_num(j, "max");
  v.percentiles = get_num_map(j, "percentiles");
  get_to(j, "histogram", v.histogram);
}

void to_json(json& j, const DriverResult& v) {
  j = json{{"driver", v.driver},
           {"command", v.command},
           {"duration_s", num(v.duration_s)},
           {"requests", v.requests},
           {"non_2xx_3xx", v.non_2xx_3xx},
           {"status_codes", v.status_codes},
           {"errors",
            {{"connect", v.errors.connect},
             {"read", v.errors.read},
             {"write", v.errors.write},
             {"timeout", v.errors.timeout},
             {"parse", v.errors.parse}}},
           {"reconnects", v.reconnects},
           {"bytes_read", num(v.bytes_read)},
           {"bytes_written", num(v.bytes_written)},
           {"throughput", num(v.throughput)},
           {"target_rate", num(v.target_rate)},
           {"latency", v.latency},
           {"trace_interval_s", num(v.trace_interval_s)},
           {"throughput_trace", json::array()},
           {"driver_cpu_s", num(v.driver_cpu_s)},
           {"invalid_reasons", v.invalid_reasons},
           {"raw_output", v.raw_output},
           {"extra", v.extra}};
  for (double x : v.throughput_trace)
    j["throughput_trace"].push_back(num(x));
  if (v.latency_uncorrected) j["latency_uncorrected"] = *v.latency_uncorrected;
}
void from_json(const json& j, DriverResult& v) {
  get_to(j, "driver", v.driver);
  get_to(j, "command", v.command);
  v.duration_s = get_num(j, "duration_s");
  get_to(j, "requests", v.requests);
  get_to(j, "non_2xx_3xx", v.non_2xx_3xx);
  get_to(j, "status_codes", v.status_codes);
  if (auto it = j.find("errors"); it != j.end()) {
    get_to(*it, "connect", v.errors.connect);
    get_to(*it, "read", v.errors.read);
    get_to(*it, "write", v.errors.write);
    get_to(*it, "timeout", v.errors.timeout);
    get_to(*it, "parse", v.errors.parse);
  }
  get_to(j, "reconnects", v.reconnects);
  v.bytes_read = get_num(j, "bytes_read");
  v.bytes_written = get_num(j, "bytes_written");
  v.throughput = get_num(j, "throughput");
  v.target_rate = get_num(j, "target_rate");
  get_to(j, "latency", v.latency);
  if (auto it = j.find("latency_uncorrected"); it != j.end() && !it->is_null()) {
    v.latency_uncorrected = it->get<LatencyStats>();
  }
  v.trace_interval_s = get_num(j, "trace_interval_s");
  if (auto it = j.find("throughput_trace"); it != j.end()) {
    for (const auto& x : *it)
      v.throughput_trace.push_back(x.is_null() ? std::nan("") : x.get<double>());
  }
  v.driver_cpu_s = get_num(j, "driver_cpu_s");
  get_to(j, "invalid_reasons", v.invalid_reasons);
  get_to(j, "raw_output", v.raw_output);
  if (auto it = j.find("extra"); it != j.end()) v.extra = *it;
}

void to_json(json& j, const Traces& v) {
  j = json{{"interval_s", num(v.interval_s)}, {"t", v.t}, {"series", json::object()}};
  for (const auto& [k, s] : v.series) {
    json arr = json::array();
    for (double x : s)
      arr.push_back(num(x));
    j["series"][k] = std::move(arr);
  }
}
void from_json(const json& j, Traces& v) {
  v.interval_s = get_num(j, "interval_s");
  get_to(j, "t", v.t);
  if (auto it = j.find("series"); it != j.end()) {
    for (auto e = it->begin(); e != it->end(); ++e) {
      auto& s = v.series[e.key()];
      for (const auto& x : *e)
        s.push_back(x.is_null() ? std::nan("") : x.get<double>());
    }
  }
}

void to_json(json& j, const ResourceUsage& v) {
  j = json{{"duration_s", num(v.duration_s)}, {"cpu_user_s", num(v.cpu_user_s)},
           {"cpu_sys_s", num(v.cpu_sys_s)},   {"cpu_percent", num(v.cpu_percent)},
           {"rss_start", v.rss_start},        {"rss_end", v.rss_end},
           {"rss_peak", v.rss_peak},          {"processes", v.processes},
           {"threads_max", v.threads_max},    {"per_process", json::array()},
           {"per_cpu", json::array()}};
  for (const auto& p : v.per_process) {
    j["per_process"].push_back({{"pid", p.pid},
                                {"ppid", p.ppid},
                                {"instance", p.instance},
                                {"comm", p.comm},
                                {"cpu_user_s", num(p.cpu_user_s)},
                                {"cpu_sys_s", num(p.cpu_sys_s)},
                                {"rss_start", p.rss_start},
                                {"rss_end", p.rss_end},
                                {"rss_peak", p.rss_peak},
                                {"rss_hwm", p.rss_hwm},
                                {"threads_max", p.threads_max},
                                {"exited", p.exited}});
  }
  for (const auto& c : v.per_cpu) {
    j["per_cpu"].push_back({{"cpu", c.cpu},
                            {"user_pct", num(c.user_pct)},
                            {"sys_pct", num(c.sys_pct)},
                            {"idle_pct", num(c.idle_pct)},
                            {"busy_pct", num(c.busy_pct)}});
  }
  if (!v.traces.empty()) j["traces"] = v.traces;
}
void from_json(const json& j, ResourceUsage& v) {
  v.duration_s = get_num(j, "duration_s");
  v.cpu_user_s = get_num(j, "cpu_user_s");
  v.cpu_sys_s = get_num(j, "cpu_sys_s");
  v.cpu_percent = get_num(j, "cpu_percent");
  get_to(j, "rss_start", v.rss_start);
  get_to(j, "rss_end", v.rss_end);
  get_to(j, "rss_peak", v.rss_peak);
  get_to(j, "processes", v.processes);
  get_to(j, "threads_max", v.threads_max);
  if (auto it = j.find("per_process"); it != j.end()) {
    for (const auto& e : *it) {
      ProcessUsage p;
      get_to(e, "pid", p.pid);
      get_to(e, "ppid", p.ppid);
      get_to(e, "instance", p.instance);
      get_to(e, "comm", p.comm);
      p.cpu_user_s = get_num(e, "cpu_user_s");
      p.cpu_sys_s = get_num(e, "cpu_sys_s");
      get_to(e, "rss_start", p.rss_start);
      get_to(e, "rss_end", p.rss_end);
      get_to(e, "rss_peak", p.rss_peak);
      get_to(e, "rss_hwm", p.rss_hwm);
      get_to(e, "threads_max", p.threads_max);
      get_to(e, "exited", p.exited);
      v.per_process.push_back(std::move(p));
    }
  }
  if (auto it = j.find("per_cpu"); it != j.end()) {
    for (const auto& e : *it) {
      CpuUtilisation c;
      get_to(e, "cpu", c.cpu);
      c.user_pct = get_num(e, "user_pct");
      c.sys_pct = get_num(e, "sys_pct");
      c.idle_pct = get_num(e, "idle_pct");
      c.busy_pct = get_num(e, "busy_pct");
      v.per_cpu.push_back(c);
    }
  }
  get_to(j, "traces", v.traces);
}

void to_json(json& j, const ProfileSummary& v) {
  auto entries = [](const std::vector<ProfileSummary::Entry>& es) {
    json arr = json::array();
    for (const auto& e : es) {
      json o{{"name", e.name}, {"share", num(e.share)}};
      if (!e.dso.empty()) o["dso"] = e.dso;
      arr.push_back(std::move(o));
    }
    return arr;
  };
  j = json{{"profiler", v.profiler},      {"status", v.status},
           {"reason", v.reason},          {"top_symbols", entries(v.top_symbols)},
           {"by_dso", entries(v.by_dso)}, {"extra", v.extra}};
  to_json_artifacts(j, "artifacts", v.artifacts);
}
void from_json(const json& j, ProfileSummary& v) {
  auto entries = [&](const char* key, std::vector<ProfileSummary::Entry>& out) {
    auto it = j.find(key);
    if (it == j.end()) return;
    for (const auto& e : *it) {
      ProfileSummary::Entry x;
      get_to(e, "name", x.name);
      x.share = get_num(e, "share");
      get_to(e, "dso", x.dso);
      out.push_back(std::move(x));
    }
  };
  get_to(j, "profiler", v.profiler);
  get_to(j, "status", v.status);
  get_to(j, "reason", v.reason);
  entries("top_symbols", v.top_symbols);
  entries("by_dso", v.by_dso);
  if (auto it = j.find("extra"); it != j.end()) v.extra = *it;
  v.artifacts = get_artifacts(j, "artifacts");
}

void to_json(json& j, const PeriodResult& v) {
  j = json{{"point", v.point},   {"status", v.status}, {"reason", v.reason},
           {"driver", v.driver}, {"app", v.app},       {"metrics", num_map(v.metrics)}};
  if (v.profile) j["profile"] = *v.profile;
}
void from_json(const json& j, PeriodResult& v) {
  get_to(j, "point", v.point);
  get_to(j, "status", v.status);
  get_to(j, "reason", v.reason);
  get_to(j, "driver", v.driver);
  get_to(j, "app", v.app);
  v.metrics = get_num_map(j, "metrics");
  if (auto it = j.find("profile"); it != j.end() && !it->is_null()) {
    v.profile = it->get<ProfileSummary>();
  }
}

void to_json(json& j, const RunRecord& v) {
  j = json{{"id", v.id},
           {"sequence", v.sequence},
           {"iteration", v.iteration},
           {"app", v.app},
           {"role", v.role},
           {"scenario", v.scenario},
           {"url", v.url},
           {"status", v.status},
           {"failure", v.failure},
           {"started_at", num(v.started_at)},
           {"elapsed_s", num(v.elapsed_s)},
           {"overhead_s", num(v.overhead_s)},
           {"startup",
            {{"measured", v.startup.measured},
             {"time_to_ready_s", num(v.startup.time_to_ready_s)},
             {"idle_rss", v.startup.idle_rss},
             {"idle_cpu_percent", num(v.startup.idle_cpu_percent)}}},
           {"termination",
            {{"expected", v.termination.expected}, {"description", v.termination.description}}},
           {"instances", json::array()},
           {"periods", v.periods},
           {"metrics", num_map(v.metrics)}};
  for (const auto& i : v.instances) {
    j["instances"].push_back({{"index", i.index},
                              {"pid", i.pid},
                              {"command", i.command},
                              {"cpus", i.cpus},
                              {"log", i.log}});
  }
  if (!v.failure_kind.empty()) j["failure_kind"] = v.failure_kind;
  to_json_artifacts(j, "artifacts", v.artifacts);
  if (v.profile) j["profile"] = *v.profile;
  if (!v.traces.empty()) j["traces"] = v.traces;
  if (!v.warnings.empty()) j["warnings"] = v.warnings;
}
void from_json(const json& j, RunRecord& v) {
  get_to(j, "id", v.id);
  get_to(j, "sequence", v.sequence);
  get_to(j, "iteration", v.iteration);
  get_to(j, "app", v.app);
  get_to(j, "role", v.role);
  get_to(j, "scenario", v.scenario);
  get_to(j, "url", v.url);
  get_to(j, "status", v.status);
  get_to(j, "failure", v.failure);
  get_to(j, "failure_kind", v.failure_kind);
  v.started_at = get_num(j, "started_at");
  v.elapsed_s = get_num(j, "elapsed_s");
  v.overhead_s = get_num(j, "overhead_s");
  if (auto it = j.find("startup"); it != j.end()) {
    get_to(*it, "measured", v.startup.measured);
    v.startup.time_to_ready_s = get_num(*it, "time_to_ready_s");
    get_to(*it, "idle_rss", v.startup.idle_rss);
    v.startup.idle_cpu_percent = get_num(*it, "idle_cpu_percent");
  }
  if (auto it = j.find("termination"); it != j.end()) {
    get_to(*it, "expected", v.termination.expected);
    get_to(*it, "description", v.termination.description);
  }
  if (auto it = j.find("instances"); it != j.end()) {
    for (const auto& e : *it) {
      InstanceInfo i;
      get_to(e, "index", i.index);
      get_to(e, "pid", i.pid);
      get_to(e, "command", i.command);
      get_to(e, "cpus", i.cpus);
      get_to(e, "log", i.log);
      v.instances.push_back(std::move(i));
    }
  }
  get_to(j, "periods", v.periods);
  v.metrics = get_num_map(j, "metrics");
  v.artifacts = get_artifacts(j, "artifacts");
  if (auto it = j.find("profile"); it != j.end() && !it->is_null()) {
    v.profile = it->get<ProfileSummary>();
  }
  get_to(j, "traces", v.traces);
  get_to(j, "warnings", v.warnings);
}

void to_json(json& j, const ResultsFile& v) {
  j = json{{"kind", "benchgate.results"},
           {"schema_version", v.schema_version},
           {"tool", {{"name", "benchgate"}, {"version", v.tool_version}}},
           {"command", v.command},
           {"status", v.status},
           {"planned_runs", v.planned_runs},
           {"name", v.name},
           {"started_at", v.started_at},
           {"finished_at", v.finished_at},
           {"suite", v.suite},
           {"order", {{"seed", v.order.seed}, {"sequence", v.order.sequence}}},
           {"machine", v.machine},
           {"testbed",
            {{"cpu_model", v.testbed.cpu_model},
             {"num_cpus", v.testbed.num_cpus},
             {"kernel", v.testbed.kernel},
             {"kernel_major", v.testbed.kernel_major},
             {"build_type", v.testbed.build_type},
             {"fingerprint", v.testbed.fingerprint}}},
           {"provenance", v.provenance},
           {"runs", v.runs},
           {"gate", v.gate},
           {"warnings", v.warnings}};
  if (!v.testbed.basis.empty()) j["testbed"]["basis"] = v.testbed.basis;
  if (!v.failure.empty()) j["failure"] = v.failure;
  if (!v.outcome.is_null()) j["outcome"] = v.outcome;
  if (!v.shard.is_null()) j["shard"] = v.shard;
}
void from_json(const json& j, ResultsFile& v) {
  get_to(j, "schema_version", v.schema_version);
  if (auto it = j.find("tool"); it != j.end()) get_to(*it, "version", v.tool_version);
  get_to(j, "command", v.command);
  get_to(j, "status", v.status);
  get_to(j, "failure", v.failure);
  get_to(j, "planned_runs", v.planned_runs);
  get_to(j, "name", v.name);
  get_to(j, "started_at", v.started_at);
  get_to(j, "finished_at", v.finished_at);
  if (auto it = j.find("suite"); it != j.end()) v.suite = *it;
  if (auto it = j.find("order"); it != j.end()) {
    get_to(*it, "seed", v.order.seed);
    get_to(*it, "sequence", v.order.sequence);
  }
  if (auto it = j.find("machine"); it != j.end()) v.machine = *it;
  if (auto it = j.find("testbed"); it != j.end()) {
    get_to(*it, "cpu_model", v.testbed.cpu_model);
    get_to(*it, "num_cpus", v.testbed.num_cpus);
    get_to(*it, "kernel", v.testbed.kernel);
    get_to(*it, "kernel_major", v.testbed.kernel_major);
    get_to(*it, "build_type", v.testbed.build_type);
    get_to(*it, "fingerprint", v.testbed.fingerprint);
    get_to(*it, "basis", v.testbed.basis);
  }
  if (auto it = j.find("provenance"); it != j.end()) v.provenance = *it;
  get_to(j, "runs", v.runs);
  if (auto it = j.find("gate"); it != j.end()) v.gate = *it;
  if (auto it = j.find("outcome"); it != j.end()) v.outcome = *it;
  get_to(j, "warnings", v.warnings);
  if (auto it = j.find("shard"); it != j.end()) v.shard = *it;
}

namespace {

// Replaces bare NaN / Infinity / -Infinity tokens outside strings with null, and reports
// lowercase nan/inf (not what libbenchmark writes) as an error with its line.
std::string scrub_nonfinite(const std::string& text, const std::string& origin) {
  std::string out;
  out.reserve(text.size());
  bool in_str = false;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_str) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_str = false;
      }
      continue;
    }
    if (c == '"') {
      in_str = true;
      out += c;
      continue;
    }
    auto match = [&](std::string_view tok) { return text.compare(i, tok.size(), tok) == 0; };
    if (match("-Infinity")) {
      out += "null";
      i += 8;
    } else if (match("Infinity")) {
      out += "null";
      i += 7;
    } else if (match("NaN")) {
      out += "null";
      i += 2;
    } else if (match("-nan") || match("nan") || match("-inf") || match("inf")) {
      throw ConfigError(fmt::format(
          "{}:{}: lowercase nan/inf is not valid JSON (Google Benchmark writes NaN, Infinity, "
          "-Infinity)",
          origin, line));
    } else {
      out += c;
    }
  }
  return out;
}

// nlohmann's parser recurses once per nesting level: 100,000 '[' overflow the stack. A cheap
// pass over the text (brackets outside strings) refuses deep nesting before it parses.
constexpr int kMaxJsonDepth = 512;

void check_json_depth(const std::string& text, const std::string& origin) {
  int depth = 0;
  bool in_string = false;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '\n':
        ++line;
        break;
      case '[':
      case '{':
        if (++depth > kMaxJsonDepth) {
          throw ConfigError(
              fmt::format("{}:{}: JSON nested deeper than {} levels", origin, line, kMaxJsonDepth));
        }
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
}

}  // namespace

json parse_json_text(const std::string& text, const std::string& origin, bool allow_nonfinite) {
  if (trim(text).empty()) throw ConfigError(fmt::format("{}: file is empty", origin));
  check_json_depth(text, origin);
  const std::string& src = allow_nonfinite ? scrub_nonfinite(text, origin) : text;
  try {
    return json::parse(src);
  } catch (const json::out_of_range& e) {
    // A number beyond double's range (1e999): not a syntax error, still bad input.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw ConfigError(fmt::format("{}: invalid JSON: {}", origin, printable(what, 200)));
  } catch (const json::parse_error& e) {
    // Translate the byte offset into line:column.
    std::size_t off = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, src.size());
    int line = 1;
    std::size_t col = 1;
    for (std::size_t i = 0; i < off; ++i) {
      if (src[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    if (off >= src.size() - 1) what += " (the file looks truncated)";
    throw ConfigError(
        fmt::format("{}:{}:{}: invalid JSON: {}", origin, line, col, printable(what, 300)));
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: invalid JSON: {}", origin, printable(e.what(), 200)));
  }
}

json read_json_file(const std::filesystem::path& path, bool allow_nonfinite) {
  // Regular files only, at most 512 MiB: ConfigError naming the path otherwise.
  const std::string text = platform::read_input_file(path);
  return parse_json_text(text, path.string(), allow_nonfinite);
}

ResultsFile results_from_json(const json& j, const std::string& origin) {
  validate_against_schema(j, "results", origin);
  try {
    return j.get<ResultsFile>();
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: not a valid benchgate results file: {}", origin, e.what()));
  }
}

ResultsFile read_results(const std::filesystem::path& path) {
  return results_from_json(read_json_file(path), path.string());
}

namespace {

// results.json's text: nlohmann::json(r).dump(2) + "\n" byte for byte.
std::string results_text(const ResultsFile& r) {
  // Byte for byte json(r).dump(2) + "\n", without the whole file's DOM at once (a large merged
  // run's DOM is several times its text): the file without its runs, then each run's own DOM,
  // dumped and indented one level deeper, in the place of the empty "runs" array.
  ResultsFile head;
  head.schema_version = r.schema_version;
  head.tool_version = r.tool_version;
  head.command = r.command;
  head.status = r.status;
  head.failure = r.failure;
  head.planned_runs = r.planned_runs;
  head.name = r.name;
  head.started_at = r.started_at;
  head.finished_at = r.finished_at;
  head.suite = r.suite;
  head.order = r.order;
  head.machine = r.machine;
  head.testbed = r.testbed;
  head.provenance = r.provenance;
  head.gate = r.gate;
  head.outcome = r.outcome;
  head.warnings = r.warnings;
  head.shard = r.shard;
  std::string text = json(head).dump(2);
  if (r.runs.empty()) return text + "\n";
  const std::string empty = "\n  \"runs\": []";
  const auto at = text.find(empty);
  if (at == std::string::npos) throw InternalError("results.json: no top-level runs array");
  std::string runs = "\n  \"runs\": [";
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    runs += i ? ",\n    " : "\n    ";
    // Strings escape their newlines, so every newline of the dump is between tokens.
    runs += replace_all(json(r.runs[i]).dump(2), "\n", "\n    ");
  }
  runs += "\n  ]";
  text.replace(at, empty.size(), runs);
  return text + "\n";
}

}  // namespace

void write_results(const ResultsFile& r, const std::filesystem::path& path) {
  platform::write_file_atomic(path, results_text(r));
}

}  // namespace benchgate::results
