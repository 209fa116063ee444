// hello-server: a small, fast HTTP/1.1 server, benchgate's example app under test.
//
// One epoll event loop per thread, each with its own SO_REUSEPORT listening socket, so the
// threads share nothing on the hot path (the kernel spreads connections between them). With
// --workers N a master forks N such processes on the same port and only supervises them.
//
// Knobs inject known effects so benchgate can be checked against them: calibrated CPU work per
// request, a response delay (a timer, the thread keeps serving), periodic whole-server stalls,
// memory growth, a crash, a slow start and an exit after N responses.
//
// Only libc, libstdc++ and pthreads; Linux only (epoll, eventfd, signalfd, SO_REUSEPORT).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

constexpr const char* kUsage =
    "usage: hello-server [options]\n"
    "  --host ADDR            address to listen on (default 127.0.0.1)\n"
    "  --port N               port, 0 picks a free one (default 8080)\n"
    "  --threads N            event-loop threads per process (default 1)\n"
    "  --workers N            >0: a master forks N worker processes sharing the port\n"
    "  --work-us X            calibrated CPU busy-work per request, in microseconds\n"
    "  --work-iters N         exact busy-work per request, in loop iterations\n"
    "  --calibration I        iterations per microsecond for --work-us (skips calibrating)\n"
    "  --calibrate            print the measured iterations per microsecond and exit\n"
    "  --work-scale F         multiply the per-request work (1.05 = 5 % slower)\n"
    "  --delay-ms D           respond D ms after the request arrived (non-blocking timer)\n"
    "  --stall-every-ms P     every P ms the whole server pauses for --stall-ms M ms\n"
    "  --stall-ms M\n"
    "  --grow-bytes B         leak B bytes (touched) per request; suffixes K, M, G\n"
    "  --crash-after N        abort() after N responses\n"
    "  --startup-delay-ms S   wait S ms before listening\n"
    "  --exit-after N         exit 0 after N responses\n"
    "endpoints: GET|HEAD /plaintext, /json, /status; anything else is 404\n";

constexpr size_t kMaxHead = 8192;             // request line + headers, larger gets 431 / 414
constexpr size_t kMaxChunkLine = 4096;        // chunk-size and trailer lines
constexpr size_t kReadSize = 64 * 1024;       // one recv() into the loop's buffer
constexpr int kReadBudget = 32;               // recv() calls per connection per wake-up
constexpr size_t kOutHighWater = 1 << 20;     // stop reading while this much output is unsent
constexpr size_t kMaxDelayed = 4096;          // stop reading while this many responses wait
constexpr int64_t kLingerNs = 1'000'000'000;  // read-and-discard after our FIN, at most this
constexpr int kMaxEvents = 256;
constexpr uint32_t kReadUntilEagain = EPOLLIN | EPOLLRDHUP;

// ---------------------------------------------------------------------------------------------
// Options

struct UsageError {
  std::string message;
};

struct Options {
  std::string host = "127.0.0.1";
  unsigned port = 8080;
  unsigned threads = 1;
  unsigned workers = 0;
  std::optional<double> work_us;
  std::optional<uint64_t> work_iters;
  std::optional<double> calibration;
  bool calibrate_only = false;
  double work_scale = 1.0;
  double delay_ms = 0;
  std::optional<double> stall_every_ms;
  std::optional<double> stall_ms;
  uint64_t grow_bytes = 0;
  uint64_t crash_after = 0;
  double startup_delay_ms = 0;
  uint64_t exit_after = 0;
};

std::string quoted(std::string_view v) {
  return "'" + std::string(v) + "'";
}

uint64_t parse_uint(std::string_view opt, std::string_view v, uint64_t lo, uint64_t hi) {
  uint64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || x < lo || x > hi) {
    throw UsageError{std::string(opt) + ": expected an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got " + quoted(v)};
  }
  return x;
}

double parse_double(std::string_view opt, std::string_view v, double lo, double hi,
                    bool lo_inclusive = true) {
  double x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  bool ok = !v.empty() && ec == std::errc() && end == v.data() + v.size() && std::isfinite(x) &&
            (lo_inclusive ? x >= lo : x > lo) && x <= hi;
  if (!ok) {
    char range[96];
    std::snprintf(range, sizeof range, "%c%g, %g]", lo_inclusive ? '[' : '(', lo, hi);
    throw UsageError{std::string(opt) + ": expected a number in " + range + ", got " + quoted(v)};
  }
  return x;
}

