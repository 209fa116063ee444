#pragma once
// Files: whole-file reads, atomic writes, temporary folders, executable lookup.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace benchgate::platform {

/// Reads a whole file. Throws std::system_error naming the path.
std::string read_file(const std::filesystem::path& path);

/// The largest input file (results, baselines, suites, Google Benchmark JSON) read whole.
inline constexpr std::uintmax_t kMaxInputBytes = std::uintmax_t{512} << 20;  // 512 MiB

/// Refuses, before anything is opened (a FIFO would block, /dev/zero never ends), what is not
/// a readable input file: ConfigError "<path>: cannot read: No such file or directory",
/// "<path>: is a directory", "<path>: not a regular file (a FIFO)", "<path>: 600 MiB
/// (629,145,600 bytes), larger than the 512 MiB limit for input files". Returns the size.
std::uintmax_t check_input_file(const std::filesystem::path& path,
                                std::uintmax_t max_bytes = kMaxInputBytes);
/// check_input_file(), then the whole text. ConfigError naming the path on any failure.
std::string read_input_file(const std::filesystem::path& path,
                            std::uintmax_t max_bytes = kMaxInputBytes);

/// Writes `content` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// Parent folders are created. A reader sees the old file or the new one, never a torn one.
/// A symbolic link is written through: its target is replaced (the link stays). The new file
/// keeps the mode of the file it replaces (0644 for a new one). Temporary files of this
/// function for the same target older than a minute (left by a kill -9) are removed first.
/// Throws ConfigError when the path is a directory, InternalError naming the path otherwise.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// Finds an executable: a name containing '/' is checked as is, otherwise searched on PATH.
std::optional<std::filesystem::path> find_executable(const std::string& name);

/// A folder under $TMPDIR (or /tmp) removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "benchgate");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace benchgate::platform
