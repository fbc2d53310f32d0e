#pragma once
// Prometheus metrics: a Registry owns metric families (counters, gauges, histograms), each a set
// of labelled series, and renders them in the text exposition format 0.0.4 (exposition.hpp).
//
// Hot path: Counter::inc and Histogram::observe take no lock. Each series spreads its updates
// over kThreadCells cache-line-aligned cells, one per thread slot, so threads updating the same
// series rarely bounce a cache line between cores; a scrape sums the cells. Updates are relaxed
// fetch_adds, so two threads that share a slot still lose nothing.
//
// Everything inside is an integer: counters count uint64 units and a histogram keeps its sum in
// units of 1e-9 of its base unit, so sums of many small observations (0.001 s) stay exact.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mysqlproxy::metrics {

// Label name -> value, in the family's declared order.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge", "histogram": the word on the # TYPE line.
std::string_view type_name(MetricType type) noexcept;

// A family computed at scrape time by a collector (pool sizes, backend states).
struct CollectedSample {
  Labels labels;
  double value = 0;
};
struct CollectedFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;  // kCounter or kGauge; a histogram is rejected at render
  std::vector<CollectedSample> samples;
};

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name) noexcept;
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus itself).
bool is_valid_label_name(std::string_view name) noexcept;

namespace detail {

inline constexpr std::size_t kThreadCells = 16;
inline constexpr std::size_t kCacheLine = 64;

std::size_t assign_thread_slot() noexcept;

// This thread's cell index in [0, kThreadCells), fixed for the thread's life.
inline std::size_t thread_slot() noexcept {
  // Constant-initialized, so each access is a plain TLS load with no init guard.
  thread_local std::size_t slot = kThreadCells;  // kThreadCells: not assigned yet
  if (slot == kThreadCells) [[unlikely]] {
    slot = assign_thread_slot();
  }
  return slot;
}

struct alignas(kCacheLine) Cell {
  std::atomic<std::uint64_t> value{0};
};

// One cache line of cells: a histogram packs its per-slot buckets and sum into whole lines.
struct alignas(kCacheLine) CellLine {
  static constexpr std::size_t kCells = kCacheLine / sizeof(std::atomic<std::uint64_t>);
  std::array<std::atomic<std::uint64_t>, kCells> cells{};
};

}  // namespace detail

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void inc(std::uint64_t n = 1) noexcept {
    cells_[detail::thread_slot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept;

 private:
  std::array<detail::Cell, detail::kThreadCells> cells_{};
};

// Not on the hot path: one atomic cell, updated with CAS loops for inc/dec.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive, as Prometheus' `le`), finite and strictly
  // increasing; a trailing +Inf is dropped (the +Inf bucket always exists). Throws
  // std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // `v` in base units (seconds, bytes). NaN and ±Inf are counted (in the +Inf bucket, or the
  // first for -Inf) but left out of the sum, which cannot represent them. The sum is an int64
  // of 1e-9 base units: it wraps past ±9.2e9 base units in total.
  void observe(double v) noexcept;

  const std::vector<double>& bounds() const noexcept { return bounds_; }
  // Cumulative counts as rendered: one per bound, then the +Inf bucket (== count()).
  std::vector<std::uint64_t> bucket_counts() const;
  double sum() const noexcept;
  std::uint64_t count() const noexcept;

 private:
  std::atomic<std::uint64_t>& cell(std::size_t slot, std::size_t index) const noexcept;

  std::vector<double> bounds_;
  std::size_t lines_per_slot_;  // per slot: bounds+1 bucket cells, then the sum cell
  std::unique_ptr<detail::CellLine[]> lines_;
};

// Checks and normalizes histogram bounds (see Histogram's constructor).
std::vector<double> normalize_buckets(std::vector<double> bounds);

// start, start*factor, ... (`count` bounds). Throws std::invalid_argument unless start > 0,
// factor > 1 and count >= 1.
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);

// Default latency buckets, in seconds: 100 µs to 10 s.
inline const std::vector<double> kLatencyBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                 0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                 1,      2.5,     5,      10};

class Registry;

namespace detail {

// What every family has, whatever its metric type: lets the Registry keep them in one list.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  MetricType type() const noexcept { return type_; }
  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }

  // Appends HELP, TYPE and the visible series, in creation order.
  virtual void render(std::string& out) const = 0;

 protected:
  FamilyBase(MetricType type, std::string name, std::string help,
             std::vector<std::string> label_names);
  void check_label_count(std::size_t count) const;  // std::invalid_argument on mismatch

 private:
  MetricType type_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

}  // namespace detail

template <class Metric>
class Family final : public detail::FamilyBase {
 public:
  // The series for these label values (same count and order as the family's label names;
  // std::invalid_argument otherwise). Creates it on first use and takes a lock: call it at
  // setup or rarely and keep the reference, which stays valid for the registry's lifetime.
  Metric& with(const std::vector<std::string>& label_values);
  Metric& with(std::initializer_list<std::string_view> label_values);

  // Hides a series from the exposition (a backend that left the pool); no-op if it does not
  // exist. References to it must not be used afterwards: they stay memory-safe (the series is
  // kept, not freed) but their updates go nowhere. with() on the same labels later creates a
  // fresh series starting from zero.
  void remove(const std::vector<std::string>& label_values);

  // Calls `visit(label_values, metric)` for every visible series, under the family's lock (so
  // keep it short; for reading values outside a scrape, e.g. sums the admin API shows).
  void for_each(const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const;

  void render(std::string& out) const override;

 private:
  friend class Registry;

  struct Series {
    template <class... Args>
    explicit Series(std::vector<std::string> values, Args&&... args)
        : label_values(std::move(values)), metric(std::forward<Args>(args)...) {}
    std::vector<std::string> label_values;
    Metric metric;
    bool hidden = false;
  };

  Family(MetricType type, std::string name, std::string help,
         std::vector<std::string> label_names, std::vector<double> buckets);

  std::vector<double> buckets_;  // histograms only
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Series>> series_;  // creation order, hidden ones included
  std::map<std::vector<std::string>, Series*> visible_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

class Registry {
 public:
  using Collector = std::function<void(std::vector<CollectedFamily>&)>;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registration: names are checked against the Prometheus rules (std::invalid_argument).
  // Registering a name again returns the existing family when the type and label names (and
  // a histogram's buckets) match, the first help text winning; otherwise std::logic_error.
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help, std::vector<double> buckets,
                               std::vector<std::string> label_names = {});

  // Called at each scrape, after the families' own series, for values computed on demand; it
  // appends whole families. It runs without the registry's lock held, on the scraping thread.
  void add_collector(Collector collector);

  // Text exposition format 0.0.4: families in registration order, then collected families.
  // Throws std::logic_error if a collector produced an invalid family (bad name, histogram
  // type, a name already used); exceptions from a collector propagate.
  std::string render() const;

 private:
  template <class Metric>
  Family<Metric>& add_family(MetricType type, std::string name, std::string help,
                             std::vector<std::string> label_names, std::vector<double> buckets);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<detail::FamilyBase>> families_;
  std::vector<Collector> collectors_;
};

}  // namespace mysqlproxy::metrics
