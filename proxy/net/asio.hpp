#pragma once
// The Asio names the proxy uses, in one place.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace mysqlproxy::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
template <class T>
using awaitable = asio::awaitable<T>;

// Completion token for I/O in the hot loop: errors come back as values, nothing throws.
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace mysqlproxy::proxy
