#pragma once
// Files: whole-file reads, atomic writes, temporary folders, executable lookup.

#include <filesystem>
#include <optional>
#include <string>

namespace benchgate::platform {

/// Reads a whole file. Throws std::system_error naming the path.
std::string read_file(const std::filesystem::path& path);

/// Writes `content` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// Parent folders are created. A reader sees the old file or the new one, never a torn one.
/// Throws InternalError naming the path.
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
