// valgrind massif: massif.out files, ms_print text and valgrind's console (pids).
#include "fuzz_common.h"
#include "profilers/massif.h"

using namespace benchgate;

namespace {
void use(const profilers::MassifProfile& profile) {
  (void)fuzz::accepts([&] { (void)profilers::summarize_massif(profile); });
  for (const auto& snapshot : profile.snapshots) {
    (void)fuzz::accepts([&] { (void)profilers::allocation_sites(snapshot); });
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  profilers::MassifProfile profile;
  if (fuzz::accepts([&] { profile = profilers::parse_massif_out(text); })) use(profile);
  if (fuzz::accepts([&] { profile = profilers::parse_ms_print(text); })) use(profile);
  (void)fuzz::accepts([&] { (void)profilers::valgrind_pids(text); });
  (void)fuzz::accepts([&] { (void)profilers::output_file_pid(text, "massif.out."); });
  return 0;
}
