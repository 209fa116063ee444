#include "profilers/massif.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/parse.h"
#include "core/strings.h"
#include "profilers/demangle.h"

namespace benchgate::profilers {
namespace {

ParseError error_at(std::string_view what, std::size_t line_no, std::string_view line) {
  return ParseError(fmt::format("{}, line {}: {} (line: '{}')", "massif", line_no, what,
                                trim(line).substr(0, 160)));
}

/// "1,234,567" -> 1234567.
std::int64_t parse_grouped(std::string_view t) {
  std::string s;
  for (char c : trim(t)) {
    if (c != ',') s += c;
  }
  return parse_int(s);
}

/// "0x109C40: app::Cache::grow(unsigned long) (heapwork.cpp:15)", "(heap allocation
/// functions) malloc/new/new[], --alloc-fns, etc.", "in 3 places, all below massif's
/// threshold (1.00%)" -> node fields (bytes and children set by the caller).
void parse_node_text(std::string_view rest, MassifNode& n) {
  rest = trim(rest);
  if (rest.starts_with("in ") && rest.find("below") != std::string_view::npos) {
    n.below_threshold = true;
    n.function = std::string(rest);
    return;
  }
  if (!rest.starts_with("0x")) {  // the root
    n.function = std::string(rest);
    return;
  }
  auto colon = rest.find(": ");
  if (colon == std::string_view::npos) throw ParseError("expected 'ADDRESS: function (location)'");
  n.address = std::string(rest.substr(0, colon));
  auto fn = trim(rest.substr(colon + 2));
  if (!fn.empty() && fn.back() == ')') {
    int depth = 0;
    for (std::size_t i = fn.size(); i-- > 0;) {
      if (fn[i] == ')') ++depth;
      if (fn[i] == '(' && --depth == 0) {
        if (i > 0 && fn[i - 1] == ' ') {
          n.location = std::string(fn.substr(i + 1, fn.size() - i - 2));
          fn = trim(fn.substr(0, i));
        }
        break;
      }
    }
  }
  n.function = std::string(fn);
}

/// Reads a node line "nK: BYTES text" and its K children recursively.
MassifNode read_tree(const std::vector<std::string_view>& lines, std::size_t& i, int depth) {
  if (i >= lines.size()) throw error_at("heap tree ends early", i, "");
  const auto line = lines[i];
  const auto t = trim(line);
  const auto indent = line.find_first_not_of(' ');
  if (t.empty() || t[0] != 'n' || static_cast<int>(indent) != depth) {
    throw error_at(fmt::format("expected a heap tree node at depth {}", depth), i + 1, line);
  }
  MassifNode n;
  std::size_t kids = 0;
  try {
    auto colon = t.find(':');
    if (colon == std::string_view::npos) throw ParseError("no ':'");
    kids = static_cast<std::size_t>(parse_int(t.substr(1, colon - 1)));
    auto rest = trim(t.substr(colon + 1));
    auto sp = rest.find(' ');
    n.bytes = parse_int(rest.substr(0, sp));
    parse_node_text(sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1), n);
  } catch (const ParseError& e) {
    throw error_at(e.what(), i + 1, line);
  }
  ++i;
  n.children.reserve(kids);
  for (std::size_t k = 0; k < kids; ++k)
    n.children.push_back(read_tree(lines, i, depth + 1));
  return n;
}

std::string file_of(const std::string& location) {
  if (location.empty()) return "(unknown)";
  std::string_view l = location;
  if (l.starts_with("in ")) {
    l.remove_prefix(3);
    auto slash = l.rfind('/');
    return std::string(slash == std::string_view::npos ? l : l.substr(slash + 1));
  }
  auto colon = l.rfind(':');
  return std::string(colon == std::string_view::npos ? l : l.substr(0, colon));
}

bool library_frame(const MassifNode& n) {
  const auto name = strip_signature(n.function);
  for (std::string_view p : {"std::", "__gnu_cxx::", "__cxxabiv1::", "operator new",
                             "operator delete", "???", "__", "_dl_", "_IO_"}) {
    if (name.starts_with(p)) return true;
  }
  return n.location.starts_with("in /") || n.location.starts_with("dl-");  // + the loader
}

const MassifNode& heaviest_child(const MassifNode& n) {
  return *std::max_element(n.children.begin(), n.children.end(),
                           [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
}

std::string frame_text(const MassifNode& n) {
  return n.location.empty() ? n.function : fmt::format("{} ({})", n.function, n.location);
}

}  // namespace

const MassifSnapshot* MassifProfile::peak() const {
  const MassifSnapshot* best = nullptr;
  for (const auto& s : snapshots) {
    if (s.tree_kind == "peak") return &s;
    if (!best || s.total() > best->total()) best = &s;
  }
  return best;
}

MassifProfile parse_massif_out(std::string_view text) {
  MassifProfile p;
  const auto lines = lines_of(text);
  MassifSnapshot* cur = nullptr;
  bool any_header = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto eq = t.find('=');
    auto colon = t.find(": ");
    try {
      if (t.starts_with("desc:")) {
        p.arguments = std::string(trim(t.substr(5)));
        any_header = true;
      } else if (t.starts_with("cmd:")) {
        p.command = std::string(trim(t.substr(4)));
        any_header = true;
      } else if (t.starts_with("time_unit:")) {
        p.time_unit = std::string(trim(t.substr(10)));
        any_header = true;
      } else if (t.starts_with("snapshot=")) {
        p.snapshots.emplace_back();
        cur = &p.snapshots.back();
        cur->index = static_cast<int>(parse_int(t.substr(9)));
      } else if (eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon)) {
        if (!cur) throw ParseError("a field before any snapshot");
        const auto key = t.substr(0, eq);
        const auto value = t.substr(eq + 1);
        if (key == "time") {
          cur->time = parse_double(value);
        } else if (key == "mem_heap_B") {
          cur->heap = parse_int(value);
        } else if (key == "mem_heap_extra_B") {
          cur->heap_extra = parse_int(value);
        } else if (key == "mem_stacks_B") {
          cur->stacks = parse_int(value);
        } else if (key == "heap_tree") {
          cur->tree_kind = std::string(value);
          if (cur->tree_kind != "empty") {
            std::size_t j = i + 1;
            cur->tree = read_tree(lines, j, 0);
            i = j - 1;
          }
        }
      } else {
        throw ParseError("unexpected line");
      }
    } catch (const ParseError& e) {
      if (std::string_view(e.what()).substr(0, 7) == "massif,") throw;
      throw error_at(e.what(), i + 1, line);
    }
  }
  if (!any_header || p.snapshots.empty()) {
    throw ParseError(
        "not a massif output file: no 'desc:'/'cmd:' header or no 'snapshot=' entries");
  }
  return p;
}

