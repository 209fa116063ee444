#include "profilers/massif.h"

#include <gtest/gtest.h>

#include "core/parse.h"
#include "test_support.h"

namespace benchgate::profilers {
namespace {

std::string fixture(const std::string& name) {
  return testing::read_text(testing::data_path("massif/" + name));
}

// The peak of both runs (same program): 3,384,600 B useful heap, 368,120 B extra.
void expect_heapwork_peak_sites(const MassifSnapshot& peak) {
  auto sites = allocation_sites(peak);
  ASSERT_EQ(sites.size(), 5u);
  // vector storage (2,048,000 B, inlined into grow) + make_unique (112,000 B) = one site.
  EXPECT_EQ(sites[0].function, "app::Cache::grow(unsigned long)");
  EXPECT_EQ(sites[0].location, "heapwork.cpp:15");
  EXPECT_EQ(sites[0].bytes, 2048000 + 112000);
  EXPECT_DOUBLE_EQ(sites[0].share, 2160000.0 / 3384600);
  ASSERT_EQ(sites[0].stack.size(), 8u);  // 7 frames at 0x109C40, then the caller
  EXPECT_EQ(sites[0].stack.front(), "allocate (new_allocator.h:137)");
  EXPECT_EQ(sites[0].stack.back(), "main (heapwork.cpp:33)");
  EXPECT_EQ(sites[1].function, "app::read_buffer(unsigned long)");
  EXPECT_EQ(sites[1].bytes, 655360);
  EXPECT_EQ(sites[2].function,
            "std::__cxx11::list<double, std::allocator<double> >* "
            "app::build_list<double>(unsigned long)");
  EXPECT_EQ(sites[2].location, "heapwork.cpp:24");
  EXPECT_EQ(sites[2].bytes, 480000);
  EXPECT_EQ(sites[0].origin, "");  // program code already
  // libstdc++'s start-up pool: library code all the way down to the loader.
  EXPECT_EQ(sites[3].origin, "");
  EXPECT_EQ(sites[3].function, "???");
  EXPECT_EQ(sites[3].location, "in /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
  EXPECT_EQ(sites[3].bytes, 72704);
  EXPECT_EQ(sites[4].function, "(below threshold)");
  EXPECT_EQ(sites[4].bytes, 16536);
  std::int64_t sum = 0;
  for (const auto& s : sites)
    sum += s.bytes;
  EXPECT_EQ(sum, peak.heap);
}

TEST(Massif, OutFileEveryTreeDetailed) {
  auto p = parse_massif_out(fixture("massif.out.heapwork.df1"));
  EXPECT_EQ(p.command, "./heapwork");
  EXPECT_EQ(p.arguments,
            "--time-unit=ms --detailed-freq=1 --massif-out-file=massif.out.heapwork.df1");
  EXPECT_EQ(p.time_unit, "ms");
  ASSERT_EQ(p.snapshots.size(), 50u);
  int detailed = 0, peaks = 0;
  for (const auto& s : p.snapshots) {
    detailed += s.tree_kind == "detailed";
    peaks += s.tree_kind == "peak";
    EXPECT_TRUE(s.tree.has_value());
    EXPECT_EQ(s.tree->bytes, s.heap) << s.index;  // the root sums the useful heap
  }
  EXPECT_EQ(detailed, 49);
  EXPECT_EQ(peaks, 1);
  const auto* peak = p.peak();
  ASSERT_TRUE(peak);
  EXPECT_EQ(peak->index, 33);
  EXPECT_DOUBLE_EQ(peak->time, 1100);
  EXPECT_EQ(peak->heap, 3384600);
  EXPECT_EQ(peak->heap_extra, 368120);
  EXPECT_EQ(peak->stacks, 0);
  EXPECT_EQ(peak->total(), 3752720);
  EXPECT_EQ(peak->tree->children.size(), 6u);
  EXPECT_EQ(peak->tree->function,
            "(heap allocation functions) malloc/new/new[], --alloc-fns, etc.");
  const auto& grow = peak->tree->children[0];
  EXPECT_EQ(grow.address, "0x109C40");
  EXPECT_EQ(grow.function, "allocate");
  EXPECT_EQ(grow.location, "new_allocator.h:137");
  EXPECT_TRUE(peak->tree->children[5].below_threshold);
  expect_heapwork_peak_sites(*peak);
  // The 5 leaked 64 KiB buffers.
  EXPECT_EQ(p.snapshots.back().heap, 327680);
  EXPECT_EQ(p.snapshots.front().heap, 0);
}

TEST(Massif, OutFileMostlyEmptyTrees) {
  auto p = parse_massif_out(fixture("massif.out.heapwork.df10"));
  ASSERT_EQ(p.snapshots.size(), 82u);
  int empty = 0, detailed = 0;
  for (const auto& s : p.snapshots) {
    empty += s.tree_kind == "empty";
    detailed += s.tree_kind == "detailed";
    EXPECT_EQ(s.tree.has_value(), s.tree_kind != "empty");
  }
  EXPECT_EQ(empty, 74);
  EXPECT_EQ(detailed, 7);
  const auto* peak = p.peak();
  EXPECT_EQ(peak->index, 35);
  EXPECT_DOUBLE_EQ(peak->time, 894);
  EXPECT_EQ(peak->heap, 3384600);
  EXPECT_EQ(p.snapshots[3].heap, 356296);
  EXPECT_EQ(p.snapshots[3].heap_extra, 4840);
  expect_heapwork_peak_sites(*peak);

  auto s = summarize_massif(p, 3);
  EXPECT_EQ(s.profiler, "massif");
  EXPECT_EQ(s.status, "ok");
  ASSERT_EQ(s.top_symbols.size(), 3u);
  EXPECT_EQ(s.top_symbols[0].name, "app::Cache::grow(unsigned long)");
  EXPECT_EQ(s.top_symbols[0].dso, "heapwork.cpp:15");
  EXPECT_DOUBLE_EQ(s.top_symbols[0].share, 2160000.0 / 3384600);
  EXPECT_EQ(s.by_dso[0].name, "heapwork.cpp");
  EXPECT_DOUBLE_EQ(s.by_dso[0].share, (2160000.0 + 655360 + 480000) / 3384600);
  EXPECT_EQ(s.extra.at("peak_heap_B"), 3384600);
  EXPECT_EQ(s.extra.at("peak_heap_extra_B"), 368120);
  EXPECT_EQ(s.extra.at("peak_total_B"), 3752720);
  EXPECT_EQ(s.extra.at("peak_snapshot"), 35);
  EXPECT_EQ(s.extra.at("final_heap_B"), 327680);
  EXPECT_EQ(s.extra.at("snapshots"), 82);
  EXPECT_EQ(s.extra.at("detailed_snapshots"), 8);
  EXPECT_EQ(s.extra.at("time_unit"), "ms");
  EXPECT_EQ(s.extra.at("series").size(), 82u);
  EXPECT_EQ(s.extra.at("series")[3][1], 356296 + 4840);
  EXPECT_EQ(s.extra.at("sites").size(), 5u);
}

TEST(Massif, MsPrintMatchesTheOutFile) {
  for (auto [out, txt] : {std::pair{"massif.out.heapwork.df1", "ms_print.heapwork.df1.txt"},
                          std::pair{"massif.out.heapwork.df10", "ms_print.heapwork.df10.txt"}}) {
    auto a = parse_massif_out(fixture(out));
    auto b = parse_ms_print(fixture(txt));
    EXPECT_EQ(b.command, "./heapwork");
    EXPECT_EQ(b.arguments, a.arguments);
    EXPECT_EQ(b.time_unit, "ms");
    ASSERT_EQ(b.snapshots.size(), a.snapshots.size()) << txt;
    for (std::size_t i = 0; i < a.snapshots.size(); ++i) {
      EXPECT_EQ(b.snapshots[i].index, a.snapshots[i].index);
      EXPECT_DOUBLE_EQ(b.snapshots[i].time, a.snapshots[i].time);
      EXPECT_EQ(b.snapshots[i].heap, a.snapshots[i].heap);
      EXPECT_EQ(b.snapshots[i].heap_extra, a.snapshots[i].heap_extra);
      EXPECT_EQ(b.snapshots[i].tree.has_value(), a.snapshots[i].tree.has_value()) << i;
    }
    EXPECT_EQ(b.peak()->index, a.peak()->index);
    EXPECT_EQ(b.peak()->tree_kind, "peak");
    expect_heapwork_peak_sites(*b.peak());
  }
}

TEST(Massif, OriginOfLibrarySites) {
  // A site inside a non-inlined library function: where the program asked for the memory.
  const std::string text =
      "desc: x\ncmd: ./a\ntime_unit: i\n#-----------\nsnapshot=0\n#-----------\ntime=5\n"
      "mem_heap_B=100\nmem_heap_extra_B=8\nmem_stacks_B=0\nheap_tree=peak\n"
      "n1: 100 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n"
      " n1: 100 0x10: allocate (new_allocator.h:137)\n"
      "  n1: 100 0x10: void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>(int&&) "
      "(vector.tcc:453)\n"
      "   n2: 100 0x20: std::vector<int, std::allocator<int> >::push_back(int&&) "
      "(stl_vector.h:1294)\n"
      "    n0: 70 0x30: app::fill(int) (app.cpp:7)\n"
      "    n0: 30 0x40: main (app.cpp:20)\n";
  auto p = parse_massif_out(text);
  auto sites = allocation_sites(*p.peak());
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].function,
            "void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>(int&&)");
  EXPECT_EQ(sites[0].origin, "app::fill(int) (app.cpp:7)");
  EXPECT_DOUBLE_EQ(sites[0].share, 1.0);
}

TEST(Massif, Rejects) {
  EXPECT_THROW(parse_massif_out(""), ParseError);
  EXPECT_THROW(parse_massif_out("hello\n"), ParseError);
  EXPECT_THROW(parse_ms_print("nothing here\n"), ParseError);
  // A tree that announces more children than it has.
  const std::string truncated =
      "desc: x\ncmd: ./a\ntime_unit: i\n#-----------\nsnapshot=0\n#-----------\ntime=0\n"
      "mem_heap_B=10\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=detailed\n"
      "n2: 10 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n"
      " n0: 10 0x1: f (a.c:1)\n";
  try {
    parse_massif_out(truncated);
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("heap tree"), std::string::npos) << e.what();
  }
  MassifProfile none;
  EXPECT_EQ(summarize_massif(none).status, "failed");
}

