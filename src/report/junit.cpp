#include "report/junit.h"

#include <fmt/format.h>

#include <map>
#include <pugixml.hpp>
#include <set>

#include "core/text.h"
#include "report/format.h"

namespace benchgate::report {

using gate::MetricVerdict;
using gate::Verdict;

namespace {

// Long enough for any sane name; a 10 kB label does not make a 10 kB test name.
constexpr std::size_t kMaxName = 500;
constexpr std::size_t kMaxMessage = 2000;

std::string clean(std::string_view s) {
  return xml_chars(s);
}
std::string clean_line(std::string_view s, std::size_t max) {
  return one_line(shorten(s, max));
}

class Writer {
 public:
  explicit Writer(const ReportModel& m) : m_(m) {
    auto root = doc_.append_child("testsuites");
    root_ = root;
    suite_ = root.append_child("testsuite");
  }

  void write(std::ostream& out) {
    auto decl = doc_.prepend_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";

    properties();
    if (m_.gate) {
      gated();
    } else {
      ungated();
    }
    failed_runs();
    outcome_case();
    notes();

    const std::string suite_name = clean_line(m_.suite, kMaxName);
    const std::string time = fmt::format("{:.3f}", total_time_);
    root_.append_attribute("name") = "benchgate";
    root_.append_attribute("tests") = tests_;
    root_.append_attribute("failures") = failures_;
    root_.append_attribute("errors") = errors_;
    root_.append_attribute("time") = time.c_str();

    // Attributes first in a fixed order (prepended before properties).
    auto s = suite_;
    s.prepend_attribute("time") = time.c_str();
    s.prepend_attribute("skipped") = skipped_;
    s.prepend_attribute("errors") = errors_;
    s.prepend_attribute("failures") = failures_;
    s.prepend_attribute("tests") = tests_;
    s.prepend_attribute("name") = suite_name.c_str();
    if (!m_.results.started_at.empty()) {
      s.append_attribute("timestamp") = clean_line(m_.results.started_at, 64).c_str();
    }
    const auto host = m_.results.machine.is_object() && m_.results.machine.contains("host_name") &&
                              m_.results.machine["host_name"].is_string()
                          ? m_.results.machine["host_name"].get<std::string>()
                          : std::string();
    if (!host.empty()) s.append_attribute("hostname") = clean_line(host, 255).c_str();
    s.append_attribute("id") = "0";
    s.append_attribute("package") = "benchgate";

    doc_.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  }

 private:
  void properties() {
    auto props = suite_.append_child("properties");
    auto prop = [&](std::string_view name, std::string_view value) {
      auto p = props.append_child("property");
      p.append_attribute("name") = std::string(name).c_str();
      p.append_attribute("value") = clean_line(value, kMaxMessage).c_str();
    };
    prop("benchgate.status", m_.status());
    prop("benchgate.outcome", m_.outcome.text());
    prop("benchgate.exit_code", std::to_string(static_cast<int>(m_.outcome.exit_code)));
    if (m_.gate) {
      prop("benchgate.mode", m_.gate->mode);
      prop("benchgate.baseline", m_.gate->baseline_source);
    }
    for (const auto& [label, value] : m_.environment)
      prop(label, value);
    if (!m_.run_url.empty()) prop("run url", m_.run_url);
  }

  pugi::xml_node testcase(const std::string& cell, const std::string& app, const std::string& what,
                          double time_s) {
    const std::string classname = clean_line(m_.suite + "." + cell, kMaxName);
    std::string name = clean_line((app.empty() ? "" : app + " ") + cell + " :: " + what, kMaxName);
    // GitLab keeps only the first of duplicate classname + name pairs.
    const std::string base = name;
    for (int n = 2; !seen_.insert({classname, name}).second; ++n) {
      name = fmt::format("{} ({})", base, n);
    }
    auto tc = suite_.append_child("testcase");
    tc.append_attribute("name") = name.c_str();
    tc.append_attribute("classname") = classname.c_str();
    tc.append_attribute("time") = fmt::format("{:.3f}", time_s > 0 ? time_s : 0.0).c_str();
    ++tests_;
    return tc;
  }

  static void outcome(pugi::xml_node tc, const char* element, const char* type,
                      const std::string& message, const std::string& body) {
    auto e = tc.append_child(element);
    if (type) e.append_attribute("type") = type;
    const std::string msg = clean_line(message, kMaxMessage);
    e.append_attribute("message") = msg.c_str();
    e.text().set(clean(msg + (body.empty() ? "" : "\n" + body)).c_str());
  }

  static void system_out(pugi::xml_node tc, const std::string& text) {
    tc.append_child("system-out").text().set(clean(text).c_str());
  }

  std::string run_tails(const std::string& cell) const {
    std::string out;
    for (const auto& p : m_.problems) {
      if (!p.is_error() || !covers(cell, p)) continue;
      out += fmt::format("\nrun {} #{} {}: {}", p.app, p.iteration, p.status, p.reason);
      if (!p.log_tail.empty()) {
        out += fmt::format("\n--- last lines of {} ---\n{}", p.log_path, p.log_tail);
      }
    }
    return out;
  }

  static bool covers(const std::string& cell, const Problem& p) {
    return cell == p.cell || cell == p.scenario ||
           (cell.size() > p.scenario.size() && cell.starts_with(p.scenario + " ") &&
            p.cell == p.scenario);
  }

