#pragma once
// ClientStatements: the binary prepared statements of one client session, under the ids the proxy
// gave the client. Each remembers its SQL (to prepare it again on whichever backend connection
// runs it), its classification (to route each execute) and the parameter types the client sent
// last (to give them to a backend statement that hasn't seen them). It counts them and their
// text's bytes, for limits.max_session_prepared_*.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/routing/sql_classifier.hpp"

namespace mysqlproxy::proxy {

struct ClientStatement {
  std::string sql;
  StatementTraits traits;  // views into sql: the map's nodes never move
  std::uint16_t num_params = 0;
  std::uint16_t num_columns = 0;
  std::vector<std::uint8_t> param_types;
};

class ClientStatements {
 public:
  // Registers a statement the backend accepted; returns the id the client will use.
  std::uint32_t add(std::string sql, std::uint16_t num_params, std::uint16_t num_columns) {
    const std::uint32_t id = next_id_++;
    auto& st = statements_[id];
    bytes_ += sql.size();
    st.sql = std::move(sql);
    st.traits = classify_sql(st.sql);
    st.num_params = num_params;
    st.num_columns = num_columns;
    return id;
  }
  [[nodiscard]] ClientStatement* find(std::uint32_t id) {
    auto it = statements_.find(id);
    return it == statements_.end() ? nullptr : &it->second;
  }
  void erase(std::uint32_t id) {
    auto it = statements_.find(id);
    if (it == statements_.end()) return;
    bytes_ -= it->second.sql.size();
    statements_.erase(it);
  }
  void clear() {
    statements_.clear();
    bytes_ = 0;
  }
  [[nodiscard]] std::size_t size() const noexcept { return statements_.size(); }
  // Bytes of SQL text held.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  // The id the next prepare will get (written into the backend's answer before it is forwarded).
  [[nodiscard]] std::uint32_t next_id() const noexcept { return next_id_; }

 private:
  std::unordered_map<std::uint32_t, ClientStatement> statements_;
  std::uint32_t next_id_ = 1;
  std::size_t bytes_ = 0;
};

}  // namespace mysqlproxy::proxy
