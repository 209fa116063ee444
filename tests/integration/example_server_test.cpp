// The example app, examples/hello-server, driven as a real child process over raw sockets.
//
// Every server listens on --port 0 (the kernel picks a free port, read back from its
// "listening on" line), runs in its own process group and is SIGKILLed with its group by an
// RAII guard, so a failing assertion never leaves a server behind.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "processes.h"
#include "test_support.h"

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

std::string server_binary() {
  return std::string(BENCHGATE_BINARY_DIR) + "/examples/hello-server";
}

// A hello-server child: stdout and stderr captured through pipes, its own process group.
class Server {
 public:
  // Starts the server; unless `wait_listening` is false, waits for its "listening on" line.
  explicit Server(std::vector<std::string> args, bool wait_listening = true) {
    start(args);
    if (wait_listening) {
      EXPECT_TRUE(wait_for_listening(5s)) << "stderr: " << err_;
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  ~Server() {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);  // the whole group: workers too
      if (!reaped_) waitpid(pid_, &status_, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& err() const { return err_; }
  const std::string& out() const { return out_; }
  void signal(int sig) const { kill(pid_, sig); }

  bool wait_for_listening(std::chrono::milliseconds timeout) {
    static const std::regex kLine(R"(hello-server listening on 127\.0\.0\.1:(\d+) pid=(\d+) )");
    auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      std::smatch m;
      if (std::regex_search(err_, m, kLine)) {
        port_ = std::stoi(m[1]);
        EXPECT_EQ(std::stoi(m[2]), pid_);
        return true;
      }
      if (!pump(20ms) && exited()) return false;
    }
    return false;
  }

  // Waits for the exit; the raw wait status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = SteadyClock::now() + timeout;
    while (!exited()) {
      if (SteadyClock::now() > deadline) return std::nullopt;
      pump(10ms);
    }
    while (pump(0ms)) {
    }
    return status_;
  }

 private:
  void start(const std::vector<std::string>& args) {
    std::vector<std::string> full = {server_binary()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    int err[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
    pid_ = fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      setpgid(0, 0);
      rlimit no_core{0, 0};
      setrlimit(RLIMIT_CORE, &no_core);  // --crash-after must not litter core files
      dup2(out[1], 1);
      dup2(err[1], 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // also from here, so the group exists before we ever signal it
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }

  bool exited() {
    if (!reaped_ && waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
    return reaped_;
  }

  // Reads what the child wrote; true if anything arrived.
  bool pump(std::chrono::milliseconds timeout) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    if (poll(fds, 2, static_cast<int>(timeout.count())) <= 0) return false;
    bool got = false;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? out_ : err_).append(buf, static_cast<size_t>(n));
        got = true;
      }
    }
    return got;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int port_ = 0;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_;
  std::string err_;
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A blocking client socket with a receive timeout, reading responses off a buffer.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{3, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }

  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // The next response; `head` for a HEAD request (no body despite Content-Length).
  std::optional<Response> read(bool head = false) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    Response r;
    std::istringstream lines(buf_.substr(0, end));
    std::string line;
    std::getline(lines, line);
    if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::atoi(line.c_str() + 9);
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[lower(line.substr(0, colon))] = v == std::string::npos ? "" : line.substr(v);
    }
    buf_.erase(0, end + 4);
    size_t length =
        head ? 0
             : std::stoul(r.header("content-length").empty() ? "0" : r.header("content-length"));
    while (buf_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True if the server closed the connection (EOF or reset) with nothing left unread.
  bool closed_by_peer() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  const std::string& buffered() const { return buf_; }

 private:
  bool fill() {
    char tmp[16384];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

std::optional<Response> fetch(int port, const std::string& path) {
  Client c(port);
  if (!c.connected() || !c.send(get(path))) return std::nullopt;
  return c.read();
}

std::vector<pid_t> children_of(pid_t parent) {
  return benchgate::testing::live_children(parent);
}

long rss_kib(pid_t pid) {
  auto st = benchgate::platform::ProcReader().read_status(pid);
  return st ? static_cast<long>(st->vm_rss / 1024) : -1;
}

double cpu_seconds(pid_t pid) {
  auto st = benchgate::platform::ProcReader().read_stat(pid);
  if (!st) return -1;
  return static_cast<double>(st->utime + st->stime) /
         static_cast<double>(benchgate::platform::ProcReader::clock_ticks());
}

bool process_exists(pid_t pid) {
  return access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0;
}

#define EXPECT_EXITED_WITH(status_opt, code)                             \
  do {                                                                   \
    auto _s = (status_opt);                                              \
    ASSERT_TRUE(_s.has_value()) << "did not exit in time";               \
    ASSERT_TRUE(WIFEXITED(*_s)) << "killed by signal " << WTERMSIG(*_s); \
    EXPECT_EQ(WEXITSTATUS(*_s), (code));                                 \
  } while (0)

// ---------------------------------------------------------------------------------------------
// HTTP behaviour

TEST(ExampleServer, ServesPlaintextAndJson) {
  Server s({"--port", "0"});
  auto plain = fetch(s.port(), "/plaintext");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->header("content-type"), "text/plain");
  EXPECT_EQ(plain->header("content-length"), "13");
  EXPECT_EQ(plain->body, "Hello, World!");
  EXPECT_FALSE(plain->header("date").empty());

  auto json = fetch(s.port(), "/json?x=1");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);
  EXPECT_EQ(json->header("content-type"), "application/json");
  EXPECT_EQ(json->body, R"({"message":"Hello, World!"})");
}

TEST(ExampleServer, HeadHasHeadersButNoBody) {
  Server s({"--port", "0"});
  Client c(s.port());
  ASSERT_TRUE(c.send("HEAD /plaintext HTTP/1.1\r\n\r\n" + get("/json")));
  auto head = c.read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "13");
  // Had a body followed, the next response would not start right here.
  auto next = c.read();
  ASSERT_TRUE(next) << "after HEAD: " << c.buffered();
  EXPECT_EQ(next->body, R"({"message":"Hello, World!"})");
}

TEST(ExampleServer, UnknownPathIs404AndOtherMethodsAre405) {
  Server s({"--port", "0"});
  Client c(s.port());
  ASSERT_TRUE(c.send(get("/nope") + "DELETE /plaintext HTTP/1.1\r\n\r\n" + get("/plaintext")));
  auto r404 = c.read();
  auto r405 = c.read();
  auto ok = c.read();
  ASSERT_TRUE(r404 && r405 && ok);
  EXPECT_EQ(r404->status, 404);
  EXPECT_EQ(r405->status, 405);
  EXPECT_EQ(r405->header("allow"), "GET, HEAD");
  EXPECT_EQ(ok->status, 200);  // errors that are not protocol errors keep the connection
}

TEST(ExampleServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  Server s({"--port", "0"});
  Client c(s.port());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(c.send(get(i % 2 == 0 ? "/plaintext" : "/json")));
    auto r = c.read();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("connection"), "");
  }
}

