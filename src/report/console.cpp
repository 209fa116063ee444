#include "report/console.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parse.h"
#include "core/text.h"
#include "report/format.h"

namespace benchgate::report {

using gate::Verdict;

namespace {

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";

struct TextCell {
  std::string text;
  std::string_view style;  // ANSI prefix, or empty
};

/// A plain-text table: columns padded to their widest cell (in code points), two spaces apart.
class Table {
 public:
  Table(std::vector<std::string> headers, std::vector<bool> right_aligned)
      : headers_(std::move(headers)), right_(std::move(right_aligned)) {}
  void add(std::vector<TextCell> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  void write(std::ostream& out, bool color, std::string_view indent = "") const {
    std::vector<std::size_t> w(headers_.size(), 0);
    for (std::size_t i = 0; i < headers_.size(); ++i)
      w[i] = display_width(headers_[i]);
    for (const auto& r : rows_) {
      for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) {
        w[i] = std::max(w[i], display_width(r[i].text));
      }
    }
    auto line = [&](const std::vector<TextCell>& cells, std::string_view row_style) {
      std::string s(indent);
      for (std::size_t i = 0; i < w.size(); ++i) {
        const TextCell c = i < cells.size() ? cells[i] : TextCell{};
        const std::size_t pad = w[i] - std::min(w[i], display_width(c.text));
        std::string text = c.text;
        const std::string_view style = !c.style.empty() ? c.style : row_style;
        if (color && !style.empty()) text = std::string(style) + text + std::string(kReset);
        if (right_[i]) {
          s += std::string(pad, ' ') + text;
        } else {
          s += text;
          if (i + 1 < w.size()) s += std::string(pad, ' ');
        }
        if (i + 1 < w.size()) s += "  ";
      }
      while (!s.empty() && s.back() == ' ')
        s.pop_back();
      out << s << '\n';
    };
    std::vector<TextCell> head;
    for (const auto& h : headers_)
      head.push_back({h, {}});
    line(head, kBold);
    for (const auto& r : rows_)
      line(r, {});
  }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<TextCell>> rows_;
};

std::string_view verdict_style(Verdict v) {
  switch (v) {
    case Verdict::kRegressed:
    case Verdict::kError:
      return kRed;
    case Verdict::kWarn:
    case Verdict::kInconclusive:
    case Verdict::kNotComparable:
      return kYellow;
    case Verdict::kImproved:
      return kGreen;
    case Verdict::kUnchanged:
    case Verdict::kChanged:
      return kDim;
  }
  return {};
}

std::string paint(std::string_view text, std::string_view style, bool color) {
  if (!color || style.empty()) return std::string(text);
  return std::string(style) + std::string(text) + std::string(kReset);
}

std::string safe(std::string_view s, std::size_t max) {
  return terminal_safe(shorten(s, max));
}

// A failure reason in full, as `drive` prints it: the first line, then each further line (the
// app log's last lines, where the app says what went wrong) on a line of its own after
// `indent`. Every line is terminal-safe and at most kMaxReasonLine characters; at most
// kMaxReasonLines lines (the log tail the runner keeps is shorter).
constexpr std::size_t kMaxReasonLine = 2000;
constexpr std::size_t kMaxReasonLines = 60;
std::pair<std::string, std::string> reason_lines(std::string_view reason, std::string_view indent) {
  auto lines = split(reason, '\n');
  while (!lines.empty() && trim(lines.back()).empty())
    lines.pop_back();
  if (lines.empty()) return {"", ""};
  std::string rest;
  for (std::size_t i = 1; i < lines.size() && i < kMaxReasonLines; ++i) {
    rest += fmt::format("\n{}{}", indent, safe(lines[i], kMaxReasonLine));
  }
  if (lines.size() > kMaxReasonLines) {
    rest += fmt::format("\n{}… {} more lines", indent, lines.size() - kMaxReasonLines);
  }
  return {safe(lines[0], kMaxReasonLine), rest};
}

}  // namespace

void write_problems(const ReportModel& m, std::ostream& out, const ConsoleOptions& o) {
  if (m.problems.empty()) return;
  out << paint("Failed and excluded runs", kBold, o.color) << '\n';
  for (const auto& p : m.problems) {
    const auto [first, rest] = reason_lines(p.reason, "      ");
    out << "  "
        << paint(p.status == "skipped" ? "SKIPPED"
                 : p.is_error()        ? "FAILED"
                                       : p.status,
                 p.is_error() ? kRed : kYellow, o.color)
        << fmt::format("  {}  {}  iteration {}: {}", safe(p.app, o.max_name),
                       safe(p.cell, o.max_name), p.iteration, first);
    if (!p.log_path.empty()) out << fmt::format(" (log: {})", safe(p.log_path, 120));
    out << rest << '\n';
  }
}

void write_outcome(const ReportModel& m, std::ostream& out, const ConsoleOptions& o) {
  std::string_view style = kYellow;
  switch (m.outcome.kind) {
    case gate::OutcomeKind::kPass:
      style = kGreen;
      break;
    case gate::OutcomeKind::kRegressed:
    case gate::OutcomeKind::kRunFailed:
    case gate::OutcomeKind::kPartial:
      style = kRed;
      break;
    case gate::OutcomeKind::kNotGated:
      style = kBold;
      break;
    case gate::OutcomeKind::kUndecided:
    case gate::OutcomeKind::kInterrupted:
      style = kYellow;
      break;
  }
  out << paint(fmt::format("outcome: {} (exit {})", m.outcome.headline(),
                           static_cast<int>(m.outcome.exit_code)),
               style, o.color)
      << '\n';
}

void write_results_table(const ReportModel& m, std::ostream& out, const ConsoleOptions& o) {
  std::vector<std::string> headers = {"cell", "app"};
  std::vector<bool> right = {false, false};
  for (const auto& c : result_columns()) {
    headers.emplace_back(c.header);
    right.push_back(true);
  }
  headers.emplace_back("good");
  right.push_back(true);
  Table t(headers, right);
  for (const auto& cell : m.cells) {
    if (cell.per_run) continue;
    bool first = true;
    for (const auto& ac : cell.apps) {
      std::vector<TextCell> row;
      row.push_back({first ? safe(cell.key, o.max_name) : "", {}});
      row.push_back({safe(ac.app, o.max_name), {}});
      for (const auto& col : result_columns()) {
        const Stat* s = ac.stat(col.metric);
        row.push_back(
            {s ? format_median_range(s->median, s->min, s->max, s->values.size(), col.scale) : "–",
             {}});
      }
      row.push_back({fmt::format("{}/{}", ac.good, ac.total), ac.good == ac.total
                                                                  ? std::string_view{}
                                                              : ac.good == 0 ? kRed
                                                                             : kYellow});
      t.add(std::move(row));
      first = false;
    }
  }
  if (t.empty()) {
    out << "No load periods were measured.\n";
  } else {
    out << "Median (min–max) over the good iterations.\n";
    t.write(out, o.color);
  }
  // Start-up (per-run metrics), when measured.
  Table st({"scenario", "app", "start-up ms", "idle RSS MiB", "good"},
           {false, false, true, true, true});
  for (const auto& cell : m.cells) {
    if (!cell.per_run) continue;
    for (const auto& ac : cell.apps) {
      const Stat* ts = ac.stat("startup_time");
      const Stat* rs = ac.stat("idle_rss");
      if (!ts && !rs) continue;
      st.add({{safe(cell.key, o.max_name), {}},
              {safe(ac.app, o.max_name), {}},
              {ts ? format_median_range(ts->median, ts->min, ts->max, ts->values.size(), 1e3) : "–",
               {}},
              {rs ? format_median_range(rs->median, rs->min, rs->max, rs->values.size(),
                                        1 / (1024.0 * 1024.0))
                  : "–",
               {}},
              {fmt::format("{}/{}", ac.good, ac.total), {}}});
    }
  }
  if (!st.empty()) {
    out << '\n';
    st.write(out, o.color);
  }
}

void write_verdict_table(const ReportModel& m, std::ostream& out, const ConsoleOptions& o) {
  if (!m.gate) {
    out << "Not gated: no baseline to compare with.\n";
    return;
  }
  const auto& vs = m.gate->verdicts;
  const std::string level = format_level(vs.empty() ? 0.95 : vs.front().ci_level);
  Table t({"status", "app", "cell", "metric", "baseline", "current",
           fmt::format("change [{} CI]", level), "limit", "p¹"},
          {false, false, false, false, true, true, false, true, true});
  int hidden = 0;
  for (std::size_t i : m.ranked) {
    const auto& v = vs[i];
    if (v.verdict == Verdict::kUnchanged && !o.show_unchanged) {
      ++hidden;
      continue;
    }
    std::string change = format_change(v);
    if (const auto ci = format_ci(v); !ci.empty()) change += " " + ci;
    const bool est = has_estimate(v);
    t.add({{shown_verdict(v), v.gated ? verdict_style(v.verdict) : kDim},
           {safe(v.app, o.max_name), {}},
           {safe(v.cell, o.max_name), {}},
           {safe(v.metric, o.max_name) + " " + std::string(better_symbol(v.better)), {}},
           {format_value(v.baseline, v.unit), {}},
           {format_value(v.current, v.unit), {}},
           {change, {}},
           {est ? format_limit(v) : "–", {}},
           {est ? shown_p(v) : "–", {}}});
  }
  if (!t.empty()) t.write(out, o.color);
  if (hidden > 0) out << fmt::format("({} unchanged rows not shown)\n", hidden);
  std::vector<std::string> counts;
  for (Verdict v : verdicts_in_order()) {
    const int n = m.count(v);
    if (n > 0 || v == Verdict::kRegressed) {
      counts.push_back(paint(fmt::format("{} {}", n, verdict_label(v)),
                             n > 0 ? verdict_style(v) : std::string_view{}, o.color));
    }
  }
  out << '\n' << fmt::format("{}", fmt::join(counts, " · "));
  if (const int f = m.failed_runs(); f > 0) {
    out << " · " << paint(fmt::format("{} failed run{}", f, f == 1 ? "" : "s"), kRed, o.color);
  }
  if (const int info = m.outcome.tally.informational; info > 0) {
    out << " · " << paint(fmt::format("{} informational (not gated)", info), kDim, o.color);
  }
  out << '\n';
  out << "¹ Holm-adjusted one-sided p for gated tests; \"raw\" marks the unadjusted p of an "
         "informational row (its status in parentheses, never counted)\n";
  for (const auto& n : m.gate->notes)
    out << "note: " << safe(n, 300) << '\n';
  if (!m.gate->testbed_match) {
    out << paint("warning: the baseline was measured on a different testbed", kYellow, o.color)
        << '\n';
  }
}

// --- progress ------------------------------------------------------------------------------

std::string run_line(const RunDone& d) {
  const auto& r = *d.run;
  std::string line = fmt::format("[{}/{}] iteration {}/{} {} {}: ", d.index + 1, d.total,
                                 r.iteration, d.iterations, safe(r.app, 48), safe(r.scenario, 48));
  if (r.status == "ok") {
    line += fmt::format("ok in {}", format_seconds(r.elapsed_s));
    std::vector<std::string> parts;
    for (const auto& p : r.periods) {
      std::string part = p.point.key();
      if (p.status != "ok") {
        part += " " + p.status;
      } else {
        part += " " + format_value(p.driver.throughput, "req/s");
        auto it = p.driver.latency.percentiles.find("99");
        if (it != p.driver.latency.percentiles.end())
          part += " p99 " + format_value(it->second, "s");
      }
      parts.push_back(std::move(part));
    }
    if (!parts.empty()) line += fmt::format(" — {}", fmt::join(parts, ", "));
  }
  // A failure in full (the app log's last lines below the line), never cut mid-reason.
  const auto [first, rest] = reason_lines(r.status == "ok" ? "" : r.failure, "    ");
  if (r.status == "skipped") {
    line += fmt::format("skipped: {}", first);
  } else if (r.status != "ok") {
    line += fmt::format("{} after {}: {}", r.status == "failed" ? "FAILED" : r.status,
                        format_seconds(r.elapsed_s), first);
  }
  if (d.remaining_s >= 0) line += fmt::format("; ~{} left", format_seconds(d.remaining_s));
  return line + rest;
}

namespace {

class PlainProgress final : public ProgressReporter {
 public:
  explicit PlainProgress(std::ostream& out) : out_(out) {}
  void update(const RunProgress&) override {}
  void run_finished(const RunDone& d) override { out_ << run_line(d) << '\n' << std::flush; }
  void message(std::string_view line) override { out_ << terminal_safe(line) << '\n'; }
  void finish() override { out_ << std::flush; }

