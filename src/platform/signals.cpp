#include "platform/signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace benchgate::platform {

namespace {

constexpr int kMaxGroups = 1024;
std::atomic<int> g_groups[kMaxGroups];
std::atomic<CancelToken*> g_token{nullptr};
std::atomic<int> g_signals_seen{0};

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
struct sigaction g_old[sizeof kSignals / sizeof kSignals[0]];

void on_signal(int sig) {
  const int seen = g_signals_seen.fetch_add(1) + 1;
  CancelToken* token = g_token.load();
  if (seen == 1 && token) {
    token->cancel(sig);
    return;
  }
  // Second signal (or no token): immediate. Kill everything we started, then exit.
  kill_registered_groups();
  ::_exit(130);
}

}  // namespace

void register_process_group(int pgid) noexcept {
  for (auto& slot : g_groups) {
    int expected = 0;
    if (slot.compare_exchange_strong(expected, pgid)) return;
  }
}

void unregister_process_group(int pgid) noexcept {
  for (auto& slot : g_groups) {
    int expected = pgid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

void kill_registered_groups() noexcept {
  for (auto& slot : g_groups) {
    const int pgid = slot.load();
    if (pgid > 0) ::kill(-pgid, SIGKILL);
  }
}

SignalGuard::SignalGuard(CancelToken& token) {
  g_signals_seen = 0;
  g_token = &token;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
    ::sigaction(kSignals[i], &sa, &g_old[i]);
  }
}

SignalGuard::~SignalGuard() {
  for (std::size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) {
    ::sigaction(kSignals[i], &g_old[i], nullptr);
  }
  g_token = nullptr;
}

}  // namespace benchgate::platform
