#include "platform/sockets.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/parse.h"
#include "platform/fs.h"

namespace benchgate::platform {

namespace {

template <typename T>
T parse_number(std::string_view s, int base, std::string_view what) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw ParseError(fmt::format("bad {} '{}' in a /proc/net/tcp line", what, s));
  }
  return v;
}

}  // namespace

std::vector<std::uint64_t> parse_listening_inodes(std::string_view text, int port) {
  std::vector<std::uint64_t> out;
  bool header = true;
  for (const auto& line : split(text, '\n')) {
    if (trim(line).empty()) continue;
    if (header) {  // "  sl  local_address rem_address   st ..."
      header = false;
      continue;
    }
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    const auto f = split_whitespace(line);
    if (f.size() < 10) {
      throw ParseError(fmt::format("a /proc/net/tcp line has {} fields, expected at least 10: '{}'",
                                   f.size(), trim(line)));
    }
    const auto colon = f[1].rfind(':');
    if (colon == std::string::npos) {
      throw ParseError(fmt::format("bad local address '{}' in a /proc/net/tcp line", f[1]));
    }
    const auto local_port = parse_number<int>(std::string_view(f[1]).substr(colon + 1), 16, "port");
    const auto state = parse_number<int>(f[3], 16, "state");
    const auto inode = parse_number<std::uint64_t>(f[9], 10, "inode");
    if (state == 0x0A && local_port == port && inode != 0) out.push_back(inode);
  }
  return out;
}

std::vector<PortHolder> find_port_holders(const ProcReader& proc, int port) {
  std::set<std::string> wanted;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::string text;
    try {
      text = read_file(proc.root() + table);
    } catch (...) {
      continue;  // no IPv6, or no /proc/net
    }
    try {
      for (auto inode : parse_listening_inodes(text, port))
        wanted.insert(fmt::format("socket:[{}]", inode));
    } catch (const ParseError&) {
      continue;
    }
  }
  std::vector<PortHolder> out;
  if (wanted.empty()) return out;
  for (int pid : proc.list_pids()) {
    std::error_code ec;
    bool holds = false;
    for (const auto& fd : std::filesystem::directory_iterator(proc.path(pid, "fd"), ec)) {
      std::error_code lec;
      const auto target = std::filesystem::read_symlink(fd.path(), lec);
      if (!lec && wanted.count(target.string())) {
        holds = true;
        break;
      }
    }
    if (!holds) continue;
    PortHolder h;
    h.pid = pid;
    try {
      if (auto argv = proc.read_cmdline(pid)) h.argv = std::move(*argv);
    } catch (...) {
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::string describe_holders(const std::vector<PortHolder>& holders) {
  std::string out;
  for (const auto& h : holders) {
    if (!out.empty()) out += ", ";
    out += h.argv.empty() ? fmt::format("pid {}", h.pid)
                          : fmt::format("pid {} ({})", h.pid, format_command(h.argv, 160));
  }
  return out;
}

}  // namespace benchgate::platform
