// The oprofile profilers (oprofile, oprofile-sys): operf around the app or system-wide,
// or perf written as opreport XML/text where operf is missing.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"
#include "profilers/commands.h"
#include "profilers/flamegraph.h"
#include "profilers/massif.h"
#include "profilers/oprofile.h"
#include "profilers/perf_opreport.h"
#include "profilers/perf_parse.h"
#include "profilers/profiler_support.h"

namespace benchgate::profilers {
namespace {

namespace fs = std::filesystem;
using namespace detail;

// ---- oprofile --------------------------------------------------------------------------------

class OprofileProfiler final : public Profiler {
 public:
  explicit OprofileProfiler(bool system) : system_(system) {}
  std::string name() const override { return system_ ? "oprofile-sys" : "oprofile"; }
  Attachment attachment() const override {
    return system_ ? Attachment::kSystemWide : Attachment::kWrap;
  }
  std::optional<std::string> unavailable_reason(const ProfilerContext& ctx) const override {
    if (with_perf(ctx)) {
      // operf is missing: perf records, benchgate writes opreport's outputs.
      if (auto m =
              missing_tool(program(ctx, "perf"),
                           "neither operf (OProfile) nor perf was found; install linux-perf")) {
        return m;
      }
      if (auto p = perf_permission_problem(attachment(), false, ctx)) {
        return fmt::format("{} (recording with perf: operf is not installed): {}", name(), *p);
      }
      return std::nullopt;
    }
    if (auto m = missing_tool(
            program(ctx, "operf"),
            "OProfile is not packaged in Debian 12: build it from https://oprofile.sourceforge.io "
            "or use --profiler perf")) {
      return m;
    }
    if (system_ && effective_uid(ctx) != 0) {
      return std::string("oprofile-sys profiles the whole system, which operf allows only to root");
    }
    return std::nullopt;
  }
  std::vector<std::string> wrap(const std::vector<std::string>& app,
                                const ProfilerContext& ctx) const override {
    if (system_) return Profiler::wrap(app, ctx);
    if (with_perf(ctx)) {
      PerfRecordSpec p;
      p.perf = "perf";
      p.output = ctx.path(kPerfData);
      p.command = app;  // perf follows the app's children (inherit)
      fs::create_directories(p.output.parent_path());
      return build_perf_record_command(p);
    }
    OperfSpec s;
    s.operf = program(ctx, "operf");
    s.session_dir = ctx.path("oprofile_data");
    s.command = app;
    fs::create_directories(s.session_dir.parent_path());
    return build_operf_command(s);
  }
  std::vector<std::string> attach(const std::vector<int>& pids,
                                  const ProfilerContext& ctx) const override {
    if (!system_) return Profiler::attach(pids, ctx);
    if (with_perf(ctx)) {
      PerfRecordSpec p;
      p.perf = "perf";
      p.output = ctx.path(kPerfData);
      p.system_wide = true;
      p.cpus = ctx.cpus;
      fs::create_directories(p.output.parent_path());
      return build_perf_record_command(p);
    }
    OperfSpec s;
    s.operf = program(ctx, "operf");
    s.session_dir = ctx.path("oprofile_data");
    s.system_wide = true;
    fs::create_directories(s.session_dir.parent_path());
    return build_operf_command(s);
  }
  results::ProfileSummary post_process(const ProfilerContext& ctx, const ToolRunner& run,
                                       std::string_view rec_stderr) const override {
    if (with_perf(ctx)) return post_process_perf(ctx, run, rec_stderr);
    const auto session = ctx.path("oprofile_data");
    if (!fs::exists(session)) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed(name(), fmt::format("operf wrote no session{}", why.empty() ? "" : ": " + why));
    }
    const std::string opreport = sibling(ctx, "opreport");
    const std::string demangle = ctx.demangler ? "none" : "smart";
    run_tool(run, build_opreport_command(opreport, session, OpreportStyle::kSymbols, demangle),
             ctx.path("opreport.txt"));
    run_tool(run, build_opreport_command(opreport, session, OpreportStyle::kCallgraph, demangle),
             ctx.path("opreport-callgraph.txt"));
    auto xml_err = run_tool(run,
                            build_opreport_command(opreport, session, OpreportStyle::kXml, demangle,
                                                   ctx.path("opreport.xml")),
                            ctx.path("opreport-xml.log"));
    results::ProfileSummary s;
    try {
      if (xml_err.empty() && fs::exists(ctx.path("opreport.xml"))) {
        s = summarize_oprofile(parse_opreport_xml(platform::read_file(ctx.path("opreport.xml"))),
                               ctx.top);
      } else {
        s = summarize_oprofile(parse_opreport_text(platform::read_file(ctx.path("opreport.txt"))),
                               ctx.top);
      }
    } catch (const std::exception& e) {
      return failed(name(), fmt::format("cannot read the opreport output: {}{}", e.what(),
                                        xml_err.empty() ? "" : " (" + xml_err + ")"));
    }
    s.profiler = name();
    if (ctx.demangler || demangle == "none") {
      std::vector<std::string> names;
      for (const auto& e : s.top_symbols)
        names.push_back(e.name);
      auto d = demangle_all(names, DemangleStyle::kFull, ctx.demangler);
      for (std::size_t i = 0; i < d.size(); ++i)
        s.top_symbols[i].name = d[i];
    }
    add_artifact(s, ctx, "opreport", "opreport.txt", "opreport: symbol summary");
    add_artifact(s, ctx, "opreport-callgraph", "opreport-callgraph.txt", "opreport: call graph");
    add_artifact(s, ctx, "opreport-xml", "opreport.xml", "opreport --xml");
    return s;
  }

