#include "drivers/commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/parse.h"
#include "drivers/driver.h"
#include "drivers/external.h"
#include "drivers/jmeter_driver.h"
#include "drivers/wrk2_driver.h"
#include "platform/fs.h"

namespace benchgate::drivers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Argv = std::vector<std::string>;

WrkCommandSpec base_spec() {
  WrkCommandSpec s;
  s.url = "http://127.0.0.1:8091/plaintext";
  s.connections = 16;
  s.duration = seconds(3);
  s.timeout = seconds(2);
  return s;
}

TEST(WrkCommand, Default) {
  auto cmd = build_wrk_command(base_spec());
  EXPECT_EQ(cmd.argv, (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency",
                            "http://127.0.0.1:8091/plaintext"}));
  EXPECT_TRUE(cmd.script_path.empty());
  EXPECT_TRUE(cmd.script_text.empty());
}

TEST(WrkCommand, ThreadsNeverExceedConnections) {
  EXPECT_EQ(wrk_threads(0, 1, 0), 1);
  EXPECT_EQ(wrk_threads(0, 16, 0), 2);  // no CPU list: 2
  EXPECT_EQ(wrk_threads(0, 16, 4), 4);  // one per driver CPU
  EXPECT_EQ(wrk_threads(0, 3, 8), 3);   // ... but not more than connections
  EXPECT_EQ(wrk_threads(8, 4, 0), 4);   // explicit, clamped
  EXPECT_EQ(wrk_threads(3, 64, 8), 3);  // explicit wins
  auto s = base_spec();
  s.connections = 1;
  s.threads = 4;
  EXPECT_EQ(build_wrk_command(s).argv[1], "-t1");
  s.connections = 64;
  s.threads = 0;
  s.driver_cpus = 3;
  EXPECT_EQ(build_wrk_command(s).argv[1], "-t3");
}

TEST(WrkCommand, DurationAndTimeoutInWholeSecondsRoundedUp) {
  EXPECT_EQ(whole_seconds_ceil(milliseconds(1)), 1);
  EXPECT_EQ(whole_seconds_ceil(milliseconds(0)), 1);
  EXPECT_EQ(whole_seconds_ceil(seconds(10)), 10);
  EXPECT_EQ(whole_seconds_ceil(milliseconds(10001)), 11);
  EXPECT_EQ(whole_seconds_ceil(milliseconds(2500)), 3);
  auto s = base_spec();
  s.duration = milliseconds(2500);
  s.timeout = milliseconds(500);
  auto a = build_wrk_command(s).argv;
  EXPECT_EQ(a[3], "-d3s");
  EXPECT_EQ(a[5], "1s");
}

TEST(WrkCommand, NoKeepalive) {
  auto s = base_spec();
  s.keepalive = false;
  EXPECT_EQ(build_wrk_command(s).argv,
            (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency", "-H",
                  "Connection: close", "http://127.0.0.1:8091/plaintext"}));
}

TEST(WrkCommand, PipelineWritesTheFixtureScript) {
  auto s = base_spec();
  s.pipeline = kDefaultPipelineDepth;
  s.generated_script_path = "/tmp/x/pipeline.lua";
  auto cmd = build_wrk_command(s);
  EXPECT_EQ(cmd.argv, (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency", "-s",
                            "/tmp/x/pipeline.lua", "http://127.0.0.1:8091/plaintext", "--", "16"}));
  EXPECT_EQ(cmd.script_path, "/tmp/x/pipeline.lua");
  // The body of fixtures/wrk/README.md's pipeline.lua, line for line.
  EXPECT_NE(cmd.script_text.find("init = function(args)\n"
                                 "  local depth, r = tonumber(args[1]) or 16, {}\n"
                                 "  for i = 1, depth do r[i] = wrk.format() end\n"
                                 "  req = table.concat(r)\n"
                                 "end\n"
                                 "request = function() return req end\n"),
            std::string::npos)
      << cmd.script_text;
  EXPECT_EQ(cmd.script_text.find("wrk.method"), std::string::npos);
  s.pipeline = 4;
  EXPECT_EQ(build_wrk_command(s).argv.back(), "4");
}

