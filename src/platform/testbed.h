#pragma once
// The testbed a result was measured on: what decides whether a stored baseline is comparable.
// Declared here (platform::testbed() fills it) and used by the result model as results::Testbed.

#include <string>

namespace benchgate::platform {

struct Testbed {
  std::string cpu_model;
  int num_cpus = 0;
  std::string kernel;        ///< full release string
  std::string kernel_major;  ///< "6.1"
  std::string build_type;
  std::string fingerprint;  ///< stable hash of the fields above
};

}  // namespace benchgate::platform
