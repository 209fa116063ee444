// A main() for the fuzz entry points without libFuzzer: runs every file named on the command
// line (folders: every file below them) through LLVMFuzzerTestOneInput once. Built with the
// project's normal compiler, so the Fuzz.Replay.* tests replay the seeds, the kept corpus and
// every crasher in every build (and under ASan/UBSan in the sanitizer jobs). A finding aborts
// (fuzz_common.h); the file being run is printed first so the failure names it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(arg)) {
      files.push_back(arg);
    } else if (fs::exists(arg)) {
      std::fprintf(stderr, "replay: %s is not a file or folder\n", argv[i]);
      return 2;
    }  // A folder that does not exist (no crashers yet) is nothing to run.
  }
  std::sort(files.begin(), files.end());
  std::size_t bytes = 0;
  for (const auto& f : files) {
    std::fprintf(stderr, "replay: %s\n", f.c_str());
    std::ifstream in(f, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
      return 2;
    }
    bytes += data.size();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  }
  std::printf("replayed %zu inputs (%zu bytes) without a finding\n", files.size(), bytes);
  return files.empty() ? 1 : 0;
}
