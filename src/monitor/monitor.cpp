#include "monitor/monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "monitor/sampler.h"

namespace benchgate::monitor {

namespace {

constexpr Nanos kMinInterval = std::chrono::milliseconds(10);
/// Per-process series are kept for this many processes (a forking server may start hundreds).
constexpr std::size_t kMaxProcessSeries = 64;

// Column-oriented time series: one shared time axis, every column the same length.
class TraceStore {
 public:
  int add_column(std::string name) {
    cols_.push_back({std::move(name), std::vector<double>(t_.size(), 0.0)});
    return static_cast<int>(cols_.size()) - 1;
  }
  void add_row(double t) {
    t_.push_back(t);
    for (auto& c : cols_)
      c.values.push_back(0.0);
  }
  void set(int col, double v) { cols_[static_cast<std::size_t>(col)].values.back() = v; }
  std::size_t rows() const { return t_.size(); }

  /// Rows [from, to] with t shifted by -t0; only the columns `keep` accepts.
  template <class Keep>
  results::Traces slice(std::size_t from, std::size_t to, double t0, double interval_s,
                        Keep keep) const {
    results::Traces out;
    out.interval_s = interval_s;
    if (t_.empty() || from > to || to >= t_.size()) return out;
    out.t.reserve(to - from + 1);
    for (std::size_t i = from; i <= to; ++i)
      out.t.push_back(t_[i] - t0);
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      if (!keep(static_cast<int>(c))) continue;
      const auto& v = cols_[c].values;
      out.series[cols_[c].name].assign(v.begin() + static_cast<std::ptrdiff_t>(from),
                                       v.begin() + static_cast<std::ptrdiff_t>(to) + 1);
    }
    return out;
  }

 private:
  struct Column {
    std::string name;
    std::vector<double> values;
  };
  std::vector<double> t_;
  std::vector<Column> cols_;
};

// Share of a CPU line's ticks between two readings, in percent.
results::CpuUtilisation utilisation(int cpu, const platform::CpuTimes& a,
                                    const platform::CpuTimes& b) {
  results::CpuUtilisation u;
  u.cpu = cpu;
  auto d = [](std::uint64_t x, std::uint64_t y) {
    return y >= x ? static_cast<double>(y - x) : 0.0;
  };
  const double total = d(a.total(), b.total());
  if (total <= 0) return u;
  u.user_pct = (d(a.user, b.user) + d(a.nice, b.nice)) / total * 100.0;
  u.sys_pct = (d(a.system, b.system) + d(a.irq, b.irq) + d(a.softirq, b.softirq)) / total * 100.0;
  u.idle_pct = d(a.idle_all(), b.idle_all()) / total * 100.0;
  // Busy = not idle: user, system, interrupts, and steal (the vCPU was not ours either).
  u.busy_pct = 100.0 - u.idle_pct;
  return u;
}

}  // namespace

struct Monitor::Impl {
  Impl(MonitorOptions o, Clock& c)
      : opt(std::move(o)), clock(c), sampler(opt.roots.proc), ticks(sampler.clock_ticks()) {
    if (opt.interval < kMinInterval) opt.interval = kMinInterval;
    col_rss = store.add_column("rss_total");
    col_cpu = store.add_column("cpu_percent");
    col_user = store.add_column("cpu_user_percent");
    col_sys = store.add_column("cpu_sys_percent");
    col_threads = store.add_column("threads");
    col_running = store.add_column("threads_running");
    col_procs = store.add_column("processes");
    col_runnable = store.add_column("system_runnable");
  }

  // Bookkeeping per TrackedProcess (same index as Sampler::processes()).
  struct Book {
    std::uint64_t prev_utime = 0, prev_stime = 0;  // at the previous pass (0: new process)
    bool in_period = false;
    std::uint64_t utime0 = 0, stime0 = 0;  // at the period's start (0: started within it)
    std::int64_t rss_start = 0, rss_peak = 0;
    int threads_max = 0;
    int col_rss = -1, col_cpu = -1;
  };

  MonitorOptions opt;
  Clock& clock;
  Sampler sampler;
  long ticks;

  mutable std::mutex mu;
  std::thread thread;
  std::unique_ptr<CancelToken> stop_token;