TEST(WrkCommand, UserScriptWithArguments) {
  auto s = base_spec();
  s.script = "report.lua";
  s.script_args = {"a", "b c"};
  EXPECT_EQ(build_wrk_command(s).argv,
            (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency", "-s", "report.lua",
                  "http://127.0.0.1:8091/plaintext", "--", "a", "b c"}));
  s.script_args.clear();
  EXPECT_EQ(build_wrk_command(s).argv.back(), "http://127.0.0.1:8091/plaintext");
}

TEST(WrkCommand, ExtraHeaders) {
  auto s = base_spec();
  s.headers = {{"Accept", "application/json"}, {"X-Trace", "1"}};
  auto a = build_wrk_command(s).argv;
  EXPECT_EQ(
      a, (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency", "-H",
               "Accept: application/json", "-H", "X-Trace: 1", "http://127.0.0.1:8091/plaintext"}));
}

TEST(WrkCommand, MethodAndBodyThroughGeneratedScript) {
  auto s = base_spec();
  s.method = "POST";
  s.body = "{\"a\":\"x\\y\"}\n";
  s.headers = {{"Content-Type", "application/json"}};
  s.generated_script_path = "req.lua";
  auto cmd = build_wrk_command(s);
  EXPECT_EQ(cmd.argv, (Argv{"wrk", "-t2", "-c16", "-d3s", "--timeout", "2s", "--latency", "-H",
                            "Content-Type: application/json", "-s", "req.lua",
                            "http://127.0.0.1:8091/plaintext"}));
  EXPECT_NE(cmd.script_text.find("wrk.method = \"POST\"\n"), std::string::npos);
  // Quotes, backslash and newline as decimal escapes: valid Lua 5.1 for any byte.
  EXPECT_NE(cmd.script_text.find(R"(wrk.body = "{\034a\034:\034x\092y\034}\010")"),
            std::string::npos)
      << cmd.script_text;
  EXPECT_EQ(cmd.script_text.find("request = function"), std::string::npos);  // not pipelined

  s.pipeline = 8;
  cmd = build_wrk_command(s);
  EXPECT_NE(cmd.script_text.find("wrk.method = \"POST\""), std::string::npos);
  EXPECT_NE(cmd.script_text.find("request = function() return req end"), std::string::npos);
  EXPECT_EQ(cmd.argv.back(), "8");
}

TEST(WrkCommand, RejectsImpossibleCombinations) {
  auto s = base_spec();
  s.generated_script_path = "g.lua";
  s.script = "mine.lua";
  s.pipeline = 16;
  EXPECT_THROW(build_wrk_command(s), UsageError);
  s.pipeline = 1;
  s.method = "PUT";
  EXPECT_THROW(build_wrk_command(s), UsageError);
  s = base_spec();
  s.pipeline = 16;
  s.keepalive = false;
  s.generated_script_path = "g.lua";
  EXPECT_THROW(build_wrk_command(s), UsageError);
  s = base_spec();
  s.pipeline = 16;  // no path for the generated script
  EXPECT_THROW(build_wrk_command(s), UsageError);
  s = base_spec();
  s.connections = 0;
  EXPECT_THROW(build_wrk_command(s), UsageError);
  s = base_spec();
  s.url.clear();
  EXPECT_THROW(build_wrk_command(s), UsageError);
}

TEST(WrkCommand, WriteGeneratedScript) {
  platform::TempDir dir("bg-cmd");
  auto s = base_spec();
  s.pipeline = 16;
  s.generated_script_path = dir.path() / "sub" / "pipeline.lua";
  auto cmd = build_wrk_command(s);
  write_generated_script(cmd);
  EXPECT_EQ(platform::read_file(s.generated_script_path), cmd.script_text);
  write_generated_script(build_wrk_command(base_spec()));  // nothing to write: no-op
}

