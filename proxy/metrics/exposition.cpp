#include "proxy/metrics/exposition.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace mysqlproxy::metrics {
namespace {

// The decimal exponent of a finite non-zero double, read from its shortest scientific form:
// log10 can be off by one next to a power of ten, and this agrees with the digits printed.
int decimal_exponent(double value) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string_view text(buf, static_cast<std::size_t>(result.ptr - buf));
  // "e-05" / "e+21": from_chars takes a '-' but not a '+'.
  const char* first = text.data() + text.find('e') + 1;
  if (*first == '+') ++first;
  int exponent = 0;
  std::from_chars(first, result.ptr, exponent);
  return exponent;
}

}  // namespace

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  // std::to_chars' own choice prints 0.0001 as 1e-04 (shorter); like Go's %g the exposition
  // keeps small latencies in fixed notation, which is easier to read in a bucket's `le`.
  auto format = std::chars_format::fixed;
  if (value != 0) {
    const int exponent = decimal_exponent(value);
    if (exponent < -4 || exponent >= 21) format = std::chars_format::scientific;
  }
  char buf[64];  // fixed notation in [1e-4, 1e21) is at most 24 characters with 17 digits
  const auto result = std::to_chars(buf, buf + sizeof buf, value, format);
  out.append(buf, result.ptr);
}

void append_value(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, result.ptr);
}

std::string format_value(double value) {
  std::string out;
  append_value(out, value);
  return out;
}

void append_escaped_help(std::string& out, std::string_view help) {
  for (const char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_family_header(std::string& out, std::string_view name, std::string_view help,
                          MetricType type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped_help(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type_name(type);
  out += '\n';
}

void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        std::span<const std::string> names, std::span<const std::string> values,
                        std::optional<std::string_view> le) {
  out += name;
  out += suffix;
  if (names.empty() && !le) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
  if (le) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_collected_family(std::string& out, const CollectedFamily& family) {
  append_family_header(out, family.name, family.help, family.type);
  for (const auto& sample : family.samples) {
    out += family.name;
    if (!sample.labels.empty()) {
      out += '{';
      bool first = true;
      for (const auto& [label, value] : sample.labels) {
        if (!first) out += ',';
        first = false;
        out += label;
        out += "=\"";
        append_escaped_label_value(out, value);
        out += '"';
      }
      out += '}';
    }
    out += ' ';
    append_value(out, sample.value);
    out += '\n';
  }
}

}  // namespace mysqlproxy::metrics