// Bytes with an optional binary suffix: 4096, 64K, 1M, 1MiB, 2g.
uint64_t parse_size(std::string_view opt, std::string_view v) {
  uint64_t x = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  std::string suffix(end, v.data() + v.size());
  for (char& ch : suffix)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  int shift = -1;
  if (suffix.empty() || suffix == "b") shift = 0;
  if (suffix == "k" || suffix == "kb" || suffix == "kib") shift = 10;
  if (suffix == "m" || suffix == "mb" || suffix == "mib") shift = 20;
  if (suffix == "g" || suffix == "gb" || suffix == "gib") shift = 30;
  constexpr uint64_t kMax = uint64_t{1} << 30;
  if (v.empty() || ec != std::errc() || end == v.data() || shift < 0 || x > (kMax >> shift)) {
    throw UsageError{std::string(opt) +
                     ": expected a size of at most 1G (e.g. 4096, 64K, 1M), got " + quoted(v)};
  }
  return x << shift;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg.substr(0, 2) != "--") throw UsageError{"unexpected argument " + quoted(arg)};
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    if (name == "--calibrate") {
      if (inline_value) throw UsageError{"--calibrate takes no value"};
      o.calibrate_only = true;
      continue;
    }
    static constexpr std::string_view kValued[] = {
        "--host",       "--port",        "--threads",     "--workers",          "--work-us",
        "--work-iters", "--calibration", "--work-scale",  "--delay-ms",         "--stall-every-ms",
        "--stall-ms",   "--grow-bytes",  "--crash-after", "--startup-delay-ms", "--exit-after"};
    if (std::find(std::begin(kValued), std::end(kValued), name) == std::end(kValued)) {
      throw UsageError{"unknown option " + quoted(name)};
    }
    std::string_view v;
    if (inline_value) {
      v = *inline_value;
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      throw UsageError{std::string(name) + " needs a value"};
    }
    constexpr double kHour = 3600.0 * 1000;
    if (name == "--host") {
      if (v.empty()) throw UsageError{"--host: expected an address, got ''"};
      o.host = v;
    } else if (name == "--port") {
      o.port = static_cast<unsigned>(parse_uint(name, v, 0, 65535));
    } else if (name == "--threads") {
      o.threads = static_cast<unsigned>(parse_uint(name, v, 1, 1024));
    } else if (name == "--workers") {
      o.workers = static_cast<unsigned>(parse_uint(name, v, 0, 1024));
    } else if (name == "--work-us") {
      o.work_us = parse_double(name, v, 0, 10e6);
    } else if (name == "--work-iters") {
      o.work_iters = parse_uint(name, v, 0, uint64_t{1} << 40);
    } else if (name == "--calibration") {
      o.calibration = parse_double(name, v, 0, 1e6, false);
    } else if (name == "--work-scale") {
      o.work_scale = parse_double(name, v, 0, 1000);
    } else if (name == "--delay-ms") {
      o.delay_ms = parse_double(name, v, 0, kHour);
    } else if (name == "--stall-every-ms") {
      o.stall_every_ms = parse_double(name, v, 0, kHour, false);
    } else if (name == "--stall-ms") {
      o.stall_ms = parse_double(name, v, 0, kHour, false);
    } else if (name == "--grow-bytes") {
      o.grow_bytes = parse_size(name, v);
    } else if (name == "--crash-after") {
      o.crash_after = parse_uint(name, v, 1, UINT64_MAX);
    } else if (name == "--startup-delay-ms") {
      o.startup_delay_ms = parse_double(name, v, 0, kHour);
    } else if (name == "--exit-after") {
      o.exit_after = parse_uint(name, v, 1, UINT64_MAX);
    }
  }
  if (o.work_us && o.work_iters) {
    throw UsageError{"--work-us and --work-iters cannot be combined (use one)"};
  }
  if (o.stall_every_ms.has_value() != o.stall_ms.has_value()) {
    throw UsageError{o.stall_ms ? "--stall-ms needs --stall-every-ms"
                                : "--stall-every-ms needs --stall-ms"};
  }
  if (o.stall_ms && *o.stall_ms >= *o.stall_every_ms) {
    throw UsageError{"--stall-ms: must be shorter than --stall-every-ms"};
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Time, busy work, calibration

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void sleep_until_ns(int64_t deadline) {
  timespec ts{static_cast<time_t>(deadline / 1'000'000'000),
              static_cast<long>(deadline % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

// The busy work: a dependent multiply/xor-shift chain. Every step needs the previous result, so
// it cannot be vectorised, overlapped or folded away, and its cost is linear in `iters`.
[[gnu::noinline]] uint64_t spin(uint64_t iters, uint64_t seed) {
  uint64_t x = seed | 1;
  for (uint64_t i = 0; i < iters; ++i) {
    x ^= x >> 29;
    x = x * 0xbf58476d1ce4e5b9ULL + i;
  }
  return x;
}

std::atomic<uint64_t> g_calibration_sink{0};

struct Calibration {
  double iters_per_us;
  double min_rate;
  double max_rate;
  int batches;
  uint64_t batch_iters;
};

// Iterations per microsecond of this thread's CPU time (not wall time, so being preempted on a
// busy machine does not skew it): grow a batch to ~2 ms, then take the median of `batches`.
Calibration calibrate(int batches) {
  auto timed = [](uint64_t n) {
    int64_t t0 = thread_cpu_ns();
    g_calibration_sink.store(spin(n, static_cast<uint64_t>(t0)), std::memory_order_relaxed);
    return static_cast<double>(thread_cpu_ns() - t0) / 1000.0;
  };
  uint64_t n = 1 << 14;
  while (timed(n) < 2000.0 && n < (uint64_t{1} << 36))
    n *= 2;
  std::vector<double> rates;
  for (int b = 0; b < batches; ++b)
    rates.push_back(static_cast<double>(n) / std::max(timed(n), 1e-3));
  std::sort(rates.begin(), rates.end());
  return {rates[rates.size() / 2], rates.front(), rates.back(), batches, n};
}

// ---------------------------------------------------------------------------------------------
// Process-wide configuration and counters

// Per event-loop counters, in memory shared by the master and all workers so /status can report
// the whole server. Each slot has one writer (its loop), hence plain load+store, no lock prefix.
struct alignas(64) Slot {
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> open{0};
};

struct alignas(64) SharedHeader {
  std::atomic<uint64_t> total{0};  // responses across the server, for --crash/exit-after
};

struct Config {
  Options opt;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string addr_text;    // "127.0.0.1:8080" or "[::1]:8080" once the port is known
  uint64_t work_iters = 0;  // per request, after --work-scale
  int64_t delay_ns = 0;
  int64_t stall_every_ns = 0;
  int64_t stall_ns = 0;
  int64_t epoch_ns = 0;  // stall schedule origin, common to all workers
  SharedHeader* shared = nullptr;
  Slot* slots = nullptr;
  unsigned nslots = 0;
  unsigned worker = 0;  // this process's worker index (0 without --workers)
};

Config g_cfg;
std::atomic<bool> g_stop{false};
int g_wake_fd = -1;  // eventfd in every loop's epoll set; written once to stop
pthread_t g_main_thread;
// Head of the --grow-bytes chain of blocks. Process-wide, not per loop: the loops are destroyed
// before the process exits, and a head inside them would leave the blocks unreachable at exit,
// which LeakSanitizer (sanitizer builds, abort_on_error) reports as a leak and turns into
// SIGABRT. The growth stands for memory the app keeps, not for a crash.
std::atomic<void*> g_grown{nullptr};

// Stops this process's loops and wakes the supervising thread (used by --exit-after).
void request_stop() {
  if (g_stop.exchange(true)) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(g_wake_fd, &one, sizeof one);
  pthread_kill(g_main_thread, SIGUSR1);
}

void bump(std::atomic<uint64_t>& counter, int64_t delta = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + static_cast<uint64_t>(delta),
                std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// HTTP request parsing (pure functions)

enum class Kind : uint8_t {
  kPlaintext,
  kJson,
  kStatus,
  kNotFound,
  kMethodNotAllowed,
  kBadRequest,
  kUriTooLong,
  kHeaderTooLarge,
  kNotImplemented,
  kVersionNotSupported,
};

struct Resp {
  Kind kind = Kind::kNotFound;
  bool head = false;           // HEAD: headers only
  bool close = false;          // close the connection after this response
  bool keep_alive_10 = false;  // HTTP/1.0 keep-alive: say so explicitly
};

struct Request {
  Resp resp;
  bool chunked = false;
  bool expect_continue = false;
  uint64_t content_length = 0;
};

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Calls f(token) for each comma-separated, trimmed, non-empty element of a header value.
template <typename F>
void for_each_token(std::string_view v, F f) {
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view tok = trim(v.substr(0, comma));
    if (!tok.empty()) f(tok);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
}

// Length of the request head including its terminating empty line, or 0 if not complete yet.
// Lines end in CRLF or, leniently (RFC 9112 §2.2), a bare LF.
size_t find_head_end(const char* p, size_t n) {
  const char* end = p + n;
  const char* q = p;
  while (q < end) {
    auto* nl = static_cast<const char*>(std::memchr(q, '\n', static_cast<size_t>(end - q)));
    if (nl == nullptr) return 0;
    const char* r = nl + 1;
    if (r < end && *r == '\n') return static_cast<size_t>(r + 1 - p);
    if (r + 1 < end && r[0] == '\r' && r[1] == '\n') return static_cast<size_t>(r + 2 - p);
    q = r;
  }
  return 0;
}

// Next line of `s` starting at `pos` (without its CRLF/LF); advances pos.
std::string_view next_line(std::string_view s, size_t& pos) {
  size_t nl = s.find('\n', pos);
  if (nl == std::string_view::npos) nl = s.size();
  std::string_view line = s.substr(pos, nl - pos);
  pos = nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Kind route(std::string_view method, std::string_view target, bool& head) {
  std::string_view path = target;
  if (!path.empty() && path.front() != '/') {  // absolute-form: http://host:port/path
    size_t scheme = path.find("://");
    size_t slash = scheme == std::string_view::npos ? scheme : path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  path = path.substr(0, path.find_first_of("?#"));
  Kind kind;
  if (path == "/plaintext") {
    kind = Kind::kPlaintext;
  } else if (path == "/json") {
    kind = Kind::kJson;
  } else if (path == "/status") {
    kind = Kind::kStatus;
  } else {
    kind = Kind::kNotFound;
  }
  head = method == "HEAD";
  if (kind != Kind::kNotFound && method != "GET" && !head) return Kind::kMethodNotAllowed;
  return kind;
}

// Parses a complete request head. Protocol errors give an error response that closes.
Request parse_request(std::string_view head) {
  Request req;
  auto fail = [&](Kind k) {
    req = Request{};
    req.resp.kind = k;
    req.resp.close = true;
    return req;
  };
  size_t pos = 0;
  std::string_view line = next_line(head, pos);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(Kind::kBadRequest);
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar) || target.empty()) {
    return fail(Kind::kBadRequest);
  }
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail(Kind::kBadRequest);
  }
  bool http11;
  if (version == "HTTP/1.1") {
    http11 = true;
  } else if (version == "HTTP/1.0") {
    http11 = false;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && std::isdigit(version[5]) &&
             version[6] == '.' && std::isdigit(version[7])) {
    return fail(Kind::kVersionNotSupported);
  } else {
    return fail(Kind::kBadRequest);
  }

  bool conn_close = false;
  bool conn_keep_alive = false;
  bool has_length = false;
  while (pos < head.size()) {
    line = next_line(head, pos);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return fail(Kind::kBadRequest);  // obs-fold
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(Kind::kBadRequest);
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(Kind::kBadRequest);
    std::string_view value = trim(line.substr(colon + 1));
    if (value.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
      return fail(Kind::kBadRequest);
    }
    if (iequals(name, "connection")) {
      for_each_token(value, [&](std::string_view t) {
        if (iequals(t, "close")) conn_close = true;
        if (iequals(t, "keep-alive")) conn_keep_alive = true;
      });
    } else if (iequals(name, "content-length")) {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
          (has_length && n != req.content_length)) {
        return fail(Kind::kBadRequest);
      }
      has_length = true;
      req.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      std::string_view last;
      for_each_token(value, [&](std::string_view t) { last = t; });
      if (!iequals(last, "chunked")) return fail(Kind::kNotImplemented);
      req.chunked = true;
    } else if (iequals(name, "expect")) {
      req.expect_continue = iequals(value, "100-continue");
    }
  }
  // Both framings at once is a request-smuggling pattern: refuse it (RFC 9112 §6.3).
  if (req.chunked && has_length) return fail(Kind::kBadRequest);

  bool keep = http11 ? !conn_close : (conn_keep_alive && !conn_close);
  req.resp.kind = route(method, target, req.resp.head);
  req.resp.close = !keep;
  req.resp.keep_alive_10 = !http11 && keep;
  return req;
}

struct StatusInfo {
  const char* line;
  const char* content_type;
  std::string_view body;
};

StatusInfo status_info(Kind k) {
  switch (k) {
    case Kind::kPlaintext:
      return {"200 OK", "text/plain", "Hello, World!"};
    case Kind::kJson:
      return {"200 OK", "application/json", R"({"message":"Hello, World!"})"};
    case Kind::kStatus:
      return {"200 OK", "application/json", ""};
    case Kind::kNotFound:
      return {"404 Not Found", "text/plain", "Not Found\n"};
    case Kind::kMethodNotAllowed:
      return {"405 Method Not Allowed", "text/plain", "Method Not Allowed\n"};
    case Kind::kBadRequest:
      return {"400 Bad Request", "text/plain", "Bad Request\n"};
    case Kind::kUriTooLong:
      return {"414 URI Too Long", "text/plain", "URI Too Long\n"};
    case Kind::kHeaderTooLarge:
      return {"431 Request Header Fields Too Large", "text/plain",
              "Request Header Fields Too Large\n"};
    case Kind::kNotImplemented:
      return {"501 Not Implemented", "text/plain", "Not Implemented\n"};
    case Kind::kVersionNotSupported:
      return {"505 HTTP Version Not Supported", "text/plain", "HTTP Version Not Supported\n"};
  }
  return {"500 Internal Server Error", "text/plain", ""};
}

// ---------------------------------------------------------------------------------------------
// The event loop

enum class BodyState : uint8_t { kNone, kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailer };

struct Delayed {
  int64_t due;
  Resp resp;
};

struct Conn {
  int fd = -1;
  uint64_t id = 0;
  bool open = false;
  bool closing = false;    // a response will close: read no further requests
  bool peer_eof = false;   // the client sent FIN: answer what we have, then close
  bool lingering = false;  // our FIN is out; discard input until the client closes
  bool throttled = false;  // reading paused by back-pressure
  bool queued = false;     // on the loop's again-list
  BodyState body = BodyState::kNone;
  uint64_t body_left = 0;
  Resp held;        // response of the request whose body is being read
  std::string in;   // unparsed bytes of an incomplete request
  std::string out;  // unsent response bytes, from out_off
  size_t out_off = 0;
  std::deque<Delayed> delayed;  // --delay-ms: responses not yet due, in request order
};

struct Timer {
  int64_t at;
  int fd;
  uint64_t id;
};

class Loop {
 public:
  Loop(unsigned index, int listen_fd, Slot* slot)
      : index_(index), listen_fd_(listen_fd), slot_(slot), rbuf_(new char[kReadSize]) {
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (epfd_ < 0) {
      std::perror("hello-server: epoll_create1");
      std::exit(1);
    }
    add(listen_fd_, EPOLLIN);
    add(g_wake_fd, EPOLLIN);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  ~Loop() {
    for (auto& c : conns_) {
      if (c && c->open) close_conn(*c);
    }
    close(listen_fd_);
    close(epfd_);
    if (spare_fd_ >= 0) close(spare_fd_);
  }

  void run() {
    char name[16];
    std::snprintf(name, sizeof name, "hello-loop-%u", index_);
    pthread_setname_np(pthread_self(), name);
    epoll_event events[kMaxEvents];
    while (!g_stop.load(std::memory_order_relaxed)) {
      int n = wait(events);
      now_ = mono_ns();
      if (g_cfg.stall_every_ns > 0) stall_if_due();
      refresh_date();
      for (int i = 0; i < n && !g_stop.load(std::memory_order_relaxed); ++i) {
        int fd = events[i].data.fd;
        if (fd == listen_fd_) {
          accept_all();
        } else if (fd != g_wake_fd) {
          Conn* c = fd < static_cast<int>(conns_.size()) ? conns_[fd].get() : nullptr;
          if (c != nullptr && c->open) drive(*c, events[i].events);
        }
      }
      run_again_list();
      run_timers();
    }
  }

 private:
  void add(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      std::perror("hello-server: epoll_ctl");
      std::exit(1);
    }
  }

  int wait(epoll_event* events) {
    int64_t next = -1;
    if (!again_.empty()) {
      next = 0;
    } else {
      int64_t at = INT64_MAX;
      if (!delay_q_.empty()) at = delay_q_.front().at;
      if (!linger_q_.empty()) at = std::min(at, linger_q_.front().at);
      if (at != INT64_MAX) next = std::max<int64_t>(0, at - mono_ns());
    }
    int n;
    if (next < 0) {
      n = epoll_wait(epfd_, events, kMaxEvents, -1);
    } else if (use_pwait2_) {
      // Nanosecond timeouts, so --delay-ms is honoured to well under a millisecond.
      timespec ts{static_cast<time_t>(next / 1'000'000'000),
                  static_cast<long>(next % 1'000'000'000)};
      n = epoll_pwait2(epfd_, events, kMaxEvents, &ts, nullptr);
      if (n < 0 && errno == ENOSYS) {
        use_pwait2_ = false;
        return 0;
      }
    } else {
      n = epoll_wait(epfd_, events, kMaxEvents, static_cast<int>((next + 999'999) / 1'000'000));
    }
    return n < 0 ? 0 : n;  // EINTR: just go round
  }

  // --stall-every-ms: stall windows are [k*P, k*P+M) after the common epoch, k >= 1. Every loop
  // of every worker sleeps through the same window, so no connection makes progress.
  void stall_if_due() {
    int64_t t = now_ - g_cfg.epoch_ns;
    int64_t k = t / g_cfg.stall_every_ns;
    if (k < 1 || t - k * g_cfg.stall_every_ns >= g_cfg.stall_ns) return;
    sleep_until_ns(g_cfg.epoch_ns + k * g_cfg.stall_every_ns + g_cfg.stall_ns);
    now_ = mono_ns();
  }

  void refresh_date() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    if (ts.tv_sec == date_sec_) return;
    date_sec_ = ts.tv_sec;
    tm t{};
    gmtime_r(&date_sec_, &t);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &t);
    date_ = buf;
    cached_plain_.clear();
    cached_json_.clear();
    append_response(cached_plain_, Resp{Kind::kPlaintext}, status_info(Kind::kPlaintext).body);
    append_response(cached_json_, Resp{Kind::kJson}, status_info(Kind::kJson).body);
  }

  void accept_all() {
    for (int i = 0; i < 64; ++i) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
          // Out of descriptors: accept and drop one connection with the reserved descriptor, or
          // the level-triggered listener would spin.
          close(spare_fd_);
          int victim = accept(listen_fd_, nullptr, nullptr);
          if (victim >= 0) close(victim);
          spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        return;
      }
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (fd >= static_cast<int>(conns_.size())) conns_.resize(static_cast<size_t>(fd) + 64);
      if (!conns_[fd]) conns_[fd] = std::make_unique<Conn>();
      Conn& c = *conns_[fd];
      c.fd = fd;
      c.id = ++next_id_;
      c.open = true;
      add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
      bump(slot_->accepted);
      bump(slot_->open);
    }
  }

  Conn* find(int fd, uint64_t id) {
    if (fd < 0 || fd >= static_cast<int>(conns_.size()) || !conns_[fd]) return nullptr;
    Conn* c = conns_[fd].get();
    return c->open && c->id == id ? c : nullptr;
  }

  // Makes progress on one connection: send, then read and answer until the socket is drained,
  // back-pressure applies, or the request budget is spent (then it goes on the again-list).
  // `ev` is the epoll readiness being handled; the default means "unknown, read until EAGAIN".
  void drive(Conn& c, uint32_t ev = kReadUntilEagain) {
    if (!flush(c)) return close_conn(c);
    if (c.lingering) return linger(c);
    // Epoll reports the socket's current readiness, so without EPOLLIN there is nothing to read
    // (a pure EPOLLOUT edge: output drained) unless we stopped reading under back-pressure.
    bool readable = (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 || c.throttled;
    // With edge triggering a short read means the socket is drained: any later data, or a FIN,
    // raises a new edge. Skipping the recv() that would return EAGAIN saves a system call per
    // request. Not when a FIN is already signalled, as no further edge would report it.
    bool short_read_drains = (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0;
    c.throttled = false;
    int budget = kReadBudget;
    while (readable && !c.closing && !c.peer_eof) {
      if (c.out.size() - c.out_off > kOutHighWater || c.delayed.size() >= kMaxDelayed) {
        c.throttled = true;  // resumed by EPOLLOUT or by the delay timer
        return;
      }
      if (budget-- == 0) return enqueue_again(c);
      ssize_t n = recv(c.fd, rbuf_.get(), kReadSize, 0);
      if (n > 0) {
        on_data(c, rbuf_.get(), static_cast<size_t>(n));
        if (!flush(c)) return close_conn(c);
        if (g_stop.load(std::memory_order_relaxed)) return;
        if (short_read_drains && static_cast<size_t>(n) < kReadSize) break;
      } else if (n == 0) {
        c.peer_eof = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else {
        return close_conn(c);  // ECONNRESET and friends
      }
    }
    finish_if_done(c);
  }

  void enqueue_again(Conn& c) {
    if (c.queued) return;
    c.queued = true;
    again_.push_back({0, c.fd, c.id});
  }

  void run_again_list() {
    if (again_.empty()) return;
    std::vector<Timer> list;
    list.swap(again_);
    for (const Timer& t : list) {
      if (Conn* c = find(t.fd, t.id)) {
        c->queued = false;
        drive(*c);
      }
    }
  }

  void run_timers() {
    if (delay_q_.empty() && linger_q_.empty()) return;
    now_ = mono_ns();
    while (!delay_q_.empty() && delay_q_.front().at <= now_) {
      Timer t = delay_q_.front();
      delay_q_.pop_front();
      Conn* c = find(t.fd, t.id);
      if (c == nullptr) continue;
      bool rendered = false;
      while (!c->delayed.empty() && c->delayed.front().due <= now_) {
        Resp r = c->delayed.front().resp;
        c->delayed.pop_front();
        render(*c, r);
        rendered = true;
      }
      if (!rendered) continue;
      if (!flush(*c)) {
        close_conn(*c);
      } else if (c->throttled || c->closing || c->peer_eof) {
        drive(*c);
      }
    }
    while (!linger_q_.empty() && linger_q_.front().at <= now_) {
      Timer t = linger_q_.front();
      linger_q_.pop_front();
      if (Conn* c = find(t.fd, t.id); c != nullptr && c->lingering) close_conn(*c);
    }
  }

  void on_data(Conn& c, const char* p, size_t n) {
    if (c.in.empty()) {
      size_t used = consume(c, p, n);
      if (used < n && !c.closing) c.in.assign(p + used, n - used);
    } else {
      c.in.append(p, n);
      size_t used = consume(c, c.in.data(), c.in.size());
      if (c.closing) {
        c.in.clear();
      } else {
        c.in.erase(0, used);
      }
    }
  }

  // Parses and answers as many complete requests as `p` holds; returns the bytes used.
  size_t consume(Conn& c, const char* p, size_t n) {
    size_t pos = 0;
    while (pos < n && !c.closing) {
      if (c.body != BodyState::kNone) {
        bool bad = false;
        pos += skip_body(c, p + pos, n - pos, bad);
        if (bad) {
          c.body = BodyState::kNone;
          emit(c, Resp{Kind::kBadRequest, false, true});
          break;
        }
        if (c.body != BodyState::kNone) break;  // need more
        emit(c, c.held);
        continue;
      }
      // Tolerate empty lines before a request (RFC 9112 §2.2), e.g. a CRLF after a body.
      if (p[pos] == '\r' || p[pos] == '\n') {
        if (p[pos] == '\n' || (pos + 1 < n && p[pos + 1] == '\n')) {
          pos += p[pos] == '\n' ? 1 : 2;
          continue;
        }
        if (pos + 1 == n) break;
      }
      size_t avail = n - pos;
      size_t len = find_head_end(p + pos, std::min(avail, kMaxHead));
      if (len == 0) {
        if (avail < kMaxHead) break;  // need more
        bool line_done = std::memchr(p + pos, '\n', kMaxHead) != nullptr;
        emit(c, Resp{line_done ? Kind::kHeaderTooLarge : Kind::kUriTooLong, false, true});
        break;
      }
      Request req = parse_request(std::string_view(p + pos, len));
      pos += len;
      if (req.chunked) {
        c.body = BodyState::kChunkSize;
      } else if (req.content_length > 0) {
        c.body = BodyState::kLength;
        c.body_left = req.content_length;
      }
      if (c.body == BodyState::kNone) {
        emit(c, req.resp);
      } else {
        c.held = req.resp;
        if (req.expect_continue && c.delayed.empty()) c.out.append("HTTP/1.1 100 Continue\r\n\r\n");
      }
    }
    return pos;
  }

  // Discards request body bytes (Content-Length or chunked); returns the bytes used.
  size_t skip_body(Conn& c, const char* p, size_t n, bool& bad) {
    size_t i = 0;
    while (i < n && c.body != BodyState::kNone) {
      if (c.body == BodyState::kLength || c.body == BodyState::kChunkData) {
        size_t k = static_cast<size_t>(std::min<uint64_t>(c.body_left, n - i));
        i += k;
        c.body_left -= k;
        if (c.body_left == 0) {
          c.body = c.body == BodyState::kLength ? BodyState::kNone : BodyState::kChunkDataEnd;
        }
        continue;
      }
      auto* nl = static_cast<const char*>(std::memchr(p + i, '\n', n - i));
      if (nl == nullptr) {
        bad = n - i > kMaxChunkLine;
        return i;
      }
      std::string_view line(p + i, static_cast<size_t>(nl - (p + i)));
      i = static_cast<size_t>(nl - p) + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > kMaxChunkLine) {
        bad = true;
        return i;
      }
      if (c.body == BodyState::kChunkDataEnd) {
        if (!line.empty()) {
          bad = true;
          return i;
        }
        c.body = BodyState::kChunkSize;
      } else if (c.body == BodyState::kChunkSize) {
        std::string_view hex = trim(line.substr(0, line.find(';')));
        uint64_t size = 0;
        auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
        if (hex.empty() || hex.size() > 15 || ec != std::errc() || end != hex.data() + hex.size()) {
          bad = true;
          return i;
        }
        c.body_left = size;
        c.body = size == 0 ? BodyState::kTrailer : BodyState::kChunkData;
      } else if (line.empty()) {  // kTrailer: an empty line ends the message
        c.body = BodyState::kNone;
      }
    }
    return i;
  }

  // A complete request: do its work, then answer now or when its delay is due.
  void emit(Conn& c, const Resp& r) {
    if (r.close) c.closing = true;
    bool protocol_error = r.kind >= Kind::kBadRequest;
    if (!protocol_error) {
      if (g_cfg.work_iters > 0) sink_ = spin(g_cfg.work_iters, sink_ + c.id);
      if (g_cfg.opt.grow_bytes > 0) grow();
    }
    if (g_cfg.delay_ns > 0) {
      int64_t due = now_ + g_cfg.delay_ns;
      c.delayed.push_back({due, r});
      delay_q_.push_back({due, c.fd, c.id});  // constant delay: the queue stays sorted
    } else {
      render(c, r);
    }
  }

  // Not inlined, so a heap profiler (benchgate --profile massif) names this function as the
  // allocation site of the growth rather than the request loop it would be inlined into.
  [[gnu::noinline]] void grow() {
    size_t n = std::max<size_t>(g_cfg.opt.grow_bytes, sizeof(void*));
    auto* block = static_cast<unsigned char*>(std::malloc(n));
    if (block == nullptr) return;
    std::memset(block, 0xa5, n);  // touch every page, so RSS really grows
    // Keep it reachable: each block starts with the previous head.
    void* head = g_grown.load(std::memory_order_relaxed);
    do {
      std::memcpy(block, &head, sizeof head);
    } while (!g_grown.compare_exchange_weak(head, block, std::memory_order_release,
                                            std::memory_order_relaxed));
  }

  void append_response(std::string& out, const Resp& r, std::string_view body) {
    StatusInfo s = status_info(r.kind);
    char len[24];
    auto [end, ec] = std::to_chars(len, len + sizeof len, body.size());
    out.append("HTTP/1.1 ").append(s.line);
    out.append("\r\nServer: hello-server\r\nDate: ").append(date_);
    out.append("\r\nContent-Type: ").append(s.content_type);
    out.append("\r\nContent-Length: ").append(len, end);
    if (r.kind == Kind::kMethodNotAllowed) out.append("\r\nAllow: GET, HEAD");
    if (r.close) {
      out.append("\r\nConnection: close");
    } else if (r.keep_alive_10) {
      out.append("\r\nConnection: keep-alive");
    }
    out.append("\r\n\r\n");
    if (!r.head) out.append(body);
  }

  std::string status_json() {
    uint64_t total = 0;
    uint64_t mine = 0;
    uint64_t open = 0;
    unsigned first = g_cfg.worker * g_cfg.opt.threads;
    for (unsigned i = 0; i < g_cfg.nslots; ++i) {
      uint64_t r = g_cfg.slots[i].responses.load(std::memory_order_relaxed);
      total += r;
      if (i >= first && i < first + g_cfg.opt.threads) {
        mine += r;
        open += g_cfg.slots[i].open.load(std::memory_order_relaxed);
      }
    }
    char buf[512];
    int n = std::snprintf(
        buf, sizeof buf,
        "{\"pid\":%d,\"worker\":%u,\"workers\":%u,\"threads\":%u,\"requests\":%llu,"
        "\"process_requests\":%llu,\"open_connections\":%llu,\"work_iters\":%llu,"
        "\"uptime_s\":%.3f}",
        static_cast<int>(getpid()), g_cfg.worker, g_cfg.opt.workers, g_cfg.opt.threads,
        static_cast<unsigned long long>(total), static_cast<unsigned long long>(mine),
        static_cast<unsigned long long>(open), static_cast<unsigned long long>(g_cfg.work_iters),
        static_cast<double>(mono_ns() - g_cfg.epoch_ns) / 1e9);
    return std::string(buf, static_cast<size_t>(std::max(n, 0)));
  }

  // Appends the response bytes and counts it; --crash-after / --exit-after act here.
  void render(Conn& c, const Resp& r) {
    bool plain = !r.head && !r.close && !r.keep_alive_10;
    if (plain && r.kind == Kind::kPlaintext) {
      c.out.append(cached_plain_);
    } else if (plain && r.kind == Kind::kJson) {
      c.out.append(cached_json_);
    } else if (r.kind == Kind::kStatus) {
      append_response(c.out, r, status_json());
    } else {
      append_response(c.out, r, status_info(r.kind).body);
    }
    bump(slot_->responses);
    if (g_cfg.opt.crash_after == 0 && g_cfg.opt.exit_after == 0) return;
    uint64_t n = g_cfg.shared->total.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n == g_cfg.opt.crash_after) {
      flush(c);
      std::fprintf(stderr, "hello-server: pid=%d aborting after %llu responses (--crash-after)\n",
                   static_cast<int>(getpid()), static_cast<unsigned long long>(n));
      std::abort();
    }
    if (n == g_cfg.opt.exit_after) {
      flush(c);
      request_stop();
    }
  }

  // Sends pending output; false if the connection failed.
  bool flush(Conn& c) {
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;  // EPOLLOUT (edge) will call drive() again
      } else {
        return false;
      }
    }
    c.out.clear();
    c.out_off = 0;
    if (c.out.capacity() > 256 * 1024) std::string().swap(c.out);
    return true;
  }

  // No more requests will be read: close once everything owed has been sent.
  void finish_if_done(Conn& c) {
    if (c.out_off < c.out.size() || !c.delayed.empty()) return;
    if (c.peer_eof) return close_conn(c);
    if (c.closing && !c.lingering) {
      // Half-close and drain before close(): closing with unread input would send a RST that
      // can destroy the response still in flight to the client.
      shutdown(c.fd, SHUT_WR);
      c.lingering = true;
      linger_q_.push_back({now_ + kLingerNs, c.fd, c.id});
      linger(c);
    }
  }

  void linger(Conn& c) {
    for (int i = 0; i < kReadBudget; ++i) {
      ssize_t n = recv(c.fd, rbuf_.get(), kReadSize, 0);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      return close_conn(c);  // EOF or error
    }
    enqueue_again(c);
  }

  void close_conn(Conn& c) {
    close(c.fd);
    c.open = c.closing = c.peer_eof = c.lingering = c.throttled = c.queued = false;
    c.body = BodyState::kNone;
    c.body_left = 0;
    c.out_off = 0;
    c.delayed.clear();
    if (c.in.capacity() > 64 * 1024) std::string().swap(c.in);
    if (c.out.capacity() > 64 * 1024) std::string().swap(c.out);
    c.in.clear();
    c.out.clear();
    bump(slot_->open, -1);
  }

  unsigned index_;
  int epfd_ = -1;
  int listen_fd_;
  int spare_fd_ = -1;
  Slot* slot_;
  int64_t now_ = 0;
  uint64_t next_id_ = 0;
  bool use_pwait2_ = true;
  std::vector<std::unique_ptr<Conn>> conns_;  // indexed by fd
  std::deque<Timer> delay_q_;
  std::deque<Timer> linger_q_;
  std::vector<Timer> again_;
  std::unique_ptr<char[]> rbuf_;
  time_t date_sec_ = 0;
  std::string date_;
  std::string cached_plain_;
  std::string cached_json_;
  volatile uint64_t sink_ = 0;  // the busy work's result: stored, so it cannot be elided
};

// ---------------------------------------------------------------------------------------------
// Sockets and processes

[[noreturn]] void die(const std::string& message, int code = 1) {
  std::fprintf(stderr, "hello-server: %s\n", message.c_str());
  std::exit(code);
}

std::string errno_text() {
  return std::strerror(errno);
}

void resolve_host(Config& cfg) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(cfg.opt.host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    throw UsageError{"--host: cannot resolve " + quoted(cfg.opt.host) + ": " + gai_strerror(rc)};
  }
  std::memcpy(&cfg.addr, res->ai_addr, res->ai_addrlen);
  cfg.addr_len = res->ai_addrlen;
  freeaddrinfo(res);
}

void set_port(Config& cfg, unsigned port) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (cfg.addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&cfg.addr);
    a->sin6_port = htons(static_cast<uint16_t>(port));
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    cfg.addr_text = "[" + std::string(host) + "]:" + std::to_string(port);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&cfg.addr);
    a->sin_port = htons(static_cast<uint16_t>(port));
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    cfg.addr_text = std::string(host) + ":" + std::to_string(port);
  }
}

int bound_socket(const Config& cfg, bool reuseport) {
  int fd = socket(cfg.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: " + errno_text());
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&cfg.addr), cfg.addr_len) != 0) {
    die("cannot listen on " + cfg.addr_text + ": " + errno_text());
  }
  return fd;
}

