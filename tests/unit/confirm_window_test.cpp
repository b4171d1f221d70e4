// ConfirmWindow: publisher-confirm bookkeeping (SPEC 4), without a broker.
#include "inventory/confirm_window.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace inventory {
namespace {

using Settled = ConfirmWindow::Settled;

std::vector<std::uint64_t> seqs_of(const std::vector<Settled>& settled) {
  std::vector<std::uint64_t> seqs;
  for (const auto& s : settled) seqs.push_back(s.seq);
  return seqs;
}

TEST(ConfirmWindow, StartsEmpty) {
  ConfirmWindow w(4);
  EXPECT_EQ(w.capacity(), 4u);
  EXPECT_EQ(w.outstanding(), 0u);
  EXPECT_TRUE(w.empty());
  EXPECT_FALSE(w.full());
}

TEST(ConfirmWindow, ZeroCapacityMeansOne) {
  ConfirmWindow w(0);
  EXPECT_EQ(w.capacity(), 1u);
  w.add(0);
  EXPECT_TRUE(w.full());
}

TEST(ConfirmWindow, SequenceNumbersStartAtOne) {
  ConfirmWindow w(8);
  EXPECT_EQ(w.add(100), 1u);
  EXPECT_EQ(w.add(200), 2u);
  EXPECT_EQ(w.add(300), 3u);
  EXPECT_EQ(w.outstanding(), 3u);
  EXPECT_FALSE(w.empty());
}

TEST(ConfirmWindow, SequenceNumbersKeepCountingAcrossSettles) {
  ConfirmWindow w(2);
  std::vector<Settled> settled;
  for (std::uint64_t expected = 1; expected <= 10; ++expected) {
    ASSERT_EQ(w.add(expected * 10), expected);
    ASSERT_TRUE(w.settle(expected, false, true, settled));
  }
  ASSERT_EQ(settled.size(), 10u);
  for (std::size_t i = 0; i < settled.size(); ++i) {
    EXPECT_EQ(settled[i].seq, i + 1);
    EXPECT_EQ(settled[i].context, (i + 1) * 10);
  }
}

TEST(ConfirmWindow, FullAtCapacity) {
  ConfirmWindow w(3);
  w.add(1);
  w.add(2);
  EXPECT_FALSE(w.full());
  w.add(3);
  EXPECT_TRUE(w.full());
  EXPECT_EQ(w.outstanding(), 3u);
}

TEST(ConfirmWindow, AddWhenFullThrowsLogicError) {
  ConfirmWindow w(2);
  w.add(1);
  w.add(2);
  EXPECT_THROW(w.add(3), std::logic_error);
  EXPECT_EQ(w.outstanding(), 2u);  // the failed add left nothing behind
}

TEST(ConfirmWindow, SettlingTheFrontMakesRoom) {
  ConfirmWindow w(2);
  w.add(1);
  w.add(2);
  std::vector<Settled> settled;
  ASSERT_TRUE(w.settle(1, false, true, settled));
  EXPECT_FALSE(w.full());
  EXPECT_EQ(w.add(3), 3u);
}

TEST(ConfirmWindow, SingleAckConfirmsOne) {
  ConfirmWindow w(4);
  w.add(7);
  w.add(8);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(1, false, true, settled));
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].seq, 1u);
  EXPECT_EQ(settled[0].context, 7u);
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kConfirmed);
  EXPECT_EQ(w.outstanding(), 1u);
}

TEST(ConfirmWindow, MultipleAckCoversARange) {
  ConfirmWindow w(8);
  for (std::uint64_t c = 1; c <= 5; ++c) w.add(c * 100);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(3, true, true, settled));
  EXPECT_EQ(seqs_of(settled), (std::vector<std::uint64_t>{1, 2, 3}));
  for (const auto& s : settled) {
    EXPECT_EQ(s.outcome, PublishOutcome::kConfirmed);
    EXPECT_EQ(s.context, s.seq * 100);
  }
  EXPECT_EQ(w.outstanding(), 2u);
  settled.clear();
  EXPECT_TRUE(w.settle(5, true, true, settled));
  EXPECT_EQ(seqs_of(settled), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_TRUE(w.empty());
}

