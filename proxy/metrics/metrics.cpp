#include "proxy/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <unordered_set>

#include "proxy/metrics/exposition.hpp"

namespace mysqlproxy::metrics {
namespace {

constexpr double kSumScale = 1e9;  // histogram sums are kept in 1e-9 base units
// Largest magnitude that still converts to int64 after scaling (2^63 is about 9.22e18).
constexpr double kMaxScaled = 9.2e18;

bool is_name_char(char c, bool first, bool colon_allowed) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (c == ':') return colon_allowed;
  return !first && c >= '0' && c <= '9';
}

bool is_valid_name(std::string_view name, bool colon_allowed) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i], i == 0, colon_allowed)) return false;
  }
  return true;
}

void check_metric_name(const std::string& name) {
  if (!is_valid_metric_name(name)) {
    throw std::invalid_argument("invalid metric name \"" + name + "\"");
  }
}

void check_label_names(const std::string& metric, const std::vector<std::string>& names,
                       bool histogram) {
  std::unordered_set<std::string_view> seen;
  for (const auto& label : names) {
    if (!is_valid_label_name(label)) {
      throw std::invalid_argument("metric " + metric + ": invalid label name \"" + label + "\"");
    }
    if (histogram && label == "le") {
      throw std::invalid_argument("histogram " + metric + ": label \"le\" is reserved");
    }
    if (!seen.insert(label).second) {
      throw std::invalid_argument("metric " + metric + ": duplicate label \"" + label + "\"");
    }
  }
}

}  // namespace

std::string_view type_name(MetricType type) noexcept {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

bool is_valid_metric_name(std::string_view name) noexcept { return is_valid_name(name, true); }

bool is_valid_label_name(std::string_view name) noexcept {
  return is_valid_name(name, false) && !name.starts_with("__");
}

std::size_t detail::assign_thread_slot() noexcept {
  // Round-robin: consecutive threads land on distinct cells until there are more than 16.
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kThreadCells;
}

std::uint64_t Counter::value() const noexcept {
  std::uint64_t total = 0;
  for (const auto& cell : cells_) total += cell.value.load(std::memory_order_relaxed);
  return total;
}

std::vector<double> normalize_buckets(std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      throw std::invalid_argument("histogram bucket bounds must be finite");
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("histogram bucket bounds must be strictly increasing");
    }
  }
  return bounds;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
  if (!(start > 0) || !(factor > 1) || count < 1) {
    throw std::invalid_argument("exponential_buckets needs start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  bounds.reserve(count);
  for (double bound = start; bounds.size() < count; bound *= factor) bounds.push_back(bound);
  return bounds;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(normalize_buckets(std::move(bounds))),
      lines_per_slot_((bounds_.size() + 2 + detail::CellLine::kCells - 1) /
                      detail::CellLine::kCells),
      lines_(std::make_unique<detail::CellLine[]>(detail::kThreadCells * lines_per_slot_)) {}

std::atomic<std::uint64_t>& Histogram::cell(std::size_t slot, std::size_t index) const noexcept {
  return lines_[slot * lines_per_slot_ + index / detail::CellLine::kCells]
      .cells[index % detail::CellLine::kCells];
}

void Histogram::observe(double v) noexcept {
  // First bound >= v (`le` is inclusive); NaN compares false everywhere, so send it to +Inf.
  const std::size_t bucket =
      std::isnan(v) ? bounds_.size()
                    : static_cast<std::size_t>(
                          std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  const std::size_t slot = detail::thread_slot();
  cell(slot, bucket).fetch_add(1, std::memory_order_relaxed);
  if (std::isfinite(v)) {
    const double scaled = std::clamp(v * kSumScale, -kMaxScaled, kMaxScaled);
    // Two's complement: adding a negative amount as uint64 wraps to the right total.
    const auto delta = static_cast<std::uint64_t>(std::llround(scaled));
    cell(slot, bounds_.size() + 1).fetch_add(delta, std::memory_order_relaxed);
  }
}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
  std::vector<std::uint64_t> counts(bounds_.size() + 1, 0);
  for (std::size_t slot = 0; slot < detail::kThreadCells; ++slot) {
    for (std::size_t i = 0; i < counts.size(); ++i) {
      counts[i] += cell(slot, i).load(std::memory_order_relaxed);
    }
  }
  for (std::size_t i = 1; i < counts.size(); ++i) counts[i] += counts[i - 1];
  return counts;
}

double Histogram::sum() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t slot = 0; slot < detail::kThreadCells; ++slot) {
    total += cell(slot, bounds_.size() + 1).load(std::memory_order_relaxed);
  }
  return static_cast<double>(static_cast<std::int64_t>(total)) / kSumScale;
}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t slot = 0; slot < detail::kThreadCells; ++slot) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      total += cell(slot, i).load(std::memory_order_relaxed);
    }
  }
  return total;
}

detail::FamilyBase::FamilyBase(MetricType type, std::string name, std::string help,
                               std::vector<std::string> label_names)
    : type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)) {}

void detail::FamilyBase::check_label_count(std::size_t count) const {
  if (count != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": " + std::to_string(count) +
                                " label values for " + std::to_string(label_names_.size()) +
                                " labels");
  }
}

