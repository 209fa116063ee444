#include "report/junit.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <random>
#include <set>
#include <sstream>

#include "fixtures.h"
#include "platform/fs.h"

namespace benchgate::report {
namespace {

using namespace testing;

std::string junit(const ReportModel& m) {
  std::ostringstream out;
  write_junit(m, out);
  return out.str();
}

/// xmllint against the junit-10-shaped XSD; returns "" when valid, else xmllint's output.
std::string xsd_errors(const std::string& xml) {
  platform::TempDir dir("junit-test");
  const auto file = dir.path() / "junit.xml";
  platform::write_file_atomic(file, xml);
  std::string out;
  const int rc = run_command("xmllint --noout --schema '" + (data_dir() / "junit-10.xsd").string() +
                                 "' '" + file.string() + "'",
                             &out);
  return rc == 0 ? "" : out.empty() ? "xmllint failed" : out;
}

bool have_xmllint() {
  return platform::find_executable("xmllint").has_value();
}

TEST(Junit, GoldenGated) {
  expect_golden("junit_gated.xml", mask(junit(sample_model())));
}
TEST(Junit, GoldenUngated) {
  expect_golden("junit_ungated.xml", mask(junit(sample_model(false))));
}
TEST(Junit, GoldenHostile) {
  expect_golden("junit_hostile.xml", mask(junit(hostile_model())));
}

// JUnit readers (GitLab's test report, most CI plugins) add the test-case times up: each metric
// carries its own time (the cell's measuring time on one test case of the cell, 0 on the
// others), so the sum is the suite's time, not the cell's time once per metric.
TEST(Junit, TestCaseTimesAddUpToTheSuiteTime) {
  for (bool gated : {true, false}) {
    const auto model = sample_model(gated);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(junit(model).c_str()));
    const auto suite = doc.child("testsuites").child("testsuite");
    const double suite_time = suite.attribute("time").as_double();
    double sum = 0;
    int zero = 0, cases = 0;
    for (auto tc : suite.children("testcase")) {
      const double t = tc.attribute("time").as_double(-1);
      ASSERT_GE(t, 0) << tc.attribute("name").value();
      sum += t;
      zero += t == 0;
      ++cases;
    }
    // The cells' measuring times, added up independently of the writer.
    double cells = 0;
    for (const auto& c : model.cells) {
      for (const auto& ac : c.apps)
        cells += ac.measured_s;
    }
    SCOPED_TRACE(gated ? "gated" : "ungated");
    ASSERT_GT(suite_time, 0);
    EXPECT_NEAR(suite_time, cells, 0.001 * model.cells.size() + 0.0005);
    EXPECT_NEAR(sum, suite_time, 0.05 * suite_time) << cases << " test cases";
    EXPECT_GT(zero, 0) << "metrics sharing a cell's time carry 0";
  }
}

TEST(Junit, ValidatesAgainstTheXsd) {
  ASSERT_TRUE(have_xmllint()) << "xmllint (libxml2-utils) is needed to validate junit.xml";
  EXPECT_EQ(xsd_errors(junit(sample_model())), "");
  EXPECT_EQ(xsd_errors(junit(sample_model(false))), "");
  EXPECT_EQ(xsd_errors(junit(hostile_model())), "");
}

TEST(Junit, TheXsdRejectsWhatItShould) {
  ASSERT_TRUE(have_xmllint());
  // A testcase without a name and a negative count must fail: the schema is not a no-op.
  EXPECT_NE(xsd_errors("<testsuites><testsuite name=\"s\" tests=\"-1\"><testcase "
                       "classname=\"c\"/></testsuite></testsuites>"),
            "");
}

TEST(Junit, MapsVerdictsToElements) {
  const auto m = sample_model();
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit(m).c_str()));
  auto suite = doc.child("testsuites").child("testsuite");
  int failures = 0, skipped = 0, errors = 0, cases = 0;
  std::string error_texts;
  std::set<std::pair<std::string, std::string>> ids;
  for (auto tc : suite.children("testcase")) {
    ++cases;
    EXPECT_TRUE(
        ids.insert({tc.attribute("classname").value(), tc.attribute("name").value()}).second)
        << "duplicate testcase " << tc.attribute("name").value();
    EXPECT_EQ(std::string(tc.attribute("classname").value()).rfind("hello.", 0), 0u);
    if (auto f = tc.child("failure")) {
      ++failures;
      EXPECT_STREQ(f.attribute("type").value(), "benchgate.Regression");
      // The message in the attribute and as the first line of the text; numbers below it.
      const std::string text = f.text().get();
      const std::string msg = f.attribute("message").value();
      EXPECT_EQ(text.substr(0, msg.size()), msg);
      for (const char* key : {"\nbaseline: ", "\ncurrent: ", "\nchange: ", "\nCI: ", "\np: "}) {
        EXPECT_NE(text.find(key), std::string::npos) << key;
      }
    }
    if (auto s = tc.child("skipped")) {
      ++skipped;
      EXPECT_NE(std::string(s.text().get()).find(s.attribute("message").value()),
                std::string::npos);
    }
    if (auto e = tc.child("error")) {
      ++errors;
      EXPECT_STREQ(e.attribute("type").value(), "benchgate.RunError");
      error_texts += std::string(e.text().get()) + "\n";
    }
  }
  EXPECT_NE(error_texts.find("SIGSEGV"), std::string::npos);
  EXPECT_NE(error_texts.find("exiting with status 139"), std::string::npos);  // the log tail
  EXPECT_NE(error_texts.find("load point c=16 invalid: driver CPU saturated"), std::string::npos);
  EXPECT_EQ(cases, 17);    // 15 verdicts + the crashed run + the run with an invalid load point
  EXPECT_EQ(failures, 2);  // throughput and CPU per request at c=64
  EXPECT_EQ(skipped, 2);   // 1 inconclusive, 1 not comparable (warn is decided: it passes)
  EXPECT_EQ(errors, 2);    // the crashed run and the run with an invalid load point
  EXPECT_EQ(suite.attribute("tests").as_int(), cases);
  EXPECT_EQ(suite.attribute("failures").as_int(), failures);
  EXPECT_EQ(suite.attribute("skipped").as_int(), skipped);
  EXPECT_EQ(suite.attribute("errors").as_int(), errors);
  // time: each cell's measuring seconds once (2 cells × 20 periods × 10 s, one crash cut short
  // at 6.4 s, plus the start-up times).
  EXPECT_GT(suite.attribute("time").as_double(), 390);
  EXPECT_LT(suite.attribute("time").as_double(), 400);
}