TEST(ExampleServer, PipelinedRequestsAreAnsweredInOrder) {
  Server s({"--port", "0"});
  Client c(s.port());
  const std::vector<std::string> paths = {"/plaintext", "/json", "/missing"};
  std::string batch;
  for (int i = 0; i < 16; ++i)
    batch += get(paths[i % 3]);
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 16; ++i) {
    auto r = c.read();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->status, i % 3 == 2 ? 404 : 200) << "response " << i;
    if (i % 3 == 0) {
      EXPECT_EQ(r->body, "Hello, World!");
    } else if (i % 3 == 1) {
      EXPECT_EQ(r->body, R"({"message":"Hello, World!"})");
    }
  }
}

TEST(ExampleServer, LargePipelinedBatch) {
  Server s({"--port", "0"});
  Client c(s.port());
  constexpr int kRequests = 2000;  // ~90 KB in, ~300 KB out: many partial reads and writes
  std::string batch;
  for (int i = 0; i < kRequests; ++i)
    batch += get("/plaintext");
  std::thread sender([&] { c.send(batch); });
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto r = c.read();
    if (!r) break;
    ok += r->status == 200 && r->body == "Hello, World!";
  }
  sender.join();
  EXPECT_EQ(ok, kRequests);
}

TEST(ExampleServer, RequestSplitAcrossManyWrites) {
  Server s({"--port", "0"});
  Client c(s.port());
  const std::string req = get("/json", "User-Agent: slow\r\n");
  for (char ch : req) {
    ASSERT_TRUE(c.send(std::string(1, ch)));
    if (ch == '\n') std::this_thread::sleep_for(2ms);
  }
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ExampleServer, ConnectionCloseIsHonoured) {
  Server s({"--port", "0"});
  Client c(s.port());
  // The request after the close must not be answered.
  ASSERT_TRUE(c.send(get("/plaintext", "Connection: close\r\n") + get("/json")));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(lower(r->header("connection")), "close");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(ExampleServer, Http10ClosesUnlessKeepAliveAsked) {
  Server s({"--port", "0"});
  {
    Client c(s.port());
    ASSERT_TRUE(c.send("GET /plaintext HTTP/1.0\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "Hello, World!");
    EXPECT_TRUE(c.closed_by_peer());
  }
  Client c(s.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(lower(r->header("connection")), "keep-alive");
  }
}

TEST(ExampleServer, RequestBodiesAreSkipped) {
  Server s({"--port", "0"});
  Client c(s.port());
  std::string big(100000, 'x');
  ASSERT_TRUE(c.send("POST /nope HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + get("/plaintext") +
                     "POST /json HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n" +
                     "PUT /x HTTP/1.1\r\nContent-Length: " + std::to_string(big.size()) +
                     "\r\n\r\n" + big + get("/json")));
  std::vector<int> expected = {404, 200, 405, 404, 200};
  for (size_t i = 0; i < expected.size(); ++i) {
    auto r = c.read();
    ASSERT_TRUE(r) << "response " << i;
    EXPECT_EQ(r->status, expected[i]) << "response " << i;
  }
}

TEST(ExampleServer, ExpectContinueGetsInterimResponse) {
  Server s({"--port", "0"});
  Client c(s.port());
  ASSERT_TRUE(c.send("POST /nope HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read(/*head=*/true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("body"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(ExampleServer, OversizedHeaderGets431AndClose) {
  Server s({"--port", "0"});
  Client c(s.port());
  ASSERT_TRUE(c.send("GET /plaintext HTTP/1.1\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n"));
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(fetch(s.port(), "/plaintext")->status, 200);  // and the server lives on
}

TEST(ExampleServer, MalformedRequestsGet400AndClose) {
  Server s({"--port", "0"});
  for (const std::string& bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /plaintext HTTP/1.1\r\nNoColon\r\n\r\n"),
        std::string("GET /x HTTP/1.1\r\nContent-Length: 12a\r\n\r\n"),
        std::string("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    Client c(s.port());
    ASSERT_TRUE(c.send(bad));
    auto r = c.read();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(c.closed_by_peer()) << bad;
  }
  Client c(s.port());
  ASSERT_TRUE(c.send("GET /plaintext HTTP/2.0\r\n\r\n"));
  EXPECT_EQ(c.read()->status, 505);
}

TEST(ExampleServer, SurvivesClientResets) {
  Server s({"--port", "0"});
  for (int i = 0; i < 20; ++i) {
    Client c(s.port());
    std::string batch;
    for (int j = 0; j < 200; ++j)
      batch += get("/plaintext");
    c.send(i % 2 == 0 ? batch : "GET /plain");  // unread responses, or half a request
    linger reset{1, 0};
    setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);  // close() sends RST
  }
  auto r = fetch(s.port(), "/plaintext");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ExampleServer, StatusReportsCounters) {
  Server s({"--port", "0"});
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(fetch(s.port(), "/plaintext"));
  auto r = fetch(s.port(), "/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_NE(r->body.find("\"pid\":" + std::to_string(s.pid()) + ","), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"requests\":3,"), std::string::npos) << r->body;
}

TEST(ExampleServer, ThreadsShareThePort) {
  Server s({"--port", "0", "--threads", "4"});
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 16; ++i)
    clients.push_back(std::make_unique<Client>(s.port()));
  for (auto& c : clients)
    ASSERT_TRUE(c->send(get("/plaintext")));
  for (auto& c : clients) {
    auto r = c->read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(benchgate::platform::ProcReader().list_tids(s.pid()).size(),
            5u);  // four event loops and the signal-waiting main thread
  s.signal(SIGTERM);
  EXPECT_EXITED_WITH(s.wait_exit(3s), 0);
}

// ---------------------------------------------------------------------------------------------
// Process behaviour and injected effects

TEST(ExampleServer, SigtermAndSigintExitZero) {
  for (int sig : {SIGTERM, SIGINT}) {
    Server s({"--port", "0", "--threads", "2"});
    Client idle(s.port());  // an open connection must not hold the exit up
    ASSERT_TRUE(fetch(s.port(), "/plaintext"));
    s.signal(sig);
    EXPECT_EXITED_WITH(s.wait_exit(3s), 0);
  }
}

TEST(ExampleServer, WorkersAreChildProcessesSharingThePort) {
  Server s({"--port", "0", "--workers", "2"});
  std::vector<pid_t> kids = children_of(s.pid());
  ASSERT_EQ(kids.size(), 2u) << s.err();
  // Requests are served by the workers, never by the master.
  for (int i = 0; i < 8; ++i) {
    auto r = fetch(s.port(), "/status");
    ASSERT_TRUE(r);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r->body, m, std::regex(R"("pid":(\d+))")));
    EXPECT_TRUE(std::count(kids.begin(), kids.end(), std::stoi(m[1])) == 1) << r->body;
  }
  s.signal(SIGTERM);
  EXPECT_EXITED_WITH(s.wait_exit(5s), 0);
  for (pid_t k : kids)
    EXPECT_FALSE(process_exists(k)) << "worker " << k << " left behind";
}

TEST(ExampleServer, WorkersExitZeroWhenTheWholeGroupIsSignalled) {
  // What a supervisor does (benchgate's Subprocess): SIGTERM to the process group, so master
  // and workers get it at once; the workers' exits must not count as crashes.
  Server s({"--port", "0", "--workers", "2", "--threads", "2"});
  ASSERT_EQ(children_of(s.pid()).size(), 2u);
  ASSERT_TRUE(fetch(s.port(), "/plaintext"));
  kill(-s.pid(), SIGTERM);
  EXPECT_EXITED_WITH(s.wait_exit(5s), 0);
}

TEST(ExampleServer, DeadWorkerMakesTheMasterFail) {
  Server s({"--port", "0", "--workers", "2", "--crash-after", "3"});
  std::vector<pid_t> kids = children_of(s.pid());
  ASSERT_EQ(kids.size(), 2u);
  for (int i = 0; i < 3; ++i)
    fetch(s.port(), "/plaintext");
  auto status = s.wait_exit(5s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGABRT) << s.err();
  EXPECT_NE(s.err().find("killed by signal 6"), std::string::npos) << s.err();
  for (pid_t k : kids)
    EXPECT_FALSE(process_exists(k));
}

TEST(ExampleServer, CrashAfterAbortsAfterNResponses) {
  Server s({"--port", "0", "--crash-after", "5"});
  Client c(s.port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.send(get("/plaintext")));
    auto r = c.read();
    ASSERT_TRUE(r) << "response " << i + 1 << " of 5";
    EXPECT_EQ(r->status, 200);
  }
  auto status = s.wait_exit(3s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGABRT);
}

