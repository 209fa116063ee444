#include "runner/seams.h"

#include <unistd.h>

#include "platform/proc.h"
#include "platform/sockets.h"

namespace benchgate::runner {

namespace {

class SubprocessProcess final : public Process {
 public:
  explicit SubprocessProcess(platform::Subprocess p) : p_(std::move(p)) {}
  int pid() const override { return p_.pid(); }
  std::optional<platform::ExitStatus> poll() override { return p_.poll(); }
  std::optional<platform::ExitStatus> status() const override { return p_.status(); }
  std::optional<platform::ExitStatus> wait_for(Nanos timeout, const CancelToken* cancel) override {
    return p_.wait_for(timeout, cancel);
  }
  platform::ExitStatus terminate(Nanos grace) override { return p_.terminate(grace); }
  void signal_group(int sig) override { p_.signal_group(sig); }

 private:
  platform::Subprocess p_;
};

class RealMonitor final : public AppMonitor {
 public:
  RealMonitor(const monitor::MonitorOptions& o, Clock& clock) : m_(o, clock) {}
  void add_root(int pid, int instance) override { m_.add_root(pid, instance); }
  void start() override { m_.start(); }
  void stop() override { m_.stop(); }
  monitor::Snapshot sample_now() override { return m_.sample_now(); }
  void begin_period() override { m_.begin_period(); }
  results::ResourceUsage end_period() override { return m_.end_period(); }
  results::Traces run_traces() const override { return m_.run_traces(); }

 private:
  monitor::Monitor m_;
};

}  // namespace

RunSeams real_seams() {
  RunSeams s;
  s.make_driver = [](const std::string& name) { return drivers::make_driver(name); };
  s.launch = [](const platform::SpawnOptions& o) -> std::unique_ptr<Process> {
    return std::make_unique<SubprocessProcess>(platform::Subprocess::spawn(o));
  };
  s.probe = [](const Url& url, Nanos timeout, bool tls_verify, Clock& clock) {
    return probe_url(url, timeout, tls_verify, clock);
  };
  s.make_monitor = [](const monitor::MonitorOptions& o,
                      Clock& clock) -> std::unique_ptr<AppMonitor> {
    return std::make_unique<RealMonitor>(o, clock);
  };
  s.make_profiler = [](const std::string& name) { return profilers::make_profiler(name); };
  s.descendants = [] {
    return platform::descendant_keys(platform::ProcReader(), static_cast<int>(::getpid()));
  };
  s.stop_descendants = [](const platform::SweepOptions& o) {
    return platform::stop_descendants(o);
  };
  s.port_holders = [](int port) {
    return platform::describe_holders(platform::find_port_holders(platform::ProcReader(), port));
  };
  return s;
}

}  // namespace benchgate::runner