TEST(MassifProcesses, PidsFromValgrindBannersInOrder) {
  // A wrapper script exec'ing the server (same pid twice), then a master forking a worker,
  // interleaved with the app's own output.
  const std::string log =
      "==101== Massif, a heap profiler\n"
      "==101== Command: /tmp/start.sh\n"
      "==101== Massif, a heap profiler\n"
      "==101== Command: ./hello-server --workers 1\n"
      "listening on 127.0.0.1:8080\n"
      "==102== Massif, a heap profiler\n"
      "== not a pid ==\n"
      "==x1== neither\n"
      "====\n"
      "==102== \n";
  EXPECT_EQ(valgrind_pids(log), (std::vector<int>{101, 102}));
  EXPECT_TRUE(valgrind_pids("").empty());
  EXPECT_TRUE(valgrind_pids("plain app output\n").empty());
}

TEST(MassifProcesses, OutputFilePid) {
  EXPECT_EQ(output_file_pid("massif.out.4242", "massif.out."), 4242);
  EXPECT_FALSE(output_file_pid("massif.out.", "massif.out."));
  EXPECT_FALSE(output_file_pid("massif.out", "massif.out."));
  EXPECT_FALSE(output_file_pid("massif.out.12.tmp", "massif.out."));
  EXPECT_FALSE(output_file_pid("ms_print.12.txt", "massif.out."));
  EXPECT_FALSE(output_file_pid("massif.out.0", "massif.out."));
}

}  // namespace
}  // namespace benchgate::profilers
