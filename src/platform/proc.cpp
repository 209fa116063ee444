#include "platform/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <utility>

#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::platform {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Splits on whitespace without allocating.
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  bool next(std::string_view& tok) {
    while (i_ < s_.size() && is_space(s_[i_]))
      ++i_;
    if (i_ >= s_.size()) return false;
    std::size_t j = i_;
    while (j < s_.size() && !is_space(s_[j]))
      ++j;
    tok = s_.substr(i_, j - i_);
    i_ = j;
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

template <class T>
bool to_number(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

template <class T>
T number_or_throw(std::string_view s, std::string_view what, std::string_view file) {
  T v{};
  if (!to_number(s, v)) {
    throw ParseError(fmt::format("{}: {}: expected a number, got '{}'", file, what, s));
  }
  return v;
}

std::string_view short_excerpt(std::string_view s) {
  return s.substr(0, std::min<std::size_t>(s.size(), 40));
}

// "    2916 kB" -> 2985984.
std::int64_t parse_kb(std::string_view value, std::string_view key) {
  value = trim(value);
  std::int64_t mult = 1;
  if (value.size() >= 2 && value.substr(value.size() - 2) == "kB") {
    mult = 1024;
    value = trim(value.substr(0, value.size() - 2));
  }
  return number_or_throw<std::int64_t>(value, key, "status") * mult;
}

// The kernel ends these files with a newline; without it the read was cut short (a fake tree
// being rewritten), and the last number may be a prefix of the real one.
void require_complete(std::string_view text, std::string_view file) {
  if (text.empty() || text.back() != '\n') {
    throw ParseError(fmt::format("{}: truncated (no final newline): '{}'", file,
                                 text.substr(text.size() > 40 ? text.size() - 40 : 0)));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parsers

void parse_proc_stat(std::string_view text, ProcStat& out) {
  require_complete(text, "stat");
  // "<pid> (<comm>) <state> <ppid> …": comm may hold spaces and ')', so it ends at the LAST ')'.
  const auto lp = text.find('(');
  const auto rp = text.rfind(')');
  if (lp == std::string_view::npos || rp == std::string_view::npos || rp < lp) {
    throw ParseError(
        fmt::format("stat: expected '<pid> (<comm>) …', got '{}'", short_excerpt(text)));
  }
  out.pid = number_or_throw<int>(trim(text.substr(0, lp)), "pid", "stat");
  out.comm.assign(text.substr(lp + 1, rp - lp - 1));

  // Fields after ')' are numbered from 3 in proc(5).
  Tokens tokens(text.substr(rp + 1));
  std::string_view tok;
  int field = 3;
  bool have_rss = false;
  out.processor = -1;
  while (tokens.next(tok)) {
    switch (field) {
      case 3:
        if (tok.size() != 1) throw ParseError(fmt::format("stat: bad state '{}'", tok));
        out.state = tok[0];
        break;
      case 4:
        out.ppid = number_or_throw<int>(tok, "ppid", "stat");
        break;
      case 5:
        out.pgrp = number_or_throw<int>(tok, "pgrp", "stat");
        break;
      case 6:
        out.session = number_or_throw<int>(tok, "session", "stat");
        break;
      case 14:
        out.utime = number_or_throw<std::uint64_t>(tok, "utime", "stat");
        break;
      case 15:
        out.stime = number_or_throw<std::uint64_t>(tok, "stime", "stat");
        break;
      case 20:
        out.num_threads = number_or_throw<int>(tok, "num_threads", "stat");
        break;
      case 22:
        out.starttime = number_or_throw<std::uint64_t>(tok, "starttime", "stat");
        break;
      case 24:
        out.rss_pages = number_or_throw<std::int64_t>(tok, "rss", "stat");
        have_rss = true;
        break;
      case 39:
        out.processor = number_or_throw<int>(tok, "processor", "stat");
        break;
      default:
        break;
    }
    if (field == 39) break;
    ++field;
  }
  if (!have_rss) {
    throw ParseError(fmt::format("stat: expected at least 24 fields, got {}", field - 1));
  }
}

ProcStat parse_proc_stat(std::string_view text) {
  ProcStat s;
  parse_proc_stat(text, s);
  return s;
}

void parse_proc_status(std::string_view text, ProcStatus& out) {
  require_complete(text, "status");
  out.vm_rss = out.vm_hwm = 0;
  out.threads = 0;
  bool have_state = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (trim(line).empty()) continue;
      throw ParseError(fmt::format("status: expected 'Key: value', got '{}'", short_excerpt(line)));
    }
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    // Cheap first-letter dispatch: the sampling path parses this file for every process.
    switch (key.empty() ? '\0' : key[0]) {
      case 'N':
        if (key == "Name") {
          auto v = value;
          if (!v.empty() && v[0] == '\t') v.remove_prefix(1);
          out.name.assign(v);
        }
        break;
      case 'S':
        if (key == "State") {
          auto v = trim(value);
          if (v.empty()) throw ParseError("status: State: empty");
          out.state = v[0];
          have_state = true;
        }
        break;
      case 'P':
        if (key == "PPid") out.ppid = number_or_throw<int>(trim(value), "PPid", "status");
        break;
      case 'T':
        if (key == "Threads") out.threads = number_or_throw<int>(trim(value), "Threads", "status");
        break;
      case 'V':
        if (key == "VmRSS") {
          out.vm_rss = parse_kb(value, "VmRSS");
        } else if (key == "VmHWM") {
          out.vm_hwm = parse_kb(value, "VmHWM");
        }
        break;
      case 'C':
        if (key == "Cpus_allowed_list") out.cpus_allowed_list.assign(trim(value));
        break;
      default:
        break;
    }
  }
  if (!have_state) throw ParseError("status: no State line");
}

ProcStatus parse_proc_status(std::string_view text) {
  ProcStatus s;
  parse_proc_status(text, s);
  return s;
}

ProcStatm parse_proc_statm(std::string_view text) {
  require_complete(text, "statm");
  Tokens tokens(text);
  std::string_view tok;
  std::int64_t v[7] = {};
  int n = 0;
  while (n < 7 && tokens.next(tok))
    v[n++] = number_or_throw<std::int64_t>(tok, "field", "statm");
  if (n != 7 || tokens.next(tok)) {
    throw ParseError(fmt::format("statm: expected 7 numbers, got '{}'", short_excerpt(text)));
  }
  return ProcStatm{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
}

void parse_children(std::string_view text, std::vector<int>& out) {
  Tokens tokens(text);
  std::string_view tok;
  while (tokens.next(tok)) {
    const int pid = number_or_throw<int>(tok, "pid", "children");
    if (pid <= 0) throw ParseError(fmt::format("children: bad pid '{}'", tok));
    out.push_back(pid);
  }
}

std::vector<int> parse_children(std::string_view text) {
  std::vector<int> out;
  parse_children(text, out);
  return out;
}

const CpuTimes* SystemStat::find(int cpu) const {
  // CPUs are listed in ascending order and usually dense: try the direct index first.
  if (cpu >= 0 && static_cast<std::size_t>(cpu) < cpus.size() && cpus[cpu].cpu == cpu) {
    return &cpus[cpu];
  }
  for (const auto& c : cpus) {
    if (c.cpu == cpu) return &c;
  }
  return nullptr;
}

namespace {

CpuTimes parse_cpu_line(std::string_view name, Tokens& tokens) {
  CpuTimes t;
  if (name.size() > 3) t.cpu = number_or_throw<int>(name.substr(3), "cpu number", "/proc/stat");
  std::uint64_t* fields[] = {&t.user, &t.nice,    &t.system, &t.idle,  &t.iowait,
                             &t.irq,  &t.softirq, &t.steal,  &t.guest, &t.guest_nice};
  std::string_view tok;
  int n = 0;
  while (n < 10 && tokens.next(tok)) {
    *fields[n] = number_or_throw<std::uint64_t>(tok, name, "/proc/stat");
    ++n;
  }
  if (n < 4) {
    throw ParseError(fmt::format("/proc/stat: {}: expected at least 4 numbers, got {}", name, n));
  }
  return t;
}

}  // namespace

void parse_system_stat(std::string_view text, SystemStat& out) {
  require_complete(text, "/proc/stat");
  out.cpus.clear();
  out.procs_running = out.procs_blocked = 0;
  bool have_total = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    Tokens tokens(line);
    std::string_view name;
    if (!tokens.next(name)) continue;
    if (name.substr(0, 3) == "cpu") {
      CpuTimes t = parse_cpu_line(name, tokens);
      if (t.cpu < 0) {
        out.total = t;
        have_total = true;
      } else {
        out.cpus.push_back(t);
      }
      continue;
    }
    std::string_view value;
    if (name == "procs_running" && tokens.next(value)) {
      out.procs_running = number_or_throw<int>(value, name, "/proc/stat");
    } else if (name == "procs_blocked" && tokens.next(value)) {
      out.procs_blocked = number_or_throw<int>(value, name, "/proc/stat");
    } else if (name == "ctxt" && tokens.next(value)) {
      out.ctxt = number_or_throw<std::uint64_t>(value, name, "/proc/stat");
    } else if (name == "btime" && tokens.next(value)) {
      out.btime = number_or_throw<std::uint64_t>(value, name, "/proc/stat");
    }
  }
  if (!have_total) throw ParseError("/proc/stat: no aggregate 'cpu' line");
}

SystemStat parse_system_stat(std::string_view text) {
  SystemStat s;
  parse_system_stat(text, s);
  return s;
}

LoadAvg parse_loadavg(std::string_view text) {
  require_complete(text, "loadavg");
  Tokens tokens(text);
  std::string_view f[5];
  for (auto& tok : f) {
    if (!tokens.next(tok)) {
      throw ParseError(
          fmt::format("loadavg: expected '<1> <5> <15> <running>/<total> <last pid>', "
                      "got '{}'",
                      short_excerpt(text)));
    }
  }
  LoadAvg l;
  l.load1 = number_or_throw<double>(f[0], "1-minute load", "loadavg");
  l.load5 = number_or_throw<double>(f[1], "5-minute load", "loadavg");
  l.load15 = number_or_throw<double>(f[2], "15-minute load", "loadavg");
  const auto slash = f[3].find('/');
  if (slash == std::string_view::npos) {
    throw ParseError(fmt::format("loadavg: expected '<running>/<total>', got '{}'", f[3]));
  }
  l.running = number_or_throw<int>(f[3].substr(0, slash), "running", "loadavg");
  l.total = number_or_throw<int>(f[3].substr(slash + 1), "total", "loadavg");
  l.last_pid = number_or_throw<int>(f[4], "last pid", "loadavg");
  return l;
}

// ---------------------------------------------------------------------------------------------
// ProcFile

ProcFile::ProcFile(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) error_ = errno;
}

ProcFile::~ProcFile() {
  close();
}

ProcFile::ProcFile(ProcFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), error_(other.error_), buf_(std::move(other.buf_)) {}

ProcFile& ProcFile::operator=(ProcFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    error_ = other.error_;
    buf_ = std::move(other.buf_);
  }
  return *this;
}