// Claims the address before the SO_REUSEPORT listeners exist. A plain bind fails if anything
// already listens there (SO_REUSEPORT alone would silently share the port with another
// instance) and resolves --port 0. The returned socket is bound with SO_REUSEPORT but never
// listens, so it receives no connections; it holds the port until the listeners are up.
int reserve_port(Config& cfg) {
  set_port(cfg, cfg.opt.port);
  int probe = bound_socket(cfg, false);
  sockaddr_storage actual{};
  socklen_t len = sizeof actual;
  getsockname(probe, reinterpret_cast<sockaddr*>(&actual), &len);
  unsigned port =
      ntohs(actual.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&actual)->sin6_port
                                         : reinterpret_cast<sockaddr_in*>(&actual)->sin_port);
  close(probe);
  set_port(cfg, port);
  return bound_socket(cfg, true);
}

int listening_socket(const Config& cfg) {
  int fd = bound_socket(cfg, true);
  if (listen(fd, 4096) != 0) die("listen on " + cfg.addr_text + ": " + errno_text());
  return fd;
}

sigset_t supervised_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGCHLD);
  return set;
}

std::string signal_name(int sig) {
  const char* name = sigabbrev_np(sig);
  return name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

// Runs the event loops of one process until SIGTERM/SIGINT or --exit-after. The calling thread
// only waits for signals. `ready_fd` (workers) gets one byte once every loop listens.
int serve(unsigned worker, int reserve_fd, int ready_fd, bool log) {
  g_cfg.worker = worker;
  g_main_thread = pthread_self();
  g_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (g_wake_fd < 0) die("eventfd: " + errno_text());
  std::vector<std::unique_ptr<Loop>> loops;
  for (unsigned i = 0; i < g_cfg.opt.threads; ++i) {
    loops.push_back(std::make_unique<Loop>(i, listening_socket(g_cfg),
                                           &g_cfg.slots[worker * g_cfg.opt.threads + i]));
  }
  if (reserve_fd >= 0) close(reserve_fd);
  std::vector<std::thread> threads;
  for (auto& loop : loops)
    threads.emplace_back([l = loop.get()] { l->run(); });
  if (ready_fd >= 0) {
    [[maybe_unused]] ssize_t n = write(ready_fd, "r", 1);
    close(ready_fd);
  }
  if (log) {
    std::fprintf(stderr, "hello-server listening on %s pid=%d threads=%u workers=%u\n",
                 g_cfg.addr_text.c_str(), static_cast<int>(getpid()), g_cfg.opt.threads,
                 g_cfg.opt.workers);
  }
  sigset_t set = supervised_signals();
  int sig = 0;
  while (!g_stop.load()) {
    siginfo_t info{};
    sig = sigwaitinfo(&set, &info);
    if (sig == SIGTERM || sig == SIGINT || sig == SIGUSR1) break;
  }
  g_stop.store(true);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(g_wake_fd, &one, sizeof one);
  for (auto& t : threads)
    t.join();
  loops.clear();
  if (log) {
    uint64_t served = 0;
    for (unsigned i = 0; i < g_cfg.opt.threads; ++i) {
      served += g_cfg.slots[worker * g_cfg.opt.threads + i].responses.load();
    }
    std::fprintf(stderr, "hello-server pid=%d exiting (%s) after %llu responses\n",
                 static_cast<int>(getpid()),
                 sig == SIGUSR1 ? "--exit-after" : signal_name(sig).c_str(),
                 static_cast<unsigned long long>(served));
  }
  return 0;
}

// --workers N: fork the workers, print the listening line once all listen, then wait. A worker
// that dies on its own ends the whole server: the others get SIGTERM and the master exits with
// the worker's code (128+signal if it was killed), so a crash is never hidden.
int run_master(int reserve_fd) {
  const unsigned n = g_cfg.opt.workers;
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) die("pipe: " + errno_text());
  pid_t master = getpid();
  std::vector<pid_t> pids;
  for (unsigned i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid < 0) die("fork: " + errno_text());
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the master
      if (getppid() != master) _exit(1);
      close(ready[0]);
      int rc = serve(i, reserve_fd, ready[1], false);
      std::fflush(nullptr);
      _exit(rc);
    }
    pids.push_back(pid);
  }
  close(ready[1]);
  sigset_t set = supervised_signals();
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) die("signalfd: " + errno_text());

  unsigned ready_count = 0;
  unsigned alive = n;
  int exit_code = -1;   // set once the server is going down
  int64_t kill_at = 0;  // SIGKILL stragglers after this
  auto stop_all = [&](int code) {
    if (exit_code >= 0) return;
    exit_code = code;
    for (pid_t p : pids) {
      if (p > 0) kill(p, SIGTERM);
    }
    kill_at = mono_ns() + 5'000'000'000LL;
  };
  while (alive > 0) {
    pollfd fds[2] = {{sfd, POLLIN, 0}, {ready[0], POLLIN, 0}};
    int timeout = exit_code >= 0 ? 100 : -1;
    int nfds = ready[0] >= 0 ? 2 : 1;
    if (poll(fds, static_cast<nfds_t>(nfds), timeout) < 0 && errno != EINTR)
      die("poll: " + errno_text());
    if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      char buf[64];
      ssize_t got = read(ready[0], buf, sizeof buf);
      if (got > 0) ready_count += static_cast<unsigned>(got);
      if (got <= 0 || ready_count >= n) {
        close(ready[0]);
        ready[0] = -1;
      }
      if (ready_count == n) {
        close(reserve_fd);
        reserve_fd = -1;
        std::fprintf(stderr, "hello-server listening on %s pid=%d threads=%u workers=%u\n",
                     g_cfg.addr_text.c_str(), static_cast<int>(master), g_cfg.opt.threads, n);
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo si{};
      if (read(sfd, &si, sizeof si) == sizeof si) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGTERM || sig == SIGINT) {
          if (exit_code < 0) {
            std::fprintf(stderr, "hello-server pid=%d exiting (%s), stopping %u workers\n",
                         static_cast<int>(master), signal_name(sig).c_str(), alive);
          }
          stop_all(0);
        }
      }
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = std::find(pids.begin(), pids.end(), pid);
      if (it == pids.end()) continue;
      *it = -1;
      --alive;
      bool expected = exit_code >= 0;
      if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        std::fprintf(stderr, "hello-server: worker %ld pid=%d killed by signal %d (%s)\n",
                     static_cast<long>(it - pids.begin()), static_cast<int>(pid), sig,
                     signal_name(sig).c_str());
        if (!expected) stop_all(128 + sig);
        if (expected && exit_code == 0 && sig != SIGKILL) exit_code = 128 + sig;
      } else if (WIFEXITED(status) && (WEXITSTATUS(status) != 0 || !expected)) {
        std::fprintf(stderr, "hello-server: worker %ld pid=%d exited with status %d\n",
                     static_cast<long>(it - pids.begin()), static_cast<int>(pid),
                     WEXITSTATUS(status));
        if (!expected) stop_all(WEXITSTATUS(status));
        if (expected && exit_code == 0) exit_code = WEXITSTATUS(status);
      }
    }
    if (exit_code >= 0 && alive > 0 && mono_ns() > kill_at) {
      for (pid_t p : pids) {
        if (p > 0) kill(p, SIGKILL);
      }
    }
  }
  return exit_code < 0 ? 1 : exit_code;
}

