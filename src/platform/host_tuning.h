#pragma once
// Host settings that make measurements steadier (`--tune-host`): TCP TIME_WAIT reuse for
// outgoing connections (net.ipv4.tcp_tw_reuse = 1, so connection-per-request load does not run
// out of ports), the CPU frequency governor of every CPU set to "performance", turbo/boost
// turned off, and the ASLR setting reported.
// The original values are written back by restore() (and the destructor), so a run leaves the
// machine as it found it. Nothing here fails a run: a setting that does not exist on this
// machine (VMs and containers often have no cpufreq at all) or cannot be written (no root,
// read-only /sys) is reported with the reason and left alone.
//
// Every path is under the injectable SysRoots (/proc and /sys normally), so tests use a temp
// tree.

#include <filesystem>
#include <string>
#include <vector>

#include "platform/roots.h"

namespace benchgate::platform {

struct HostSetting {
  enum class State {
    kReportOnly,   ///< only read (ASLR)
    kUnavailable,  ///< the file does not exist here
    kAlready,      ///< it already had the wanted value
    kChanged,      ///< set; restore() writes `original` back
    kFailed,       ///< exists but could not be set (see note)
    kRestored,     ///< changed, then written back
  };
  std::string name;            ///< "cpu0 governor", "turbo (intel_pstate)", "ASLR"
  std::filesystem::path path;  ///< absolute, under the root
  std::string original;        ///< value read before (trimmed); empty when unavailable
  std::string wanted;          ///< empty: report only
  State state = State::kReportOnly;
  std::string note;  ///< why it could not be done, or what the value means
};

class HostTuning {
 public:
  /// Reads and writes under `roots` (tests pass copies in a temp folder).
  explicit HostTuning(SysRoots roots = {});
  ~HostTuning();  ///< restore()
  HostTuning(const HostTuning&) = delete;
  HostTuning& operator=(const HostTuning&) = delete;

  /// Reads the current values without changing anything. States: kReportOnly, kUnavailable,
  /// kAlready, kChanged meaning "would be set", or kFailed when it cannot be set (unreadable,
  /// "performance" not offered).
  std::vector<HostSetting> inspect() const;

  /// Sets what can be set and remembers the originals. Never throws for a missing or
  /// read-only file; each setting says what happened. Calling it twice does nothing more.
  const std::vector<HostSetting>& apply();

  /// Writes back every changed value (last changed first). Idempotent. Returns one message per
  /// value that could not be written back (empty when all went well).
  std::vector<std::string> restore();

  const std::vector<HostSetting>& settings() const { return settings_; }

  /// One line per setting for the console: "cpu0 governor: powersave -> performance",
  /// "turbo: not available here (no .../intel_pstate/no_turbo nor .../cpufreq/boost)".
  static std::vector<std::string> describe(const std::vector<HostSetting>& settings);

 private:
  SysRoots roots_;
  std::vector<HostSetting> settings_;
  bool applied_ = false;
};

}  // namespace benchgate::platform