  std::vector<Book> books;
  TraceStore store;
  int col_rss, col_cpu, col_user, col_sys, col_threads, col_running, col_procs, col_runnable;
  struct CpuCols {
    int cpu = -1;
    int busy = -1, user = -1, sys = -1;  // columns
  };
  std::vector<CpuCols> cpu_cols;
  std::vector<int> column_owner;  // column -> book index, -1 for app-wide columns
  platform::SystemStat prev_sys;
  bool have_prev = false;
  Nanos first_time{0};
  Nanos prev_time{0};

  // Last pass's totals.
  Snapshot last;

  // The open period.
  bool in_period = false;
  Nanos period_begin{0};
  std::size_t period_row = 0;
  platform::SystemStat period_sys;
  std::int64_t period_rss_start = 0, period_rss_peak = 0;
  int period_threads_max = 0;

  double seconds(std::uint64_t t) const {
    return static_cast<double>(t) / static_cast<double>(ticks);
  }

  std::vector<int> cpus_to_record() const {
    if (!opt.cpus.empty()) return opt.cpus;
    std::vector<int> all;
    for (const auto& c : sampler.system().cpus)
      all.push_back(c.cpu);
    return all;
  }

  void add_owned_column(std::string name, int owner, int& col) {
    col = store.add_column(std::move(name));
    if (column_owner.size() < static_cast<std::size_t>(col) + 1) column_owner.resize(col + 1, -1);
    column_owner[static_cast<std::size_t>(col)] = owner;
  }