 private:
  std::ostream& out_;
};

class TtyProgress final : public ProgressReporter {
 public:
  TtyProgress(std::ostream& out, int width, bool color)
      : out_(out), width_(static_cast<std::size_t>(std::max(width, 20))), color_(color) {}

  void update(const RunProgress& p) override {
    const bool changed = p.app != last_.app || p.cell != last_.cell || p.phase != last_.phase ||
                         p.index != last_.index;
    if (!changed && drawn_ && p.elapsed_s - last_.elapsed_s < 0.1) return;
    last_ = p;
    // Parts in display order with a priority; the least important go first when the terminal
    // is narrow: phase, then iteration, elapsed, remaining, rate; never counter, app, cell.
    std::vector<std::pair<std::string, int>> parts = {
        {fmt::format("[{}/{}]", p.index + 1, p.total), 9},
        {fmt::format("iter {}/{}", p.iteration, p.iterations), 2},
        {safe(p.app, 32), 9},
        {safe(p.cell, 40), 8},
    };
    if (!p.phase.empty()) parts.emplace_back(safe(p.phase, 20), 1);
    parts.emplace_back(clock(p.elapsed_s) + " elapsed", 3);
    if (p.remaining_s >= 0) parts.emplace_back("~" + clock(p.remaining_s) + " left", 4);
    if (p.current_rps >= 0) parts.emplace_back(format_value(p.current_rps, "req/s"), 5);
    std::string line = fit(parts, width_ - 1);
    out_ << '\r' << (color_ ? std::string(kBold) : "") << line << (color_ ? kReset : "") << "\x1b[K"
         << std::flush;
    drawn_ = true;
  }