template <class Metric>
Family<Metric>::Family(MetricType type, std::string name, std::string help,
                       std::vector<std::string> label_names, std::vector<double> buckets)
    : FamilyBase(type, std::move(name), std::move(help), std::move(label_names)),
      buckets_(std::move(buckets)) {}

template <class Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& label_values) {
  check_label_count(label_values.size());
  std::lock_guard lock(mutex_);
  if (const auto it = visible_.find(label_values); it != visible_.end()) return it->second->metric;
  std::unique_ptr<Series> series;
  if constexpr (std::is_same_v<Metric, Histogram>) {
    series = std::make_unique<Series>(label_values, buckets_);
  } else {
    series = std::make_unique<Series>(label_values);
  }
  Series& added = *series;
  series_.push_back(std::move(series));
  visible_.emplace(label_values, &added);
  return added.metric;
}

template <class Metric>
Metric& Family<Metric>::with(std::initializer_list<std::string_view> label_values) {
  return with(std::vector<std::string>(label_values.begin(), label_values.end()));
}

template <class Metric>
void Family<Metric>::remove(const std::vector<std::string>& label_values) {
  check_label_count(label_values.size());
  std::lock_guard lock(mutex_);
  const auto it = visible_.find(label_values);
  if (it == visible_.end()) return;
  // Kept allocated so that a reference still held somewhere stays memory-safe.
  it->second->hidden = true;
  visible_.erase(it);
}

template <class Metric>
void Family<Metric>::for_each(
    const std::function<void(const std::vector<std::string>&, const Metric&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& series : series_) {
    if (!series->hidden) visit(series->label_values, series->metric);
  }
}

template <class Metric>
void Family<Metric>::render(std::string& out) const {
  append_family_header(out, name(), help(), type());
  std::lock_guard lock(mutex_);
  for (const auto& series : series_) {
    if (series->hidden) continue;
    const auto& values = series->label_values;
    if constexpr (std::is_same_v<Metric, Histogram>) {
      const Histogram& h = series->metric;
      const auto counts = h.bucket_counts();
      for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::string le = i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf";
        append_series_name(out, name(), "_bucket", label_names(), values, le);
        out += ' ';
        append_value(out, counts[i]);
        out += '\n';
      }
      append_series_name(out, name(), "_sum", label_names(), values);
      out += ' ';
      append_value(out, h.sum());
      out += '\n';
      // The +Inf bucket, so that _count agrees with it even while observations come in.
      append_series_name(out, name(), "_count", label_names(), values);
      out += ' ';
      append_value(out, counts.back());
      out += '\n';
    } else {
      append_series_name(out, name(), "", label_names(), values);
      out += ' ';
      append_value(out, series->metric.value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Registry() = default;
Registry::~Registry() = default;

template <class Metric>
Family<Metric>& Registry::add_family(MetricType type, std::string name, std::string help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> buckets) {
  check_metric_name(name);
  check_label_names(name, label_names, type == MetricType::kHistogram);
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    if (family->name() != name) continue;
    if (family->type() != type || family->label_names() != label_names) {
      throw std::logic_error("metric " + name +
                             " registered again with another type or other labels");
    }
    auto& existing = static_cast<Family<Metric>&>(*family);
    if (existing.buckets_ != buckets) {
      throw std::logic_error("histogram " + name + " registered again with other buckets");
    }
    return existing;
  }
  auto family = std::unique_ptr<Family<Metric>>(new Family<Metric>(
      type, std::move(name), std::move(help), std::move(label_names), std::move(buckets)));
  Family<Metric>& added = *family;
  families_.push_back(std::move(family));
  return added;
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  return add_family<Counter>(MetricType::kCounter, std::move(name), std::move(help),
                             std::move(label_names), {});
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  return add_family<Gauge>(MetricType::kGauge, std::move(name), std::move(help),
                           std::move(label_names), {});
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<double> buckets,
                                       std::vector<std::string> label_names) {
  return add_family<Histogram>(MetricType::kHistogram, std::move(name), std::move(help),
                               std::move(label_names), normalize_buckets(std::move(buckets)));
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
  // Families are never destroyed before the registry, so the pointers outlive the lock; the
  // collectors run unlocked so that they may use the registry themselves.
  std::vector<const detail::FamilyBase*> families;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mutex_);
    families.reserve(families_.size());
    for (const auto& family : families_) families.push_back(family.get());
    collectors = collectors_;
  }
  std::string out;
  std::unordered_set<std::string> names;
  for (const auto* family : families) {
    family->render(out);
    names.insert(family->name());
  }
  std::vector<CollectedFamily> collected;
  for (const auto& collector : collectors) collector(collected);
  for (const auto& family : collected) {
    // A bad family would make Prometheus reject the whole scrape: fail loudly instead.
    if (!is_valid_metric_name(family.name) || family.type == MetricType::kHistogram) {
      throw std::logic_error("collector produced an invalid family \"" + family.name + "\"");
    }
    if (!names.insert(family.name).second) {
      throw std::logic_error("collector produced a second family \"" + family.name + "\"");
    }
    for (const auto& sample : family.samples) {
      for (const auto& label : sample.labels) {
        if (!is_valid_label_name(label.first)) {
          throw std::logic_error("collector family " + family.name + ": invalid label \"" +
                                 label.first + "\"");
        }
      }
    }
    append_collected_family(out, family);
  }
  return out;
}

}  // namespace mysqlproxy::metrics
