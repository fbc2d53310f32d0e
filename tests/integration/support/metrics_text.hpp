// Reading the proxy's Prometheus text exposition in tests.
#pragma once

#include <string>

namespace itest {

// Sum of the samples of `name` whose label set contains `filter` (e.g. reason="read"); 0 when
// there are none.
double metric_sum(const std::string& text, const std::string& name, const std::string& filter = "");

}  // namespace itest
