#include "profilers/perf_parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "core/parse.h"
#include "core/strings.h"
#include "profilers/demangle.h"

namespace benchgate::profilers {
namespace {

ParseError line_error(std::string_view what, std::size_t line_no, std::string_view line) {
  auto shown = trim(line);
  if (shown.size() > 160) shown = shown.substr(0, 160);
  return ParseError(fmt::format("{}, line {}: '{}'", what, line_no, shown));
}

/// "44.11%" -> 0.4411.
double parse_percent_token(std::string_view t) {
  t = trim(t);
  if (t.empty() || t.back() != '%')
    throw ParseError(fmt::format("expected a percentage, got '{}'", t));
  return parse_double(t.substr(0, t.size() - 1)) / 100.0;
}

/// "2K" -> 2000, "2890" -> 2890, "1M" -> 1000000 (perf's rounded sample count).
std::int64_t parse_scaled_count(std::string_view t) {
  t = trim(t);
  double mult = 1;
  if (!t.empty() && (t.back() == 'K' || t.back() == 'M' || t.back() == 'G')) {
    mult = t.back() == 'K' ? 1e3 : t.back() == 'M' ? 1e6 : 1e9;
    t.remove_suffix(1);
  }
  return static_cast<std::int64_t>(parse_double(t) * mult);
}

std::string basename_of(std::string_view path) {
  if (path.empty() || path.front() == '[') return std::string(path);
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool is_kernel_dso(std::string_view dso) {
  return dso.starts_with("[kernel") || dso.find("vmlinux") != std::string_view::npos ||
         (dso.starts_with("[") && dso.ends_with(".ko]"));
}

bool is_jit_dso(std::string_view dso) {
  return dso.starts_with("/tmp/perf-") && dso.ends_with(".map");
}

struct Column {
  std::string name;
  std::size_t begin = 0, end = 0;  ///< [begin, end) in the line
};

/// Column spans from the "# ........  ......." rule under the header names.
std::vector<Column> columns_from(std::string_view header, std::string_view dots) {
  std::vector<Column> cols;
  std::size_t i = 1;
  while (i < dots.size()) {
    while (i < dots.size() && dots[i] != '.')
      ++i;
    if (i >= dots.size()) break;
    std::size_t j = i;
    while (j < dots.size() && dots[j] == '.')
      ++j;
    Column c;
    c.begin = i;
    c.end = j;
    c.name = i < header.size() ? std::string(trim(header.substr(i, j - i))) : std::string();
    cols.push_back(c);
    i = j;
  }
  if (!cols.empty()) cols.back().end = std::string_view::npos;  // the last one runs to the end
  return cols;
}

std::string_view field(std::string_view line, const Column& c) {
  if (c.begin >= line.size()) return {};
  return trim(line.substr(
      c.begin, c.end == std::string_view::npos ? std::string_view::npos : c.end - c.begin));
}

void sort_and_cut(std::vector<results::ProfileSummary::Entry>& v, std::size_t top) {
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.share != b.share ? a.share > b.share : a.name < b.name;
  });
  if (v.size() > top) v.resize(top);
}

}  // namespace

// ---- perf report -----------------------------------------------------------------------------

