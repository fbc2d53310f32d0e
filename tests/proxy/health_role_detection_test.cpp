// decide_primary: promotion, demotion, split brain, nobody writable.
#include <gtest/gtest.h>

#include <vector>

#include "proxy/health/role_detection.hpp"

namespace mysqlproxy::proxy {
namespace {

// Observation shorthands.
RoleObservation writable() { return {true, true, false, false}; }
RoleObservation read_only() { return {true, true, true, false}; }
RoleObservation missed_check() { return {true, false, true, false}; }  // failed, not DOWN yet
RoleObservation down() { return {true, false, true, true}; }
RoleObservation unchecked() { return {}; }

TEST(RoleDetection, AtStartTheConfiguredPrimaryKeepsTheRoleUntilChecked) {
  std::vector<RoleObservation> b = {unchecked(), unchecked(), unchecked()};
  RoleDecision d = decide_primary(b, 0);
  EXPECT_EQ(d.primary, 0u);
  EXPECT_TRUE(d.writable.empty());
  EXPECT_FALSE(d.split_brain());
}

TEST(RoleDetection, TheWritableBackendIsThePrimary) {
  std::vector<RoleObservation> b = {writable(), read_only(), read_only()};
  EXPECT_EQ(decide_primary(b, 0).primary, 0u);
  EXPECT_EQ(decide_primary(b, std::nullopt).primary, 0u);
}

TEST(RoleDetection, ConfiguredPrimaryThatIsReadOnlyLosesTheRoleToTheWritableOne) {
  // The config says backend 0, but backend 2 is the one taking writes.
  std::vector<RoleObservation> b = {read_only(), read_only(), writable()};
  EXPECT_EQ(decide_primary(b, 0).primary, 2u);
}

TEST(RoleDetection, PromotionAfterThePrimaryDied) {
  std::vector<RoleObservation> b = {down(), writable(), read_only()};
  RoleDecision d = decide_primary(b, 0);
  EXPECT_EQ(d.primary, 1u);
  EXPECT_FALSE(d.split_brain());
}

TEST(RoleDetection, PromotionDoesNotWaitForTheOldPrimaryToBeDown) {
  // The old primary just stopped answering; the orchestrator already made replica1 writable.
  std::vector<RoleObservation> b = {missed_check(), writable(), read_only()};
  EXPECT_EQ(decide_primary(b, 0).primary, 1u);
}

TEST(RoleDetection, PromotionAfterTheOldPrimaryWasDemoted) {
  std::vector<RoleObservation> b = {read_only(), writable(), read_only()};
  EXPECT_EQ(decide_primary(b, 0).primary, 1u);
}

TEST(RoleDetection, APrimaryThatMissedChecksKeepsTheRoleUntilDown) {
  std::vector<RoleObservation> b = {missed_check(), read_only(), read_only()};
  EXPECT_EQ(decide_primary(b, 0).primary, 0u);
  b[0] = down();
  EXPECT_EQ(decide_primary(b, 0).primary, std::nullopt);
}

// A lone server (or a whole cluster) set read_only: the primary keeps the role, so writes get the
// server's own ERR 1290 and reads fall back to it, as against the server itself.
TEST(RoleDetection, ReadOnlyPrimaryWithNobodyWritableKeepsTheRole) {
  std::vector<RoleObservation> b = {read_only(), read_only(), read_only()};
  RoleDecision d = decide_primary(b, 0);
  EXPECT_EQ(d.primary, 0u);
  EXPECT_TRUE(d.writable.empty());
  std::vector<RoleObservation> lone = {read_only()};
  EXPECT_EQ(decide_primary(lone, 0).primary, 0u);
}

TEST(RoleDetection, ReadOnlyPrimaryLosesTheRoleOnceAnotherIsWritable) {
  std::vector<RoleObservation> b = {read_only(), read_only(), writable()};
  EXPECT_EQ(decide_primary(b, 0).primary, 2u);
}

TEST(RoleDetection, NobodyWritableAndNoCurrentPrimary) {
  std::vector<RoleObservation> b = {down(), read_only(), missed_check()};
  EXPECT_EQ(decide_primary(b, std::nullopt).primary, std::nullopt);
}

TEST(RoleDetection, TheOldPrimaryComingBackTakesTheRoleAgain) {
  std::vector<RoleObservation> b = {writable(), read_only(), read_only()};
  EXPECT_EQ(decide_primary(b, std::nullopt).primary, 0u);
}

TEST(RoleDetection, SplitBrainKeepsTheCurrentPrimary) {
  std::vector<RoleObservation> b = {writable(), writable(), read_only()};
  RoleDecision d = decide_primary(b, 0);
  EXPECT_EQ(d.primary, 0u);
  EXPECT_TRUE(d.split_brain());
  EXPECT_EQ(d.writable, (std::vector<std::size_t>{0, 1}));
  // Same when the current primary is the later one in the list.
  d = decide_primary(b, 1);
  EXPECT_EQ(d.primary, 1u);
  EXPECT_TRUE(d.split_brain());
}

TEST(RoleDetection, SplitBrainWithoutACurrentPrimaryPublishesNone) {
  std::vector<RoleObservation> b = {writable(), writable(), read_only()};
  RoleDecision d = decide_primary(b, std::nullopt);
  EXPECT_EQ(d.primary, std::nullopt);
  EXPECT_TRUE(d.split_brain());
}

TEST(RoleDetection, SplitBrainAmongOthersAfterThePrimaryDiedPublishesNone) {
  std::vector<RoleObservation> b = {down(), writable(), writable()};
  RoleDecision d = decide_primary(b, 0);
  EXPECT_EQ(d.primary, std::nullopt);
  EXPECT_EQ(d.writable, (std::vector<std::size_t>{1, 2}));
}

TEST(RoleDetection, AnUnreachableServerIsNeverWritable) {
  // Its last answer said writable, but the latest check failed.
  RoleObservation failed_writer{true, false, false, false};
  std::vector<RoleObservation> b = {failed_writer, read_only()};
  RoleDecision d = decide_primary(b, std::nullopt);
  EXPECT_TRUE(d.writable.empty());
  EXPECT_EQ(d.primary, std::nullopt);
}

TEST(RoleDetection, AnOutOfRangeCurrentIsIgnored) {
  std::vector<RoleObservation> b = {read_only(), writable()};
  EXPECT_EQ(decide_primary(b, 7).primary, 1u);
  EXPECT_EQ(decide_primary({}, 0).primary, std::nullopt);
}

}  // namespace
}  // namespace mysqlproxy::proxy
