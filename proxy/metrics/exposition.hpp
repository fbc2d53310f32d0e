#pragma once
// Prometheus text exposition format 0.0.4: number formatting, escaping and the line writers the
// Registry renders with.
//
//   # HELP <name> <escaped help>
//   # TYPE <name> counter|gauge|histogram
//   <name>[{<label>="<escaped value>",...}] <value>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "proxy/metrics/metrics.hpp"

namespace mysqlproxy::metrics {

// Shortest text that reads back as the same double: fixed notation for magnitudes in
// [1e-4, 1e21) (0.0001, 2.5, 3, 1000000), scientific outside (1e-05, 1e+21); +Inf, -Inf, NaN.
std::string format_value(double value);
void append_value(std::string& out, double value);
void append_value(std::string& out, std::uint64_t value);

// HELP text: backslash -> \\, newline -> \n.
void append_escaped_help(std::string& out, std::string_view help);
// Label value: backslash -> \\, double quote -> \", newline -> \n.
void append_escaped_label_value(std::string& out, std::string_view value);

// "# HELP ..." and "# TYPE ..." lines.
void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          MetricType type);

// `<name><suffix>{n1="v1",...[,le="<le>"]}` without the value; no braces when there are no
// labels at all. `names` and `values` have the same size.
void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        std::span<const std::string> names, std::span<const std::string> values,
                        std::optional<std::string_view> le = std::nullopt);

// A whole collected family: header, then one line per sample.
void append_collected_family(std::string& out, const CollectedFamily& family);

}  // namespace mysqlproxy::metrics
