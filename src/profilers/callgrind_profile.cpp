#include "profilers/callgrind_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <unordered_map>

#include "core/error.h"
#include "core/parse.h"
#include "core/text.h"

namespace benchgate::profilers {

namespace {

constexpr std::size_t kMaxEvents = 256;
constexpr std::size_t kMaxPositions = 8;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  CallgrindProfile run() {
    p_.totals = parse_callgrind_totals(text_);  // header fields, summary; throws if not callgrind
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const std::size_t nl = text_.find('\n', pos);
      std::string_view line =
          text_.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text_.size() : nl + 1;
      ++line_no_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      this->line(line);
    }
    if (pending_call_) fail("calls= line without its cost line");
    return std::move(p_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError(fmt::format("callgrind output line {}: {}", line_no_, what));
  }

  void line(std::string_view l) {
    if (l.empty() || l.front() == '#') return;
    const char c = l.front();
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*') {
      cost_line(l);
      return;
    }
    std::size_t k = 0;
    while (k < l.size() && ((l[k] >= 'a' && l[k] <= 'z') || (l[k] >= 'A' && l[k] <= 'Z') ||
                            (l[k] >= '0' && l[k] <= '9') || l[k] == '_'))
      ++k;
    if (k == 0 || k == l.size()) fail(fmt::format("unexpected line '{}'", printable(l)));
    const std::string_view key = l.substr(0, k);
    const std::string_view value = l.substr(k + 1);
    if (l[k] == ':') {
      header(key, trim(value));
    } else if (l[k] == '=') {
      spec(key, trim(value));
    } else {
      fail(fmt::format("unexpected line '{}'", printable(l)));
    }
  }

  void header(std::string_view key, std::string_view value) {
    if (key == "events") {
      auto names = callgrind_words(value);
      if (names.empty()) fail("empty events line");
      if (names.size() > kMaxEvents) fail(fmt::format("more than {} events", kMaxEvents));
      std::vector<std::string> ev(names.begin(), names.end());
      if (!p_.events.empty() && p_.events != ev) fail("a second, different events line");
      p_.events = std::move(ev);
      p_.graphs.resize(p_.events.size());
    } else if (key == "positions") {
      const auto names = callgrind_words(value);
      if (names.empty() || names.size() > kMaxPositions) {
        fail(fmt::format("expected 1 to {} positions", kMaxPositions));
      }
      positions_ = names.size();
    }
    // Every other header (version, creator, pid, cmd, part, desc, summary, totals, event, ...)
    // is read by parse_callgrind_totals or carries nothing the profile needs.
  }

