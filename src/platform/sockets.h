#pragma once
// Who holds a TCP port: the listening sockets of /proc/net/tcp and tcp6 (under an injectable
// /proc root), matched to processes through the "socket:[inode]" links in /proc/<pid>/fd. Used
// to name the process when an app's port is still in use before a run starts.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/proc.h"

namespace benchgate::platform {

/// Inodes of the sockets listening (state 0A) on local port `port` in the text of
/// /proc/net/tcp or /proc/net/tcp6, in file order. ParseError on a malformed table.
std::vector<std::uint64_t> parse_listening_inodes(std::string_view text, int port);

/// A process with a listening socket on the port open.
struct PortHolder {
  int pid = 0;
  std::vector<std::string> argv;  ///< its command line (empty when unreadable)
};

/// Processes holding a socket listening on `port` (tcp and tcp6), ascending by pid. Empty
/// when nothing listens or the holders' fd folders cannot be read (other users, other
/// namespaces): callers then only name the port.
std::vector<PortHolder> find_port_holders(const ProcReader& proc, int port);

/// "pid 123 (nginx -c x.conf), pid 124 (…)" for a message; "" when empty.
std::string describe_holders(const std::vector<PortHolder>& holders);

}  // namespace benchgate::platform
