// The module dependency map is declared once, in src/CMakeLists.txt (the benchgate_module()
// calls), and described in ARCHITECTURE.md ("Modules and their dependencies"). This test keeps
// the three in step: every `#include "<module>/..."` in src/<m>/ and tests/unit/<m>/ must name
// a module <m> may use (itself and its declared dependencies, transitively), every declared
// dependency must be used directly, and ARCHITECTURE.md's table must list the same module
// dependencies as src/CMakeLists.txt. The build enforces the same map through per-module
// include views (see src/CMakeLists.txt); this test also names the rule that was broken.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;
using DepMap = std::map<std::string, std::set<std::string>>;  // module -> direct module deps

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// benchgate_module(<name> [DEPS benchgate_<dep>... <external>...]) calls, in order; only the
/// benchgate_ dependencies are kept. `problems` gets a line for a dependency declared later.
DepMap parse_cmake_modules(const std::string& cmake, std::vector<std::string>& problems) {
  std::string code;
  for (const auto& line : lines_of(cmake))
    code += line.substr(0, line.find('#')) + "\n";
  DepMap deps;
  const std::string call = "benchgate_module(";
  for (std::size_t pos = 0; (pos = code.find(call, pos)) != std::string::npos; pos += 1) {
    bool at_line_start = pos == 0 || code[code.find_last_not_of(" \t", pos - 1)] == '\n';
    if (!at_line_start) continue;  // function(benchgate_module name)
    auto end = code.find(')', pos);
    std::istringstream args(code.substr(pos + call.size(), end - pos - call.size()));
    std::string name, word;
    args >> name;
    deps[name];
    while (args >> word) {
      if (word.rfind("benchgate_", 0) != 0) continue;
      auto dep = word.substr(std::string("benchgate_").size());
      if (!deps.contains(dep)) {
        problems.push_back("src/CMakeLists.txt: " + name + " depends on " + dep +
                           ", which is not declared before it");
      }
      deps[name].insert(dep);
    }
  }
  return deps;
}

/// Rows "| `module` | ... | depends on |" of ARCHITECTURE.md; of the last cell, the
/// comma-separated names that are modules (external libraries are not checked here).
DepMap parse_architecture_table(const std::string& markdown, const std::set<std::string>& modules) {
  DepMap deps;
  for (const auto& raw : lines_of(markdown)) {
    auto line = trim(raw);
    if (line.rfind("| `", 0) != 0) continue;
    auto name_end = line.find('`', 3);
    auto name = line.substr(3, name_end - 3);
    auto last_bar = line.find_last_of('|');
    auto cell_start = line.find_last_of('|', last_bar - 1) + 1;
    std::istringstream cell(line.substr(cell_start, last_bar - cell_start));
    deps[name];
    for (std::string item; std::getline(cell, item, ',');) {
      item = trim(item);
      item.erase(std::remove(item.begin(), item.end(), '`'), item.end());
      if (modules.contains(item)) deps[name].insert(item);
    }
  }
  return deps;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s)
    out += (out.empty() ? "" : ", ") + x;
  return out.empty() ? "(none)" : out;
}

/// Each module and the modules it may include: itself plus its dependencies' closures.
DepMap closures(const DepMap& deps) {
  DepMap out;
  for (const auto& [m, _] : deps) {
    std::set<std::string> seen{m};
    std::vector<std::string> todo{m};
    while (!todo.empty()) {
      auto cur = todo.back();
      todo.pop_back();
      auto it = deps.find(cur);
      if (it == deps.end()) continue;
      for (const auto& d : it->second) {
        if (seen.insert(d).second) todo.push_back(d);
      }
    }
    out[m] = seen;
  }
  return out;
}

/// A source file of module `module`, by path (for messages) and text.
struct SourceFile {
  std::string module;
  std::string path;
  std::string text;
  bool counts_as_use = true;  ///< src/ files count for "every declared dependency is used"
};