TEST(ExampleServer, ExitAfterExitsZero) {
  Server s({"--port", "0", "--exit-after", "3"});
  Client c(s.port());
  ASSERT_TRUE(c.send(get("/plaintext") + get("/json") + get("/plaintext")));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.read()) << "response " << i;
  EXPECT_EXITED_WITH(s.wait_exit(3s), 0);
}

TEST(ExampleServer, DelayAddsLatencyWithoutBlockingTheThread) {
  Server s({"--port", "0", "--delay-ms", "50"});
  Client warm(s.port());
  auto t0 = SteadyClock::now();
  ASSERT_TRUE(warm.send(get("/plaintext")));
  ASSERT_TRUE(warm.read());
  double one = Ms(SteadyClock::now() - t0).count();
  EXPECT_GE(one, 49.0);
  EXPECT_LT(one, 500.0);

  // Eight connections, three pipelined requests each: a blocking delay would take 24 x 50 ms.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 8; ++i)
    clients.push_back(std::make_unique<Client>(s.port()));
  t0 = SteadyClock::now();
  for (auto& c : clients)
    ASSERT_TRUE(c->send(get("/plaintext") + get("/json") + get("/plaintext")));
  for (auto& c : clients) {
    auto a = c->read();
    auto b = c->read();
    auto d = c->read();
    ASSERT_TRUE(a && b && d);
    EXPECT_EQ(b->body, R"({"message":"Hello, World!"})");  // still in order
  }
  double all = Ms(SteadyClock::now() - t0).count();
  EXPECT_GE(all, 49.0);
  EXPECT_LT(all, 600.0);
}