  // One pass of the sampler at `now`, recorded into the traces and the open period. `full`
  // (the synchronous calls) also refreshes VmHWM. Caller holds mu.
  void pass(Nanos now, bool full) {
    sampler.sample(full);
    const auto& procs = sampler.processes();
    if (cpu_cols.empty() && !sampler.system().cpus.empty()) {
      for (int cpu : cpus_to_record()) {
        CpuCols c;
        c.cpu = cpu;
        add_owned_column(fmt::format("cpu{}_busy", cpu), -1, c.busy);
        add_owned_column(fmt::format("cpu{}_user", cpu), -1, c.user);
        add_owned_column(fmt::format("cpu{}_sys", cpu), -1, c.sys);
        cpu_cols.push_back(c);
      }
    }
    while (books.size() < procs.size()) {
      Book b;
      const int idx = static_cast<int>(books.size());
      if (opt.per_process_traces && books.size() < kMaxProcessSeries) {
        const int pid = procs[books.size()]->pid;
        add_owned_column(fmt::format("rss:{}", pid), idx, b.col_rss);
        add_owned_column(fmt::format("cpu:{}", pid), idx, b.col_cpu);
      }
      // Started within the open period (or found for the first time): its CPU counts from 0.
      b.in_period = in_period;
      books.push_back(b);
    }
    if (store.rows() == 0) first_time = now;
    store.add_row(to_seconds(now - first_time));

    const double dt = store.rows() > 1 ? to_seconds(now - prev_time) : 0.0;
    std::uint64_t d_user = 0, d_sys = 0, total_ticks = 0;
    Snapshot s;
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const TrackedProcess& p = *procs[i];
      Book& b = books[i];
      const std::uint64_t du = p.utime - std::min(p.utime, b.prev_utime);
      const std::uint64_t ds = p.stime - std::min(p.stime, b.prev_stime);
      d_user += du;
      d_sys += ds;
      b.prev_utime = p.utime;
      b.prev_stime = p.stime;
      total_ticks += p.utime + p.stime;
      if (p.alive) {
        s.rss_total += p.rss;
        s.threads += p.threads;
        s.processes += 1;
      }
      if (b.col_rss >= 0) store.set(b.col_rss, static_cast<double>(p.rss));
      if (b.col_cpu >= 0 && dt > 0) store.set(b.col_cpu, seconds(du + ds) / dt * 100.0);
      if (in_period && b.in_period && p.alive) {
        b.rss_peak = std::max(b.rss_peak, p.rss);
        b.threads_max = std::max(b.threads_max, p.threads);
      }
    }
    s.cpu_total_s = seconds(total_ticks);
    int running = 0;
    for (const auto& p : procs) {
      if (p->alive) running += p->threads_running;
    }
    store.set(col_rss, static_cast<double>(s.rss_total));
    if (dt > 0) {
      store.set(col_cpu, seconds(d_user + d_sys) / dt * 100.0);
      store.set(col_user, seconds(d_user) / dt * 100.0);
      store.set(col_sys, seconds(d_sys) / dt * 100.0);
    }
    store.set(col_threads, s.threads);
    store.set(col_running, running);
    store.set(col_procs, s.processes);
    // procs_running counts every runnable task on the machine, this sampler included.
    store.set(col_runnable, std::max(0, sampler.system().procs_running - 1));
    const auto& sys = sampler.system();
    if (have_prev) {
      for (const auto& c : cpu_cols) {
        const auto* a = prev_sys.find(c.cpu);
        const auto* b = sys.find(c.cpu);
        if (!a || !b) continue;
        const auto u = utilisation(c.cpu, *a, *b);
        store.set(c.busy, u.busy_pct);
        store.set(c.user, u.user_pct);
        store.set(c.sys, u.sys_pct);
      }
    }
    prev_sys = sys;
    have_prev = true;
    prev_time = now;
    last = s;
    if (in_period) {
      period_rss_peak = std::max(period_rss_peak, s.rss_total);
      period_threads_max = std::max(period_threads_max, s.threads);
    }
  }

  void begin(Nanos now) {
    pass(now, true);
    in_period = true;
    period_begin = now;
    period_row = store.rows() - 1;
    period_sys = sampler.system();
    period_rss_start = period_rss_peak = last.rss_total;
    period_threads_max = last.threads;
    const auto& procs = sampler.processes();
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const TrackedProcess& p = *procs[i];
      Book& b = books[i];
      // Processes that exited before the period are not part of it.
      b.in_period = p.alive;
      b.utime0 = p.utime;
      b.stime0 = p.stime;
      b.rss_start = b.rss_peak = p.alive ? p.rss : 0;
      b.threads_max = p.alive ? p.threads : 0;
    }
  }

  results::ResourceUsage end(Nanos now) {
    pass(now, true);
    results::ResourceUsage u;
    u.duration_s = to_seconds(now - period_begin);
    const auto& procs = sampler.processes();
    // CPU time of the period, per process: what it consumed between the two instants. A process
    // that started within the period counts from 0 (utime0 = 0); one that exited counts up to
    // its last sample (what it used between that sample and its exit is not seen, at most one
    // interval's worth).
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const TrackedProcess& p = *procs[i];
      const Book& b = books[i];
      if (!b.in_period) continue;
      results::ProcessUsage pu;
      pu.pid = p.pid;
      pu.ppid = p.ppid;
      pu.instance = p.instance;
      pu.comm = p.comm;
      pu.cpu_user_s = seconds(p.utime - std::min(p.utime, b.utime0));
      pu.cpu_sys_s = seconds(p.stime - std::min(p.stime, b.stime0));
      pu.rss_start = b.rss_start;
      pu.rss_end = p.alive ? p.rss : 0;
      pu.rss_peak = b.rss_peak;
      pu.rss_hwm = p.hwm;
      pu.threads_max = b.threads_max;
      pu.exited = !p.alive;
      u.cpu_user_s += pu.cpu_user_s;
      u.cpu_sys_s += pu.cpu_sys_s;
      u.per_process.push_back(std::move(pu));
    }
    u.cpu_percent = u.duration_s > 0 ? u.cpu_total_s() / u.duration_s * 100.0 : 0.0;
    u.rss_start = period_rss_start;
    u.rss_end = last.rss_total;
    u.rss_peak = period_rss_peak;
    u.processes = static_cast<int>(u.per_process.size());
    u.threads_max = period_threads_max;
    for (int cpu : cpus_to_record()) {
      const auto* a = period_sys.find(cpu);
      const auto* b = sampler.system().find(cpu);
      if (a && b) u.per_cpu.push_back(utilisation(cpu, *a, *b));
    }
    u.traces = store.slice(period_row, store.rows() - 1, to_seconds(period_begin - first_time),
                           to_seconds(opt.interval), [&](int col) {
                             const auto c = static_cast<std::size_t>(col);
                             const int owner = c < column_owner.size() ? column_owner[c] : -1;
                             return owner < 0 || books[static_cast<std::size_t>(owner)].in_period;
                           });
    in_period = false;
    return u;
  }

  void run(CancelToken* stop) {
    Nanos next = clock.now();
    for (;;) {
      {
        std::lock_guard lock(mu);
        try {
          pass(clock.now(), false);
        } catch (const std::exception&) {
          // A sampling failure must not take benchgate down; the next pass tries again.
        }
      }
      next += opt.interval;
      const Nanos now = clock.now();
      if (next <= now) {
        // Fell behind (suspended, overloaded): skip the missed ticks instead of bursting.
        next += (now - next) / opt.interval * opt.interval + opt.interval;
      }
      if (!clock.wait_until(next, stop)) return;
    }
  }
};