/// Every rule broken by `files` against `cmake_deps`, and every difference between the table
/// and src/CMakeLists.txt. Empty when all agree.
std::vector<std::string> check(const DepMap& cmake_deps, const DepMap& table_deps,
                               const std::vector<SourceFile>& files) {
  std::vector<std::string> problems;
  for (const auto& [m, d] : cmake_deps) {
    auto it = table_deps.find(m);
    if (it == table_deps.end()) {
      problems.push_back("ARCHITECTURE.md: no table row for module " + m);
    } else if (it->second != d) {
      problems.push_back("ARCHITECTURE.md: " + m + " depends on " + join(it->second) +
                         ", src/CMakeLists.txt declares " + join(d));
    }
  }
  for (const auto& [m, _] : table_deps) {
    if (!cmake_deps.contains(m)) {
      problems.push_back("ARCHITECTURE.md: module " + m + " has no benchgate_module() call");
    }
  }
  auto allowed = closures(cmake_deps);
  std::map<std::string, std::set<std::string>> used;  // module -> modules it includes directly
  for (const auto& f : files) {
    auto lines = lines_of(f.text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      auto line = trim(lines[i]);
      if (line.rfind('#', 0) != 0) continue;
      line = trim(line.substr(1));
      if (line.rfind("include", 0) != 0) continue;
      line = trim(line.substr(7));
      if (line.empty() || line[0] != '"') continue;
      auto slash = line.find('/');
      if (slash == std::string::npos) continue;
      auto target = line.substr(1, slash - 1);
      if (!cmake_deps.contains(target)) continue;  // "test_support.h", "fake_proc.h", ...
      if (f.counts_as_use) used[f.module].insert(target);
      if (!allowed[f.module].contains(target)) {
        problems.push_back(f.path + ":" + std::to_string(i + 1) + ": " + f.module + " includes " +
                           target + "/, which is not among its dependencies (" +
                           join(allowed[f.module]) + ")");
      }
    }
  }
  for (const auto& [m, d] : cmake_deps) {
    for (const auto& dep : d) {
      if (!used[m].contains(dep)) {
        problems.push_back("src/CMakeLists.txt: " + m + " declares " + dep +
                           " but no file of src/" + m + "/ includes " + dep + "/");
      }
    }
  }
  return problems;
}

std::vector<SourceFile> module_files(const fs::path& root, const std::string& module,
                                     bool counts_as_use) {
  std::vector<SourceFile> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    auto ext = e.path().extension();
    if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".in")) continue;
    out.push_back({module, fs::relative(e.path(), BENCHGATE_SOURCE_DIR).string(),
                   testing::read_text(e.path()), counts_as_use});
  }
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v)
    out += "  " + x + "\n";
  return out;
}

TEST(IncludeMap, SourcesCMakeAndArchitectureAgree) {
  const fs::path root = BENCHGATE_SOURCE_DIR;
  std::vector<std::string> problems;
  auto cmake_deps = parse_cmake_modules(testing::read_text(root / "src/CMakeLists.txt"), problems);
  ASSERT_GE(cmake_deps.size(), 10u) << "benchgate_module() calls not found";
  std::set<std::string> modules;
  for (const auto& [m, _] : cmake_deps)
    modules.insert(m);
  auto table_deps = parse_architecture_table(testing::read_text(root / "ARCHITECTURE.md"), modules);

  std::vector<SourceFile> files;
  for (const auto& e : fs::directory_iterator(root / "src")) {
    if (!e.is_directory()) continue;
    auto m = e.path().filename().string();
    if (!cmake_deps.contains(m)) {
      problems.push_back("src/" + m + "/ has no benchgate_module() call in src/CMakeLists.txt");
      continue;
    }
    auto src = module_files(e.path(), m, true);
    auto tests = module_files(root / "tests/unit" / m, m, false);
    files.insert(files.end(), src.begin(), src.end());
    files.insert(files.end(), tests.begin(), tests.end());
  }
  files.push_back({"cli", "src/main.cpp", testing::read_text(root / "src/main.cpp"), false});
  EXPECT_GT(files.size(), 100u);

  auto more = check(cmake_deps, table_deps, files);
  problems.insert(problems.end(), more.begin(), more.end());
  EXPECT_TRUE(problems.empty()) << lines(problems);
}

