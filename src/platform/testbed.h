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
  /// "" for the machine fingerprint above; for counted metrics (instruction mode) what the
  /// fingerprint covers instead: "instruction counts: x86_64 · glibc 2.36 · valgrind-3.19.0"
  /// (counting_testbed() in sysinfo.h). The other fields then only describe the machine.
  std::string basis;
};

}  // namespace benchgate::platform