TEST(ExampleServer, StartupDelayPostponesListening) {
  int port = benchgate::testing::free_port();
  auto t0 = SteadyClock::now();
  Server s({"--port", std::to_string(port), "--startup-delay-ms", "400"}, false);
  std::this_thread::sleep_for(150ms);
  EXPECT_FALSE(Client(port).connected()) << "listening before the start-up delay was over";
  ASSERT_TRUE(s.wait_for_listening(5s)) << s.err();
  EXPECT_GE(Ms(SteadyClock::now() - t0).count(), 400.0);
  EXPECT_EQ(s.port(), port);
  EXPECT_EQ(fetch(port, "/plaintext")->status, 200);
}

/// True once `pid` waits for `waited` in sigwait/sigtimedwait with `held` blocked: its /proc
/// status SigBlk has `held`'s bit and not `waited`'s (the kernel unblocks the waited signals
/// for the length of the wait). `held` alone is not enough: TSan's runtime blocks nearly every
/// signal for moments of its own work (SigBlk fffffffe7ffbfeff seen in the TSan-built server),
/// and with the check on `held` alone the TSan server was killed by the test's SIGTERM (1 run
/// in 2); only the wait itself shows `waited` unblocked with `held` blocked.
bool wait_until_waiting_for(pid_t pid, int waited, int held, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  const unsigned long long held_bit = 1ULL << (held - 1);
  const unsigned long long waited_bit = 1ULL << (waited - 1);
  while (SteadyClock::now() < deadline) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      const auto mask = std::stoull(line.substr(7), nullptr, 16);
      if ((mask & held_bit) && !(mask & waited_bit)) return true;
    }
    std::this_thread::yield();
  }
  return false;
}

