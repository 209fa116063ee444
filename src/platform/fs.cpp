#include "platform/fs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "core/error.h"
#include "core/parse.h"

namespace benchgate::platform {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), path.string());
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw std::system_error(e, std::generic_category(), path.string());
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

namespace {

const char* file_type_name(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "a special file";
}

// "512 MiB" for the default limit, exact bytes for any other.
std::string limit_text(std::uintmax_t bytes) {
  constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;
  if (bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  return format_count(bytes) + " bytes";
}

}  // namespace

std::uintmax_t check_input_file(const fs::path& path, std::uintmax_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ConfigError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw ConfigError(fmt::format("{}: is a directory", path.string()));
  if (!S_ISREG(st.st_mode)) {
    throw ConfigError(fmt::format("{}: not a regular file ({}); give a file", path.string(),
                                  file_type_name(st.st_mode)));
  }
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes) {
    throw ConfigError(fmt::format("{}: {} ({} bytes), larger than the {} limit for input files",
                                  path.string(), format_bytes(static_cast<double>(size)),
                                  format_count(size), limit_text(max_bytes)));
  }
  return size;
}

std::string read_input_file(const fs::path& path, std::uintmax_t max_bytes) {
  check_input_file(path, max_bytes);
  // O_NONBLOCK: should the path have become a FIFO since the check, open() does not hang.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  auto fail = [&](int err) {
    return ConfigError(fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
  };
  if (fd < 0) throw fail(errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ConfigError(fmt::format("{}: not a regular file; give a file", path.string()));
  }
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw fail(e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {  // it grew while we read
      ::close(fd);
      throw ConfigError(fmt::format("{}: larger than the {} limit for input files", path.string(),
                                    limit_text(max_bytes)));
    }
  }
  ::close(fd);
  return out;
}

namespace {

// Removes this function's temporary files for `target` (".<name>.tmp.XXXXXX") older than a
// minute: a writer killed between mkstemp and rename (kill -9) leaves one behind. Younger ones
// may belong to a writer still at work.
void remove_stale_temporaries(const fs::path& dir, const std::string& name) {
  const std::string prefix = "." + name + ".tmp.";
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string f = it->path().filename().string();
    if (f.size() != prefix.size() + 6 || f.compare(0, prefix.size(), prefix) != 0) continue;
    std::error_code e2;
    if (!it->is_regular_file(e2) || e2) continue;
    const auto t = it->last_write_time(e2);
    if (e2 || now - t < std::chrono::minutes(1)) continue;
    fs::remove(it->path(), e2);
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  auto fail = [&](const std::string& what, int err) {
    return InternalError(
        fmt::format("cannot write {}: {}: {}", path.string(), what, std::strerror(err)));
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw ConfigError(fmt::format("{}: is a directory (expected a file path)", path.string()));
  }
  // A symbolic link (or a chain of them) is written through: replace what it points to.
  fs::path target = path;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    if (hops == 40) throw fail("resolving symbolic links", ELOOP);
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) throw fail("reading symbolic link " + target.string(), ec.value());
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  if (ec) throw fail("creating folder " + dir.string(), ec.value());
  remove_stale_temporaries(dir, target.filename().string());
  // The replacement keeps the mode of the file it replaces.
  mode_t mode = 0644;
  if (struct stat st{}; ::stat(target.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    mode = st.st_mode & 07777;
  }
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw fail("creating temporary file", errno);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      throw fail("writing", e);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fchmod(fd, mode);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    throw fail("flushing", e);
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    throw fail("renaming into place", e);
  }
}

std::optional<fs::path> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0 && !fs::is_directory(name)) return fs::path(name);
    return std::nullopt;
  }
  const char* path = ::getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/local/bin:/usr/bin:/bin", ':', true)) {
    fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

TempDir::TempDir(const std::string& prefix) {
  const char* base = ::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + prefix + ".XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace benchgate::platform
