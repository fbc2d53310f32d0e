#pragma once
// Whole-file reads for the config file and password_file, failing with errno's reason
// (error_code::message() is strerror's text).
#include <boost/system/result.hpp>

#include <string>

namespace mysqlproxy::config {

boost::system::result<std::string> read_file(const std::string& path);

}  // namespace mysqlproxy::config