PerfReport parse_perf_report(std::string_view text) {
  PerfReport report;
  const auto lines = lines_of(text);
  std::int64_t lost = 0;
  std::vector<Column> cols;
  PerfReportSection* cur = nullptr;
  bool saw_header = false;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const auto line = lines[n];
    const auto t = trim(line);
    if (t.empty()) continue;
    try {
      if (t[0] == '#') {
        auto body = trim(t.substr(1));
        if (body.starts_with("Total Lost Samples:")) {
          lost = parse_int(body.substr(19));
        } else if (body.starts_with("Samples:")) {
          // "Samples: 2K of event 'cpu-clock:ppp'"
          report.sections.emplace_back();
          cur = &report.sections.back();
          cur->lost_samples = lost;
          auto of = body.find(" of event ");
          if (of == std::string_view::npos) throw ParseError("malformed Samples line");
          cur->samples_text = std::string(trim(body.substr(8, of - 8)));
          cur->samples = parse_scaled_count(cur->samples_text);
          auto ev = trim(body.substr(of + 10));
          if (ev.size() >= 2 && ev.front() == '\'' && ev.back() == '\'') {
            ev = ev.substr(1, ev.size() - 2);
          }
          cur->event = std::string(ev);
          cols.clear();
        } else if (body.starts_with("Event count (approx.):")) {
          if (cur) cur->event_count = parse_int(body.substr(22));
        } else if (body.starts_with("........") && n > 0) {
          cols = columns_from(lines[n - 1], line);
          if (!cur) {
            // --header-less outputs of some versions: a section without a Samples line.
            report.sections.emplace_back();
            cur = &report.sections.back();
            cur->lost_samples = lost;
          }
          cur->columns.clear();
          for (const auto& c : cols)
            cur->columns.push_back(c.name);
          saw_header = true;
        }
        continue;
      }
      // Entries start with a percentage; call-graph lines start with '|', '-' or a name.
      if (!std::isdigit(static_cast<unsigned char>(t[0])) || cols.empty()) continue;
      auto first_word = t.substr(0, t.find(' '));
      if (first_word.empty() || first_word.back() != '%') continue;
      PerfReportEntry e;
      for (const auto& c : cols) {
        const auto v = field(line, c);
        if (c.name == "Children") {
          e.children = parse_percent_token(v);
        } else if (c.name == "Self" || c.name == "Overhead") {
          e.self = parse_percent_token(v);
        } else if (c.name == "Command") {
          e.command = std::string(v);
        } else if (c.name == "Shared Object") {
          e.dso = std::string(v);
        } else if (c.name == "Symbol") {
          // "[.] __memcmp_evex_movbe", "[k] pvm_irq_enable"
          if (v.size() >= 4 && v[0] == '[' && v[2] == ']' && v[3] == ' ') {
            e.privilege = v[1];
            e.symbol = std::string(trim(v.substr(4)));
          } else {
            e.symbol = std::string(v);
          }
        }
      }
      cur->entries.push_back(std::move(e));
    } catch (const ParseError& err) {
      throw line_error(fmt::format("perf report: {}", err.what()), n + 1, line);
    }
  }
  if (!saw_header) {
    std::string first;
    for (auto l : lines) {
      if (!trim(l).empty()) {
        first = std::string(trim(l));
        break;
      }
    }
    throw ParseError(fmt::format(
        "not a 'perf report --stdio' output: no column header was found (first line: '{}')",
        first.substr(0, 160)));
  }
  return report;
}

results::ProfileSummary summarize_perf_report(const PerfReport& report,
                                              const SummaryOptions& options, std::size_t section) {
  results::ProfileSummary s;
  s.profiler = "perf";
  if (section >= report.sections.size()) {
    s.status = "failed";
    s.reason = "the perf report has no samples";
    return s;
  }
  const auto& sec = report.sections[section];
  std::map<std::pair<std::string, std::string>, double> by_symbol;
  std::map<std::string, double> by_dso;
  std::map<std::pair<std::string, std::string>, double> children;
  const bool has_symbol =
      std::find(sec.columns.begin(), sec.columns.end(), "Symbol") != sec.columns.end();
  for (const auto& e : sec.entries) {
    if (has_symbol) {
      by_symbol[{e.symbol, e.dso}] += e.self;
      if (e.children >= 0) {
        auto& c = children[{e.symbol, e.dso}];
        c = std::max(c, e.children);
      }
    }
    if (!e.dso.empty()) by_dso[e.dso] += e.self;
  }
  for (const auto& [k, v] : by_symbol)
    s.top_symbols.push_back({k.first, v, k.second});
  for (const auto& [k, v] : by_dso)
    s.by_dso.push_back({k, v, k});
  sort_and_cut(s.top_symbols, options.top);
  sort_and_cut(s.by_dso, options.top);
  s.extra["event"] = sec.event;
  s.extra["samples"] = sec.samples;
  s.extra["event_count"] = sec.event_count;
  s.extra["lost_samples"] = sec.lost_samples;
  if (!children.empty()) {
    std::vector<results::ProfileSummary::Entry> c;
    for (const auto& [k, v] : children)
      c.push_back({k.first, v, k.second});
    sort_and_cut(c, options.top);
    auto arr = nlohmann::json::array();
    for (const auto& e : c)
      arr.push_back({{"name", e.name}, {"share", e.share}, {"dso", e.dso}});
    s.extra["top_children"] = arr;
  }
  return s;
}