TEST(ConfirmWindow, MultipleAckSkipsThoseAlreadySettled) {
  ConfirmWindow w(8);
  for (std::uint64_t c = 1; c <= 4; ++c) w.add(c);
  std::vector<Settled> settled;
  ASSERT_TRUE(w.settle(2, false, false, settled));  // nack 2 while 1 is pending
  EXPECT_TRUE(settled.empty());
  ASSERT_TRUE(w.settle(4, true, true, settled));
  ASSERT_EQ(settled.size(), 4u);
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kConfirmed);
  EXPECT_EQ(settled[1].outcome, PublishOutcome::kNacked);  // the multiple ack does not overwrite it
  EXPECT_EQ(settled[2].outcome, PublishOutcome::kConfirmed);
  EXPECT_EQ(settled[3].outcome, PublishOutcome::kConfirmed);
}

TEST(ConfirmWindow, NackGivesNackedOutcome) {
  ConfirmWindow w(4);
  w.add(11);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(1, false, false, settled));
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kNacked);
  EXPECT_EQ(settled[0].context, 11u);
  EXPECT_TRUE(w.empty());
}

TEST(ConfirmWindow, MultipleNackCoversARange) {
  ConfirmWindow w(4);
  w.add(1);
  w.add(2);
  w.add(3);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(2, true, false, settled));
  ASSERT_EQ(seqs_of(settled), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kNacked);
  EXPECT_EQ(settled[1].outcome, PublishOutcome::kNacked);
  EXPECT_EQ(w.outstanding(), 1u);
}

TEST(ConfirmWindow, OutOfOrderAcksSettleOnlyOnceTheFrontIsSettled) {
  ConfirmWindow w(8);
  for (std::uint64_t c = 1; c <= 4; ++c) w.add(c * 10);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(3, false, true, settled));
  EXPECT_TRUE(settled.empty());
  EXPECT_EQ(w.outstanding(), 3u);
  EXPECT_TRUE(w.settle(2, false, true, settled));
  EXPECT_TRUE(settled.empty());
  EXPECT_EQ(w.outstanding(), 2u);
  EXPECT_TRUE(w.settle(1, false, true, settled));
  EXPECT_EQ(seqs_of(settled), (std::vector<std::uint64_t>{1, 2, 3}));  // in sequence order
  EXPECT_EQ(settled[2].context, 30u);
  EXPECT_EQ(w.outstanding(), 1u);
  settled.clear();
  EXPECT_TRUE(w.settle(4, false, true, settled));
  EXPECT_EQ(seqs_of(settled), (std::vector<std::uint64_t>{4}));
  EXPECT_TRUE(w.empty());
}

TEST(ConfirmWindow, ReturnedThenAckedIsReturned) {
  ConfirmWindow w(4);
  w.add(5);
  w.add(6);
  EXPECT_TRUE(w.mark_returned(2));
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(2, true, true, settled));
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kConfirmed);
  EXPECT_EQ(settled[1].outcome, PublishOutcome::kReturned);
  EXPECT_EQ(settled[1].context, 6u);
}

TEST(ConfirmWindow, ReturnedThenNackedIsNacked) {
  ConfirmWindow w(4);
  w.add(5);
  EXPECT_TRUE(w.mark_returned(1));
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(1, false, false, settled));
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].outcome, PublishOutcome::kNacked);
}

