// classify_sql over typical OLTP statements: the cost the router pays per COM_QUERY.
// Time per iteration is time per statement; items/s counts statements.
#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

#include "proxy/routing/sql_classifier.hpp"

namespace {

using mysqlproxy::proxy::classify_sql;

constexpr std::string_view kPointSelect = "SELECT c FROM sbtest1 WHERE id=5012";
constexpr std::string_view kRangeSelect = "SELECT c FROM sbtest1 WHERE id BETWEEN 4810 AND 4909";
constexpr std::string_view kSumRange = "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 5009 AND 5108";
constexpr std::string_view kOrderRange = "SELECT c FROM sbtest1 WHERE id BETWEEN 5028 AND 5127 ORDER BY c";
constexpr std::string_view kDistinctRange =
    "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 4990 AND 5089 ORDER BY c";
constexpr std::string_view kUpdateIndex = "UPDATE sbtest1 SET k=k+1 WHERE id=5030";
constexpr std::string_view kUpdateNonIndex =
    "UPDATE sbtest1 SET c='83868641912-28773972837-60736120486-75162659906-27563526494-20381887404-"
    "41576422241-93426793964-56405065102-33518432330' WHERE id=4985";
constexpr std::string_view kDelete = "DELETE FROM sbtest1 WHERE id=5005";
constexpr std::string_view kInsert =
    "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5005, 4993, '83868641912-28773972837-60736120486-"
    "75162659906-27563526494-20381887404-41576422241-93426793964-56405065102-33518432330', "
    "'67847967377-48000963322-62604785301-91415491898-96926520291')";
constexpr std::string_view kBegin = "BEGIN";
constexpr std::string_view kCommit = "COMMIT";
// What an ORM (Django here) sends for a list page: about 300 bytes, two joins.
constexpr std::string_view kOrmSelect =
    "SELECT `o`.`id`, `o`.`status`, `o`.`total`, `c`.`name`, `c`.`email` "
    "FROM `orders` `o` INNER JOIN `customers` `c` ON (`o`.`customer_id` = `c`.`id`) "
    "LEFT OUTER JOIN `shipments` `s` ON (`s`.`order_id` = `o`.`id`) "
    "WHERE (`o`.`status` = 'paid' AND `o`.`created_at` >= '2024-01-01') ORDER BY `o`.`id` DESC LIMIT 21";
static_assert(kOrmSelect.size() >= 280 && kOrmSelect.size() <= 340);
constexpr std::string_view kLockingSelect = "SELECT c FROM sbtest1 WHERE id=5012 FOR UPDATE";
constexpr std::string_view kSetAutocommit = "SET autocommit=0";

void classify(benchmark::State& state, std::string_view sql) {
  for (auto _ : state) {
    auto traits = classify_sql(sql);
    benchmark::DoNotOptimize(traits);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sql.size()));
}

BENCHMARK_CAPTURE(classify, point_select, kPointSelect);
BENCHMARK_CAPTURE(classify, range_select, kRangeSelect);
BENCHMARK_CAPTURE(classify, sum_range, kSumRange);
BENCHMARK_CAPTURE(classify, order_range, kOrderRange);
BENCHMARK_CAPTURE(classify, distinct_range, kDistinctRange);
BENCHMARK_CAPTURE(classify, update_index, kUpdateIndex);
BENCHMARK_CAPTURE(classify, update_non_index, kUpdateNonIndex);
BENCHMARK_CAPTURE(classify, delete_by_id, kDelete);
BENCHMARK_CAPTURE(classify, insert, kInsert);
BENCHMARK_CAPTURE(classify, begin, kBegin);
BENCHMARK_CAPTURE(classify, commit, kCommit);
BENCHMARK_CAPTURE(classify, orm_select_300b, kOrmSelect);
BENCHMARK_CAPTURE(classify, select_for_update, kLockingSelect);
BENCHMARK_CAPTURE(classify, set_autocommit, kSetAutocommit);

// One sysbench oltp_read_write transaction's statements, in order: per-statement average.
void oltp_read_write_mix(benchmark::State& state) {
  const std::array<std::string_view, 20> mix = {
      kBegin,       kPointSelect, kPointSelect, kPointSelect, kPointSelect,    kPointSelect, kPointSelect,
      kPointSelect, kPointSelect, kPointSelect, kPointSelect, kRangeSelect,    kSumRange,    kOrderRange,
      kDistinctRange, kUpdateIndex, kUpdateNonIndex, kDelete, kInsert, kCommit};
  for (auto _ : state) {
    for (auto sql : mix) {
      auto traits = classify_sql(sql);
      benchmark::DoNotOptimize(traits);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(mix.size()));
}
BENCHMARK(oltp_read_write_mix);

}  // namespace