TEST(ExampleServer, SigtermDuringSlowStartExitsZero) {
  Server s({"--port", "0", "--startup-delay-ms", "10000"}, false);
  // Synchronise on the server's state, not on time. The server blocks its supervised signals
  // (TERM, INT, USR1, CHLD) in one call and then waits for TERM/INT in sigtimedwait, during
  // which the kernel shows TERM and INT as unblocked while USR1 stays blocked: then the mask
  // is in place and a SIGTERM is taken by the wait, not by the default action.
  ASSERT_TRUE(wait_until_waiting_for(s.pid(), SIGTERM, SIGUSR1, 5s));
  s.signal(SIGTERM);
  EXPECT_EXITED_WITH(s.wait_exit(2s), 0);
}

TEST(ExampleServer, GrowBytesGrowsRss) {
  Server s({"--port", "0", "--grow-bytes", "1M"});
  ASSERT_TRUE(fetch(s.port(), "/plaintext"));
  long before = rss_kib(s.pid());
  Client c(s.port());
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(c.send(get("/plaintext")));
    ASSERT_TRUE(c.read());
  }
  long grown = rss_kib(s.pid()) - before;
  EXPECT_GE(grown, 15 * 1024) << "VmRSS grew by " << grown << " KiB for 16 x 1 MiB";
  EXPECT_LT(grown, 24 * 1024);
}

