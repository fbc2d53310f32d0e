// The metrics registry: counters, gauges and histograms (values, per-thread cells), families
// (series lookup, label checks, remove), registration rules, and the /proc parsers of the
// process collector.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "proxy/metrics/metrics.hpp"
#include "proxy/metrics/process_metrics.hpp"

namespace mysqlproxy::metrics {
namespace {

TEST(MetricsCounter, CountsIncrements) {
  Counter counter;
  EXPECT_EQ(counter.value(), 0u);
  counter.inc();
  counter.inc(41);
  EXPECT_EQ(counter.value(), 42u);
}

TEST(MetricsCounter, ThreadsSumExactly) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 100000; ++i) counter.inc();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 800000u);
}

TEST(MetricsCounter, MoreThreadsThanCellsStillSumExactly) {
  // Threads beyond kThreadCells share cells: fetch_add must keep every increment.
  Counter counter;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 2 * detail::kThreadCells + 3; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 20000; ++i) counter.inc(2);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), (2 * detail::kThreadCells + 3) * 40000u);
}

TEST(MetricsCounter, CellsAreCacheLineAligned) {
  EXPECT_EQ(alignof(detail::Cell), 64u);
  EXPECT_EQ(sizeof(detail::Cell), 64u);
  EXPECT_EQ(sizeof(Counter), 64u * detail::kThreadCells);
}

TEST(MetricsGauge, SetIncDec) {
  Gauge gauge;
  gauge.set(2.5);
  gauge.inc();
  gauge.inc(0.25);
  gauge.dec(2);
  EXPECT_DOUBLE_EQ(gauge.value(), 1.75);
}

TEST(MetricsHistogram, BucketsAreCumulativeWithInclusiveBounds) {
  Histogram h({0.005, 0.1, 1});
  h.observe(0.001);
  h.observe(0.005);  // on the bound: counts in le="0.005"
  h.observe(0.05);
  h.observe(3);
  EXPECT_EQ(h.bucket_counts(), (std::vector<std::uint64_t>{2, 3, 3, 4}));
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 3.056);
}

TEST(MetricsHistogram, IntegerSumIsExact) {
  // 1000 × 0.001 summed in doubles drifts; in 1e-9 units it is exactly 1.
  double naive = 0;
  Histogram h({1});
  for (int i = 0; i < 1000; ++i) {
    naive += 0.001;
    h.observe(0.001);
  }
  EXPECT_NE(naive, 1.0);
  EXPECT_EQ(h.sum(), 1.0);
}

TEST(MetricsHistogram, NegativeAndNonFiniteObservations) {
  Histogram h({0, 1});
  h.observe(-0.5);
  h.observe(std::numeric_limits<double>::quiet_NaN());
  h.observe(std::numeric_limits<double>::infinity());
  EXPECT_EQ(h.bucket_counts(), (std::vector<std::uint64_t>{1, 1, 3}));
  EXPECT_EQ(h.sum(), -0.5);
}

TEST(MetricsHistogram, ThreadsCountAndSumExactly) {
  Histogram h(kLatencyBuckets);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) {
        h.observe(0.0005);  // le="0.0005"
        h.observe(2);       // le="2.5"
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(h.count(), 120000u);
  EXPECT_EQ(h.sum(), 60000 * 0.0005 + 60000 * 2.0);
  const auto counts = h.bucket_counts();
  ASSERT_EQ(counts.size(), kLatencyBuckets.size() + 1);
  EXPECT_EQ(counts[1], 0u);      // le=0.00025
  EXPECT_EQ(counts[2], 60000u);  // le=0.0005
  EXPECT_EQ(counts[12], 60000u);  // le=1
  EXPECT_EQ(counts[13], 120000u);  // le=2.5
  EXPECT_EQ(counts.back(), 120000u);
}