TEST(Junit, ImprovedGoesToSystemOut) {
  const auto m = sample_model();
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit(m).c_str()));
  auto tc = doc.select_node("//testcase[@name='pr plaintext c=64 :: peak_rss']").node();
  ASSERT_TRUE(tc);
  EXPECT_FALSE(tc.child("failure") || tc.child("skipped") || tc.child("error"));
  EXPECT_EQ(std::string(tc.child("system-out").text().get()).rfind("peak_rss improved", 0), 0u);
}

TEST(Junit, UngatedPassesWithNumbersAndFailedRunsAsErrors) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit(sample_model(false)).c_str()));
  int pass = 0, errors = 0;
  for (auto tc : doc.child("testsuites").child("testsuite").children("testcase")) {
    if (tc.child("error")) {
      ++errors;
    } else {
      EXPECT_FALSE(tc.child("failure") || tc.child("skipped"));
      EXPECT_NE(std::string(tc.child("system-out").text().get()).find("median: "),
                std::string::npos);
      ++pass;
    }
  }
  EXPECT_EQ(errors, 2);  // the crashed run, the run with an invalid load point
  EXPECT_GT(pass, 40);   // 2 apps × (2 cells × 13 metrics) + start-up metrics
}

TEST(Junit, DuplicateNamesAreMadeUniqueDeterministically) {
  auto m = sample_model();
  m.gate->verdicts.push_back(m.gate->verdicts.front());
  m.gate->verdicts.push_back(m.gate->verdicts.front());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(junit(m).c_str()));
  const std::string base = m.gate->verdicts.front().app + " " + m.gate->verdicts.front().cell +
                           " :: " + m.gate->verdicts.front().metric;
  EXPECT_TRUE(doc.select_node(("//testcase[@name='" + base + "']").c_str()));
  EXPECT_TRUE(doc.select_node(("//testcase[@name='" + base + " (2)']").c_str()));
  EXPECT_TRUE(doc.select_node(("//testcase[@name='" + base + " (3)']").c_str()));
}

TEST(Junit, HostileLabelsStayText) {
  const auto xml = junit(hostile_model());
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(xml.c_str()));
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  // The attribute round-trips the label (minus forbidden characters).
  bool found = false;
  for (auto tc : doc.child("testsuites").child("testsuite").children("testcase")) {
    found = found || std::string(tc.attribute("name").value()).find("<script>alert(\"pr\")") !=
                         std::string::npos;
    EXPECT_LE(std::string(tc.attribute("name").value()).size(), 2000u);  // 10 kB name shortened
  }
  EXPECT_TRUE(found);
}

// Any bytes in any label: the output stays well-formed XML 1.0 (xmllint is the referee).
TEST(Junit, WellFormedForRandomBytes) {
  ASSERT_TRUE(have_xmllint());
  std::mt19937 rng(7);
  auto m = sample_model();
  for (auto& v : m.gate->verdicts) {
    std::string s;
    for (int i = 0; i < 64; ++i)
      s += static_cast<char>(rng() & 0xff);
    v.app = s;
    v.reason = s + s;
  }
  m.suite = std::string("\x00\x01\xfe\xff]]>", 7);
  m.problems[0].log_tail = std::string("\x00\x0b\x0c\xef\xbf\xbe tail", 11);
  EXPECT_EQ(xsd_errors(junit(m)), "");
}

}  // namespace
}  // namespace benchgate::report
