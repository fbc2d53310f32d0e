#pragma once
// StatementCache: the statements prepared on one backend connection, by schema and SQL, so any
// session leasing the connection reuses them. Bounded (LRU) in count and in the bytes of text it
// keeps: the evicted ones are closed, so max_prepared_stmt_count is never exhausted by the proxy
// and a pooled connection never keeps more text than pool.max_prepared_statement_bytes.
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
  explicit StatementCache(std::size_t capacity = 256, std::size_t max_bytes = 4u << 20)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  // Most recently used moves to the front.
  BackendStatement* find(std::string_view schema, std::string_view sql);
  // A statement that had to make room (least recently used, or an older one for the same SQL)
  // is queued for closing: see take_displaced(). One larger than the byte budget on its own is
  // kept (its session is about to execute it) until shed_excess().
  void insert(std::string_view schema, std::string_view sql, BackendStatement s);
  // Back under the byte budget, least recently used first: called as the connection goes back to
  // the pool, so a statement too large to keep lives only as long as its lease.
  void shed_excess();
  // Backend statement ids to close with COM_STMT_CLOSE before the connection's next command.
  [[nodiscard]] std::vector<std::uint32_t> take_displaced() noexcept { return std::exchange(displaced_, {}); }
  void clear() noexcept;
  void set_limits(std::size_t capacity, std::size_t max_bytes) noexcept {
    capacity_ = capacity == 0 ? 1 : capacity;
    max_bytes_ = max_bytes;
  }
  [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }
  // Bytes of schema and SQL text kept.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 private:
  struct Entry {
    std::string key;
    BackendStatement statement;
  };
  static std::string key_of(std::string_view schema, std::string_view sql);
  void evict_last();

  std::size_t capacity_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::vector<std::uint32_t> displaced_;
  std::list<Entry> lru_;
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_ keys
};

}  // namespace mysqlproxy::proxy
