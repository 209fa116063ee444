#pragma once
// A small scriptable HTTP server for load generator tests: one thread, poll(), loopback on
// an ephemeral port. For each complete request a Behavior decides what to send back and what
// to do with the connection afterwards, so tests can play correct or misbehaving servers.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/engine.h"

namespace benchgate::loadgen::testing {

/// The engine settings the load generator tests start from: 4 connections on 2 threads, a
/// 300 ms window in 100 ms intervals, 100 ms request timeout.
inline EngineConfig small_engine_config(const std::string& url) {
  EngineConfig c;
  c.url = url;
  c.connections = 4;
  c.threads = 2;
  c.duration = std::chrono::milliseconds(300);
  c.interval = std::chrono::milliseconds(100);
  c.timeout = std::chrono::milliseconds(100);
  return c;
}

struct Action {
  enum After { kKeep, kClose, kReset };
  std::string send;  ///< bytes to write (may be empty: never answer)
  After after = kKeep;
  int delay_ms = 0;  ///< sleep before answering (stalls the whole server)
};

/// `request` is the request head (and body); `n` counts requests on this connection from 0.
using Behavior = std::function<Action(const std::string& request, int n)>;

inline std::string ok_response(std::string_view body = "hello", bool close = false) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n" + std::string(body);
}

class TestServer {
 public:
  explicit TestServer(Behavior behavior) : behavior_(std::move(behavior)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 1024) != 0) {
      throw std::runtime_error("test server: bind/listen failed");
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe");
    thread_ = std::thread([this] { loop(); });
  }
  ~TestServer() {
    const char c = 'x';
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], &c, 1);
    thread_.join();
    for (auto& [fd, st] : conns_)
      ::close(fd);
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int accepted() const { return accepted_.load(); }
  int requests() const { return requests_.load(); }
  /// Most requests seen complete in one read (shows pipelining).
  int max_batch() const { return max_batch_.load(); }
  /// Request lines seen ("GET /a HTTP/1.1") with counts.
  std::map<std::string, int> request_lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  struct ConnState {
    std::string in;
    int n = 0;
  };

  void loop() {
    for (;;) {
      std::vector<pollfd> fds;
      fds.push_back({stop_pipe_[0], POLLIN, 0});
      fds.push_back({listen_fd_, POLLIN, 0});
      for (auto& [fd, st] : conns_)
        fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 1000) < 0) continue;
      if (fds[0].revents) return;
      if (fds[1].revents & POLLIN) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          const int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns_[fd] = ConnState{};
          ++accepted_;
        }
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (!serve(fds[i].fd)) {
          ::close(fds[i].fd);
          conns_.erase(fds[i].fd);
        }
      }
    }
  }

  // Returns false when the connection is to be closed.
  bool serve(int fd) {
    auto& st = conns_[fd];
    char buf[65536];
    const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) return false;
    st.in.append(buf, static_cast<std::size_t>(r));
    int batch = 0;
    for (;;) {
      const auto end = st.in.find("\r\n\r\n");
      if (end == std::string::npos) break;
      std::size_t total = end + 4;
      const auto cl = st.in.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) {
        total += std::stoul(st.in.substr(cl + 16));
        if (st.in.size() < total) break;
      }
      const std::string req = st.in.substr(0, total);
      st.in.erase(0, total);
      ++batch;
      ++requests_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++lines_[req.substr(0, req.find("\r\n"))];
      }
      const Action a = behavior_(req, st.n++);
      if (a.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));
      std::size_t off = 0;
      while (off < a.send.size()) {
        const ssize_t w = ::send(fd, a.send.data() + off, a.send.size() - off, MSG_NOSIGNAL);
        if (w <= 0) return false;
        off += static_cast<std::size_t>(w);
      }
      if (a.after == Action::kReset) {
        linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        return false;
      }
      if (a.after == Action::kClose) return false;
    }
    if (batch > max_batch_.load()) max_batch_.store(batch);
    return true;
  }

  Behavior behavior_;
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
  std::map<int, ConnState> conns_;
  std::atomic<int> accepted_{0}, requests_{0}, max_batch_{0};
  mutable std::mutex mu_;
  std::map<std::string, int> lines_;
};

}  // namespace benchgate::loadgen::testing
