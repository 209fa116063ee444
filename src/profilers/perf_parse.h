#pragma once
// Parsers for perf's text outputs:
//  - `perf report --stdio` (with or without --children, --max-stack, --sort dso): the top-level
//    entries of each event section (call-graph drawings are skipped);
//  - `perf script`: samples with their call chains, and folding them into collapsed stacks
//    ("comm;main;foo;bar 12", as Brendan Gregg's stackcollapse-perf.pl does).
// Each can be summarised into a results::ProfileSummary (top symbols by self share, share by
// shared object).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "results/model.h"

namespace benchgate::profilers {

// ---- perf report --stdio ---------------------------------------------------------------------

struct PerfReportEntry {
  double children = -1;  ///< fraction 0..1 ("Children" column); -1 without --children
  double self = 0;       ///< fraction 0..1 ("Self", or "Overhead" without --children)
  std::string command;   ///< empty when the column is not shown
  std::string dso;
  std::string symbol;  ///< without the "[.] " / "[k] " marker
  char privilege = 0;  ///< '.' user, 'k' kernel, 'g' guest kernel, 'u' guest user, 'H' hypervisor
};

struct PerfReportSection {
  std::string event;                 ///< "cpu-clock:ppp"
  std::string samples_text;          ///< "2K" as printed
  std::int64_t samples = 0;          ///< approximate ("2K" -> 2000)
  std::int64_t event_count = 0;      ///< "Event count (approx.)"
  std::int64_t lost_samples = 0;     ///< "Total Lost Samples" (printed once, before the sections)
  std::vector<std::string> columns;  ///< header names: "Children", "Self", "Command", ...
  std::vector<PerfReportEntry> entries;
  bool has_children() const { return !columns.empty() && columns[0] == "Children"; }
};

struct PerfReport {
  std::vector<PerfReportSection> sections;  ///< one per event
};

/// Throws ParseError (naming the line) for text that is not a perf report.
PerfReport parse_perf_report(std::string_view text);

struct SummaryOptions {
  std::size_t top = 25;  ///< top_symbols and by_dso keep at most this many entries
};

/// Top symbols by self share (sum over commands), share by shared object. A `--sort dso`
/// report gives by_dso only. extra: event, samples, event_count, lost_samples, and for a
/// --children report the top symbols by children share.
results::ProfileSummary summarize_perf_report(const PerfReport& report,
                                              const SummaryOptions& options = {},
                                              std::size_t section = 0);

// ---- perf script -----------------------------------------------------------------------------

struct PerfFrame {
  std::uint64_t address = 0;
  std::string symbol;  ///< "[unknown]" when perf could not resolve it; offset removed
  std::uint64_t offset = 0;
  std::string dso;  ///< "[kernel.kallsyms]", "/usr/lib/x86_64-linux-gnu/libc.so.6", "[unknown]"
};

struct PerfSample {
  std::string comm;
  int pid = 0, tid = 0;
  int cpu = -1;
  double time = 0;
  std::uint64_t period = 0;       ///< 0 when not printed
  std::string event;              ///< "cpu-clock:ppp", "sched:sched_switch"
  std::string details;            ///< what follows the event (tracepoint fields)
  std::vector<PerfFrame> frames;  ///< leaf first
};

/// Calls fn for each sample of a `perf script` output (default fields). Throws ParseError
/// naming the line for a malformed header or frame line.
void for_each_perf_sample(std::string_view text, const std::function<void(PerfSample&&)>& fn);
std::vector<PerfSample> parse_perf_script(std::string_view text);

/// Collapsed stacks: "root;...;leaf" -> count. Ordered, so output is deterministic.
using FoldedStacks = std::map<std::string, std::int64_t>;

struct FoldOptions {
  bool include_comm = true;       ///< the process name as the root frame
  bool include_pid = false;       ///< "comm-pid" as the root frame
  bool annotate_kernel = true;    ///< kernel frames get "_[k]" appended (coloured apart)
  bool annotate_jit = true;       ///< frames in /tmp/perf-PID.map get "_[j]"
  bool demangle = true;           ///< C++ names perf left mangled, in perf's style
  bool weight_by_period = false;  ///< count periods (e.g. ns of cpu-clock) instead of samples
  /// Only this event; empty: the first event seen (as stackcollapse-perf does).
  std::string event;
  std::function<bool(const PerfSample&)> filter;  ///< extra filter (e.g. by pid); may be empty
};

/// The frame name as it goes into a folded stack: offsets gone, ';' replaced, "[unknown]"
/// replaced by "[dso basename]" when the dso is known, annotations added.
std::string folded_frame_name(const PerfFrame& frame, const FoldOptions& options);

FoldedStacks fold_perf_script(std::string_view text, const FoldOptions& options = {});
FoldedStacks fold_perf_samples(const std::vector<PerfSample>& samples,
                               const FoldOptions& options = {});
/// Passes every distinct frame name through `demangle` (e.g. an external demangler), keeping
/// the "_[k]"/"_[j]" annotations; stacks that become equal are merged.
FoldedStacks demangle_folded(
    const FoldedStacks& stacks,
    const std::function<std::vector<std::string>(const std::vector<std::string>&)>& demangle);
/// "stack count" lines, sorted by stack.
std::string format_folded(const FoldedStacks& stacks);
/// Reads "stack count" lines (blank lines ignored). Throws ParseError naming the line.
FoldedStacks parse_folded(std::string_view text);
std::int64_t total_count(const FoldedStacks& stacks);

/// Self share per leaf frame and per dso, from samples (the flat profile of a perf script).
results::ProfileSummary summarize_perf_samples(const std::vector<PerfSample>& samples,
                                               const SummaryOptions& options = {},
                                               const FoldOptions& names = {});
/// Self share per leaf frame from folded stacks (no dso: kernel frames get "[kernel]").
results::ProfileSummary summarize_folded(const FoldedStacks& stacks,
                                         const SummaryOptions& options = {});

}  // namespace benchgate::profilers
