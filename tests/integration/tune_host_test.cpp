// `benchgate drive --tune-host` on the real machine: it reports every setting, never fails the
// run for a setting it cannot change, and leaves the machine as it found it.
// (The read/set/restore logic is unit-tested on fake /sys trees: host_tuning_test.cpp.)

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "platform/fs.h"
#include "results/json.h"
#include "test_support.h"

namespace benchgate {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> frequency_settings() {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it("/sys/devices/system/cpu", ec), end; !ec && it != end;
       it.increment(ec)) {
    for (const auto& f : {it->path() / "cpufreq/scaling_governor", it->path() / "no_turbo",
                          it->path() / "boost"}) {
      if (fs::is_regular_file(f)) out[f.string()] = testing::read_text(f);
    }
  }
  return out;
}

TEST(TuneHost, ReportsEverySettingAndRestores) {
  platform::TempDir tmp("bg-tune");
  const int port = testing::free_port();
  const auto before = frequency_settings();
  auto r = testing::run_command(
      {testing::benchgate_binary().string(), "drive", "--name", "t", "--app",
       testing::hello_server_binary().string() + " --port " + std::to_string(port), "--url",
       "http://127.0.0.1:" + std::to_string(port) + "/", "--driver", "sleep", "--duration",
       "300ms", "--warmup", "0s", "--interval", "100ms", "--out", (tmp.path() / "out").string(),
       "--tune-host"},
      tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* what : {"governor", "turbo", "ASLR: "}) {
    EXPECT_NE(r.err.find(what), std::string::npos) << what << "\n" << r.err;
  }
  const auto j = results::read_json_file(tmp.path() / "out" / "results.json");
  ASSERT_TRUE(j["suite"].contains("host_tuning")) << j["suite"].dump(1);
  EXPECT_GE(j["suite"]["host_tuning"].size(), 3u);
  EXPECT_EQ(frequency_settings(), before) << "restored after the run";
  std::cout << "[ info ] --tune-host on this machine:\n" << r.err;
}

}  // namespace
}  // namespace benchgate