TEST(MetricsHistogram, BucketValidation) {
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  EXPECT_THROW(Histogram({-std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
  Histogram trailing_inf({1, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(trailing_inf.bounds(), std::vector<double>{1});
  Histogram none({});
  none.observe(7);
  EXPECT_EQ(none.bucket_counts(), std::vector<std::uint64_t>{1});
}

TEST(MetricsHistogram, ExponentialBuckets) {
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_THROW(exponential_buckets(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(1, 1, 3), std::invalid_argument);
  EXPECT_THROW(exponential_buckets(1, 2, 0), std::invalid_argument);
  EXPECT_EQ(kLatencyBuckets.size(), 16u);
  EXPECT_EQ(kLatencyBuckets.front(), 0.0001);
  EXPECT_EQ(kLatencyBuckets.back(), 10);
}

TEST(MetricsFamily, WithReturnsTheSameSeriesForTheSameLabels) {
  Registry registry;
  auto& family = registry.counter("queries_total", "Queries.", {"backend", "reason"});
  Counter& a = family.with({"r1", "read"});
  Counter& b = family.with(std::vector<std::string>{"r1", "read"});
  Counter& c = family.with({"r1", "write"});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc(3);
  EXPECT_EQ(family.with({"r1", "read"}).value(), 3u);
  EXPECT_EQ(c.value(), 0u);
}

TEST(MetricsFamily, WrongLabelCountThrows) {
  Registry registry;
  auto& family = registry.gauge("pool_size", "Pool.", {"backend"});
  EXPECT_THROW(family.with({}), std::invalid_argument);
  EXPECT_THROW(family.with({"a", "b"}), std::invalid_argument);
  EXPECT_THROW(family.remove({}), std::invalid_argument);
  auto& unlabelled = registry.gauge("up", "Up.");
  EXPECT_NO_THROW(unlabelled.with({}));
  EXPECT_THROW(unlabelled.with({"x"}), std::invalid_argument);
}

TEST(MetricsFamily, RemoveHidesTheSeriesAndWithStartsAFreshOne) {
  Registry registry;
  auto& family = registry.counter("queries_total", "Queries.", {"backend"});
  Counter& r1 = family.with({"r1"});
  family.with({"r2"}).inc(2);
  r1.inc(5);
  family.remove({"r1"});
  family.remove({"nonexistent"});  // no-op
  EXPECT_EQ(registry.render(),
            "# HELP queries_total Queries.\n"
            "# TYPE queries_total counter\n"
            "queries_total{backend=\"r2\"} 2\n");
  r1.inc();  // stale but memory-safe
  Counter& again = family.with({"r1"});
  EXPECT_NE(&again, &r1);
  EXPECT_EQ(again.value(), 0u);
  EXPECT_EQ(registry.render(),
            "# HELP queries_total Queries.\n"
            "# TYPE queries_total counter\n"
            "queries_total{backend=\"r2\"} 2\n"
            "queries_total{backend=\"r1\"} 0\n");
}

TEST(MetricsRegistry, NameValidation) {
  EXPECT_TRUE(is_valid_metric_name("a:b_c9"));
  EXPECT_TRUE(is_valid_metric_name("_x"));
  EXPECT_TRUE(is_valid_metric_name(":x"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("9x"));
  EXPECT_FALSE(is_valid_metric_name("a-b"));
  EXPECT_FALSE(is_valid_metric_name("a b"));
  EXPECT_TRUE(is_valid_label_name("backend_1"));
  EXPECT_TRUE(is_valid_label_name("_x"));
  EXPECT_FALSE(is_valid_label_name("__name"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
  EXPECT_FALSE(is_valid_label_name("1a"));
  EXPECT_FALSE(is_valid_label_name(""));

  Registry registry;
  EXPECT_THROW(registry.counter("bad-name", "x"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("ok", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("ok", "x", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "x", {1}, {"le"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "x", {2, 1}), std::invalid_argument);
  EXPECT_EQ(registry.render(), "");  // nothing half-registered
}

TEST(MetricsRegistry, DuplicateRegistration) {
  Registry registry;
  auto& counter = registry.counter("queries_total", "Queries.", {"backend"});
  EXPECT_EQ(&registry.counter("queries_total", "Other help.", {"backend"}), &counter);
  EXPECT_THROW(registry.counter("queries_total", "Queries.", {"pool"}), std::logic_error);
  EXPECT_THROW(registry.counter("queries_total", "Queries."), std::logic_error);
  EXPECT_THROW(registry.gauge("queries_total", "Queries.", {"backend"}), std::logic_error);

  auto& histogram = registry.histogram("latency_seconds", "Latency.", {0.1, 1});
  EXPECT_EQ(&registry.histogram("latency_seconds", "Latency.", {0.1, 1}), &histogram);
  EXPECT_EQ(&registry.histogram("latency_seconds", "Latency.",
                                {0.1, 1, std::numeric_limits<double>::infinity()}),
            &histogram);
  EXPECT_THROW(registry.histogram("latency_seconds", "Latency.", {0.1, 2}), std::logic_error);
}

TEST(MetricsProcess, ParsesProcStatWithAWeirdCommandName) {
  const std::string stat =
      "4242 (my proc) (x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 "
      "150 25 0 0 20 0 7 0 98765 123456789 2500 18446744073709551615";
  const auto parsed = parse_proc_stat(stat);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->utime_ticks, 150u);
  EXPECT_EQ(parsed->stime_ticks, 25u);
  EXPECT_EQ(parsed->start_ticks, 98765u);
  EXPECT_FALSE(parse_proc_stat("4242 (truncated) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("no parenthesis"));
}

TEST(MetricsProcess, ParsesStatmBootTimeAndLimits) {
  const auto statm = parse_proc_statm("5000 1200 300 10 0 900 0\n");
  ASSERT_TRUE(statm);
  EXPECT_EQ(statm->size_pages, 5000u);
  EXPECT_EQ(statm->resident_pages, 1200u);
  EXPECT_FALSE(parse_proc_statm("5000"));

  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"),
            std::optional<std::uint64_t>(1700000000));
  EXPECT_FALSE(parse_boot_time("cpu 1 2 3\n"));

  const std::string limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            1024                 524288               files     \n";
  EXPECT_EQ(parse_max_open_files(limits), std::optional<double>(1024));
  EXPECT_EQ(parse_max_open_files("Max open files            unlimited            unlimited  files\n"),
            std::optional<double>(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(parse_max_open_files("Max cpu time  unlimited  unlimited  seconds\n"));
}

}  // namespace
}  // namespace mysqlproxy::metrics