  void gated() {
    for (const auto& v : m_.gate->verdicts) {
      // The cell's measuring time goes to its first test case, 0 to the others: the metrics
      // of a cell were measured in the same periods, and JUnit readers add test-case times up.
      const double t = cell_time(v.cell, v.measured_s);
      auto tc = testcase(v.cell, v.app, v.metric, t);
      total_time_ += t;
      const std::string msg = verdict_message(v);
      const std::string details = verdict_details(v);
      if (!v.gated) {  // informational: never a failure, skip or error
        system_out(tc, "informational (not gated): " + msg + "\n" + details);
        continue;
      }
      switch (v.verdict) {
        case Verdict::kRegressed:
          outcome(tc, "failure", "benchgate.Regression", msg, details);
          ++failures_;
          break;
        case Verdict::kInconclusive:
        case Verdict::kNotComparable:
          outcome(tc, "skipped", nullptr, msg, details);
          ++skipped_;
          break;
        case Verdict::kWarn:  // decided: significantly worse, but within the limit
          system_out(tc, msg + "\n" + details);
          break;
        case Verdict::kError: {
          error_cells_.insert(v.cell);
          outcome(tc, "error", "benchgate.RunError", msg, details + run_tails(v.cell));
          ++errors_;
          break;
        }
        case Verdict::kImproved:
          system_out(tc, msg + "\n" + details);
          break;
        case Verdict::kUnchanged:
        case Verdict::kChanged:
          system_out(tc, details);
          break;
      }
    }
  }

  void ungated() {
    for (const auto& cell : m_.cells) {
      total_time_ += cell_time(cell.key, 0, &cell);
      for (const auto& ac : cell.apps) {
        bool first = true;  // the app's measuring time on its first metric, 0 on the others
        for (const auto& s : ac.stats) {
          auto tc = testcase(cell.key, ac.app, s.metric, first ? ac.measured_s : 0.0);
          first = false;
          std::string body = fmt::format(
              "metric: {} ({}{}{})\nmedian: {}\nmin: {}\nmax: {}\niterations: {} good of {}",
              s.metric, s.unit, s.unit.empty() ? "" : ", ", results::better_arrow(s.better),
              format_value(s.median, s.unit), format_value(s.min, s.unit),
              format_value(s.max, s.unit), ac.good, ac.total);
          system_out(tc, body);
        }
      }
    }
  }

  // Failed runs not already reported through an error verdict of their cell.
  void failed_runs() {
    for (const auto& p : m_.problems) {
      if (!p.is_error()) continue;
      bool covered = false;
      for (const auto& cell : error_cells_)
        covered = covered || covers(cell, p);
      if (covered) continue;
      auto tc = testcase(p.cell, p.app, fmt::format("run {}", p.iteration), 0);
      std::string body = fmt::format("run: {} (iteration {})\nstatus: {}",
                                     m_.results.runs[p.run].id, p.iteration, p.status);
      if (!p.log_tail.empty()) {
        body += fmt::format("\n--- last lines of {} ---\n{}", p.log_path, p.log_tail);
      } else if (!p.log_path.empty()) {
        body += "\nlog: " + p.log_path;
      }
      outcome(tc, "error", "benchgate.RunError", fmt::format("run failed: {}", p.reason), body);
      ++errors_;
    }
  }

  // The outcomes no verdict test case shows get one test case of their own, so a JUnit reader
  // never sees a green suite for an exit code that is not 0: undecided (failure), partial and
  // interrupted (error).
  void outcome_case() {
    const auto& oc = m_.outcome;
    const char* element = nullptr;
    const char* type = nullptr;
    switch (oc.kind) {
      case gate::OutcomeKind::kUndecided:
        element = "failure";
        type = "benchgate.Undecided";
        break;
      case gate::OutcomeKind::kPartial:
        element = "error";
        type = "benchgate.Partial";
        break;
      case gate::OutcomeKind::kInterrupted:
        element = "error";
        type = "benchgate.Interrupted";
        break;
      default:
        return;
    }
    auto tc = testcase("gate", "", "outcome", 0);
    outcome(tc, element, type, oc.text(),
            fmt::format("exit code: {}", static_cast<int>(oc.exit_code)));
    if (oc.kind == gate::OutcomeKind::kUndecided) {
      ++failures_;
    } else {
      ++errors_;
    }
  }

  void notes() {
    std::string text;
    if (m_.gate) {
      for (const auto& n : m_.gate->notes)
        text += "note: " + n + "\n";
    }
    for (const auto& w : m_.results.warnings)
      text += "warning: " + w + "\n";
    for (const auto& p : m_.problems) {
      if (!p.is_error()) {
        text += fmt::format("excluded: {} {} #{} {}: {}\n", p.app, p.cell, p.iteration, p.status,
                            p.reason);
      }
    }
    if (!text.empty()) system_out(suite_, text);
  }

  // Each cell's measuring time counts once in the suite total, however many metrics it has.
  double cell_time(const std::string& cell, double fallback, const Cell* c = nullptr) {
    if (!counted_cells_.insert(cell).second) return 0;
    if (!c) c = m_.find_cell(cell);
    if (!c) return fallback;
    double t = 0;
    for (const auto& ac : c->apps)
      t += ac.measured_s;
    return t;
  }

  const ReportModel& m_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
  pugi::xml_node suite_;
  std::set<std::pair<std::string, std::string>> seen_;
  std::set<std::string> counted_cells_;
  std::set<std::string> error_cells_;
  int tests_ = 0, failures_ = 0, errors_ = 0, skipped_ = 0;
  double total_time_ = 0;
};

}  // namespace

void write_junit(const ReportModel& model, std::ostream& out) {
  Writer(model).write(out);
}

}  // namespace benchgate::report
