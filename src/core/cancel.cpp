#include "core/cancel.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace benchgate {

CancelToken::CancelToken() {
  if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
}

CancelToken::~CancelToken() {
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

void CancelToken::cancel(int signal_number) noexcept {
  if (signal_number != 0) signal_.store(signal_number, std::memory_order_relaxed);
  if (!cancelled_.exchange(true, std::memory_order_acq_rel)) {
    const char c = 'x';
    // The pipe stays readable forever once written, waking every poller.
    [[maybe_unused]] auto n = ::write(pipe_[1], &c, 1);
  }
}

bool CancelToken::wait(int timeout_ms) const {
  if (cancelled()) return true;
  pollfd p{pipe_[0], POLLIN, 0};
  while (::poll(&p, 1, timeout_ms) < 0 && errno == EINTR) {
  }
  return cancelled();
}

}  // namespace benchgate
