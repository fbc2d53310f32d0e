// What the metrics cost a statement: the per-thread counter add, the latency histogram, and the
// worker's lookup of its mysql_proxy_queries_total series. Run from several threads too, to see
// that cells keep threads from fighting over one cache line.
#include <benchmark/benchmark.h>

#include <chrono>

#include "proxy/observability/proxy_metrics.hpp"

namespace {

using namespace mysqlproxy;

void BM_CounterInc(benchmark::State& state) {
  static metrics::Registry registry;
  static auto& counter = registry.counter("bench_total", "bench").with({});
  for (auto _ : state) counter.inc();
  benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2)->Threads(4);

void BM_HistogramObserve(benchmark::State& state) {
  static metrics::Registry registry;
  static auto& h = registry.histogram("bench_seconds", "bench", metrics::kLatencyBuckets).with({});
  double v = 0.0003;
  for (auto _ : state) {
    h.observe(v);
    v = v < 1 ? v * 1.7 : 0.0003;
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2)->Threads(4);

// Everything a routed statement does for metrics: find its series, count it, time it.
void BM_StatementMetrics(benchmark::State& state) {
  proxy::QueryCounters counters;
  auto& m = proxy::proxy_metrics();
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    counters.at(3, "replica1", false, proxy::RouteReason::kRead).inc();
    m.query_duration_by_role[0]->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}
BENCHMARK(BM_StatementMetrics);

}  // namespace