  // "(id) name", "(id)" or "name", in the table of its kind.
  std::string resolve(std::unordered_map<std::int64_t, std::string>& table,
                      std::string_view value) {
    if (value.empty() || value.front() != '(') return std::string(value);
    const auto close = value.find(')');
    if (close == std::string_view::npos) fail("'(' without ')' in a name");
    const auto id_text = value.substr(1, close - 1);
    std::int64_t id = 0;
    auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || ptr != id_text.data() + id_text.size() || id < 0) {
      fail(fmt::format("bad name id '({})'", printable(id_text)));
    }
    const auto name = trim(value.substr(close + 1));
    if (!name.empty()) {
      table[id] = std::string(name);
      return std::string(name);
    }
    auto it = table.find(id);
    if (it == table.end()) fail(fmt::format("name id ({}) used before it was defined", id));
    return it->second;
  }

  void spec(std::string_view key, std::string_view value) {
    if (key == "ob") {
      ob_ = resolve(objects_, value);
    } else if (key == "cob") {
      cob_ = resolve(objects_, value);
      has_cob_ = true;
    } else if (key == "fl" || key == "fi" || key == "fe" || key == "cfi" || key == "cfl") {
      (void)resolve(files_, value);
    } else if (key == "fn") {
      fn_ = CallgrindFn{resolve(fns_, value), ob_};
      has_fn_ = true;
    } else if (key == "cfn") {
      cfn_ = resolve(fns_, value);
      has_cfn_ = true;
    } else if (key == "calls") {
      const auto w = callgrind_words(value);
      if (w.empty()) fail("calls= without a count");
      (void)count(w[0]);
      if (!has_cfn_) fail("calls= without a cfn= before it");
      if (!has_fn_) fail("calls= before any fn=");
      pending_call_ = true;
    } else if (key == "jump" || key == "jcnd") {
      // Jump counts (--collect-jumps): no cost.
    } else {
      fail(fmt::format("unknown specification '{}='", printable(key)));
    }
  }

  std::uint64_t count(std::string_view w) const {
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
    if (ec != std::errc() || ptr != w.data() + w.size()) {
      fail(fmt::format("expected a count, got '{}'", printable(w)));
    }
    return v;
  }

  void position(std::string_view w) const {
    if (w == "*") return;
    std::string_view d = w;
    if (d.front() == '+' || d.front() == '-') d.remove_prefix(1);
    int base = 10;
    if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
      d.remove_prefix(2);
      base = 16;
    }
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), v, base);
    if (d.empty() || ec != std::errc() || ptr != d.data() + d.size()) {
      fail(fmt::format("expected a position, got '{}'", printable(w)));
    }
  }

  void cost_line(std::string_view l) {
    if (p_.events.empty()) fail("cost line before the events line");
    if (!has_fn_) fail("cost line before any fn=");
    const auto w = callgrind_words(l);
    if (w.size() < positions_) fail("cost line with fewer positions than the positions line");
    for (std::size_t i = 0; i < positions_; ++i)
      position(w[i]);
    const std::size_t n = w.size() - positions_;
    if (n > p_.events.size()) {
      fail(fmt::format("{} counts for {} events", n, p_.events.size()));
    }
    if (pending_call_) {
      const CallgrindFn callee{cfn_, has_cob_ ? cob_ : ob_};
      const auto edge = std::make_pair(fn_, callee);
      for (std::size_t e = 0; e < n; ++e)
        p_.graphs[e].calls[edge] += static_cast<double>(count(w[positions_ + e]));
      pending_call_ = false;
      has_cfn_ = false;
      has_cob_ = false;
      return;
    }
    for (std::size_t e = 0; e < n; ++e) {
      const auto v = count(w[positions_ + e]);
      if (v) p_.graphs[e].self[fn_] += static_cast<double>(v);
    }
  }

  std::string_view text_;
  int line_no_ = 0;
  CallgrindProfile p_;
  std::size_t positions_ = 1;  // "positions: line" is the default
  std::unordered_map<std::int64_t, std::string> objects_, files_, fns_;
  std::string ob_, cob_, cfn_;
  CallgrindFn fn_;
  bool has_fn_ = false, has_cfn_ = false, has_cob_ = false, pending_call_ = false;
};

std::string frame_name(const CallgrindFn& fn) {
  std::string s = fn.label();
  std::replace(s.begin(), s.end(), ';', ':');
  return s;
}

}  // namespace

std::string CallgrindFn::label() const {
  if (object.empty()) return name;
  const auto slash = object.rfind('/');
  return fmt::format("{} [{}]", name,
                     slash == std::string::npos ? object : object.substr(slash + 1));
}

double CostGraph::total_self() const {
  double t = 0;
  for (const auto& [fn, v] : self)
    t += v;
  return t;
}

void CostGraph::add(const CostGraph& other, double factor) {
  for (const auto& [fn, v] : other.self)
    self[fn] += factor * v;
  for (const auto& [edge, v] : other.calls)
    calls[edge] += factor * v;
}

void CostGraph::clamp_negative() {
  for (auto& [fn, v] : self)
    v = std::max(v, 0.0);
  for (auto& [edge, v] : calls)
    v = std::max(v, 0.0);
}

const CostGraph& CallgrindProfile::graph(std::string_view event) const {
  static const CostGraph kEmpty;
  for (std::size_t i = 0; i < events.size() && i < graphs.size(); ++i) {
    if (events[i] == event) return graphs[i];
  }
  return kEmpty;
}

CallgrindProfile parse_callgrind_profile(std::string_view text) {
  return Parser(text).run();
}

std::vector<FunctionDelta> function_deltas(const CostGraph& base, const CostGraph& current) {
  std::map<CallgrindFn, FunctionDelta> rows;
  for (const auto& [fn, v] : base.self) {
    rows[fn].fn = fn;
    rows[fn].base = v;
  }
  for (const auto& [fn, v] : current.self) {
    rows[fn].fn = fn;
    rows[fn].current = v;
  }
  std::vector<FunctionDelta> out;
  for (auto& [fn, r] : rows) {
    r.delta = r.current - r.base;
    r.delta_pct = r.base > 0 ? r.delta / r.base * 100 : std::numeric_limits<double>::quiet_NaN();
    if (r.base != 0 || r.current != 0) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const FunctionDelta& a, const FunctionDelta& b) {
    return std::abs(a.delta) > std::abs(b.delta);
  });
  return out;
}

