// The store's consumer thread: owns its AMQP connection, applies updates to the
// inventory (and the journal), acks them once stored, sets poison aside, and
// reconnects every retry interval, forever, when the link fails.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "inventory/amqp.hpp"
#include "inventory/inventory.hpp"
#include "inventory/log.hpp"
#include "inventory/state.hpp"
#include "inventory/status.hpp"

namespace inventory {

struct ConsumerSettings {
  ConnectionSettings connection;
  Topology topology;
  std::chrono::milliseconds retry_interval{5000};
  std::uint16_t prefetch = 1000;
};

class InventoryConsumer {
 public:
  // `state` may be null (--no-state): updates are then acked once applied in memory.
  InventoryConsumer(ConsumerSettings settings, Inventory& inventory, StoreStatus& status, Log& log,
                    StateStore* state);
  ~InventoryConsumer();
  InventoryConsumer(const InventoryConsumer&) = delete;
  InventoryConsumer& operator=(const InventoryConsumer&) = delete;

  void start();
  // Acks what is stored, closes the connection politely and joins the thread.
  void stop();

 private:
  void run();
  void serve(AmqpSession& session);
  void handle(AmqpSession& session, const Delivery& delivery);
  void commit(AmqpSession& session);
  void sync_state();
  bool wait_before_retry();

  ConsumerSettings settings_;
  Inventory& inventory_;
  StoreStatus& status_;
  Log& log_;
  StateStore* state_;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;

  // Deliveries applied (or stale) but not yet acked: acked together with
  // `multiple` after one journal sync.
  std::uint64_t last_tag_ = 0;
  std::size_t pending_ = 0;
  std::size_t batch_limit_ = 1;

  // A flood of poison must not flood the log: a few lines a minute, then a count.
  std::chrono::steady_clock::time_point poison_window_start_{};
  std::size_t poison_logged_ = 0;
  std::size_t poison_suppressed_ = 0;
  void log_poison(const std::string& line);
  void roll_poison_window();
};

}  // namespace inventory
