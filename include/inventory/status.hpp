// What `status` shows: the link as the consumer thread last saw it, and the
// counters only the consumer knows (poison messages). Written by the consumer,
// read by the console.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace inventory {

enum class LinkState { kDisconnected, kConnected };

class StoreStatus {
 public:
  StoreStatus(std::string broker, std::string queue, std::string dead_letter_queue, std::string state_location,
              std::int64_t retry_interval_ms)
      : broker_(std::move(broker)),
        queue_(std::move(queue)),
        dead_letter_queue_(std::move(dead_letter_queue)),
        state_location_(std::move(state_location)),
        retry_interval_ms_(retry_interval_ms) {}

  const std::string& broker() const { return broker_; }
  const std::string& queue() const { return queue_; }
  const std::string& dead_letter_queue() const { return dead_letter_queue_; }
  const std::string& state_location() const { return state_location_; }
  std::int64_t retry_interval_ms() const { return retry_interval_ms_; }

  void set_connected(std::int64_t at_us);
  void set_disconnected(std::int64_t at_us, std::string reason);
  LinkState link() const { return link_.load(std::memory_order_acquire); }
  std::int64_t link_since_us() const { return link_since_us_.load(std::memory_order_relaxed); }
  std::string last_error() const;

  void count_rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  const std::string broker_, queue_, dead_letter_queue_, state_location_;
  const std::int64_t retry_interval_ms_;
  std::atomic<LinkState> link_{LinkState::kDisconnected};
  std::atomic<std::int64_t> link_since_us_{0};
  std::atomic<std::uint64_t> rejected_{0};
  mutable std::mutex mutex_;
  std::string last_error_;
};

inline void StoreStatus::set_connected(std::int64_t at_us) {
  link_since_us_.store(at_us, std::memory_order_relaxed);
  link_.store(LinkState::kConnected, std::memory_order_release);
}

inline void StoreStatus::set_disconnected(std::int64_t at_us, std::string reason) {
  {
    std::lock_guard lock(mutex_);
    last_error_ = std::move(reason);
  }
  if (link_.exchange(LinkState::kDisconnected, std::memory_order_acq_rel) == LinkState::kConnected ||
      link_since_us_.load(std::memory_order_relaxed) == 0)
    link_since_us_.store(at_us, std::memory_order_relaxed);
}

inline std::string StoreStatus::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

}  // namespace inventory
