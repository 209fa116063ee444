// Instruction mode's pure parts: the valgrind command line and how processes of the two
// lifetimes are matched (the end-to-end behaviour is in tests/integration/instructions_test).

#include "runner/instructions.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace benchgate::runner {
namespace {

profilers::CallgrindTotals proc(int pid, std::uint64_t ir, const std::string& cmd = "server") {
  profilers::CallgrindTotals t;
  t.pid = pid;
  t.cmd = cmd;
  t.events["Ir"] = ir;
  return t;
}

TEST(InstructionMode, ValgrindTracesChildrenWithOneFilePerProcessAndFixedCaches) {
  const auto argv = callgrind_argv("/tmp/x");
  auto has = [&](const std::string& a) {
    return std::find(argv.begin(), argv.end(), a) != argv.end();
  };
  EXPECT_EQ(argv.front(), "valgrind");
  EXPECT_TRUE(has("--tool=callgrind"));
  EXPECT_TRUE(has("--trace-children=yes"));
  EXPECT_TRUE(has("--cache-sim=yes"));
  EXPECT_TRUE(has("--callgrind-out-file=/tmp/x/callgrind.out.%p"));
  EXPECT_TRUE(has("--LL=8388608,16,64"));  // not the host's caches: portable est_cycles
}

TEST(InstructionMode, ProcessesAreMatchedInStartOrder) {
  // Master first, then two workers; pids differ between lifetimes, files come in any order.
  const auto m =
      match_processes({proc(120, 900, "w"), proc(100, 50, "master"), proc(110, 800, "w")},
                      {proc(205, 5000, "w"), proc(200, 51, "master"), proc(210, 4000, "w")});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].pid_a, 100);
  EXPECT_EQ(m[0].pid_b, 200);
  EXPECT_EQ(m[0].ir_b - m[0].ir_a, 1u);
  EXPECT_EQ(m[1].pid_b, 205);
  EXPECT_EQ(m[2].ir_b, 4000u);
  // A process only in one lifetime is still listed.
  const auto extra = match_processes({proc(1, 10)}, {proc(2, 20), proc(3, 30)});
  ASSERT_EQ(extra.size(), 2u);
  EXPECT_EQ(extra[1].pid_a, 0);
  EXPECT_EQ(extra[1].ir_b, 30u);
}

TEST(InstructionMode, OnlyRunsThatAskForItAreInstructionRuns) {
  RunSpec s;
  EXPECT_FALSE(is_instruction_run(s));
  s.driver_options.measure = "instructions";
  EXPECT_TRUE(is_instruction_run(s));
}

}  // namespace
}  // namespace benchgate::runner