Monitor::Monitor(MonitorOptions options, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {}

Monitor::~Monitor() {
  stop();
}

void Monitor::add_root(int pid, int instance) {
  std::lock_guard lock(impl_->mu);
  impl_->sampler.add_root(pid, instance);
}

void Monitor::start() {
  if (impl_->thread.joinable()) return;
  impl_->stop_token = std::make_unique<CancelToken>();
  impl_->thread = std::thread([this, stop = impl_->stop_token.get()] { impl_->run(stop); });
}

void Monitor::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stop_token->cancel();
  impl_->thread.join();
}

Snapshot Monitor::sample_now() {
  std::lock_guard lock(impl_->mu);
  impl_->pass(impl_->clock.now(), true);
  return impl_->last;
}

void Monitor::begin_period() {
  std::lock_guard lock(impl_->mu);
  impl_->begin(impl_->clock.now());
}

results::ResourceUsage Monitor::end_period() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->in_period) throw InternalError("Monitor::end_period() without begin_period()");
  return impl_->end(impl_->clock.now());
}

results::Traces Monitor::run_traces() const {
  std::lock_guard lock(impl_->mu);
  const auto& s = impl_->store;
  if (s.rows() == 0) {
    results::Traces t;
    t.interval_s = to_seconds(impl_->opt.interval);
    return t;
  }
  return s.slice(0, s.rows() - 1, 0.0, to_seconds(impl_->opt.interval), [](int) { return true; });
}

std::vector<int> Monitor::known_pids() const {
  std::lock_guard lock(impl_->mu);
  std::vector<int> out;
  for (const auto& p : impl_->sampler.processes()) {
    if (p->alive) out.push_back(p->pid);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// "cpu12_user" -> (12, "user"), or (-1, "") for any other name.
std::pair<int, std::string> per_cpu_series(const std::string& name) {
  if (name.rfind("cpu", 0) != 0) return {-1, ""};
  const auto us = name.find('_');
  if (us == std::string::npos || us == 3) return {-1, ""};
  const auto digits = name.substr(3, us - 3);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return {-1, ""};
  return {std::stoi(digits), name.substr(us + 1)};
}

std::string csv_of(const results::Traces& t, const std::vector<std::string>& columns) {
  if (t.t.empty()) return "";
  std::string out = "t_s";
  for (const auto& c : columns)
    out += "," + c;
  out += '\n';
  for (std::size_t i = 0; i < t.t.size(); ++i) {
    out += fmt::format("{:.3f}", t.t[i]);
    for (const auto& c : columns) {
      const auto it = t.series.find(c);
      out += ',';
      if (it == t.series.end() || i >= it->second.size() || std::isnan(it->second[i])) continue;
      const double v = it->second[i];
      // Bytes and counts exactly; rates to 6 significant digits.
      if (v == std::floor(v) && std::fabs(v) < 1e15) {
        out += fmt::format("{:.0f}", v);
      } else {
        out += fmt::format("{:.6g}", v);
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string rss_csv(const results::Traces& traces) {
  std::vector<std::string> columns = {"rss_total"};
  std::vector<std::pair<int, std::string>> per_process;
  for (const auto& [name, v] : traces.series) {
    if (name.rfind("rss:", 0) == 0) per_process.emplace_back(std::stoi(name.substr(4)), name);
  }
  std::sort(per_process.begin(), per_process.end());
  for (const auto& [pid, name] : per_process)
    columns.push_back(name);
  return csv_of(traces, columns);
}

std::string cpu_csv(const results::Traces& traces) {
  std::vector<std::string> columns = {"cpu_percent", "cpu_user_percent", "cpu_sys_percent"};
  std::vector<int> cpus;
  for (const auto& [name, v] : traces.series) {
    const auto [cpu, what] = per_cpu_series(name);
    if (cpu >= 0 && what == "busy") cpus.push_back(cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  for (int cpu : cpus) {
    for (const char* what : {"user", "sys", "busy"})
      columns.push_back(fmt::format("cpu{}_{}", cpu, what));
  }
  return csv_of(traces, columns);
}

}  // namespace benchgate::monitor