TEST(Wrk2Command, RateAndCalibration) {
  Wrk2CommandSpec s;
  s.wrk = base_spec();
  s.wrk.duration = seconds(5);
  s.rate = 2000;
  s.calibration = seconds(10);
  EXPECT_EQ(build_wrk2_command(s).argv,
            (Argv{"wrk2", "-t2", "-c16", "-d15s", "-R", "2000", "--timeout", "2s", "--latency",
                  "http://127.0.0.1:8091/plaintext"}));
  s.uncorrected = true;
  s.rate = 499.6;
  s.calibration = milliseconds(10080);  // 10 s + 5 ms per connection
  s.wrk.program = "/opt/wrk2/wrk";
  EXPECT_EQ(build_wrk2_command(s).argv,
            (Argv{"/opt/wrk2/wrk", "-t2", "-c16", "-d16s", "-R", "500", "-U", "--timeout", "2s",
                  "--latency", "http://127.0.0.1:8091/plaintext"}));
  s.rate = 0;
  EXPECT_THROW(build_wrk2_command(s), UsageError);
  s.rate = 0.2;  // rounds to at least 1
  EXPECT_EQ(build_wrk2_command(s).argv[5], "1");
}

TEST(JmeterCommand, NonGuiWithProperties) {
  JmeterCommandSpec s;
  s.plan = "plan.jmx";
  s.results = "out/results.jtl";
  s.log = "out/jmeter.log";
  s.threads = 8;
  s.duration = seconds(20);
  s.summariser_interval = seconds(6);
  EXPECT_EQ(
      build_jmeter_command(s).argv,
      (Argv{"jmeter", "-n", "-t", "plan.jmx", "-l", "out/results.jtl", "-j", "out/jmeter.log",
            "-Jsummariser.name=summary", "-Jsummariser.interval=6",
            "-Jjmeter.save.saveservice.output_format=csv",
            "-Jjmeter.save.saveservice.print_field_names=true", "-JTHREADS=8", "-JDURATION=20"}));

  s.jtl_header = false;
  s.url = "http://127.0.0.1:8095/slow?x=1";
  s.timeout = milliseconds(1000);
  s.duration = milliseconds(20500);
  s.summariser_interval = milliseconds(500);
  s.user_properties = "user.properties";
  s.system_properties = "system.properties";
  s.properties = {{"ramp", "0"}};
  s.program = "/usr/bin/jmeter";
  EXPECT_EQ(build_jmeter_command(s).argv, (Argv{"/usr/bin/jmeter",
                                                "-n",
                                                "-t",
                                                "plan.jmx",
                                                "-l",
                                                "out/results.jtl",
                                                "-j",
                                                "out/jmeter.log",
                                                "-Jsummariser.name=summary",
                                                "-Jsummariser.interval=1",
                                                "-Jjmeter.save.saveservice.output_format=csv",
                                                "-JTHREADS=8",
                                                "-JDURATION=21",
                                                "-JPROTOCOL=http",
                                                "-JHOST=127.0.0.1",
                                                "-JPORT=8095",
                                                "-JPATH=/slow?x=1",
                                                "-JTIMEOUT=1000",
                                                "-q",
                                                "user.properties",
                                                "-S",
                                                "system.properties",
                                                "-Jramp=0"}));
}

TEST(JmeterCommand, Rejects) {
  JmeterCommandSpec s;
  s.results = "r.jtl";
  s.log = "j.log";
  EXPECT_THROW(build_jmeter_command(s), UsageError);  // no plan
  s.plan = "p.jmx";
  s.threads = 0;
  EXPECT_THROW(build_jmeter_command(s), UsageError);
  s.threads = 1;
  s.url = "ftp://x";
  EXPECT_THROW(build_jmeter_command(s), UsageError);
}

// --- Remote load host: the argv actually executed when client_host is set. ---

/// The remote command as run_tool sends it: markers around the tool, its exit status kept.
std::string wrapped(const std::string& cmd) {
  return "echo @@benchgate-tool-start@@; " + cmd + "; s=$?; echo @@benchgate-tool-end@@; exit $s";
}

