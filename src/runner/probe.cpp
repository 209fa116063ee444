#include "runner/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace benchgate::runner {

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// One probe: every wait ends at `deadline` on `clock`.
class Probe {
 public:
  Probe(const Url& url, Nanos timeout, bool tls_verify, Clock& clock)
      : url_(url), tls_verify_(tls_verify), clock_(clock), deadline_(clock.now() + timeout) {}

  ProbeResult run() {
    if (!connect_tcp()) return r_;
    if (url_.tls() && !handshake()) return r_;
    r_.connected = true;
    if (!send_request()) return r_;
    const std::string head = read_head();
    if (parse_status_line(head)) return r_;
    if (r_.error.empty()) r_.error = "not an HTTP response";
    return r_;
  }

 private:
  int ms_left() const {
    auto left = deadline_ - clock_.now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
    return ms < 0 ? 0 : static_cast<int>(ms) + 1;
  }

  bool wait_fd(short events) {
    pollfd p{sock_.fd, events, 0};
    for (;;) {
      int rc = ::poll(&p, 1, ms_left());
      if (rc > 0) return true;
      if (rc == 0) {
        // The poll timed out: the clock says whether the deadline passed (a FakeClock's
        // deadline passes at once, the real one has passed already).
        clock_.wait_until(deadline_);
        return false;
      }
      if (errno != EINTR) return false;
    }
  }

  // TCP connect to the first address that accepts; false with r_.error otherwise.
  bool connect_tcp() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(url_.port);
    if (int rc = ::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      r_.error = fmt::format("cannot resolve {}: {}", url_.host, ::gai_strerror(rc));
      return false;
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> res_guard(res, ::freeaddrinfo);
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      Fd s;
      s.fd =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (s.fd < 0) continue;
      std::swap(sock_.fd, s.fd);
      int rc = ::connect(sock_.fd, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno != EINPROGRESS) {
        r_.error = std::strerror(errno);
        continue;
      }
      if (rc != 0) {
        if (!wait_fd(POLLOUT)) {
          r_.error = "connect timed out";
          continue;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(sock_.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          r_.error = std::strerror(err);
          continue;
        }
      }
      int one = 1;
      ::setsockopt(sock_.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return true;
    }
    if (r_.error.empty()) r_.error = "no address";
    if (sock_.fd >= 0) ::close(std::exchange(sock_.fd, -1));
    return false;
  }

  // TLS handshake (certificate checks only with tls_verify); false with r_.error otherwise.
  bool handshake() {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) {
      r_.error = "cannot create a TLS context";
      return false;
    }
    if (tls_verify_) {
      SSL_CTX_set_default_verify_paths(ctx_.get());
      SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    } else {
      SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
    }
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), sock_.fd);
    SSL_set_tlsext_host_name(ssl_.get(), url_.host.c_str());
    if (tls_verify_) SSL_set1_host(ssl_.get(), url_.host.c_str());
    for (;;) {
      int rc = SSL_connect(ssl_.get());
      if (rc == 1) return true;
      if (ssl_wait(rc)) continue;
      r_.connected = true;  // TCP is up: something listens there
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      r_.error = fmt::format("TLS handshake failed: {}", buf);
      return false;
    }
  }

  // After an SSL call returned rc: true when it only has to wait for the socket (and it did).
  bool ssl_wait(int rc) {
    int e = SSL_get_error(ssl_.get(), rc);
    return (e == SSL_ERROR_WANT_READ && wait_fd(POLLIN)) ||
           (e == SSL_ERROR_WANT_WRITE && wait_fd(POLLOUT));
  }

  bool send_request() {
    const std::string req = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: benchgate-probe\r\nAccept: */*\r\n"
        "Connection: close\r\n\r\n",
        url_.target, url_.authority());
    std::size_t sent = 0;
    while (sent < req.size()) {
      ssize_t n;
      if (ssl_) {
        n = SSL_write(ssl_.get(), req.data() + sent, static_cast<int>(req.size() - sent));
        if (n <= 0) {
          if (ssl_wait(static_cast<int>(n))) continue;
          r_.error = "TLS write failed";
          return false;
        }
      } else {
        n = ::send(sock_.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EAGAIN && wait_fd(POLLOUT)) continue;
          if (errno == EINTR) continue;
          r_.error = errno == EAGAIN ? "timed out sending" : std::strerror(errno);
          return false;
        }
      }
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads until the end of the headers (or 64 KiB, an error, the deadline).
  std::string read_head() {
    std::string resp;
    char buf[4096];
    while (resp.find("\r\n\r\n") == std::string::npos && resp.size() < 65536) {
      ssize_t n;
      if (ssl_) {
        n = SSL_read(ssl_.get(), buf, sizeof buf);
        if (n <= 0) {
          if (ssl_wait(static_cast<int>(n))) continue;
          if (clock_.now() >= deadline_) {
            r_.error = "timed out waiting for a response";
          } else {
            r_.error =
                resp.empty() ? "connection closed without a response" : "incomplete response";
          }
          break;
        }
      } else {
        n = ::recv(sock_.fd, buf, sizeof buf, 0);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN) {
            if (wait_fd(POLLIN)) continue;
            r_.error = "timed out waiting for a response";
            break;
          }
          r_.error = std::strerror(errno);
          break;
        }
        if (n == 0) {
          r_.error = resp.empty() ? "connection closed without a response" : "incomplete response";
          break;
        }
      }
      resp.append(buf, static_cast<std::size_t>(n));
    }
    return resp;
  }

  // "HTTP/1.x NNN ...": sets answered and status.
  bool parse_status_line(const std::string& resp) {
    if (resp.size() < 12 || resp.compare(0, 5, "HTTP/") != 0) return false;
    auto sp = resp.find(' ');
    if (sp == std::string::npos || sp + 4 > resp.size()) return false;
    int code = 0;
    for (int i = 1; i <= 3; ++i) {
      char c = resp[sp + static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      code = code * 10 + (c - '0');
    }
    if (resp.find("\r\n") == std::string::npos) return false;
    r_.answered = true;
    r_.status = code;
    r_.error.clear();
    return true;
  }

  const Url& url_;
  bool tls_verify_;
  Clock& clock_;
  Nanos deadline_;
  ProbeResult r_;
  Fd sock_;  // declared before the TLS objects: SSL_free runs before close
  std::unique_ptr<SSL_CTX, SslDeleter> ctx_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

}  // namespace

ProbeResult probe_url(const Url& url, Nanos timeout, bool tls_verify, Clock& clock) {
  return Probe(url, timeout, tls_verify, clock).run();
}

}  // namespace benchgate::runner