void setup_shared(Config& cfg) {
  cfg.nslots = cfg.opt.threads * std::max(1u, cfg.opt.workers);
  size_t bytes = sizeof(SharedHeader) + sizeof(Slot) * cfg.nslots;
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) die("mmap: " + errno_text());
  cfg.shared = new (mem) SharedHeader;
  cfg.slots = reinterpret_cast<Slot*>(static_cast<char*>(mem) + sizeof(SharedHeader));
  for (unsigned i = 0; i < cfg.nslots; ++i)
    new (&cfg.slots[i]) Slot;
}

int run(int argc, char** argv) {
  try {
    g_cfg.opt = parse_options(argc, argv);
    if (!g_cfg.opt.calibrate_only) resolve_host(g_cfg);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "hello-server: %s\nTry 'hello-server --help'.\n", e.message.c_str());
    return 2;
  }
  Options& o = g_cfg.opt;

  signal(SIGPIPE, SIG_IGN);
  sigset_t set = supervised_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread and worker

  if (o.calibrate_only) {
    Calibration cal = calibrate(31);
    std::printf("%.3f\n", cal.iters_per_us);
    return 0;
  }
  double base = 0;
  if (o.work_iters) {
    base = static_cast<double>(*o.work_iters);
  } else if (o.work_us && *o.work_us > 0) {
    if (!o.calibration) {
      Calibration cal = calibrate(15);
      std::fprintf(stderr,
                   "hello-server: calibration %.3f iterations/us (median of %d batches of %llu "
                   "iterations, range %.3f..%.3f)\n",
                   cal.iters_per_us, cal.batches, static_cast<unsigned long long>(cal.batch_iters),
                   cal.min_rate, cal.max_rate);
      o.calibration = cal.iters_per_us;
    }
    base = *o.work_us * *o.calibration;
  }
  g_cfg.work_iters = static_cast<uint64_t>(std::llround(base * o.work_scale));
  if (g_cfg.work_iters > 0) {
    std::fprintf(stderr, "hello-server: busy work %llu iterations per request\n",
                 static_cast<unsigned long long>(g_cfg.work_iters));
  }
  g_cfg.delay_ns = std::llround(o.delay_ms * 1e6);
  if (o.stall_every_ms) {
    g_cfg.stall_every_ns = std::llround(*o.stall_every_ms * 1e6);
    g_cfg.stall_ns = std::llround(*o.stall_ms * 1e6);
  }

  if (o.startup_delay_ms > 0) {
    // Slow start, but a SIGTERM/SIGINT meanwhile still ends the process cleanly.
    int64_t ns = std::llround(o.startup_delay_ms * 1e6);
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    int64_t deadline = mono_ns() + ns;
    while (true) {
      int sig = sigtimedwait(&stop, nullptr, &ts);
      if (sig == SIGTERM || sig == SIGINT) return 0;
      int64_t left = deadline - mono_ns();
      if (left <= 0) break;
      ts = {static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
    }
  }

  int reserve_fd = reserve_port(g_cfg);
  g_cfg.epoch_ns = mono_ns();
  setup_shared(g_cfg);
  if (o.workers > 0) return run_master(reserve_fd);
  return serve(0, reserve_fd, -1, true);
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv);
}
