// Text exposition format 0.0.4, byte for byte: counters, gauges, histograms, escaping, number
// formatting, ordering, collectors; then promtool's verdict on a populated registry.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "proxy/metrics/exposition.hpp"
#include "proxy/metrics/metrics.hpp"
#include "proxy/metrics/process_metrics.hpp"

namespace mysqlproxy::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(MetricsExposition, CounterWithLabels) {
  Registry registry;
  auto& queries =
      registry.counter("mysql_proxy_queries_total", "Queries routed.", {"backend", "reason"});
  queries.with({"r1", "read"}).inc(3);
  EXPECT_EQ(registry.render(),
            "# HELP mysql_proxy_queries_total Queries routed.\n"
            "# TYPE mysql_proxy_queries_total counter\n"
            "mysql_proxy_queries_total{backend=\"r1\",reason=\"read\"} 3\n");
}

TEST(MetricsExposition, CounterWithoutLabelsAndEmptyFamily) {
  Registry registry;
  registry.counter("connections_total", "Connections accepted.").with({}).inc(18446744073709551615u);
  registry.counter("errors_total", "Errors.", {"kind"});  // no series yet: header only
  EXPECT_EQ(registry.render(),
            "# HELP connections_total Connections accepted.\n"
            "# TYPE connections_total counter\n"
            "connections_total 18446744073709551615\n"
            "# HELP errors_total Errors.\n"
            "# TYPE errors_total counter\n");
}

TEST(MetricsExposition, Gauge) {
  Registry registry;
  auto& pool = registry.gauge("pool_connections", "Pooled connections.", {"backend"});
  pool.with({"primary"}).set(4);
  pool.with({"r1"}).set(2.5);
  pool.with({"r2"}).set(-kInf);
  pool.with({"r3"}).set(1e-7);
  EXPECT_EQ(registry.render(),
            "# HELP pool_connections Pooled connections.\n"
            "# TYPE pool_connections gauge\n"
            "pool_connections{backend=\"primary\"} 4\n"
            "pool_connections{backend=\"r1\"} 2.5\n"
            "pool_connections{backend=\"r2\"} -Inf\n"
            "pool_connections{backend=\"r3\"} 1e-07\n");
}

TEST(MetricsExposition, HistogramWithLabels) {
  Registry registry;
  auto& latency = registry.histogram("mysql_proxy_query_duration_seconds", "Query latency.",
                                     {0.0001, 0.005, 0.1, 1, 2.5}, {"backend"});
  auto& r1 = latency.with({"r1"});
  r1.observe(0.001);
  r1.observe(0.005);
  r1.observe(0.05);
  r1.observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP mysql_proxy_query_duration_seconds Query latency.\n"
            "# TYPE mysql_proxy_query_duration_seconds histogram\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"0.0001\"} 0\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"0.005\"} 2\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"0.1\"} 3\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"1\"} 3\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"2.5\"} 3\n"
            "mysql_proxy_query_duration_seconds_bucket{backend=\"r1\",le=\"+Inf\"} 4\n"
            "mysql_proxy_query_duration_seconds_sum{backend=\"r1\"} 3.056\n"
            "mysql_proxy_query_duration_seconds_count{backend=\"r1\"} 4\n");
}

TEST(MetricsExposition, HistogramWithoutLabels) {
  Registry registry;
  auto& sizes = registry.histogram("result_bytes", "Result sizes.", exponential_buckets(1024, 4, 2));
  sizes.with({}).observe(100);
  sizes.with({}).observe(5000);
  EXPECT_EQ(registry.render(),
            "# HELP result_bytes Result sizes.\n"
            "# TYPE result_bytes histogram\n"
            "result_bytes_bucket{le=\"1024\"} 1\n"
            "result_bytes_bucket{le=\"4096\"} 1\n"
            "result_bytes_bucket{le=\"+Inf\"} 2\n"
            "result_bytes_sum 5100\n"
            "result_bytes_count 2\n");
}