TEST(ConfirmWindow, MarkReturnedOnUnknownOrSettledSeqIsFalse) {
  ConfirmWindow w(4);
  EXPECT_FALSE(w.mark_returned(1));  // nothing published yet
  w.add(1);
  w.add(2);
  EXPECT_FALSE(w.mark_returned(0));
  EXPECT_FALSE(w.mark_returned(3));
  std::vector<Settled> settled;
  w.settle(2, false, true, settled);  // settled but still in the window (1 pending)
  EXPECT_FALSE(w.mark_returned(2));
  w.settle(1, false, true, settled);  // both left the window
  EXPECT_FALSE(w.mark_returned(1));
  EXPECT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[1].outcome, PublishOutcome::kConfirmed);
}

TEST(ConfirmWindow, UnknownTagReturnsFalseAndChangesNothing) {
  ConfirmWindow w(4);
  std::vector<Settled> settled;
  EXPECT_FALSE(w.settle(1, false, true, settled));  // nothing outstanding
  w.add(1);
  w.add(2);
  EXPECT_FALSE(w.settle(0, false, true, settled));
  EXPECT_FALSE(w.settle(3, false, true, settled));
  EXPECT_FALSE(w.settle(99, true, true, settled));
  EXPECT_TRUE(settled.empty());
  EXPECT_EQ(w.outstanding(), 2u);
}

TEST(ConfirmWindow, RepeatedAckReturnsFalse) {
  ConfirmWindow w(4);
  w.add(1);
  w.add(2);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(1, false, true, settled));
  EXPECT_FALSE(w.settle(1, false, true, settled));  // already gone
  EXPECT_TRUE(w.settle(2, false, true, settled));
  EXPECT_FALSE(w.settle(2, true, true, settled));
  EXPECT_EQ(settled.size(), 2u);
}

TEST(ConfirmWindow, RepeatedAckOfASettledButWaitingSeqReturnsFalse) {
  ConfirmWindow w(4);
  w.add(1);
  w.add(2);
  std::vector<Settled> settled;
  EXPECT_TRUE(w.settle(2, false, true, settled));
  EXPECT_FALSE(w.settle(2, false, true, settled));
  EXPECT_EQ(w.outstanding(), 1u);
  EXPECT_TRUE(settled.empty());
}

TEST(ConfirmWindow, ContextsAreCarriedThrough) {
  ConfirmWindow w(16);
  const std::vector<std::uint64_t> contexts = {17, 0, 123456789, 42, std::uint64_t(-1)};
  for (auto c : contexts) w.add(c);
  std::vector<Settled> settled;
  ASSERT_TRUE(w.settle(5, true, true, settled));
  ASSERT_EQ(settled.size(), contexts.size());
  for (std::size_t i = 0; i < contexts.size(); ++i) EXPECT_EQ(settled[i].context, contexts[i]) << i;
}

TEST(ConfirmWindow, SettledIsAppendedNotReplaced) {
  ConfirmWindow w(4);
  w.add(1);
  std::vector<Settled> settled{Settled{999, 999, PublishOutcome::kNacked}};
  ASSERT_TRUE(w.settle(1, false, true, settled));
  ASSERT_EQ(settled.size(), 2u);
  EXPECT_EQ(settled[0].seq, 999u);
  EXPECT_EQ(settled[1].seq, 1u);
}

TEST(ConfirmWindow, ManyPublishesWithInterleavedMultipleAcks) {
  ConfirmWindow w(10);
  std::vector<Settled> settled;
  std::uint64_t next_ack = 0;
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    if (w.full()) {
      next_ack += 7;
      if (next_ack >= i) next_ack = i - 1;
      ASSERT_TRUE(w.settle(next_ack, true, true, settled));
    }
    ASSERT_EQ(w.add(i), i);
  }
  ASSERT_TRUE(w.settle(1000, true, true, settled));
  ASSERT_EQ(settled.size(), 1000u);
  for (std::size_t i = 0; i < settled.size(); ++i) {
    EXPECT_EQ(settled[i].seq, i + 1);
    EXPECT_EQ(settled[i].context, i + 1);
  }
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace inventory