MassifProfile parse_ms_print(std::string_view text) {
  MassifProfile p;
  const auto lines = lines_of(text);
  std::vector<int> detailed;
  int peak_index = -1;
  bool in_table = false;
  MassifSnapshot* last = nullptr;
  std::vector<MassifNode*> stack;  // the open tree path, by depth
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = lines[i];
    const auto t = trim(line);
    try {
      if (t.starts_with("Command:")) {
        p.command = std::string(trim(t.substr(8)));
      } else if (t.starts_with("Massif arguments:")) {
        p.arguments = std::string(trim(t.substr(17)));
      } else if (t.starts_with("Detailed snapshots:")) {
        // "[26, 27, 35 (peak), 38]"
        auto open = t.find('['), close = t.rfind(']');
        if (open == std::string_view::npos || close == std::string_view::npos) {
          throw ParseError("malformed detailed snapshot list");
        }
        for (auto part : split_view(t.substr(open + 1, close - open - 1), ',')) {
          auto v = trim(part);
          if (v.empty()) continue;
          const bool is_peak = v.find("(peak)") != std::string_view::npos;
          auto num = static_cast<int>(parse_int(trim(v.substr(0, v.find(' ')))));
          detailed.push_back(num);
          if (is_peak) peak_index = num;
        }
      } else if (t.starts_with("n ") && t.find("time(") != std::string_view::npos) {
        auto a = t.find("time(") + 5;
        p.time_unit = std::string(t.substr(a, t.find(')', a) - a));
        in_table = true;
      } else if (t.starts_with("----")) {
        // rules around the table headers
      } else if (t.find("% (") != std::string_view::npos &&
                 (std::isdigit(static_cast<unsigned char>(t[0])) ||
                  t.find("->") != std::string_view::npos)) {
        // A tree line: "90.19% (3,384,600B) (heap ...)" or "| ->54.57% (2,048,000B) 0x...".
        if (!last) throw ParseError("a heap tree before any snapshot row");
        const auto arrow = line.find("->");
        const bool root = arrow == std::string_view::npos;
        const std::size_t depth = root ? 0 : arrow / 2 + 1;
        auto body = root ? t : trim(line.substr(arrow + 2));
        auto paren = body.find("% (");
        auto bclose = body.find("B)", paren);
        if (paren == std::string_view::npos || bclose == std::string_view::npos) {
          throw ParseError("malformed heap tree line");
        }
        MassifNode n;
        n.bytes = parse_grouped(body.substr(paren + 3, bclose - paren - 3));
        parse_node_text(body.substr(bclose + 2), n);
        if (root) {
          last->tree = std::move(n);
          if (last->tree_kind == "empty") last->tree_kind = "detailed";
          stack.assign(1, &*last->tree);
        } else {
          if (depth > stack.size() || stack.empty()) throw ParseError("heap tree line too deep");
          stack.resize(depth);
          stack.back()->children.push_back(std::move(n));
          stack.push_back(&stack.back()->children.back());
        }
      } else if (in_table) {
        auto words = split_whitespace(t);
        if (words.size() == 6 && std::all_of(words.begin(), words.end(), [](const std::string& w) {
              return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
                return (c >= '0' && c <= '9') || c == ',' || c == '.';
              });
            })) {
          MassifSnapshot s;
          s.index = static_cast<int>(parse_int(words[0]));
          std::string time;
          for (char c : words[1]) {
            if (c != ',') time += c;
          }
          s.time = parse_double(time);
          s.heap = parse_grouped(words[3]);
          s.heap_extra = parse_grouped(words[4]);
          s.stacks = parse_grouped(words[5]);
          if (parse_grouped(words[2]) != s.total())
            throw ParseError("total != useful + extra + stacks");
          p.snapshots.push_back(std::move(s));
          last = &p.snapshots.back();
          stack.clear();
        }
      }
    } catch (const ParseError& e) {
      throw ParseError(
          fmt::format("ms_print, line {}: {} (line: '{}')", i + 1, e.what(), t.substr(0, 160)));
    }
  }
  if (p.snapshots.empty()) throw ParseError("not ms_print output: no snapshot table was found");
  for (auto& s : p.snapshots) {
    if (s.index == peak_index) s.tree_kind = "peak";
  }
  return p;
}

