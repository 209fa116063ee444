#include <gtest/gtest.h>

#include "core/error.h"
#include "fixtures.h"
#include "platform/fs.h"
#include "report/report.h"

namespace benchgate::report {
namespace {

using namespace testing;

TEST(WriteAll, WritesEveryReport) {
  platform::TempDir dir("write-all");
  const auto out = dir.path() / "benchgate-out";
  const auto w = write_all(sample_model(), out);
  ASSERT_EQ(w.all().size(), 4u);
  for (const auto& p : w.all()) {
    EXPECT_TRUE(std::filesystem::exists(p)) << p;
    EXPECT_GT(std::filesystem::file_size(p), 100u) << p;
    EXPECT_EQ(p.parent_path(), out);
  }
  EXPECT_EQ(w.junit.filename(), "junit.xml");
  EXPECT_EQ(w.summary.filename(), "summary.md");
  EXPECT_EQ(w.html.filename(), "report.html");
  EXPECT_EQ(w.metrics.filename(), "metrics.txt");
  EXPECT_EQ(w.results, out / "results.json");
  const auto named = w.named();
  EXPECT_EQ(named.front().first, "report-dir");
  EXPECT_EQ(platform::read_file(w.summary).substr(0, 28), "<!-- benchgate:report v1 id=");
  // No temporary files left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out))
    ++files;
  EXPECT_EQ(files, 4);
}

TEST(WriteAll, UnwritableFolderIsAnInternalError) {
  platform::TempDir dir("write-all");
  platform::write_file_atomic(dir.path() / "file", "x");
  try {
    write_all(sample_model(), dir.path() / "file" / "out");  // a regular file in the path
    FAIL() << "no error";
  } catch (const InternalError& e) {
    EXPECT_EQ(e.code(), ExitCode::kInternal);
    EXPECT_NE(std::string(e.what()).find("junit.xml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace benchgate::report