// ---- perf script -----------------------------------------------------------------------------

namespace {

struct Token {
  std::string_view text;
  std::size_t pos;
};

std::vector<Token> tokens_of(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
      ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t')
      ++j;
    if (j > i) out.push_back({s.substr(i, j - i), i});
    i = j;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "1593.496419:"
bool is_time_token(std::string_view s) {
  if (s.size() < 4 || s.back() != ':') return false;
  s.remove_suffix(1);
  auto dot = s.find('.');
  return dot != std::string_view::npos && all_digits(s.substr(0, dot)) &&
         all_digits(s.substr(dot + 1));
}

std::uint64_t parse_hex(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw ParseError(fmt::format("expected a hexadecimal address, got '{}'", s));
  }
  return v;
}

/// "nginx 24142  1593.496419:    1001001 cpu-clock:ppp: " and variants with pid/tid, [cpu],
/// no period, tracepoint details.
PerfSample parse_sample_header(std::string_view line) {
  const auto tok = tokens_of(line);
  std::size_t k = 0;
  while (k < tok.size() && !is_time_token(tok[k].text))
    ++k;
  if (k == tok.size() || k < 2) throw ParseError("malformed sample header");
  PerfSample s;
  s.time = parse_double(tok[k].text.substr(0, tok[k].text.size() - 1));
  std::size_t p = k - 1;
  if (tok[p].text.size() > 2 && tok[p].text.front() == '[' && tok[p].text.back() == ']') {
    s.cpu = static_cast<int>(parse_int(tok[p].text.substr(1, tok[p].text.size() - 2)));
    if (p == 0) throw ParseError("malformed sample header");
    --p;
  }
  auto ids = tok[p].text;
  if (auto slash = ids.find('/'); slash != std::string_view::npos) {
    s.pid = static_cast<int>(parse_int(ids.substr(0, slash)));
    s.tid = static_cast<int>(parse_int(ids.substr(slash + 1)));
  } else {
    s.pid = s.tid = static_cast<int>(parse_int(ids));
  }
  if (p == 0) throw ParseError("malformed sample header: no command name");
  s.comm = std::string(trim(line.substr(0, tok[p].pos)));
  std::size_t e = k + 1;
  if (e < tok.size() && all_digits(tok[e].text)) {
    s.period = static_cast<std::uint64_t>(parse_int(tok[e].text));
    ++e;
  }
  if (e >= tok.size() || tok[e].text.back() != ':') {
    throw ParseError("malformed sample header: no event name");
  }
  s.event = std::string(tok[e].text.substr(0, tok[e].text.size() - 1));
  s.details = std::string(trim(line.substr(tok[e].pos + tok[e].text.size())));
  return s;
}

/// "\tffffffff81eb6448 __dev_queue_xmit+0x3a8 ([kernel.kallsyms])"
PerfFrame parse_frame(std::string_view t) {
  PerfFrame f;
  auto sp = t.find_first_of(" \t");
  f.address = parse_hex(t.substr(0, sp));
  auto rest = sp == std::string_view::npos ? std::string_view() : trim(t.substr(sp));
  if (!rest.empty() && rest.back() == ')') {
    int depth = 0;
    std::size_t open = std::string_view::npos;
    for (std::size_t i = rest.size(); i-- > 0;) {
      if (rest[i] == ')') ++depth;
      if (rest[i] == '(' && --depth == 0) {
        open = i;
        break;
      }
    }
    if (open != std::string_view::npos && (open == 0 || rest[open - 1] == ' ')) {
      f.dso = std::string(rest.substr(open + 1, rest.size() - open - 2));
      rest = trim(rest.substr(0, open));
    }
  }
  if (auto plus = rest.rfind("+0x"); plus != std::string_view::npos && plus > 0) {
    try {
      f.offset = parse_hex(rest.substr(plus + 3));
      rest = rest.substr(0, plus);
    } catch (const ParseError&) {
      // part of the name
    }
  }
  f.symbol = rest.empty() ? "[unknown]" : std::string(rest);
  return f;
}

}  // namespace