TEST(ExampleServer, WorkUsCostsThatMuchCpuPerRequest) {
  // 200 requests x 1 ms of calibrated work: ~0.2 s of CPU, well above the 10 ms tick.
  Server s({"--port", "0", "--work-us", "1000"});
  EXPECT_NE(s.err().find("calibration"), std::string::npos) << s.err();
  Client c(s.port());
  ASSERT_TRUE(c.send(get("/plaintext")) && c.read());
  double cpu0 = cpu_seconds(s.pid());
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(c.send(get("/plaintext")));
    ASSERT_TRUE(c.read());
  }
  double per_request_us = (cpu_seconds(s.pid()) - cpu0) / kRequests * 1e6;
  EXPECT_GT(per_request_us, 800.0);
  EXPECT_LT(per_request_us, 1300.0);
}

TEST(ExampleServer, WorkItersAndScaleAreExact) {
  Server s({"--port", "0", "--work-iters", "1000", "--work-scale", "1.5"});
  auto r = fetch(s.port(), "/status");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("\"work_iters\":1500,"), std::string::npos) << r->body;
  Server t({"--port", "0", "--work-us", "10", "--calibration", "200", "--work-scale", "1.05"});
  r = fetch(t.port(), "/status");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("\"work_iters\":2100,"), std::string::npos) << r->body;
  EXPECT_EQ(t.err().find("calibration"), std::string::npos)
      << "--calibration given: no calibrating";
}

TEST(ExampleServer, StallPausesTheWholeServer) {
  // Stall windows are [300, 500) ms, [600, 800) ms ... after start-up: requests sent back to
  // back for 550 ms must run into the first one and wait through most of it.
  Server s({"--port", "0", "--stall-every-ms", "300", "--stall-ms", "200"});
  Client c(s.port());
  double worst = 0;
  auto start = SteadyClock::now();
  while (SteadyClock::now() - start < 550ms) {
    auto t0 = SteadyClock::now();
    ASSERT_TRUE(c.send(get("/plaintext")));
    ASSERT_TRUE(c.read());
    worst = std::max(worst, Ms(SteadyClock::now() - t0).count());
  }
  EXPECT_GE(worst, 120.0);
  // One stall window (200 ms) plus scheduling delay on a busy machine, never two windows.
  EXPECT_LT(worst, 650.0);
}

TEST(ExampleServer, CalibratePrintsIterationsPerMicrosecond) {
  Server s({"--calibrate"}, false);
  EXPECT_EXITED_WITH(s.wait_exit(10s), 0);
  char* end = nullptr;
  double rate = std::strtod(s.out().c_str(), &end);
  EXPECT_GT(rate, 0.0) << s.out();
  EXPECT_EQ(std::string(end), "\n");
}

TEST(ExampleServer, BadOptionsExitTwoNamingTheOption) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--port", "abc"}, "--port"},
      {{"--port", "70000"}, "--port"},
      {{"--threads", "0"}, "--threads"},
      {{"--bogus"}, "--bogus"},
      {{"--port"}, "--port"},
      {{"--work-us", "-1"}, "--work-us"},
      {{"--work-us", "5", "--work-iters", "5"}, "--work-iters"},
      {{"--stall-ms", "10"}, "--stall-every-ms"},
      {{"--stall-every-ms", "10", "--stall-ms", "20"}, "--stall-ms"},
      {{"--grow-bytes", "1X"}, "--grow-bytes"},
      {{"--crash-after=0"}, "--crash-after"},
      {{"--host="}, "--host"},
      {{"stray"}, "stray"},
  };
  for (const auto& [args, name] : cases) {
    Server s(args, false);
    auto status = s.wait_exit(3s);
    ASSERT_TRUE(status.has_value()) << args[0];
    ASSERT_TRUE(WIFEXITED(*status)) << args[0];
    EXPECT_EQ(WEXITSTATUS(*status), 2) << args[0];
    EXPECT_NE(s.err().find(name), std::string::npos) << args[0] << ": " << s.err();
  }
}

TEST(ExampleServer, PortInUseFails) {
  Server first({"--port", "0"});
  Server second({"--port", std::to_string(first.port())}, false);
  auto status = second.wait_exit(3s);
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(second.err().find("in use"), std::string::npos) << second.err();
}

}  // namespace
