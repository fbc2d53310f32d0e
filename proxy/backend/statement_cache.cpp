#include "proxy/backend/statement_cache.hpp"

namespace mysqlproxy::proxy {

std::string StatementCache::key_of(std::string_view schema, std::string_view sql) {
  std::string key;
  key.reserve(schema.size() + 1 + sql.size());
  key.append(schema).push_back('\0');  // a statement's tables resolve in the schema it was prepared in
  key.append(sql);
  return key;
}

BackendStatement* StatementCache::find(std::string_view schema, std::string_view sql) {
  const std::string key = key_of(schema, sql);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->statement;
}

void StatementCache::evict_last() {
  displaced_.push_back(lru_.back().statement.id);
  bytes_ -= lru_.back().key.size();
  index_.erase(lru_.back().key);
  lru_.pop_back();
}

void StatementCache::insert(std::string_view schema, std::string_view sql, BackendStatement s) {
  std::string key = key_of(schema, sql);
  if (auto it = index_.find(key); it != index_.end()) {
    displaced_.push_back(it->second->statement.id);  // a duplicate: the older backend statement goes
    auto entry = it->second;
    bytes_ -= entry->key.size();
    index_.erase(it);
    lru_.erase(entry);
  }
  while (!lru_.empty() && (index_.size() >= capacity_ || bytes_ + key.size() > max_bytes_)) evict_last();
  bytes_ += key.size();
  lru_.push_front(Entry{std::move(key), s});
  index_.emplace(lru_.front().key, lru_.begin());
}

void StatementCache::shed_excess() {
  while (!lru_.empty() && bytes_ > max_bytes_) evict_last();
}

void StatementCache::clear() noexcept {
  index_.clear();
  lru_.clear();
  bytes_ = 0;
  displaced_.clear();  // a reset closed them all
}

}  // namespace mysqlproxy::proxy