void for_each_perf_sample(std::string_view text, const std::function<void(PerfSample&&)>& fn) {
  std::optional<PerfSample> cur;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    auto line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto t = trim(line);
    if (t.empty()) continue;
    try {
      if (line[0] == ' ' || line[0] == '\t') {
        if (!cur) throw ParseError("a call-chain frame before any sample header");
        cur->frames.push_back(parse_frame(t));
      } else {
        if (t[0] == '#') continue;  // --header output
        if (cur) fn(std::move(*cur));
        cur = parse_sample_header(line);
      }
    } catch (const ParseError& e) {
      throw line_error(fmt::format("perf script: {}", e.what()), line_no, line);
    }
  }
  if (cur) fn(std::move(*cur));
}

std::vector<PerfSample> parse_perf_script(std::string_view text) {
  std::vector<PerfSample> out;
  for_each_perf_sample(text, [&](PerfSample&& s) { out.push_back(std::move(s)); });
  return out;
}

std::string folded_frame_name(const PerfFrame& f, const FoldOptions& o) {
  std::string name = f.symbol;
  if (name == "[unknown]" && !f.dso.empty() && f.dso != "[unknown]") {
    name = "[" + basename_of(f.dso) + "]";
    if (name.size() > 2 && name[1] == '[') name = basename_of(f.dso);  // "[vdso]" as is
  } else if (o.demangle && looks_mangled(name)) {
    name = demangle(name, DemangleStyle::kPerf);
  }
  std::replace(name.begin(), name.end(), ';', ':');
  if (o.annotate_kernel && is_kernel_dso(f.dso)) name += "_[k]";
  if (o.annotate_jit && is_jit_dso(f.dso)) name += "_[j]";
  return name;
}

namespace {

class Folder {
 public:
  explicit Folder(const FoldOptions& o) : o_(o), event_(o.event) {}
  void add(const PerfSample& s) {
    if (event_.empty()) event_ = s.event;
    if (s.event != event_) return;
    if (o_.filter && !o_.filter(s)) return;
    stack_.clear();
    if (o_.include_comm) {
      std::string comm = s.comm;
      std::replace(comm.begin(), comm.end(), ' ', '_');
      std::replace(comm.begin(), comm.end(), ';', ':');
      stack_ = o_.include_pid ? fmt::format("{}-{}", comm, s.pid) : comm;
    }
    for (auto it = s.frames.rbegin(); it != s.frames.rend(); ++it) {
      const std::string key = it->symbol + '\x01' + it->dso;
      auto c = cache_.find(key);
      if (c == cache_.end()) c = cache_.emplace(key, folded_frame_name(*it, o_)).first;
      if (!stack_.empty()) stack_ += ';';
      stack_ += c->second;
    }
    if (stack_.empty()) stack_ = "[unknown]";
    out_[stack_] += o_.weight_by_period && s.period > 0 ? static_cast<std::int64_t>(s.period) : 1;
  }
  FoldedStacks take() { return std::move(out_); }

 private:
  const FoldOptions& o_;
  std::string event_;
  std::unordered_map<std::string, std::string> cache_;
  std::string stack_;
  FoldedStacks out_;
};

}  // namespace

FoldedStacks fold_perf_script(std::string_view text, const FoldOptions& o) {
  Folder f(o);
  for_each_perf_sample(text, [&](PerfSample&& s) { f.add(s); });
  return f.take();
}

FoldedStacks fold_perf_samples(const std::vector<PerfSample>& samples, const FoldOptions& o) {
  Folder f(o);
  for (const auto& s : samples)
    f.add(s);
  return f.take();
}

FoldedStacks demangle_folded(
    const FoldedStacks& stacks,
    const std::function<std::vector<std::string>(const std::vector<std::string>&)>& demangle) {
  std::vector<std::string> names;
  std::unordered_map<std::string, std::size_t> index;
  auto base_of = [](std::string_view frame) {
    if (frame.ends_with("_[k]") || frame.ends_with("_[j]")) frame.remove_suffix(4);
    return frame;
  };
  for (const auto& [stack, n] : stacks) {
    for (auto frame : split_view(stack, ';')) {
      std::string base(base_of(frame));
      if (index.emplace(base, names.size()).second) names.push_back(base);
    }
  }
  const auto done = demangle(names);
  if (done.size() != names.size()) {
    throw ParseError("demangler answered a different number of names");
  }
  FoldedStacks out;
  for (const auto& [stack, n] : stacks) {
    std::string s;
    for (auto frame : split_view(stack, ';')) {
      auto base = base_of(frame);
      if (!s.empty()) s += ';';
      std::string name = done[index.at(std::string(base))];
      std::replace(name.begin(), name.end(), ';', ':');
      s += name;
      s += frame.substr(base.size());
    }
    out[s] += n;
  }
  return out;
}

