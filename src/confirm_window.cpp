#include "inventory/confirm_window.hpp"

#include <stdexcept>

namespace inventory {

ConfirmWindow::ConfirmWindow(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::uint64_t ConfirmWindow::add(std::uint64_t context) {
  if (full()) throw std::logic_error("ConfirmWindow::add on a full window");
  slots_.push_back(Slot{context, State::kPending, false});
  ++outstanding_;
  return base_seq_ + slots_.size() - 1;
}

bool ConfirmWindow::mark_returned(std::uint64_t seq) {
  if (seq < base_seq_ || seq >= base_seq_ + slots_.size()) return false;
  Slot& slot = slots_[seq - base_seq_];
  if (slot.state != State::kPending) return false;
  slot.returned = true;
  return true;
}

bool ConfirmWindow::settle(std::uint64_t tag, bool multiple, bool ack, std::vector<Settled>& settled) {
  if (tag < base_seq_ || tag >= base_seq_ + slots_.size()) return false;
  const State to = ack ? State::kAcked : State::kNacked;
  bool any = false;
  const std::size_t last = tag - base_seq_;
  for (std::size_t i = multiple ? 0 : last; i <= last; ++i) {
    if (slots_[i].state != State::kPending) continue;
    slots_[i].state = to;
    --outstanding_;
    any = true;
  }
  pop_settled(settled);
  return any;
}

void ConfirmWindow::pop_settled(std::vector<Settled>& settled) {
  while (!slots_.empty() && slots_.front().state != State::kPending) {
    const Slot& slot = slots_.front();
    PublishOutcome outcome = slot.state == State::kNacked ? PublishOutcome::kNacked
                             : slot.returned              ? PublishOutcome::kReturned
                                                          : PublishOutcome::kConfirmed;
    settled.push_back(Settled{base_seq_, slot.context, outcome});
    slots_.pop_front();
    ++base_seq_;
  }
}

}  // namespace inventory