 private:
  static constexpr std::string_view kPerfData = "oprofile-perf.data";

  /// operf is not installed (and no explicit tool path names it): record with perf.
  static bool with_perf(const ProfilerContext& ctx) {
    return ctx.tool_path.empty() && !platform::find_executable("operf");
  }

  results::ProfileSummary post_process_perf(const ProfilerContext& ctx, const ToolRunner& run,
                                            std::string_view rec_stderr) const {
    const auto data = ctx.path(kPerfData);
    if (!fs::exists(data) || fs::file_size(data) == 0) {
      auto why = diagnose_profiler_stderr(rec_stderr);
      return failed(name(), fmt::format("perf record (standing in for operf) wrote no data{}",
                                        why.empty() ? "" : ": " + why));
    }
    const auto script = ctx.path("oprofile-perf-script.txt");
    if (auto err = run_tool(run, build_perf_script_command("perf", data), script); !err.empty()) {
      return failed(name(), err);
    }
    OpreportDocuments docs;
    try {
      OpreportFromPerfOptions o;
      o.event = "cpu-clock";
      o.period = 999;  // perf record -F 999: samples per second, not a count; shown as setup
      docs = opreport_from_perf(parse_perf_script(platform::read_file(script)), o);
      fs::remove(script);
      platform::write_file_atomic(ctx.path("opreport.xml"), docs.xml);
      platform::write_file_atomic(ctx.path("opreport.txt"), docs.text);
    } catch (const std::exception& e) {
      return failed(name(),
                    fmt::format("cannot turn perf's samples into opreport output: {}", e.what()));
    }
    if (docs.samples == 0) return failed(name(), "perf recorded no cpu-clock samples of the app");
    results::ProfileSummary s;
    try {
      s = summarize_oprofile(parse_opreport_xml(docs.xml), ctx.top);
    } catch (const std::exception& e) {
      return failed(name(), fmt::format("cannot read the opreport XML written: {}", e.what()));
    }
    s.profiler = name();
    s.extra["recorded_with"] = "perf record -e cpu-clock (operf is not installed)";
    s.extra["perf_samples"] = docs.samples;
    demangle_summary(s, ctx);
    add_artifact(s, ctx, "perf-data", kPerfData, "perf record output (perf report -i ...)");
    add_artifact(s, ctx, "opreport", "opreport.txt",
                 "opreport -l style symbol summary (from perf)");
    add_artifact(s, ctx, "opreport-xml", "opreport.xml", "opreport -X style XML (from perf)");
    return s;
  }

  bool system_;
};

}  // namespace

std::unique_ptr<Profiler> detail::make_oprofile_profiler(bool system) {
  return std::make_unique<OprofileProfiler>(system);
}

}  // namespace benchgate::profilers