std::string format_folded(const FoldedStacks& stacks) {
  std::string out;
  for (const auto& [stack, n] : stacks)
    out += fmt::format("{} {}\n", stack, n);
  return out;
}

FoldedStacks parse_folded(std::string_view text) {
  FoldedStacks out;
  std::size_t n = 0;
  for (auto line : lines_of(text)) {
    ++n;
    auto t = trim(line);
    if (t.empty()) continue;
    auto sp = t.find_last_of(" \t");
    if (sp == std::string_view::npos) throw line_error("folded stacks: no count", n, line);
    try {
      // difffolded's "stack a b" has two counts; take the last one.
      out[std::string(trim(t.substr(0, sp)))] += parse_int(t.substr(sp + 1));
    } catch (const ParseError& e) {
      throw line_error(fmt::format("folded stacks: {}", e.what()), n, line);
    }
  }
  return out;
}

std::int64_t total_count(const FoldedStacks& stacks) {
  std::int64_t t = 0;
  for (const auto& [k, v] : stacks)
    t += v;
  return t;
}

results::ProfileSummary summarize_perf_samples(const std::vector<PerfSample>& samples,
                                               const SummaryOptions& options,
                                               const FoldOptions& names) {
  results::ProfileSummary s;
  s.profiler = "perf";
  FoldOptions plain = names;
  plain.annotate_kernel = false;
  plain.annotate_jit = false;
  std::map<std::pair<std::string, std::string>, std::int64_t> by_symbol;
  std::map<std::string, std::int64_t> by_dso;
  std::int64_t total = 0;
  std::string event = names.event;
  for (const auto& smp : samples) {
    if (event.empty()) event = smp.event;
    if (smp.event != event) continue;
    if (names.filter && !names.filter(smp)) continue;
    ++total;
    if (smp.frames.empty()) {
      by_symbol[{"[unknown]", "[unknown]"}]++;
      by_dso["[unknown]"]++;
      continue;
    }
    const auto& leaf = smp.frames.front();
    const auto dso = basename_of(leaf.dso.empty() ? "[unknown]" : leaf.dso);
    by_symbol[{folded_frame_name(leaf, plain), dso}]++;
    by_dso[dso]++;
  }
  if (total == 0) {
    s.status = "failed";
    s.reason = "perf recorded no samples";
    return s;
  }
  const double t = static_cast<double>(total);
  for (const auto& [k, v] : by_symbol)
    s.top_symbols.push_back({k.first, v / t, k.second});
  for (const auto& [k, v] : by_dso)
    s.by_dso.push_back({k, v / t, k});
  sort_and_cut(s.top_symbols, options.top);
  sort_and_cut(s.by_dso, options.top);
  s.extra["event"] = event;
  s.extra["samples"] = total;
  return s;
}

results::ProfileSummary summarize_folded(const FoldedStacks& stacks,
                                         const SummaryOptions& options) {
  results::ProfileSummary s;
  s.profiler = "perf";
  const auto total = total_count(stacks);
  if (total <= 0) {
    s.status = "failed";
    s.reason = "no samples";
    return s;
  }
  std::map<std::string, std::int64_t> self, kinds;
  for (const auto& [stack, n] : stacks) {
    auto semi = stack.rfind(';');
    std::string leaf = semi == std::string::npos ? stack : stack.substr(semi + 1);
    std::string kind = "[user]";
    if (leaf.ends_with("_[k]")) {
      leaf.resize(leaf.size() - 4);
      kind = "[kernel]";
    } else if (leaf.ends_with("_[j]")) {
      leaf.resize(leaf.size() - 4);
      kind = "[jit]";
    }
    self[leaf] += n;
    kinds[kind] += n;
  }
  const double t = static_cast<double>(total);
  for (const auto& [k, v] : self)
    s.top_symbols.push_back({k, v / t, ""});
  for (const auto& [k, v] : kinds)
    s.by_dso.push_back({k, v / t, k});
  sort_and_cut(s.top_symbols, options.top);
  sort_and_cut(s.by_dso, options.top);
  s.extra["samples"] = total;
  return s;
}

}  // namespace benchgate::profilers