/// The tool's command inside the wrapped remote command.
std::string unwrapped(const std::string& remote) {
  const std::string head = "echo @@benchgate-tool-start@@; ";
  const std::string tail = "; s=$?; echo @@benchgate-tool-end@@; exit $s";
  EXPECT_EQ(remote.rfind(head, 0), 0u) << remote;
  EXPECT_GE(remote.size(), head.size() + tail.size()) << remote;
  EXPECT_EQ(remote.substr(remote.size() - tail.size()), tail) << remote;
  return remote.substr(head.size(), remote.size() - head.size() - tail.size());
}

TEST(RemoteCommand, LocalRunsTheToolItself) {
  DriverOptions o;
  const Argv argv = {"wrk", "-t2", "-c16", "http://127.0.0.1:8091/plaintext"};
  EXPECT_EQ(tool_argv(argv, o), argv);
}

TEST(RemoteCommand, SshWithOptionsAndOneQuotedRemoteCommand) {
  DriverOptions o;
  o.client_host = "loadgen.example";
  o.ssh_options = {"-p", "2222", "-i", "/keys/id ed25519", "-o", "StrictHostKeyChecking=no"};
  WrkCommandSpec s = base_spec();
  s.headers = {{"X-Test", "a b"}};
  const auto cmd = build_wrk_command(s);
  const auto ssh = tool_argv(cmd.argv, o);
  EXPECT_EQ(ssh,
            (Argv{"ssh", "-tt", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-p", "2222", "-i",
                  "/keys/id ed25519", "-o", "StrictHostKeyChecking=no", "--", "loadgen.example",
                  wrapped("wrk -t2 -c16 -d3s --timeout 2s --latency -H 'X-Test: a b' "
                          "http://127.0.0.1:8091/plaintext")}));
  // The remote shell splits the command back into exactly the local argv.
  EXPECT_EQ(shell_split(unwrapped(ssh.back())), cmd.argv);
}

TEST(RemoteCommand, QuotingSurvivesTheRemoteShell) {
  DriverOptions o;
  o.client_host = "user@10.0.0.2";
  const Argv argv = {"/opt/wrk2/wrk",
                     "-H",
                     "Cookie: a=\"x\"; b='y'",
                     "-s",
                     "/tmp/my script.lua",
                     "http://h/p?q=1&r=$HOME",
                     "--",
                     "it's",
                     "*"};
  const auto ssh = tool_argv(argv, o);
  ASSERT_EQ(ssh.size(), 9u);
  EXPECT_EQ(ssh[6], "--");
  EXPECT_EQ(ssh[7], "user@10.0.0.2");
  const auto tool = unwrapped(ssh[8]);
  EXPECT_EQ(shell_split(tool), argv);
  // Nothing the remote shell would expand is left unquoted.
  for (const char* c : {"$HOME", "&r", "'y'"}) {
    EXPECT_NE(tool.find(c), std::string::npos) << c;
  }
  EXPECT_EQ(tool.find(" * "), std::string::npos) << tool;
}

TEST(RemoteCommand, TheHostComesAfterTheEndOfOptions) {
  // Config validation refuses such a host; the argv does not rely on it: after "--" ssh reads
  // "-oProxyCommand=..." as the host name, never as an option.
  DriverOptions o;
  o.client_host = "-oProxyCommand=touch /tmp/pwned";
  const Argv argv = {"wrk", "http://h/"};
  const auto ssh = tool_argv(argv, o);
  ASSERT_EQ(ssh.size(), 9u);
  EXPECT_EQ(ssh[6], "--");
  EXPECT_EQ(ssh[7], o.client_host);
  EXPECT_EQ(ssh[8], wrapped("wrk http://h/"));
  EXPECT_EQ(std::count(ssh.begin(), ssh.end(), "--"), 1);
}

