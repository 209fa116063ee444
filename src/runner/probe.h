#pragma once
// One-shot HTTP(S) probe used for the pre-flight check ("does something already answer at
// this URL?") and for readiness polling. Blocking, with a deadline; certificate checks off
// unless asked (test servers use self-signed certificates, as the old harness's curl -k).

#include <string>

#include "core/clock.h"
#include "core/url.h"

namespace benchgate::runner {

struct ProbeResult {
  bool connected = false;  ///< TCP (and TLS) connection established
  bool answered = false;   ///< a complete HTTP status line and headers arrived
  int status = 0;          ///< HTTP status code when answered
  std::string error;       ///< why not answered ("connection refused", "timed out", ...)
};

/// Sends `GET target` and reads the status line and headers (the body is not awaited). Every
/// wait ends at now + timeout on `clock` (the runner's injected one).
ProbeResult probe_url(const Url& url, Nanos timeout, bool tls_verify, Clock& clock);

}  // namespace benchgate::runner
