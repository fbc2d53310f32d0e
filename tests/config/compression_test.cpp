// The compression section and backends[i].compress: defaults, every field, the per-backend
// override and the errors.
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::load_error;
using test_support::load_ok;
using test_support::with_backends_and_users;

TEST(CompressionConfig, DefaultsMatchTheDocumentedSchema) {
  // Offered to clients (zlib and zstd); the proxy's own backend links stay uncompressed.
  for (const char* head : {"", "compression:\n", "compression: {}\n"}) {
    Config config = load_ok(with_backends_and_users(head));
    EXPECT_TRUE(config.compression.clients) << head;
    EXPECT_TRUE(config.compression.zstd) << head;
    EXPECT_FALSE(config.compression.backends) << head;
    EXPECT_FALSE(config.backends[0].compress) << head;
    EXPECT_FALSE(compress_backend(config.compression, config.backends[0])) << head;
  }
}

TEST(CompressionConfig, ReadsEveryField) {
  Config config = load_ok(with_backends_and_users("compression: { clients: false, zstd: false, backends: true }\n"));
  EXPECT_FALSE(config.compression.clients);
  EXPECT_FALSE(config.compression.zstd);
  EXPECT_TRUE(config.compression.backends);
  EXPECT_TRUE(compress_backend(config.compression, config.backends[0]));
}

TEST(CompressionConfig, ABackendsOwnChoiceWinsEitherWay) {
  Config config = load_ok(R"(compression: { backends: true }
backends:
  - { name: primary, host: 127.0.0.1, role: primary, compress: false }
  - { name: near, host: 127.0.0.2, role: replica }
  - { name: far, host: 10.9.0.2, role: replica, compress: true }
users:
  - { name: app, password: secret }
)");
  EXPECT_EQ(config.backends[0].compress, false);
  EXPECT_FALSE(compress_backend(config.compression, config.backends[0]));
  EXPECT_TRUE(compress_backend(config.compression, config.backends[1]));
  EXPECT_TRUE(compress_backend(config.compression, config.backends[2]));
  config.compression.backends = false;
  EXPECT_FALSE(compress_backend(config.compression, config.backends[1]));
  EXPECT_TRUE(compress_backend(config.compression, config.backends[2]));
}

TEST(CompressionConfig, ReportsTheExactMessages) {
  EXPECT_EQ(load_error("compression:\n  client: true\n"),
            "proxy.yaml:2:3: compression.client: unknown field (did you mean \"clients\"?)");
  EXPECT_EQ(load_error("compression:\n  level: 3\n"),
            "proxy.yaml:2:3: compression.level: unknown field (expected one of clients, zstd, backends)");
  EXPECT_EQ(load_error("compression:\n  backends: sometimes\n"),
            "proxy.yaml:2:13: compression.backends: expected true or false, got \"sometimes\"");
  EXPECT_EQ(load_error("compression: zlib\n"), "proxy.yaml:1:14: compression: expected a mapping, got \"zlib\"");
  EXPECT_EQ(test_support::error_of(load_config_text(
                "backends:\n  - { name: primary, host: 127.0.0.1, role: primary, compress: yes please }\n"
                "users:\n  - { name: app, password: secret }\n",
                "proxy.yaml")),
            "proxy.yaml:2:64: backends[0].compress: expected true or false, got \"yes please\"");
}

}  // namespace
}  // namespace mysqlproxy::config
