#pragma once
// `benchgate compare` app arguments: the command line of one app plus its attributes.

#include <cstddef>
#include <string>

#include "config/suite.h"

namespace benchgate::config {

/// Parses one `compare` app argument: "CMD[,label=NAME][,instances=N][,pwd=DIR][,cpus=LIST]
/// [,role=baseline|candidate]". CMD may contain spaces (split like a shell would); a comma
/// inside quotes or after a backslash belongs to the command. UsageError naming "app N" and
/// the attribute otherwise.
AppSpec parse_compare_app(const std::string& spec, std::size_t index);

}  // namespace benchgate::config
