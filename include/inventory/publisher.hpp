// Confirmed publishing of updates: every message persistent, mandatory, and
// counted as sent only when the broker confirms it. Many in flight at once,
// bounded by a ConfirmWindow.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "inventory/amqp.hpp"
#include "inventory/confirm_window.hpp"
#include "inventory/update.hpp"

namespace inventory {

struct PublisherSettings {
  ConnectionSettings connection;
  Topology topology;
  std::size_t window = 1024;                          // confirms outstanding at most
  std::chrono::milliseconds confirm_timeout{30000};   // no confirm for this long: give up
};

class ConfirmedPublisher {
 public:
  using Settled = ConfirmWindow::Settled;
  using OnSettled = std::function<void(const Settled&)>;

  // Connects, declares the topology and turns on publisher confirms.
  explicit ConfirmedPublisher(const PublisherSettings& settings);

  // Publishes one update and waits for its confirm. Throws PublishRejected if the
  // broker nacks or returns it, LinkLost if the link fails or the confirm is late.
  void publish_and_confirm(const InventoryUpdate& update);

  // Publishes without waiting, unless the window is full: then waits for confirms
  // first. Each confirmed, nacked or returned message is reported to `on_settled`
  // with the `context` it was published with.
  void publish(const InventoryUpdate& update, std::uint64_t context, const OnSettled& on_settled);

  // Waits until every published message is settled.
  void wait_all(const OnSettled& on_settled);

  const BrokerUrl& url() const { return session_.url(); }
  const Topology& topology() const { return settings_.topology; }

 private:
  void settle_some(const OnSettled& on_settled);
  std::string message_id_for(std::uint64_t seq) const;

  PublisherSettings settings_;
  AmqpSession session_;
  ConfirmWindow window_;
  std::string id_prefix_;  // random per process; message_id = prefix + "-" + seq
  std::string body_;       // reused buffers
  std::string message_id_;
  std::vector<Settled> settled_;
};

}  // namespace inventory
