#pragma once
// Signals → cancel token. install() routes SIGINT/SIGTERM/SIGQUIT/SIGHUP to a CancelToken
// (self-pipe, async-signal-safe). A second signal is immediate: the handler SIGKILLs every
// registered process group and _exit(130)s, so nothing benchgate started is left behind even
// if the orderly shutdown hangs.

#include "core/cancel.h"

namespace benchgate::platform {

class SignalGuard {
 public:
  /// Installs the handlers for the lifetime of this object; restores the old ones after.
  explicit SignalGuard(CancelToken& token);
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

/// Process groups to SIGKILL on a second signal (or on a fatal error path). Lock-free, fixed
/// capacity; async-signal-safe to read. Subprocess registers its group here.
void register_process_group(int pgid) noexcept;
void unregister_process_group(int pgid) noexcept;
/// SIGKILLs every registered group (async-signal-safe).
void kill_registered_groups() noexcept;

}  // namespace benchgate::platform