void ProcFile::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<std::string_view> ProcFile::read() {
  if (fd_ < 0) return std::nullopt;
  if (buf_.size() < 4096) buf_.resize(4096);
  std::size_t total = 0;
  for (;;) {
    const ssize_t n =
        ::pread(fd_, buf_.data() + total, buf_.size() - total, static_cast<off_t>(total));
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return std::nullopt;
    }
    if (n == 0) break;
    const bool filled = static_cast<std::size_t>(n) == buf_.size() - total;
    total += static_cast<std::size_t>(n);
    // A short read is the end: /proc's seq_files hand out everything up to the buffer's size.
    // Reading on to get the 0 would cost a second syscall, and the kernel regenerates the
    // whole file to serve a read at a non-zero offset: twice the cost per sample.
    if (!filled) break;
    if (total == buf_.size()) buf_.resize(buf_.size() * 2);  // rare: grows once per file
  }
  error_ = 0;
  return std::string_view(buf_.data(), total);
}

// ---------------------------------------------------------------------------------------------
// ProcReader

ProcReader::ProcReader(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/')
    root_.pop_back();
}

std::string ProcReader::path(int pid, std::string_view file) const {
  if (file.empty()) return fmt::format("{}/{}", root_, pid);
  return fmt::format("{}/{}/{}", root_, pid, file);
}

