#include "report/console.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/text.h"
#include "fixtures.h"

namespace benchgate::report {
namespace {

using namespace testing;

std::string results_table(const ReportModel& m, bool color = false) {
  std::ostringstream out;
  ConsoleOptions o;
  o.color = color;
  write_results_table(m, out, o);
  return out.str();
}

std::string verdict_table(const ReportModel& m, bool color = false) {
  std::ostringstream out;
  ConsoleOptions o;
  o.color = color;
  write_verdict_table(m, out, o);
  return out.str();
}

std::string problems(const ReportModel& m) {
  std::ostringstream out;
  write_problems(m, out);
  return out.str();
}

TEST(Console, GoldenResultsTable) {
  const auto m = sample_model();
  expect_golden("console_results.txt", mask(results_table(m) + "\n" + problems(m)));
}
TEST(Console, GoldenVerdictTable) {
  expect_golden("console_verdicts.txt", mask(verdict_table(sample_model())));
}
TEST(Console, GoldenHostile) {
  expect_golden("console_hostile.txt",
                mask(results_table(hostile_model()) + "\n" + verdict_table(hostile_model()) + "\n" +
                     problems(hostile_model())));
}

TEST(Console, NoEscapeCodesWithoutColour) {
  const auto m = hostile_model();
  const auto text = results_table(m) + verdict_table(m) + problems(m);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // not even from the hostile labels
  EXPECT_EQ(text.find('\x01'), std::string::npos);
}

TEST(Console, ColourOnlyWhenAsked) {
  const auto text = verdict_table(sample_model(), true);
  EXPECT_NE(text.find("\x1b[31mregressed\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[32mimproved\x1b[0m"), std::string::npos);
}

TEST(Console, ColumnsAlign) {
  const auto text = results_table(sample_model());
  std::istringstream in(text);
  std::string line, header;
  std::getline(in, line);  // caption
  std::getline(in, header);
  ASSERT_NE(header.find("good"), std::string::npos);
  // The last column is right-aligned: every row ends where the header ends (in code points).
  int rows = 0;
  while (std::getline(in, line) && !line.empty()) {
    EXPECT_EQ(display_width(line), display_width(header)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 4);  // 2 cells × 2 apps
  EXPECT_NE(text.find("plaintext c=64  main"), std::string::npos);
}

TEST(Console, UngatedVerdictTableSaysSo) {
  EXPECT_NE(verdict_table(sample_model(false)).find("Not gated"), std::string::npos);
}

TEST(Progress, PlainPrintsOneLinePerRun) {
  const auto r = load_results();
  std::ostringstream out;
  auto p = make_progress_reporter(out, false);
  RunProgress up;
  up.app = "main";
  up.cell = "plaintext c=16";
  p->update(up);  // nothing on a non-TTY
  EXPECT_EQ(out.str(), "");
  p->run_finished({&r.runs[0], 0, 10, 5, 30, 270});
  p->run_finished({&r.runs[5], 5, 10, 5, 180, 120});
  p->finish();
  const auto text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("[1/10] iteration 1/5 main plaintext: ok in "), std::string::npos);
  EXPECT_NE(text.find("c=16 "), std::string::npos);
  EXPECT_NE(text.find("[6/10] iteration 3/5 pr plaintext: FAILED after"), std::string::npos);
  EXPECT_NE(text.find("SIGSEGV"), std::string::npos);
  EXPECT_NE(text.find("~2m 00s left"), std::string::npos);
}

TEST(Progress, TtyRedrawsOneLine) {
  const auto r = load_results();
  std::ostringstream out;
  auto p = make_progress_reporter(out, true, 120);
  RunProgress up;
  up.index = 2;
  up.total = 10;
  up.iteration = 2;
  up.iterations = 5;
  up.app = "pr";
  up.cell = "plaintext c=64";
  up.phase = "measuring";
  up.elapsed_s = 75;
  up.remaining_s = 200;
  up.current_rps = 57000;
  p->update(up);
  up.elapsed_s = 75.05;  // too soon: no redraw
  p->update(up);
  up.elapsed_s = 76;
  up.current_rps = 58000;
  p->update(up);
  std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("[3/10] iter 2/5 · pr · plaintext c=64 · measuring · 1:15 elapsed · ~3:20 "
                      "left · 57.0k req/s\x1b[K"),
            std::string::npos)
      << ::testing::PrintToString(text);
  // A finished run clears the live line and prints a permanent one.
  p->run_finished({&r.runs[2], 2, 10, 5, 80, 200});
  p->finish();
  text = out.str();
  EXPECT_NE(text.find("\r\x1b[K[3/10] iteration 2/5 pr plaintext: ok"), std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(Progress, NarrowTerminalDropsTheLeastImportantParts) {
  std::ostringstream out;
  auto p = make_progress_reporter(out, true, 60);
  RunProgress up;
  up.index = 2;
  up.total = 10;
  up.iteration = 2;
  up.iterations = 5;
  up.app = "pr";
  up.cell = "plaintext c=64";
  up.phase = "measuring";
  up.elapsed_s = 75;
  up.remaining_s = 200;
  up.current_rps = 57000;
  p->update(up);
  const auto text = out.str();
  EXPECT_NE(text.find("[3/10] pr · plaintext c=64 · ~3:20 left · 57.0k req/s\x1b[K"),
            std::string::npos)
      << ::testing::PrintToString(text);
}

TEST(Progress, TtyLineFitsTheWidth) {
  std::ostringstream out;
  auto p = make_progress_reporter(out, true, 40);
  RunProgress up;
  up.app = std::string(500, 'a');
  up.cell = "\x1b[2J" + std::string(500, 'c');
  p->update(up);
  const auto text = out.str();
  const auto start = text.rfind('\r') + 1;
  const auto end = text.find("\x1b[K");
  EXPECT_LE(display_width(text.substr(start, end - start)), 39u);
  EXPECT_EQ(text.find("\x1b[2J"), std::string::npos);
}

}  // namespace
}  // namespace benchgate::report