TEST(RemoteCommand, Wrk2AndJmeterOverSsh) {
  DriveRequest req;
  req.url = "http://10.0.0.1:8080/plaintext";
  req.point = {16, 2000};
  req.duration = seconds(5);
  req.options.client_host = "loadhost";
  req.options.ssh_options = {"-p", "22"};
  req.options.threads = 2;
  const auto wrk2 = tool_argv(wrk2_command(req, req.duration, seconds(10), "").argv, req.options);
  EXPECT_EQ(wrk2, (Argv{"ssh", "-tt", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-p", "22",
                        "--", "loadhost",
                        wrapped("wrk2 -t2 -c16 -d15s -R 2000 --timeout 2s --latency "
                                "http://10.0.0.1:8080/plaintext")}));

  req.point = {8, 0};
  req.warmup = seconds(2);
  req.out_dir = "/out";
  req.artifact_prefix = "artifacts/run/c8-";
  req.options.extra["plan"] = "/plans/plan.jmx";
  const auto jm = tool_argv(build_jmeter_command(jmeter_command_spec(req)).argv, req.options);
  EXPECT_EQ(unwrapped(jm.back()),
            "jmeter -n -t /plans/plan.jmx -l /out/artifacts/run/c8-jmeter.jtl -j "
            "/out/artifacts/run/c8-jmeter.log -Jsummariser.name=summary -Jsummariser.interval=1 "
            "-Jjmeter.save.saveservice.output_format=csv "
            "-Jjmeter.save.saveservice.print_field_names=true -JTHREADS=8 -JDURATION=7 "
            "-JPROTOCOL=http -JHOST=10.0.0.1 -JPORT=8080 -JPATH=/plaintext -JTIMEOUT=2000");
}

// --- Driver-level builders: a drive request -> the tool's command. ---

TEST(Wrk2DriverCommand, FromARequest) {
  DriveRequest req;
  req.url = "http://127.0.0.1:8091/plaintext";
  req.point = {16, 1999.6};
  req.duration = seconds(5);
  req.options.cpus = {0, 1, 2, 3};
  req.options.tool_path = "/opt/wrk2/wrk";
  req.options.headers = {{"Accept", "text/plain"}};
  EXPECT_EQ(wrk2_calibration(16), milliseconds(10080));
  EXPECT_EQ(wrk2_command(req, req.duration, wrk2_calibration(16), "").argv,
            (Argv{"/opt/wrk2/wrk", "-t4", "-c16", "-d16s", "-R", "2000", "--timeout", "2s",
                  "--latency", "-H", "Accept: text/plain", "http://127.0.0.1:8091/plaintext"}));
  req.options.pipeline = 4;
  req.out_dir = "/out";
  req.artifact_prefix = "a/";
  const auto piped = wrk2_command(req, req.duration, Nanos{0}, "warmup-");
  EXPECT_EQ(piped.script_path, "/out/a/warmup-wrk2.lua");
  EXPECT_EQ(piped.argv.back(), "4");  // depth after "--"
  req.point.rate = 0;
  try {
    wrk2_command(req, req.duration, Nanos{0}, "");
    FAIL() << "a rate is required";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--rates"), std::string::npos) << e.what();
  }
}