std::string ProcReader::task_path(int pid, int tid, std::string_view file) const {
  return fmt::format("{}/{}/task/{}/{}", root_, pid, tid, file);
}

std::vector<std::string> parse_cmdline(std::string_view text) {
  while (!text.empty() && text.back() == '\0')
    text.remove_suffix(1);
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const auto nul = text.find('\0', start);
    out.emplace_back(text.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  return out;
}

std::string format_command(const std::vector<std::string>& argv, std::size_t max) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    const bool quote = a.empty() || a.find_first_of(" \t'\"") != std::string::npos;
    if (quote) out += '\'';
    for (char c : a) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        out += '?';
      } else if (c == '\'' && quote) {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    if (quote) out += '\'';
  }
  if (out.size() > max) {
    std::size_t cut = max;
    // Do not split a UTF-8 sequence.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;
    out = out.substr(0, cut) + "…";
  }
  return out;
}

namespace {

std::vector<int> numeric_entries(const std::string& dir) {
  std::vector<int> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    int v = 0;
    if (to_number(std::string_view(e->d_name), v) && v > 0) out.push_back(v);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<int> ProcReader::list_pids() const {
  return numeric_entries(root_);
}

std::vector<int> ProcReader::list_tids(int pid) const {
  return numeric_entries(path(pid, "task"));
}

std::optional<std::string> ProcReader::read_optional(const std::string& p) const {
  try {
    return read_file(p);
  } catch (const std::system_error& e) {
    const int err = e.code().value();
    if (err == ENOENT || err == ESRCH || err == ENOTDIR) return std::nullopt;  // the task is gone
    throw;
  }
}

std::optional<ProcStat> ProcReader::read_stat(int pid) const {
  auto text = read_optional(path(pid, "stat"));
  if (!text) return std::nullopt;
  return parse_proc_stat(*text);
}

std::optional<ProcStat> ProcReader::read_task_stat(int pid, int tid) const {
  auto text = read_optional(task_path(pid, tid, "stat"));
  if (!text) return std::nullopt;
  return parse_proc_stat(*text);
}

std::optional<ProcStatus> ProcReader::read_status(int pid) const {
  auto text = read_optional(path(pid, "status"));
  if (!text) return std::nullopt;
  return parse_proc_status(*text);
}

std::optional<ProcStatm> ProcReader::read_statm(int pid) const {
  auto text = read_optional(path(pid, "statm"));
  if (!text) return std::nullopt;
  return parse_proc_statm(*text);
}

std::optional<std::vector<int>> ProcReader::read_children(int pid, int tid) const {
  auto text = read_optional(task_path(pid, tid, "children"));
  if (!text) return std::nullopt;
  return parse_children(*text);
}

std::optional<std::vector<std::string>> ProcReader::read_cmdline(int pid) const {
  auto text = read_optional(path(pid, "cmdline"));
  if (!text) return std::nullopt;
  return parse_cmdline(*text);
}

SystemStat ProcReader::read_system_stat() const {
  const std::string p = root_ + "/stat";
  auto text = read_optional(p);
  if (!text) throw std::system_error(ENOENT, std::generic_category(), p);
  return parse_system_stat(*text);
}

LoadAvg ProcReader::read_loadavg() const {
  const std::string p = root_ + "/loadavg";
  auto text = read_optional(p);
  if (!text) throw std::system_error(ENOENT, std::generic_category(), p);
  return parse_loadavg(*text);
}

long ProcReader::clock_ticks() {
  static const long ticks = [] {
    const long v = ::sysconf(_SC_CLK_TCK);
    return v > 0 ? v : 100;
  }();
  return ticks;
}

long ProcReader::page_size() {
  static const long size = [] {
    const long v = ::sysconf(_SC_PAGESIZE);
    return v > 0 ? v : 4096;
  }();
  return size;
}

}  // namespace benchgate::platform
