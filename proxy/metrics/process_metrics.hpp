#pragma once
// The standard process_* metrics of the official Prometheus client libraries, read from /proc at
// each scrape (Linux only):
//   process_cpu_seconds_total      counter  user + system CPU time, seconds
//   process_resident_memory_bytes  gauge    resident set size
//   process_virtual_memory_bytes   gauge    virtual memory size
//   process_open_fds               gauge    open file descriptors
//   process_max_fds                gauge    soft limit on open file descriptors
//   process_start_time_seconds     gauge    start time since the Unix epoch
// A value whose /proc file cannot be read or parsed is left out of that scrape.
#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/metrics/metrics.hpp"

namespace mysqlproxy::metrics {

void add_process_collector(Registry& registry);

// The parsers, exposed for tests.

struct ProcStat {
  std::uint64_t utime_ticks = 0;  // field 14
  std::uint64_t stime_ticks = 0;  // field 15
  std::uint64_t start_ticks = 0;  // field 22: start time after boot, in clock ticks
};
// /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

struct ProcStatm {
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
};
// /proc/<pid>/statm: its first two fields.
std::optional<ProcStatm> parse_proc_statm(std::string_view text);

// /proc/stat: the `btime` line, seconds since the epoch.
std::optional<std::uint64_t> parse_boot_time(std::string_view text);

// /proc/<pid>/limits: the soft limit of "Max open files"; +Inf when unlimited.
std::optional<double> parse_max_open_files(std::string_view text);

}  // namespace mysqlproxy::metrics
