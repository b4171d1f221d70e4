#include "inventory/publisher.hpp"

#include <charconv>
#include <chrono>
#include <random>

#include "inventory/errors.hpp"

namespace inventory {
namespace {

std::string random_hex(std::size_t bytes) {
  std::random_device rd;
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const unsigned v = rd() & 0xFF;
    out += digits[v >> 4];
    out += digits[v & 0xF];
  }
  return out;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ConfirmedPublisher::ConfirmedPublisher(const PublisherSettings& settings)
    : settings_(settings), session_(settings.connection), window_(settings.window), id_prefix_(random_hex(12)) {
  // No round trip each: the declarations and confirm.select travel with the first
  // publish, and a mismatch comes back as TopologyMismatch while we wait for confirms.
  session_.declare_topology(settings_.topology, Reply::kPipelined);
  session_.enable_confirms(Reply::kPipelined);
}

std::string ConfirmedPublisher::message_id_for(std::uint64_t seq) const {
  return id_prefix_ + "-" + std::to_string(seq);
}

void ConfirmedPublisher::publish(const InventoryUpdate& update, std::uint64_t context, const OnSettled& on_settled) {
  while (window_.full()) settle_some(on_settled);
  body_ = encode_update(update);
  const std::uint64_t seq = window_.add(context);
  message_id_ = message_id_for(seq);
  const std::uint64_t sent = session_.publish(settings_.topology.queue,
                                              OutgoingMessage{body_, message_id_, now_seconds(), true});
  if (sent != seq) throw LinkLost("publish sequence out of step with the confirm window");
}

void ConfirmedPublisher::wait_all(const OnSettled& on_settled) {
  while (!window_.empty()) settle_some(on_settled);
}

// Reads broker frames until at least one confirm arrives (or the timeout passes).
void ConfirmedPublisher::settle_some(const OnSettled& on_settled) {
  const auto deadline = std::chrono::steady_clock::now() + settings_.confirm_timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw LinkLost("RabbitMQ at " + url().display() + " did not confirm " + std::to_string(window_.outstanding()) +
                     " message(s) within " + std::to_string(settings_.confirm_timeout.count() / 1000) + " s");
    SessionEvent event = session_.next_event(left);
    if (auto* confirm = std::get_if<Confirm>(&event)) {
      settled_.clear();
      window_.settle(confirm->tag, confirm->multiple, confirm->ack, settled_);
      for (const Settled& s : settled_) on_settled(s);
      return;
    }
    if (auto* returned = std::get_if<Returned>(&event)) {
      // message_id is "<prefix>-<seq>": find which of ours came back.
      const std::string_view id = returned->message_id;
      const auto dash = id.rfind('-');
      std::uint64_t seq = 0;
      if (dash != std::string_view::npos && id.substr(0, dash) == id_prefix_) {
        std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq);
        window_.mark_returned(seq);
      }
    }
  }
}

void ConfirmedPublisher::publish_and_confirm(const InventoryUpdate& update) {
  PublishOutcome outcome = PublishOutcome::kConfirmed;
  const auto record = [&](const Settled& s) { outcome = s.outcome; };
  publish(update, 0, record);
  wait_all(record);
  if (outcome == PublishOutcome::kNacked)
    throw PublishRejected("RabbitMQ at " + url().display() + " refused the update (nack): it was not stored. "
                          "Check the broker's log and queue limits, then publish again");
  if (outcome == PublishOutcome::kReturned)
    throw PublishRejected("RabbitMQ at " + url().display() + " returned the update: no queue named '" +
                          settings_.topology.queue + "' took it");
}

}  // namespace inventory
