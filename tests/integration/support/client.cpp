#include "support/client.hpp"

#include <stdexcept>
#include <utility>

namespace itest {

Client::Client() : mysql_(mysql_init(nullptr)) {
  if (mysql_ == nullptr) throw std::runtime_error("mysql_init failed");
}

Client::~Client() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

Client::Client(Client&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)), connected_(std::exchange(other.connected_, false)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (mysql_ != nullptr) mysql_close(mysql_);
    mysql_ = std::exchange(other.mysql_, nullptr);
    connected_ = std::exchange(other.connected_, false);
  }
  return *this;
}

bool Client::set_option(mysql_option option, const void* value) { return mysql_optionsv(mysql_, option, value) == 0; }

bool Client::set_max_allowed_packet(unsigned long bytes) { return set_option(MYSQL_OPT_MAX_ALLOWED_PACKET, &bytes); }

bool Client::set_charset(const std::string& name) { return set_option(MYSQL_SET_CHARSET_NAME, name.c_str()); }

bool Client::set_read_timeout(unsigned seconds) {
  return set_option(MYSQL_OPT_READ_TIMEOUT, &seconds) && set_option(MYSQL_OPT_WRITE_TIMEOUT, &seconds);
}

bool Client::set_local_infile(bool enabled) {
  unsigned int v = enabled ? 1 : 0;
  return set_option(MYSQL_OPT_LOCAL_INFILE, &v);
}

bool Client::connect(const std::string& host, int port, const std::string& user, const std::string& password,
                     const std::string& db, unsigned long flags) {
  unsigned int timeout = 10;
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
  connected_ = mysql_real_connect(mysql_, host.c_str(), user.c_str(), password.c_str(),
                                  db.empty() ? nullptr : db.c_str(), static_cast<unsigned>(port), nullptr,
                                  flags) != nullptr;
  return connected_;
}

void Client::close() {
  if (mysql_ != nullptr) mysql_close(mysql_);
  mysql_ = mysql_init(nullptr);
  connected_ = false;
}

std::optional<Rows> Client::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return std::nullopt;
  Rows rows;
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res != nullptr) {
    rows = fetch_all(res);
    mysql_free_result(res);
  } else if (mysql_field_count(mysql_) != 0) {
    return std::nullopt;  // a result set was expected but could not be read
  }
  while (mysql_more_results(mysql_)) {
    int rc = mysql_next_result(mysql_);
    if (rc > 0) return std::nullopt;
    if (rc < 0) break;
    if (MYSQL_RES* more = mysql_store_result(mysql_)) mysql_free_result(more);
  }
  return rows;
}

bool Client::exec(const std::string& sql) { return query(sql).has_value(); }

std::optional<std::string> Client::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (!rows || rows->empty() || rows->front().empty()) return std::nullopt;
  return rows->front().front();
}

std::string Client::describe_error() const {
  return "[" + std::to_string(errnum()) + " " + sqlstate() + "] " + error();
}

std::string Client::escape(const std::string& raw) const {
  std::string out(raw.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, out.data(), raw.data(), raw.size());
  out.resize(n);
  return out;
}

Rows fetch_all(MYSQL_RES* res) {
  Rows rows;
  unsigned int cols = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row r;
    r.reserve(cols);
    for (unsigned int i = 0; i < cols; ++i) {
      if (row[i] == nullptr) r.emplace_back(std::nullopt);
      else r.emplace_back(std::string(row[i], lengths[i]));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace itest