  void run_finished(const RunDone& d) override {
    clear();
    const bool ok = d.run->status == "ok";
    out_ << paint(run_line(d), ok ? std::string_view{} : kRed, color_) << '\n' << std::flush;
  }

  void message(std::string_view line) override {
    clear();
    out_ << terminal_safe(line) << '\n' << std::flush;
  }

  void finish() override { clear(); }

 private:
  void clear() {
    if (drawn_) out_ << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }
  static std::string fit(std::vector<std::pair<std::string, int>> parts, std::size_t width) {
    auto render = [&] {
      std::string line;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        line += (i == 0 ? "" : i == 1 ? " " : " · ") + parts[i].first;
      }
      return line;
    };
    std::string line = render();
    while (display_width(line) > width && parts.size() > 1) {
      auto lowest = std::min_element(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      });
      if (lowest->second >= 8) break;
      parts.erase(lowest);
      line = render();
    }
    if (display_width(line) > width) {
      std::string cut;
      std::size_t starts = 0;  // code points begun so far
      for (unsigned char c : line) {
        if ((c & 0xC0) != 0x80 && ++starts >= width) break;
        cut += static_cast<char>(c);
      }
      line = sanitize_utf8(cut) + "…";
    }
    return line;
  }

  static std::string clock(double s) {
    if (!std::isfinite(s) || s < 0) s = 0;
    const auto t = static_cast<long long>(s);
    if (t >= 3600) return fmt::format("{}:{:02}:{:02}", t / 3600, (t % 3600) / 60, t % 60);
    return fmt::format("{}:{:02}", t / 60, t % 60);
  }

  std::ostream& out_;
  std::size_t width_;
  bool color_;
  bool drawn_ = false;
  RunProgress last_;
};

}  // namespace

std::unique_ptr<ProgressReporter> make_progress_reporter(std::ostream& out, bool tty, int width,
                                                         bool color) {
  if (tty) return std::make_unique<TtyProgress>(out, width, color);
  return std::make_unique<PlainProgress>(out);
}

}  // namespace benchgate::report