TEST(JmeterDriverCommand, FromARequest) {
  DriveRequest req;
  req.url = "https://example.org:8443/api?x=1";
  req.point = {32, 0};
  req.duration = seconds(30);
  req.warmup = milliseconds(2500);
  req.interval = seconds(5);
  req.out_dir = "/o";
  req.options.timeout = milliseconds(1500);
  req.options.tool_path = "/opt/jmeter/bin/jmeter";
  req.options.extra = {{"plan", "/p/plan.jmx"},
                       {"user_properties", "/p/user.properties"},
                       {"property:ramp", "0"},
                       {"property:rps", "100"},
                       {"unrelated", "x"}};
  const auto spec = jmeter_command_spec(req);
  EXPECT_EQ(spec.threads, 32);
  EXPECT_EQ(spec.duration, milliseconds(32500));
  EXPECT_EQ(spec.summariser_interval, seconds(5));
  EXPECT_EQ(build_jmeter_command(spec).argv,
            (Argv{"/opt/jmeter/bin/jmeter",
                  "-n",
                  "-t",
                  "/p/plan.jmx",
                  "-l",
                  "/o/jmeter.jtl",
                  "-j",
                  "/o/jmeter.log",
                  "-Jsummariser.name=summary",
                  "-Jsummariser.interval=5",
                  "-Jjmeter.save.saveservice.output_format=csv",
                  "-Jjmeter.save.saveservice.print_field_names=true",
                  "-JTHREADS=32",
                  "-JDURATION=33",
                  "-JPROTOCOL=https",
                  "-JHOST=example.org",
                  "-JPORT=8443",
                  "-JPATH=/api?x=1",
                  "-JTIMEOUT=1500",
                  "-q",
                  "/p/user.properties",
                  "-Jramp=0",
                  "-Jrps=100"}));
  req.options.extra["summariser_interval"] = "200ms";  // at least 1 s
  EXPECT_EQ(jmeter_command_spec(req).summariser_interval, seconds(1));
  req.options.extra.erase("plan");
  EXPECT_THROW(jmeter_command_spec(req), UsageError);
  req.options.extra["plan"] = "/p/plan.jmx";
  req.point.rate = 100;
  EXPECT_THROW(jmeter_command_spec(req), UsageError);
}

TEST(RemoteCommand, SshFailureQuotesSshNotTheToolParser) {
  DriverOptions o;
  ToolRun run;
  run.status.exited = true;
  run.status.code = 255;
  run.output =
      "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\n"
      "root@127.0.0.1: Permission denied (publickey).\n";
  EXPECT_FALSE(ssh_failure(run, o).has_value()) << "local: not an ssh failure";
  o.client_host = "127.0.0.1";
  const auto msg = ssh_failure(run, o);
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(*msg,
            "ssh to 127.0.0.1 failed (exited with status 255): root@127.0.0.1: Permission denied "
            "(publickey).");
  run.status.code = 1;  // the remote tool's own failure: the driver reads its output
  EXPECT_FALSE(ssh_failure(run, o).has_value());
}

// wrk's -d is whole seconds: a sub-second (or fractional) duration is refused at validation
// time instead of silently becoming -d1s.
TEST(WrkCommand, DurationMustBeWholeSeconds) {
  EXPECT_NO_THROW(check_wrk_whole_seconds("wrk", "--duration", seconds(1)));
  EXPECT_NO_THROW(check_wrk_whole_seconds("wrk", "--duration", seconds(30)));
  try {
    check_wrk_whole_seconds("wrk", "--duration", milliseconds(100));
    FAIL() << "100ms accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--duration: wrk takes whole seconds: duration 100ms; use ≥ 1s or the builtin "
                 "driver");
  }
  try {
    check_wrk_whole_seconds("wrk", "--warmup", milliseconds(1500));
    FAIL() << "1.5s accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--warmup: wrk takes whole seconds: warmup 1500ms; use 2s or the builtin driver");
  }
  for (const char* name : {"wrk", "wrk-pipeline", "wrk-nokeepalive"}) {
    auto d = make_driver(name);
    DriveRequest req;
    req.url = "http://127.0.0.1:8091/plaintext";
    req.point.clients = 4;
    req.duration = seconds(2);
    req.warmup = Nanos::zero();
    EXPECT_NO_THROW(d->validate(req)) << name;
    req.duration = milliseconds(100);
    EXPECT_THROW(d->validate(req), UsageError) << name;
    req.duration = seconds(2);
    req.warmup = milliseconds(500);
    EXPECT_THROW(d->validate(req), UsageError) << name;
  }
  // The builtin driver times any duration.
  DriveRequest req;
  req.url = "http://127.0.0.1:8091/plaintext";
  req.point.clients = 4;
  req.duration = milliseconds(100);
  EXPECT_NO_THROW(make_driver("builtin")->validate(req));
}

}  // namespace
}  // namespace benchgate::drivers
