#pragma once
// StatementCache: the statements prepared on one backend connection, by schema and SQL, so any
// session leasing the connection reuses them. Bounded (LRU): the evicted ones are closed, so
// max_prepared_stmt_count is never exhausted by the proxy.
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mysqlproxy::proxy {

struct BackendStatement {
  std::uint32_t id = 0;
  std::uint16_t num_params = 0;
  bool types_sent = false;  // the backend has parameter types for it
};

class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity = 256) : capacity_(capacity) {}

  // Most recently used moves to the front.
  BackendStatement* find(std::string_view schema, std::string_view sql);
  // A statement that had to make room (least recently used, or an older one for the same SQL)
  // is queued for closing: see take_displaced().
  void insert(std::string_view schema, std::string_view sql, BackendStatement s);
  // Backend statement ids to close with COM_STMT_CLOSE before the connection's next command.
  [[nodiscard]] std::vector<std::uint32_t> take_displaced() noexcept { return std::exchange(displaced_, {}); }
  void clear() noexcept;
  void set_capacity(std::size_t n) noexcept { capacity_ = n == 0 ? 1 : n; }
  [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    BackendStatement statement;
  };
  static std::string key_of(std::string_view schema, std::string_view sql);

  std::size_t capacity_;
  std::vector<std::uint32_t> displaced_;
  std::list<Entry> lru_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_ keys
};

}  // namespace mysqlproxy::proxy
