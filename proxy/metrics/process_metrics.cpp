#include "proxy/metrics/process_metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace mysqlproxy::metrics {
namespace {

std::optional<std::string> read_file(const char* path) {
  // /proc files report size 0: read to the end rather than by size.
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return text;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (true) {
    pos = text.find_first_not_of(" \t\n", pos);
    if (pos == std::string_view::npos) break;
    const std::size_t end = std::min(text.find_first_of(" \t\n", pos), text.size());
    fields.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return fields;
}

std::optional<std::uint64_t> count_open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") ++count;
  }
  closedir(dir);
  return count > 0 ? count - 1 : 0;  // less the descriptor opendir() itself holds
}

CollectedFamily gauge_family(std::string name, std::string help, double value) {
  return CollectedFamily{std::move(name), std::move(help), MetricType::kGauge, {{{}, value}}};
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  // The command name is the only field that can hold spaces or ')': skip to its last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  const auto fields = split_whitespace(text.substr(close + 1));
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  if (fields.size() < 20) return std::nullopt;
  const auto utime = parse_u64(fields[11]);
  const auto stime = parse_u64(fields[12]);
  const auto start = parse_u64(fields[19]);
  if (!utime || !stime || !start) return std::nullopt;
  return ProcStat{*utime, *stime, *start};
}

std::optional<ProcStatm> parse_proc_statm(std::string_view text) {
  const auto fields = split_whitespace(text);
  if (fields.size() < 2) return std::nullopt;
  const auto size = parse_u64(fields[0]);
  const auto resident = parse_u64(fields[1]);
  if (!size || !resident) return std::nullopt;
  return ProcStatm{*size, *resident};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view text) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    const auto fields = split_whitespace(line);
    if (fields.size() == 2 && fields[0] == "btime") return parse_u64(fields[1]);
  }
  return std::nullopt;
}

std::optional<double> parse_max_open_files(std::string_view text) {
  constexpr std::string_view kName = "Max open files";
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(kName)) continue;
    const auto fields = split_whitespace(std::string_view(line).substr(kName.size()));
    if (fields.empty()) return std::nullopt;
    if (fields[0] == "unlimited") return std::numeric_limits<double>::infinity();
    const auto soft = parse_u64(fields[0]);
    if (!soft) return std::nullopt;
    return static_cast<double>(*soft);
  }
  return std::nullopt;
}

void add_process_collector(Registry& registry) {
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  const long page_size = sysconf(_SC_PAGESIZE);
  // Neither the boot time nor the process' start changes: compute the start once.
  std::optional<double> start_time;
  if (ticks_per_second > 0) {
    const auto stat = read_file("/proc/self/stat");
    const auto proc_stat = stat ? parse_proc_stat(*stat) : std::nullopt;
    const auto system_stat = read_file("/proc/stat");
    const auto boot = system_stat ? parse_boot_time(*system_stat) : std::nullopt;
    if (proc_stat && boot) {
      start_time = static_cast<double>(*boot) + static_cast<double>(proc_stat->start_ticks) /
                                                    static_cast<double>(ticks_per_second);
    }
  }

  registry.add_collector([ticks_per_second, page_size,
                          start_time](std::vector<CollectedFamily>& out) {
    const auto stat = read_file("/proc/self/stat");
    if (const auto parsed = stat ? parse_proc_stat(*stat) : std::nullopt;
        parsed && ticks_per_second > 0) {
      const double seconds = static_cast<double>(parsed->utime_ticks + parsed->stime_ticks) /
                             static_cast<double>(ticks_per_second);
      out.push_back(CollectedFamily{"process_cpu_seconds_total",
                                    "Total user and system CPU time spent in seconds.",
                                    MetricType::kCounter,
                                    {{{}, seconds}}});
    }
    const auto statm = read_file("/proc/self/statm");
    if (const auto parsed = statm ? parse_proc_statm(*statm) : std::nullopt;
        parsed && page_size > 0) {
      const auto page = static_cast<double>(page_size);
      out.push_back(gauge_family("process_resident_memory_bytes", "Resident memory size in bytes.",
                                 static_cast<double>(parsed->resident_pages) * page));
      out.push_back(gauge_family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                 static_cast<double>(parsed->size_pages) * page));
    }
    if (const auto fds = count_open_fds()) {
      out.push_back(gauge_family("process_open_fds", "Number of open file descriptors.",
                                 static_cast<double>(*fds)));
    }
    const auto limits = read_file("/proc/self/limits");
    if (const auto max_fds = limits ? parse_max_open_files(*limits) : std::nullopt) {
      out.push_back(gauge_family("process_max_fds", "Maximum number of open file descriptors.",
                                 *max_fds));
    }
    if (start_time) {
      out.push_back(gauge_family("process_start_time_seconds",
                                 "Start time of the process since unix epoch in seconds.",
                                 *start_time));
    }
  });
}

}  // namespace mysqlproxy::metrics