std::vector<AllocationSite> allocation_sites(const MassifSnapshot& snapshot) {
  std::vector<AllocationSite> out;
  if (!snapshot.tree) return out;
  std::map<std::string, std::size_t> by_name;
  std::map<std::string, std::int64_t> largest;  // name -> bytes of its largest contribution
  for (const auto& child : snapshot.tree->children) {
    std::string name, location, origin;
    std::vector<std::string> stack;
    if (child.below_threshold) {
      name = "(below threshold)";
    } else {
      const MassifNode* n = &child;
      stack.push_back(frame_text(*n));
      // Inlined frames carry the address of the call they were inlined into.
      while (n->children.size() == 1 && !n->address.empty() &&
             n->children[0].address == n->address) {
        n = &n->children[0];
        stack.push_back(frame_text(*n));
      }
      name = n->function;
      location = n->location;
      if (!n->children.empty()) stack.push_back(frame_text(heaviest_child(*n)));
      if (library_frame(*n)) {
        const MassifNode* m = n;
        while (library_frame(*m) && !m->children.empty())
          m = &heaviest_child(*m);
        if (m != n && !library_frame(*m)) origin = frame_text(*m);
      }
    }
    auto [it, fresh] = by_name.emplace(name, out.size());
    if (fresh) {
      out.push_back({name, location, 0, 0, stack, origin});
      largest[name] = child.bytes;
    } else if (child.bytes > largest[name]) {
      largest[name] = child.bytes;
      out[it->second].stack = stack;
      out[it->second].location = location;
      out[it->second].origin = origin;
    }
    out[it->second].bytes += child.bytes;
  }
  for (auto& s : out) {
    s.share =
        snapshot.heap > 0 ? static_cast<double>(s.bytes) / static_cast<double>(snapshot.heap) : 0;
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.function < b.function;
  });
  return out;
}