namespace {

std::string num(double v) {
  return fmt::format("{:.1f}", v);
}
std::string signed_num(double v) {
  return fmt::format("{:+.1f}", v);
}
std::string pct(double v) {
  return std::isnan(v) ? std::string("new") : fmt::format("{:+.2f} %", v);
}

}  // namespace

std::string format_function_deltas_markdown(const std::vector<FunctionDelta>& rows, std::size_t top,
                                            std::string_view unit) {
  std::string out = fmt::format(
      "| function | base {0}/req | current {0}/req | Δ {0}/req | Δ % |\n|:--|--:|--:|--:|--:|\n",
      unit);
  double b = 0, c = 0;
  for (const auto& r : rows) {
    b += r.base;
    c += r.current;
  }
  for (std::size_t i = 0; i < rows.size() && i < top; ++i) {
    const auto& r = rows[i];
    out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_escape(shorten(r.fn.label(), 120)),
                       num(r.base), num(r.current), signed_num(r.delta), pct(r.delta_pct));
  }
  if (rows.size() > top) {
    out += fmt::format("| … {} more functions | | | | |\n", rows.size() - top);
  }
  out += fmt::format("| **total** | {} | {} | {} | {} |\n", num(b), num(c), signed_num(c - b),
                     pct(b > 0 ? (c - b) / b * 100 : std::numeric_limits<double>::quiet_NaN()));
  return out;
}

std::string format_function_deltas_tsv(const std::vector<FunctionDelta>& rows,
                                       std::string_view unit) {
  std::string out = fmt::format(
      "function\tobject\tbase_{0}_per_request\tcurrent_{0}_per_request\tdelta\tdelta_pct\n", unit);
  for (const auto& r : rows) {
    out += fmt::format(
        "{}\t{}\t{:.3f}\t{:.3f}\t{:+.3f}\t{}\n", one_line(r.fn.name), one_line(r.fn.object), r.base,
        r.current, r.delta,
        std::isnan(r.delta_pct) ? std::string("new") : fmt::format("{:+.4f}", r.delta_pct));
  }
  return out;
}

FoldedStacks fold_cost_graph(const CostGraph& g, double scale, int max_depth, double min_share) {
  std::map<CallgrindFn, std::vector<std::pair<CallgrindFn, double>>> callees;
  std::map<CallgrindFn, double> inclusive, incoming;
  for (const auto& [fn, v] : g.self)
    inclusive[fn] += v;
  for (const auto& [edge, v] : g.calls) {
    if (v <= 0) continue;
    callees[edge.first].push_back({edge.second, v});
    inclusive[edge.first] += v;
    if (!(edge.first == edge.second)) incoming[edge.second] += v;
  }
  const double total = g.total_self();
  FoldedStacks out;
  if (!(total > 0)) return out;
  const double min_abs = total * min_share;
  std::map<std::string, double> acc;
  std::set<CallgrindFn> on_stack;
  int depth = 0;
  std::size_t budget = 200000;  // expansions: bounds the work on pathological graphs
  std::function<void(const CallgrindFn&, double, const std::string&)> expand =
      [&](const CallgrindFn& f, double amount, const std::string& prefix) {
        const auto inc_it = inclusive.find(f);
        const double inc = inc_it == inclusive.end() ? 0.0 : inc_it->second;
        const std::string path = prefix.empty() ? frame_name(f) : prefix + ";" + frame_name(f);
        if (!(inc > 0) || amount <= 0) return;
        const double r = amount / inc;
        double self_part = 0;
        if (auto it = g.self.find(f); it != g.self.end()) self_part = std::max(0.0, it->second) * r;
        ++depth;
        on_stack.insert(f);
        if (auto it = callees.find(f); it != callees.end()) {
          for (const auto& [callee, v] : it->second) {
            const double c = v * r;
            if (c < min_abs || on_stack.count(callee) || depth >= max_depth || budget == 0) {
              self_part += c;
              continue;
            }
            --budget;
            expand(callee, c, path);
          }
        }
        on_stack.erase(f);
        --depth;
        if (self_part > 0) acc[path] += self_part;
      };
  for (const auto& [fn, inc] : inclusive) {
    const auto in = incoming.find(fn);
    const double root = inc - (in == incoming.end() ? 0.0 : in->second);
    if (root >= min_abs) expand(fn, root, "");
  }
  for (const auto& [path, v] : acc) {
    const auto n = static_cast<std::int64_t>(std::llround(v * scale));
    if (n > 0) out[path] += n;
  }
  return out;
}

}  // namespace benchgate::profilers
