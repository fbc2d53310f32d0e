#include "proxy/observability/proxy_metrics.hpp"
#include "proxy/net/io_backend.hpp"

#include <gtest/gtest.h>

namespace mysqlproxy::proxy {
namespace {

TEST(ProxyMetrics, QueryCountersKeepOneSeriesPerBackendRoleAndReason) {
  QueryCounters counters;
  auto& read = counters.at(5, "itest-r5", false, RouteReason::kRead);
  EXPECT_EQ(&read, &counters.at(5, "itest-r5", false, RouteReason::kRead));
  EXPECT_NE(&read, &counters.at(5, "itest-r5", true, RouteReason::kRead));
  EXPECT_NE(&read, &counters.at(5, "itest-r5", false, RouteReason::kHint));
  read.inc(3);
  counters.at(5, "itest-r5", true, RouteReason::kWrite).inc();
  EXPECT_EQ(proxy_metrics().queries_routed_to("itest-r5"), 4u);
  EXPECT_EQ(proxy_metrics().queries_routed_to("itest-r"), 0u) << "names match whole";
  // A discovered backend renamed under the same id gets a series of its new name.
  auto& renamed = counters.at(5, "itest-r5b", false, RouteReason::kRead);
  EXPECT_NE(&renamed, &read);
  renamed.inc();
  EXPECT_EQ(proxy_metrics().queries_routed_to("itest-r5b"), 1u);
  const std::string text = proxy_metrics().registry.render();
  EXPECT_NE(text.find("mysql_proxy_queries_total{backend=\"itest-r5\",role=\"replica\",reason=\"read\"} 3\n"),
            std::string::npos);
}

TEST(ProxyMetrics, EveryErrorKindAndPinReasonHasItsSeries) {
  const std::string text = proxy_metrics().registry.render();
  for (std::size_t i = 0; i < static_cast<std::size_t>(ErrorKind::kCount); ++i) {
    const std::string series = "mysql_proxy_errors_total{kind=\"" + std::string(to_string(static_cast<ErrorKind>(i))) + "\"}";
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
  EXPECT_NE(text.find("mysql_proxy_session_pins_total{reason=\"temporary_table\"}"), std::string::npos);
  EXPECT_NE(text.find(std::string("mysql_proxy_build_info{version=\"" MYSQLPROXY_VERSION "\",io=\"") + io_backend_name() + "\"} 1\n"),
            std::string::npos);
  count_error(ErrorKind::kPoolTimeout);
  EXPECT_GE(proxy_metrics().errors[static_cast<std::size_t>(ErrorKind::kPoolTimeout)]->value(), 1u);
}

}  // namespace
}  // namespace mysqlproxy::proxy
