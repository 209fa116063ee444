#pragma once
// One error hierarchy, one catch (cli::run): each error type carries its exit code.

#include <stdexcept>
#include <string>

#include "core/exit_code.h"

namespace benchgate {

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

/// Bad command line, config or input file (exit 2). The message names the option/file/line.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ExitCode::kUsage, what) {}
};

/// A config or data file is malformed (exit 2). Message format: "file:line: key: what".
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(ExitCode::kUsage, what) {}
};

/// A run could not be carried out: app crashed or never ready, driver missing or failed (exit 4).
class RunError : public Error {
 public:
  explicit RunError(const std::string& what) : Error(ExitCode::kRunFailed, what) {}
};

/// A bug or an environment failure such as an unwritable report (exit 5).
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& what) : Error(ExitCode::kInternal, what) {}
};

}  // namespace benchgate
