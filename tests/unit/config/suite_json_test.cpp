// suite_to_json / suite_from_json and schemas/suite.schema.json: the schema must accept every
// bundled example and reject invalid suites; the resolved JSON must validate and round-trip.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <sstream>

#include "config/suite.h"
#include "core/error.h"
#include "core/parse.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path source_dir() {
  return BENCHGATE_SOURCE_DIR;
}

/// The TOML file as JSON, the way toml++ writes it (what an editor or CI validator sees).
nlohmann::json toml_file_as_json(const fs::path& p) {
  auto tbl = toml::parse_file(p.string());
  std::stringstream ss;
  ss << toml::json_formatter{tbl};
  return nlohmann::json::parse(ss.str());
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json without_provenance(nlohmann::json j) {
  j.erase("source");
  j.erase("hostname");
  j.erase("applied_hosts");
  return j;
}

TEST(SuiteSchema, AcceptsEveryExampleSuite) {
  const auto examples = files_in(source_dir() / "examples", ".toml");
  ASSERT_GE(examples.size(), 2u);
  for (const auto& p : examples) {
    SCOPED_TRACE(p.string());
    EXPECT_NO_THROW(results::validate_against_schema(toml_file_as_json(p), "suite", p.string()));
  }
}

// Each file in tests/data/config/invalid starts with "# error: <message>" (what the parser
// says) and "# schema: reject|accept" (whether JSON Schema alone can see the problem).
TEST(SuiteSchema, InvalidSuitesFailWithTheirDocumentedMessage) {
  const auto files = files_in(testing::data_path("config/invalid"), ".toml");
  ASSERT_GE(files.size(), 10u);
  for (const auto& p : files) {
    SCOPED_TRACE(p.filename().string());
    const auto text = testing::read_text(p);
    const auto lines = split(text, '\n');
    ASSERT_GE(lines.size(), 2u);
    ASSERT_EQ(lines[0].rfind("# error: ", 0), 0u);
    ASSERT_EQ(lines[1].rfind("# schema: ", 0), 0u);
    const auto expected_error = lines[0].substr(9);
    const bool schema_rejects = lines[1].substr(10, 6) == "reject";
    try {
      parse_suite_text(text, p.filename().string(), "");
      ADD_FAILURE() << "parsed without error";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.what(), expected_error);
    }
    const auto j = toml_file_as_json(p);
    if (schema_rejects) {
      EXPECT_THROW(results::validate_against_schema(j, "suite", p.string()), ConfigError);
    } else {
      EXPECT_NO_THROW(results::validate_against_schema(j, "suite", p.string()));
    }
  }
}

TEST(SuiteJson, ResolvedSuiteValidatesAndRoundTrips) {
  for (const auto& p : files_in(source_dir() / "examples", ".toml")) {
    for (const std::string host : {"", "ci-runner-3"}) {
      SCOPED_TRACE(p.string() + " on " + host);
      const auto suite = parse_suite_file(p, host);
      const auto j = suite_to_json(suite);
      EXPECT_NO_THROW(results::validate_against_schema(without_provenance(j), "suite", "json"));
      EXPECT_EQ(j["source"], p.string());
      EXPECT_EQ(j["hostname"], host);
      const auto back = suite_from_json(j, "results.json: suite");
      EXPECT_EQ(suite_to_json(back), j);
      EXPECT_EQ(back.applied_hosts, suite.applied_hosts);
      EXPECT_EQ(back.defaults.app_cpus, suite.defaults.app_cpus);
    }
  }
}

TEST(SuiteJson, RecordsResolvedValues) {
  const auto s = parse_suite_text(R"([defaults]
duration = 2.5
seed = "18446744073709551615"
[[app]]
command = "./srv | cat"
[[scenario]]
name = "s"
url = "http://127.0.0.1:1/"
clients = [1, 2]
headers = { X-A = "1" }
[gate]
startup_time = { min_effect = ["7%", "5ms"] }
peak_rss = { min_effect = "4MiB" }
)",
                                  "suite.toml", "");
  const auto j = suite_to_json(s);
  EXPECT_EQ(j["defaults"]["duration"], "2500ms");
  EXPECT_EQ(j["defaults"]["seed"], "18446744073709551615");
  EXPECT_EQ(j["app"][0]["command"], "./srv | cat");
  EXPECT_EQ(j["app"][0]["shell"], true);
  EXPECT_EQ(j["scenario"][0]["headers"], nlohmann::json::array({"X-A: 1"}));
  EXPECT_EQ(j["gate"]["startup_time"]["min_effect"], nlohmann::json::array({"7%", "5ms"}));
  EXPECT_EQ(j["gate"]["peak_rss"]["min_effect"], "4194304B");
  EXPECT_EQ(suite_from_json(j, "x").defaults.seed, 18446744073709551615ull);
}

TEST(SuiteJson, ErrorsNameTheOriginAndKeyWithoutLines) {
  auto j = nlohmann::json::parse(R"({
    "app": [{"command": ["./srv"]}],
    "scenario": [{"name": "s", "url": "http://h/", "clients": "many"}]
  })");
  try {
    suite_from_json(j, "results.json: suite");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "results.json: suite: scenario[0].clients: expected a list of positive integers "
                 "such as [16, 64], got \"many\"");
  }
  EXPECT_THROW(suite_from_json(nlohmann::json::array(), "x"), ConfigError);
}

// Every single-byte deletion of the example suite either parses or fails with a ConfigError:
// no other exception, no crash (a cheap, deterministic stand-in for the fuzzer).
TEST(SuiteRobustness, MutatedExampleFailsOnlyWithConfigError) {
  const auto text = testing::read_text(source_dir() / "examples" / "full.toml");
  int errors = 0;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    auto mutated = text;
    mutated.erase(i, 1);
    try {
      parse_suite_text(mutated, "full.toml", "ci-runner-1");
    } catch (const ConfigError& e) {
      ++errors;
      EXPECT_THAT(e.what(), HasSubstr("full.toml")) << "deleting byte " << i;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "deleting byte " << i << ": unexpected " << typeid(e).name() << ": "
                    << e.what();
    }
  }
  EXPECT_GT(errors, 50);
}

}  // namespace
}  // namespace benchgate::config
