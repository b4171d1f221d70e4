// The messages published but not yet confirmed by the broker, bounded in number
// (after AMQP-CPP's Reliable/Throttle). Pure bookkeeping, tested without a broker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace inventory {

enum class PublishOutcome { kConfirmed, kNacked, kReturned };

class ConfirmWindow {
 public:
  struct Settled {
    std::uint64_t seq = 0;      // publish sequence number (= delivery tag of the confirm)
    std::uint64_t context = 0;  // what the caller attached: a line number, an index
    PublishOutcome outcome = PublishOutcome::kConfirmed;
  };

  explicit ConfirmWindow(std::size_t capacity);

  std::size_t capacity() const { return capacity_; }
  std::size_t outstanding() const { return outstanding_; }
  bool full() const { return slots_.size() >= capacity_; }
  bool empty() const { return outstanding_ == 0; }

  // Records the next publish and returns its sequence number (1, 2, ...).
  // The caller must not add while full().
  std::uint64_t add(std::uint64_t context);

  // A basic.return for `seq`: when its confirm arrives it counts as returned.
  // Returns false if `seq` is not outstanding.
  bool mark_returned(std::uint64_t seq);

  // Applies basic.ack (ack=true) or basic.nack for `tag`, with the `multiple`
  // flag covering every outstanding seq up to `tag`. Appends what this settles,
  // in sequence order, to `settled`. Returns false if the tag names nothing
  // outstanding (a confirm we did not expect).
  bool settle(std::uint64_t tag, bool multiple, bool ack, std::vector<Settled>& settled);

 private:
  enum class State : std::uint8_t { kPending, kAcked, kNacked };
  struct Slot {
    std::uint64_t context;
    State state;
    bool returned;
  };
  void pop_settled(std::vector<Settled>& settled);

  std::size_t capacity_;
  std::uint64_t base_seq_ = 1;  // seq of slots_.front()
  std::deque<Slot> slots_;      // from base_seq_ on; settled ones leave from the front
  std::size_t outstanding_ = 0; // slots still pending
};

}  // namespace inventory