results::ProfileSummary summarize_massif(const MassifProfile& p, std::size_t top) {
  results::ProfileSummary s;
  s.profiler = "massif";
  const auto* peak = p.peak();
  if (!peak) {
    s.status = "failed";
    s.reason = "massif recorded no snapshots";
    return s;
  }
  auto& x = s.extra;
  x["command"] = p.command;
  x["time_unit"] = p.time_unit;
  x["snapshots"] = p.snapshots.size();
  int detailed = 0;
  auto series = nlohmann::json::array();
  for (const auto& snap : p.snapshots) {
    detailed += snap.tree.has_value();
    series.push_back({snap.time, snap.total()});
  }
  x["detailed_snapshots"] = detailed;
  x["peak_snapshot"] = peak->index;
  x["peak_time"] = peak->time;
  x["peak_heap_B"] = peak->heap;
  x["peak_heap_extra_B"] = peak->heap_extra;
  x["peak_stacks_B"] = peak->stacks;
  x["peak_total_B"] = peak->total();
  x["final_heap_B"] = p.snapshots.back().heap;
  x["series"] = series;

  const auto sites = allocation_sites(*peak);
  std::map<std::string, std::int64_t> files;
  auto site_json = nlohmann::json::array();
  for (const auto& site : sites) {
    if (s.top_symbols.size() < top)
      s.top_symbols.push_back({site.function, site.share, site.location});
    files[site.function == "(below threshold)" ? "(below threshold)" : file_of(site.location)] +=
        site.bytes;
    site_json.push_back({{"function", site.function},
                         {"location", site.location},
                         {"bytes", site.bytes},
                         {"share", site.share},
                         {"stack", site.stack},
                         {"origin", site.origin}});
  }
  x["sites"] = site_json;
  for (const auto& [f, b] : files) {
    s.by_dso.push_back(
        {f, peak->heap > 0 ? static_cast<double>(b) / static_cast<double>(peak->heap) : 0, f});
  }
  std::stable_sort(s.by_dso.begin(), s.by_dso.end(),
                   [](const auto& a, const auto& b) { return a.share > b.share; });
  if (s.by_dso.size() > top) s.by_dso.resize(top);
  if (!peak->tree) {
    x["note"] = "the peak snapshot has no heap tree: no allocation sites";
  }
  return s;
}

std::vector<int> valgrind_pids(std::string_view log) {
  std::vector<int> pids;
  std::size_t pos = 0;
  while (pos < log.size()) {
    auto end = log.find('\n', pos);
    if (end == std::string_view::npos) end = log.size();
    auto line = log.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 5 || line.substr(0, 2) != "==") continue;
    auto close = line.find("==", 2);
    if (close == std::string_view::npos || close == 2) continue;
    auto digits = line.substr(2, close - 2);
    if (digits.find_first_not_of("0123456789") != std::string_view::npos || digits.size() > 9) {
      continue;
    }
    const int pid = std::stoi(std::string(digits));
    if (pid > 0 && std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
  }
  return pids;
}

std::optional<int> output_file_pid(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto digits = name.substr(prefix.size());
  if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const int pid = std::stoi(std::string(digits));
  if (pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace benchgate::profilers