TEST(MetricsExposition, EscapesHelpAndLabelValues) {
  Registry registry;
  auto& family = registry.gauge("escaped", "Line one\nC:\\path \"quoted\"", {"v"});
  family.with({"a\"b\\c\nd"}).set(1);
  EXPECT_EQ(registry.render(),
            "# HELP escaped Line one\\nC:\\\\path \"quoted\"\n"
            "# TYPE escaped gauge\n"
            "escaped{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsExposition, NumberFormatting) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(-2), "-2");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(0.00025), "0.00025");
  EXPECT_EQ(format_value(0.00001), "1e-05");
  EXPECT_EQ(format_value(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(format_value(1e6), "1000000");
  EXPECT_EQ(format_value(123456789012.5), "123456789012.5");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(kInf), "+Inf");
  EXPECT_EQ(format_value(-kInf), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  for (const double bound : kLatencyBuckets) {
    EXPECT_EQ(std::stod(format_value(bound)), bound);
  }
  std::string out;
  append_value(out, std::uint64_t{9007199254740993});  // 2^53 + 1: not a double
  EXPECT_EQ(out, "9007199254740993");
}

TEST(MetricsExposition, FamiliesInRegistrationOrderThenCollectors) {
  Registry registry;
  registry.gauge("b_first", "First.").with({}).set(1);
  registry.add_collector([](std::vector<CollectedFamily>& out) {
    out.push_back({"d_collected", "Collected \\ help.", MetricType::kGauge,
                   {{{{"backend", "r\"1"}, {"state", "up"}}, 1}, {{}, 0.5}}});
    out.push_back({"c_collected_total", "Collected counter.", MetricType::kCounter, {}});
  });
  registry.counter("a_second_total", "Second.").with({}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP b_first First.\n"
            "# TYPE b_first gauge\n"
            "b_first 1\n"
            "# HELP a_second_total Second.\n"
            "# TYPE a_second_total counter\n"
            "a_second_total 1\n"
            "# HELP d_collected Collected \\\\ help.\n"
            "# TYPE d_collected gauge\n"
            "d_collected{backend=\"r\\\"1\",state=\"up\"} 1\n"
            "d_collected 0.5\n"
            "# HELP c_collected_total Collected counter.\n"
            "# TYPE c_collected_total counter\n");
}

TEST(MetricsExposition, InvalidCollectedFamiliesThrow) {
  const auto render_with = [](CollectedFamily family) {
    Registry registry;
    registry.gauge("taken", "Taken.");
    registry.add_collector([family](std::vector<CollectedFamily>& out) { out.push_back(family); });
    return registry.render();
  };
  EXPECT_NO_THROW(render_with({"fine", "Fine.", MetricType::kGauge, {}}));
  EXPECT_THROW(render_with({"bad name", "x", MetricType::kGauge, {}}), std::logic_error);
  EXPECT_THROW(render_with({"taken", "x", MetricType::kGauge, {}}), std::logic_error);
  EXPECT_THROW(render_with({"hist", "x", MetricType::kHistogram, {}}), std::logic_error);
  EXPECT_THROW(render_with({"fine", "x", MetricType::kGauge, {{{{"__x", "v"}}, 1}}}),
               std::logic_error);
}

// name -> value of the unlabelled samples in `text`.
std::map<std::string, double> parse_samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

TEST(MetricsProcess, CollectorReportsTheStandardMetrics) {
  Registry registry;
  add_process_collector(registry);
  const std::string text = registry.render();
  const auto samples = parse_samples(text);
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"}) {
    EXPECT_EQ(samples.count(name), 1u) << name << " missing from:\n" << text;
  }
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# HELP process_open_fds Number of open file descriptors.\n"),
            std::string::npos);
  EXPECT_GE(samples.at("process_cpu_seconds_total"), 0);
  EXPECT_GT(samples.at("process_resident_memory_bytes"), 1e5);
  EXPECT_GT(samples.at("process_virtual_memory_bytes"),
            samples.at("process_resident_memory_bytes"));
  EXPECT_GE(samples.at("process_open_fds"), 3);  // at least stdin, stdout, stderr
  EXPECT_GE(samples.at("process_max_fds"), samples.at("process_open_fds"));
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  EXPECT_LE(samples.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(samples.at("process_start_time_seconds"), now - 86400);

  // Open descriptors are read at each scrape.
  std::FILE* extra = std::tmpfile();
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(parse_samples(registry.render()).at("process_open_fds"),
            samples.at("process_open_fds") + 1);
  std::fclose(extra);
}

struct PromtoolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

PromtoolResult promtool_check(const std::string& exposition) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("metrics_promtool_" + std::to_string(::getpid()) + ".prom");
  {
    std::ofstream file(path, std::ios::binary);
    file << exposition;
  }
  PromtoolResult result;
  const std::string command = "promtool check metrics < '" + path.string() + "' 2>&1";
  if (std::FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) result.output.append(buf, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::remove(path);
  return result;
}

void require_promtool() {
  // No skipping: a missing promtool must fail the suite (Debian package `prometheus`).
  ASSERT_EQ(std::system("command -v promtool >/dev/null 2>&1"), 0)
      << "promtool not found in PATH; install the Debian package prometheus";
}

TEST(MetricsPromtool, AcceptsAPopulatedRegistry) {
  ASSERT_NO_FATAL_FAILURE(require_promtool());
  Registry registry;
  auto& queries =
      registry.counter("mysql_proxy_queries_total", "Queries routed.", {"backend", "reason"});
  queries.with({"r1", "read"}).inc(3);
  queries.with({"primary", "write \"x\"\nnext\\"}).inc();
  registry.gauge("mysql_proxy_pool_connections", "Pooled connections.\nPer backend.", {"backend"})
      .with({"r1"})
      .set(2.5);
  auto& latency = registry.histogram("mysql_proxy_query_duration_seconds", "Query latency.",
                                     kLatencyBuckets, {"backend"});
  latency.with({"r1"}).observe(0.0042);
  latency.with({"r1"}).observe(12);
  registry.histogram("mysql_proxy_result_bytes", "Result sizes.", exponential_buckets(64, 4, 8))
      .with({})
      .observe(1500);
  registry.counter("mysql_proxy_errors_total", "Errors.", {"kind"});  // header only
  registry.add_collector([](std::vector<CollectedFamily>& out) {
    out.push_back({"mysql_proxy_backend_up", "Whether a backend is up.", MetricType::kGauge,
                   {{{{"backend", "r1"}}, 1}, {{{"backend", "r2"}}, 0}}});
  });
  add_process_collector(registry);

  const std::string text = registry.render();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const auto result = promtool_check(text);
  EXPECT_EQ(result.exit_code, 0) << result.output << "\nfor:\n" << text;
  EXPECT_EQ(result.output, "") << "for:\n" << text;
}

TEST(MetricsPromtool, ReportsProblems) {
  // The check above is only worth something if promtool does complain about bad input.
  ASSERT_NO_FATAL_FAILURE(require_promtool());
  Registry registry;
  registry.counter("mysql_proxy_queries", "Counter without the _total suffix.").with({}).inc();
  const auto result = promtool_check(registry.render());
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("_total"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace mysqlproxy::metrics
