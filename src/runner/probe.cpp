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

int ms_left(Nanos deadline) {
  auto left = deadline - system_clock().now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
  return ms < 0 ? 0 : static_cast<int>(ms) + 1;
}

bool wait_fd(int fd, short events, Nanos deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int rc = ::poll(&p, 1, ms_left(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

ProbeResult probe_url(const Url& url, Nanos timeout, bool tls_verify) {
  ProbeResult r;
  const Nanos deadline = system_clock().now() + timeout;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    r.error = fmt::format("cannot resolve {}: {}", url.host, ::gai_strerror(rc));
    return r;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> res_guard(res, ::freeaddrinfo);

  Fd sock;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Fd s;
    s.fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (s.fd < 0) continue;
    int rc = ::connect(s.fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno != EINPROGRESS) {
      r.error = std::strerror(errno);
      continue;
    }
    if (rc != 0) {
      if (!wait_fd(s.fd, POLLOUT, deadline)) {
        r.error = "connect timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        r.error = std::strerror(err);
        continue;
      }
    }
    std::swap(sock.fd, s.fd);
    break;
  }
  if (sock.fd < 0) {
    if (r.error.empty()) r.error = "no address";
    return r;
  }
  int one = 1;
  ::setsockopt(sock.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::unique_ptr<SSL_CTX, SslDeleter> ctx;
  std::unique_ptr<SSL, SslDeleter> ssl;
  if (url.tls()) {
    ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
      r.error = "cannot create a TLS context";
      return r;
    }
    if (tls_verify) {
      SSL_CTX_set_default_verify_paths(ctx.get());
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    } else {
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    }
    ssl.reset(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), sock.fd);
    SSL_set_tlsext_host_name(ssl.get(), url.host.c_str());
    if (tls_verify) SSL_set1_host(ssl.get(), url.host.c_str());
    for (;;) {
      int rc = SSL_connect(ssl.get());
      if (rc == 1) break;
      int e = SSL_get_error(ssl.get(), rc);
      if ((e == SSL_ERROR_WANT_READ && wait_fd(sock.fd, POLLIN, deadline)) ||
          (e == SSL_ERROR_WANT_WRITE && wait_fd(sock.fd, POLLOUT, deadline))) {
        continue;
      }
      r.connected = true;  // TCP is up: something listens there
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      r.error = fmt::format("TLS handshake failed: {}", buf);
      return r;
    }
  }
  r.connected = true;

  const std::string req = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: benchgate-probe\r\nAccept: */*\r\n"
      "Connection: close\r\n\r\n",
      url.target, url.authority());
  std::size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n;
    if (ssl) {
      n = SSL_write(ssl.get(), req.data() + sent, static_cast<int>(req.size() - sent));
      if (n <= 0) {
        int e = SSL_get_error(ssl.get(), static_cast<int>(n));
        if ((e == SSL_ERROR_WANT_WRITE && wait_fd(sock.fd, POLLOUT, deadline)) ||
            (e == SSL_ERROR_WANT_READ && wait_fd(sock.fd, POLLIN, deadline))) {
          continue;
        }
        r.error = "TLS write failed";
        return r;
      }
    } else {
      n = ::send(sock.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN && wait_fd(sock.fd, POLLOUT, deadline)) continue;
        if (errno == EINTR) continue;
        r.error = errno == EAGAIN ? "timed out sending" : std::strerror(errno);
        return r;
      }
    }
    sent += static_cast<std::size_t>(n);
  }

  std::string resp;
  char buf[4096];
  while (resp.find("\r\n\r\n") == std::string::npos && resp.size() < 65536) {
    ssize_t n;
    if (ssl) {
      n = SSL_read(ssl.get(), buf, sizeof buf);
      if (n <= 0) {
        int e = SSL_get_error(ssl.get(), static_cast<int>(n));
        if ((e == SSL_ERROR_WANT_READ && wait_fd(sock.fd, POLLIN, deadline)) ||
            (e == SSL_ERROR_WANT_WRITE && wait_fd(sock.fd, POLLOUT, deadline))) {
          continue;
        }
        if (system_clock().now() >= deadline) {
          r.error = "timed out waiting for a response";
        } else {
          r.error = resp.empty() ? "connection closed without a response" : "incomplete response";
        }
        break;
      }
    } else {
      n = ::recv(sock.fd, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          if (wait_fd(sock.fd, POLLIN, deadline)) continue;
          r.error = "timed out waiting for a response";
          break;
        }
        r.error = std::strerror(errno);
        break;
      }
      if (n == 0) {
        r.error = resp.empty() ? "connection closed without a response" : "incomplete response";
        break;
      }
    }
    resp.append(buf, static_cast<std::size_t>(n));
  }
  // "HTTP/1.x NNN ..."
  if (resp.size() >= 12 && resp.compare(0, 5, "HTTP/") == 0) {
    auto sp = resp.find(' ');
    if (sp != std::string::npos && sp + 4 <= resp.size()) {
      int code = 0;
      bool ok = true;
      for (int i = 1; i <= 3; ++i) {
        char c = resp[sp + static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') ok = false;
        code = code * 10 + (c - '0');
      }
      if (ok && resp.find("\r\n") != std::string::npos) {
        r.answered = true;
        r.status = code;
        r.error.clear();
        return r;
      }
    }
  }
  if (r.error.empty()) r.error = "not an HTTP response";
  return r;
}

}  // namespace benchgate::runner
