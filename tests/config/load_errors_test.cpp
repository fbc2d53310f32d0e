// Every loader error names source:line:col: path: reason; each case asserts the exact text.
#include <gtest/gtest.h>

#include <string>

#include "config/load.hpp"
#include "tests/config/test_util.hpp"

namespace mysqlproxy::config {
namespace {

using test_support::error_of;
using test_support::kBackends;
using test_support::kUsers;
using test_support::with_backends_and_users;

struct ErrorCase {
  std::string name;
  std::string yaml;
  std::string expected;
};

std::ostream& operator<<(std::ostream& os, const ErrorCase& c) { return os << c.name; }

std::string case_name(const testing::TestParamInfo<ErrorCase>& info) { return info.param.name; }

class LoadConfigError : public testing::TestWithParam<ErrorCase> {};

TEST_P(LoadConfigError, ReportsTheExactMessage) {
  EXPECT_EQ(error_of(load_config_text(GetParam().yaml, "proxy.yaml")), GetParam().expected);
}

std::string users_then_backends(const std::string& users) { return users + std::string(kBackends); }
std::string backends_then_users(const std::string& backends) {
  return backends + std::string(kUsers);
}

INSTANTIATE_TEST_SUITE_P(
    UnknownAndDuplicateFields, LoadConfigError,
    testing::Values(
        ErrorCase{"RejectsUnknownFieldWithSuggestion",
                  with_backends_and_users("listen:\n  address: 127.0.0.1\n  prot: 6033\n"),
                  "proxy.yaml:3:3: listen.prot: unknown field (did you mean \"port\"?)"},
        ErrorCase{"RejectsUnknownTopLevelFieldWithSuggestion",
                  with_backends_and_users("lisen: { port: 6033 }\n"),
                  "proxy.yaml:1:1: lisen: unknown field (did you mean \"listen\"?)"},
        ErrorCase{"RejectsUnknownFieldListingAllowedOnes",
                  with_backends_and_users("frobnicate: 1\n"),
                  "proxy.yaml:1:1: frobnicate: unknown field (expected one of listen, workers, "
                  "server_version, max_packet_size, backends, users, tls, auth, timeouts, logging, "
                  "health, failover, routing, pool, admin, limits, compression)"},
        ErrorCase{
            "RejectsUnknownBackendField",
            backends_then_users("backends:\n  - { name: p, host: h, role: primary, wieght: 2 }\n"),
            "proxy.yaml:2:40: backends[0].wieght: unknown field (did you mean \"weight\"?)"},
        ErrorCase{"RejectsUnknownUserField",
                  users_then_backends("users:\n  - { name: app, password: x, pasword: y }\n"),
                  "proxy.yaml:2:31: users[0].pasword: unknown field (did you mean \"password\"?)"},
        ErrorCase{"RejectsUnknownTimeoutField", with_backends_and_users("timeouts:\n  read: 1s\n"),
                  "proxy.yaml:2:3: timeouts.read: unknown field (expected one of connect, "
                  "handshake, idle, query, client_stall, drain)"},
        ErrorCase{"RejectsUnknownLoggingField", with_backends_and_users("logging:\n  levl: info\n"),
                  "proxy.yaml:2:3: logging.levl: unknown field (did you mean \"level\"?)"},
        ErrorCase{"RejectsMergeKeyExplainingWhy",
                  backends_then_users("backends:\n"
                                      "  - <<: { port: 13306 }\n"
                                      "    name: primary\n"),
                  "proxy.yaml:2:5: backends[0].<<: merge keys (<<) are not supported; repeat the "
                  "fields instead"},
        ErrorCase{"RejectsDuplicateField", with_backends_and_users("workers: 1\nworkers: 2\n"),
                  "proxy.yaml:2:1: workers: duplicate field (already set at line 1)"},
        ErrorCase{"RejectsDuplicateNestedField",
                  with_backends_and_users("listen:\n  port: 1\n  port: 2\n"),
                  "proxy.yaml:3:3: listen.port: duplicate field (already set at line 2)"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    WrongTypes, LoadConfigError,
    testing::Values(
        ErrorCase{"RejectsSequenceWhereMappingExpected",
                  with_backends_and_users("listen: [127.0.0.1, 6033]\n"),
                  "proxy.yaml:1:9: listen: expected a mapping, got a sequence"},
        ErrorCase{"RejectsScalarWhereMappingExpected", with_backends_and_users("timeouts: 5s\n"),
                  "proxy.yaml:1:11: timeouts: expected a mapping, got \"5s\""},
        ErrorCase{"RejectsMappingWhereSequenceExpected",
                  backends_then_users("backends: { name: primary }\n"),
                  "proxy.yaml:1:11: backends: expected a sequence, got a mapping"},
        ErrorCase{"RejectsScalarBackendEntry", backends_then_users("backends:\n  - primary\n"),
                  "proxy.yaml:2:5: backends[0]: expected a mapping, got \"primary\""},
        ErrorCase{"RejectsScalarUserEntry", users_then_backends("users: [ alice ]\n"),
                  "proxy.yaml:1:10: users[0]: expected a mapping, got \"alice\""},
        ErrorCase{"RejectsTopLevelSequence", "- listen\n- workers\n",
                  "proxy.yaml:1:1: expected a mapping, got a sequence"},
        ErrorCase{"RejectsTopLevelScalar", "just text\n",
                  "proxy.yaml:1:1: expected a mapping, got \"just text\""},
        ErrorCase{"RejectsNonScalarFieldName", "? [a, b]\n: 1\n",
                  "proxy.yaml:1:3: expected a field name, got a sequence"},
        ErrorCase{"RejectsStringForPort",
                  backends_then_users("backends:\n"
                                      "  - name: primary\n"
                                      "    host: 127.0.0.1\n"
                                      "    role: primary\n"
                                      "  - name: replica1\n"
                                      "    host: 127.0.0.1\n"
                                      "    port: abc\n"),
                  "proxy.yaml:7:11: backends[1].port: expected an integer 1..65535, got \"abc\""},
        ErrorCase{"RejectsPortZero", with_backends_and_users("listen: { port: 0 }\n"),
                  "proxy.yaml:1:17: listen.port: expected an integer 1..65535, got \"0\""},
        ErrorCase{"RejectsPortAboveRange", with_backends_and_users("listen: { port: 65536 }\n"),
                  "proxy.yaml:1:17: listen.port: expected an integer 1..65535, got \"65536\""},
        ErrorCase{"RejectsNegativeInteger", with_backends_and_users("workers: -1\n"),
                  "proxy.yaml:1:10: workers: expected an integer 0..1024, got \"-1\""},
        ErrorCase{"RejectsTooManyWorkers", with_backends_and_users("workers: 1025\n"),
                  "proxy.yaml:1:10: workers: expected an integer 0..1024, got \"1025\""},
        ErrorCase{"RejectsFractionalInteger", with_backends_and_users("workers: 1.5\n"),
                  "proxy.yaml:1:10: workers: expected an integer 0..1024, got \"1.5\""},
        ErrorCase{"RejectsHugeInteger", with_backends_and_users("workers: 99999999999999999999\n"),
                  "proxy.yaml:1:10: workers: expected an integer 0..1024, got "
                  "\"99999999999999999999\""},
        ErrorCase{"RejectsSequenceForInteger", with_backends_and_users("workers: [1]\n"),
                  "proxy.yaml:1:10: workers: expected an integer 0..1024, got a sequence"},
        ErrorCase{"RejectsEmptyValueAtItsKey", with_backends_and_users("workers:\nlisten: {}\n"),
                  "proxy.yaml:1:1: workers: expected an integer 0..1024, got null"},
        ErrorCase{"RejectsWeightAboveRange",
                  backends_then_users(
                      "backends:\n  - { name: p, host: h, role: primary, weight: 1001 }\n"),
                  "proxy.yaml:2:48: backends[0].weight: expected an integer 0..1000, got \"1001\""},
        ErrorCase{"RejectsMappingForString",
                  with_backends_and_users("server_version: { major: 8 }\n"),
                  "proxy.yaml:1:17: server_version: expected a string, got a mapping"},
        ErrorCase{"RejectsNullForString",
                  backends_then_users("backends:\n  - name: p\n    host:\n    role: primary\n"),
                  "proxy.yaml:3:5: backends[0].host: expected a string, got null"},
        ErrorCase{"RejectsSequenceForPassword",
                  users_then_backends("users:\n  - { name: app, password: [a] }\n"),
                  "proxy.yaml:2:28: users[0].password: expected a string, got a sequence"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    EnumsDurationsAndSizes, LoadConfigError,
    testing::Values(
        ErrorCase{"RejectsUnknownRoleListingAllowedOnes",
                  backends_then_users("backends:\n  - { name: p, host: h, role: master }\n"),
                  "proxy.yaml:2:31: backends[0].role: expected one of primary, replica, got "
                  "\"master\""},
        ErrorCase{"RejectsMisspelledRoleWithSuggestion",
                  backends_then_users("backends:\n  - { name: p, host: h, role: primery }\n"),
                  "proxy.yaml:2:31: backends[0].role: expected one of primary, replica, got "
                  "\"primery\" (did you mean \"primary\"?)"},
        ErrorCase{"RejectsUnknownLogLevel",
                  with_backends_and_users("logging: { level: verbose }\n"),
                  "proxy.yaml:1:19: logging.level: expected one of trace, debug, info, warn, "
                  "error, critical, off, got \"verbose\""},
        ErrorCase{"RejectsMisspelledLogLevelWithSuggestion",
                  with_backends_and_users("logging: { level: debg }\n"),
                  "proxy.yaml:1:19: logging.level: expected one of trace, debug, info, warn, "
                  "error, critical, off, got \"debg\" (did you mean \"debug\"?)"},
        ErrorCase{"RejectsUnknownLogFormat", with_backends_and_users("logging: { format: xml }\n"),
                  "proxy.yaml:1:20: logging.format: expected one of text, json, got \"xml\""},
        ErrorCase{"RejectsBareNonZeroNumberAsDuration",
                  with_backends_and_users("timeouts: { connect: 5 }\n"),
                  "proxy.yaml:1:22: timeouts.connect: expected a duration such as 500ms or 2s, "
                  "got \"5\""},
        ErrorCase{"RejectsUnknownDurationUnit", with_backends_and_users("timeouts:\n  idle: 1d\n"),
                  "proxy.yaml:2:9: timeouts.idle: expected a duration such as 500ms or 2s, got "
                  "\"1d\""},
        ErrorCase{"RejectsSubMillisecondDuration",
                  with_backends_and_users("timeouts:\n  query: 1.5ms\n"),
                  "proxy.yaml:2:10: timeouts.query: expected a duration such as 500ms or 2s, got "
                  "\"1.5ms\""},
        ErrorCase{"RejectsNegativeDuration", with_backends_and_users("timeouts:\n  query: -1s\n"),
                  "proxy.yaml:2:10: timeouts.query: expected a duration such as 500ms or 2s, got "
                  "\"-1s\""},
        ErrorCase{"RejectsZeroConnectTimeout", with_backends_and_users("timeouts:\n  connect: 0\n"),
                  "proxy.yaml:2:12: timeouts.connect: expected a duration greater than 0, got "
                  "\"0\""},
        ErrorCase{"RejectsZeroHandshakeTimeout",
                  with_backends_and_users("timeouts:\n  handshake: 0ms\n"),
                  "proxy.yaml:2:14: timeouts.handshake: expected a duration greater than 0, got "
                  "\"0ms\""},
        ErrorCase{"RejectsDurationAboveOneYear",
                  with_backends_and_users("timeouts:\n  idle: 8761h\n"),
                  "proxy.yaml:2:9: timeouts.idle: expected a duration of at most 8760h, got "
                  "\"8761h\""},
        ErrorCase{"RejectsMappingForDuration",
                  with_backends_and_users("timeouts:\n  idle: { h: 8 }\n"),
                  "proxy.yaml:2:9: timeouts.idle: expected a duration such as 500ms or 2s, got a "
                  "mapping"},
        ErrorCase{"RejectsDecimalSizeSuffix", with_backends_and_users("max_packet_size: 64MB\n"),
                  "proxy.yaml:1:18: max_packet_size: expected a size such as 65536, 64KiB or "
                  "16MiB, got \"64MB\""},
        ErrorCase{"RejectsSizeAboveOneGiB", with_backends_and_users("max_packet_size: 2GiB\n"),
                  "proxy.yaml:1:18: max_packet_size: expected a size 1KiB..1GiB, got \"2GiB\""},
        ErrorCase{"RejectsSizeOneByteAboveOneGiB",
                  with_backends_and_users("max_packet_size: 1073741825\n"),
                  "proxy.yaml:1:18: max_packet_size: expected a size 1KiB..1GiB, got "
                  "\"1073741825\""},
        ErrorCase{"RejectsSizeBelowOneKiB", with_backends_and_users("max_packet_size: 1023\n"),
                  "proxy.yaml:1:18: max_packet_size: expected a size 1KiB..1GiB, got \"1023\""},
        ErrorCase{"CutsLongValuesInMessages",
                  backends_then_users("backends:\n  - { name: p, host: h, role: " +
                                      std::string(60, 'x') + " }\n"),
                  "proxy.yaml:2:31: backends[0].role: expected one of primary, replica, got \"" +
                      std::string(40, 'x') + "...\""}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    MissingRequiredFields, LoadConfigError,
    testing::Values(
        ErrorCase{"RejectsBackendWithoutName",
                  backends_then_users("backends:\n  - host: 127.0.0.1\n    role: primary\n"),
                  "proxy.yaml:2:5: backends[0].name: missing required field"},
        ErrorCase{"RejectsBackendWithoutHost",
                  backends_then_users("backends: [ { name: p, role: primary } ]\n"),
                  "proxy.yaml:1:13: backends[0].host: missing required field"},
        ErrorCase{"RejectsEmptyBackendEntry", backends_then_users("backends:\n  - {}\n"),
                  "proxy.yaml:2:5: backends[0].name: missing required field"},
        ErrorCase{"RejectsUserWithoutName", users_then_backends("users:\n  - password: x\n"),
                  "proxy.yaml:2:5: users[0].name: missing required field"},
        ErrorCase{"RejectsUserWithoutPasswordSource",
                  users_then_backends("users:\n  - name: app\n"),
                  "proxy.yaml:2:5: users[0]: missing password (set exactly one of password, "
                  "password_env, password_file)"},
        ErrorCase{"RejectsUserWithTwoPasswordSources",
                  users_then_backends("users:\n"
                                      "  - name: app\n"
                                      "    password: x\n"
                                      "    password_file: /run/secrets/app\n"),
                  "proxy.yaml:4:5: users[0].password_file: conflicts with password (set exactly "
                  "one of password, password_env, password_file)"},
        ErrorCase{"RejectsUserWithThreePasswordSourcesAtTheSecond",
                  users_then_backends("users:\n"
                                      "  - { name: app, password_env: A, password_file: f, "
                                      "password: x }\n"),
                  "proxy.yaml:2:35: users[0].password_file: conflicts with password_env (set "
                  "exactly one of password, password_env, password_file)"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    SyntaxAndDocuments, LoadConfigError,
    testing::Values(ErrorCase{"ReportsUnterminatedFlowSequence",
                              "listen:\n  address: [1, 2\nworkers: 3\n",
                              "proxy.yaml:3:8: invalid YAML: end of sequence flow not found"},
                    ErrorCase{"ReportsBadIndentation", "workers: 1\n listen: 2\n",
                              "proxy.yaml:2:8: invalid YAML: illegal map value"},
                    ErrorCase{"RejectsSeveralDocuments", "workers: 1\n---\nworkers: 2\n",
                              "proxy.yaml:3:1: expected one YAML document, found 2"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    CrossFieldValidation, LoadConfigError,
    testing::Values(
        ErrorCase{"RejectsEmptyDocument", "",
                  "proxy.yaml:1:1: backends: at least one backend is required"},
        ErrorCase{"RejectsMissingBackends", std::string(kUsers),
                  "proxy.yaml:1:1: backends: at least one backend is required"},
        ErrorCase{"RejectsEmptyBackendList", backends_then_users("backends: []\n"),
                  "proxy.yaml:1:11: backends: at least one backend is required"},
        ErrorCase{
            "RejectsBackendsWithoutPrimary",
            backends_then_users("backends:\n  - { name: a, host: h }\n  - { name: b, host: h }\n"),
            "proxy.yaml:2:3: backends: no backend has role primary (exactly one is "
            "required)"},
        ErrorCase{"RejectsTwoPrimaries",
                  backends_then_users("backends:\n"
                                      "  - { name: a, host: h, role: primary }\n"
                                      "  - { name: b, host: h, role: primary }\n"),
                  "proxy.yaml:3:31: backends[1].role: only one backend may be primary, but "
                  "backends[0] (\"a\") already is"},
        ErrorCase{"RejectsDuplicateBackendName",
                  backends_then_users("backends:\n"
                                      "  - { name: a, host: h, role: primary }\n"
                                      "  - { name: a, host: h }\n"),
                  "proxy.yaml:3:13: backends[1].name: duplicate name \"a\" (already used by "
                  "backends[0])"},
        ErrorCase{"RejectsEmptyBackendName",
                  backends_then_users("backends:\n  - { name: \"\", host: h, role: primary }\n"),
                  "proxy.yaml:2:13: backends[0].name: must not be empty"},
        ErrorCase{"RejectsEmptyBackendHost",
                  backends_then_users("backends:\n  - { name: a, host: '', role: primary }\n"),
                  "proxy.yaml:2:22: backends[0].host: must not be empty"},
        ErrorCase{"RejectsMissingUsers", std::string(kBackends),
                  "proxy.yaml:1:1: users: at least one user is required"},
        ErrorCase{"RejectsEmptyUserList", std::string(kBackends) + "users: []\n",
                  "proxy.yaml:3:8: users: at least one user is required"},
        ErrorCase{"RejectsDuplicateUserName",
                  users_then_backends("users:\n"
                                      "  - { name: app, password: a }\n"
                                      "  - { name: app, password: b }\n"),
                  "proxy.yaml:3:13: users[1].name: duplicate name \"app\" (already used by "
                  "users[0])"},
        ErrorCase{"RejectsEmptyUserName",
                  users_then_backends("users:\n  - { name: '', password: a }\n"),
                  "proxy.yaml:2:13: users[0].name: must not be empty"}),
    case_name);

}  // namespace
}  // namespace mysqlproxy::config