// The checker itself: each kind of drift is reported.
const char* kCMake = R"(
function(benchgate_module name)
endfunction()
benchgate_module(core      DEPS fmt::fmt)  # comment benchgate_module(nope)
benchgate_module(platform  DEPS benchgate_core)
benchgate_module(stats)
benchgate_module(results   DEPS benchgate_platform
                                valijson)
)";
const char* kTable = R"(
| module | namespace | what | depends on |
|---|---|---|---|
| `core` | `benchgate` | errors | fmt, nlohmann_json |
| `platform` | `benchgate::platform` | OS | core |
| `stats` | `benchgate::stats` | pure | — |
| `results` | `benchgate::results` | model | platform, valijson |
)";

std::vector<SourceFile> good_files() {
  return {{"platform", "src/platform/a.cpp", "#include \"core/x.h\"\n"},
          {"results", "src/results/a.cpp", "#include \"platform/y.h\"\n#include <vector>\n"},
          {"results", "src/results/b.cpp", "#include \"core/x.h\"\n#include \"results/z.h\"\n"}};
}

TEST(IncludeMap, CheckerParsesCMakeAndTable) {
  std::vector<std::string> problems;
  auto deps = parse_cmake_modules(kCMake, problems);
  EXPECT_TRUE(problems.empty()) << lines(problems);
  EXPECT_EQ(
      deps,
      (DepMap{{"core", {}}, {"platform", {"core"}}, {"stats", {}}, {"results", {"platform"}}}));
  std::set<std::string> modules{"core", "platform", "stats", "results"};
  EXPECT_EQ(parse_architecture_table(kTable, modules), deps);
  EXPECT_TRUE(check(deps, deps, good_files()).empty()) << lines(check(deps, deps, good_files()));
}

TEST(IncludeMap, UndeclaredIncludeIsReported) {
  std::vector<std::string> ignored;
  auto deps = parse_cmake_modules(kCMake, ignored);
  auto files = good_files();
  files.push_back({"platform", "src/platform/b.h", "// x\n  #  include \"results/model.h\"\n"});
  auto problems = check(deps, deps, files);
  ASSERT_EQ(problems.size(), 1u) << lines(problems);
  EXPECT_EQ(problems[0],
            "src/platform/b.h:2: platform includes results/, which is not among its dependencies "
            "(core, platform)");
}

TEST(IncludeMap, TableDriftIsReported) {
  std::vector<std::string> ignored;
  auto deps = parse_cmake_modules(kCMake, ignored);
  std::set<std::string> modules{"core", "platform", "stats", "results"};
  std::string drifted = kTable;
  const std::string row_end = "| platform, valijson |";
  drifted.replace(drifted.find(row_end), row_end.size(), "| platform, stats |");
  auto problems = check(deps, parse_architecture_table(drifted, modules), good_files());
  ASSERT_EQ(problems.size(), 1u) << lines(problems);
  EXPECT_EQ(problems[0],
            "ARCHITECTURE.md: results depends on platform, stats, src/CMakeLists.txt declares "
            "platform");
}

TEST(IncludeMap, UnusedOrLateDependencyIsReported) {
  std::vector<std::string> problems;
  auto deps = parse_cmake_modules(
      "benchgate_module(core)\nbenchgate_module(stats DEPS benchgate_core)\n"
      "benchgate_module(early DEPS benchgate_late)\nbenchgate_module(late)\n",
      problems);
  ASSERT_EQ(problems.size(), 1u) << lines(problems);
  EXPECT_EQ(problems[0],
            "src/CMakeLists.txt: early depends on late, which is not declared before it");
  deps.erase("early");
  auto unused = check(deps, deps, {{"stats", "src/stats/a.cpp", "#include \"stats/a.h\"\n"}});
  ASSERT_EQ(unused.size(), 1u) << lines(unused);
  EXPECT_EQ(unused[0],
            "src/CMakeLists.txt: stats declares core but no file of src/stats/ includes core/");
}

}  // namespace
}  // namespace benchgate
