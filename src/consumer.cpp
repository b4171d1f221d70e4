#include "inventory/consumer.hpp"

#include <algorithm>
#include <variant>

#include "inventory/errors.hpp"
#include "inventory/update.hpp"

namespace inventory {

InventoryConsumer::InventoryConsumer(ConsumerSettings settings, Inventory& inventory, StoreStatus& status, Log& log,
                                     StateStore* state)
    : settings_(std::move(settings)), inventory_(inventory), status_(status), log_(log), state_(state) {
  // Ack before the broker's window runs dry, so deliveries keep flowing while we sync.
  batch_limit_ = std::max<std::size_t>(1, settings_.prefetch / 2);
}

InventoryConsumer::~InventoryConsumer() { stop(); }

void InventoryConsumer::start() { thread_ = std::thread([this] { run(); }); }

void InventoryConsumer::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool InventoryConsumer::wait_before_retry() {
  std::unique_lock lock(wake_mutex_);
  return !wake_.wait_for(lock, settings_.retry_interval, [this] { return stopping_.load(); });
}

void InventoryConsumer::run() {
  const std::string where = settings_.connection.url.display();
  std::string last_failure;
  bool was_connected = false;
  while (!stopping_) {
    try {
      AmqpSession session(settings_.connection);
      session.declare_topology(settings_.topology);
      session.set_prefetch(settings_.prefetch);
      session.consume(settings_.topology.queue);
      status_.set_connected(now_us());
      log_.info("connected to " + where + " (queue " + settings_.topology.queue + ")");
      was_connected = true;
      last_failure.clear();
      serve(session);
      // stopping: ack what is stored, then close politely (the session destructor).
      commit(session);
      session.close();
      log_.info("closed the connection to " + where);
      return;
    } catch (const StateError& e) {
      // Without the journal nothing may be acked: drop the link so the broker
      // keeps (and later redelivers) every unacked update.
      status_.set_disconnected(now_us(), e.what());
      log_.error(std::string(e.what()) + "; updates stay on the broker until the state can be written");
      was_connected = false;
      pending_ = 0;
    } catch (const Error& e) {
      try {
        sync_state();
      } catch (const StateError& se) {
        log_.error(se.what());
      }
      pending_ = 0;
      status_.set_disconnected(now_us(), e.what());
      const std::string secs = std::to_string(settings_.retry_interval.count() / 1000);
      if (was_connected) {
        log_.warn(std::string("lost the connection: ") + e.what() + "; retrying every " + secs + "s");
      } else if (last_failure != e.what()) {
        log_.warn(std::string(e.what()) + "; retrying every " + secs + "s");
      }
      last_failure = e.what();
      was_connected = false;
    }
    if (!wait_before_retry()) break;
  }
}

void InventoryConsumer::serve(AmqpSession& session) {
  using namespace std::chrono_literals;
  while (!stopping_) {
    SessionEvent event = session.next_event(pending_ > 0 ? 0ms : 200ms);
    if (auto* delivery = std::get_if<Delivery>(&event)) {
      handle(session, *delivery);
      if (pending_ >= batch_limit_) commit(session);
    } else if (std::holds_alternative<NoEvent>(event)) {
      if (pending_ > 0) commit(session);
      if (poison_suppressed_ > 0) roll_poison_window();
      if (state_ && state_->wants_compaction()) state_->compact(inventory_);
    } else if (std::holds_alternative<ConsumerCancelled>(event)) {
      commit(session);
      log_.warn("RabbitMQ cancelled our subscription to queue '" + settings_.topology.queue +
                "' (was it deleted?); declaring it again");
      session.declare_topology(settings_.topology);
      session.consume(settings_.topology.queue);
      log_.info("subscribed again to queue '" + settings_.topology.queue + "'");
    }
  }
}

void InventoryConsumer::handle(AmqpSession& session, const Delivery& delivery) {
  ParsedUpdate parsed = parse_update(delivery.body());
  if (!parsed) {
    // Poison: dead-lettered by the broker, counted, never applied.
    session.reject(delivery.tag(), /*requeue=*/false);
    status_.count_rejected();
    std::string id(delivery.message_id());
    log_poison("rejected a message" + (id.empty() ? std::string() : " (message_id " + id + ")") + ": " +
               parsed.error + "; moved to " + settings_.topology.dead_letter_queue());
    return;
  }
  StockEntry entry;
  if (inventory_.apply(*parsed.update, now_us(), &entry) == ApplyOutcome::kApplied && state_)
    state_->append(parsed.update->product_id, entry);
  last_tag_ = delivery.tag();
  ++pending_;
}

void InventoryConsumer::roll_poison_window() {
  const auto now = std::chrono::steady_clock::now();
  if (now - poison_window_start_ < std::chrono::minutes(1)) return;
  if (poison_suppressed_ > 0)
    log_.warn("rejected " + std::to_string(poison_suppressed_) + " more poison message(s) in the last minute (moved to " +
              settings_.topology.dead_letter_queue() + "; see status)");
  poison_window_start_ = now;
  poison_logged_ = 0;
  poison_suppressed_ = 0;
}

void InventoryConsumer::log_poison(const std::string& line) {
  constexpr std::size_t kPerMinute = 10;
  roll_poison_window();
  if (poison_logged_ < kPerMinute) {
    ++poison_logged_;
    log_.warn(line);
  } else {
    ++poison_suppressed_;
  }
}

void InventoryConsumer::sync_state() {
  if (state_) state_->sync();
}

void InventoryConsumer::commit(AmqpSession& session) {
  if (pending_ == 0) return;
  sync_state();
  session.ack(last_tag_, /*multiple=*/true);
  if (log_.enabled(LogLevel::kDebug))
    log_.debug("stored and acked " + std::to_string(pending_) + " update(s), up to delivery " +
               std::to_string(last_tag_) + (state_ ? " (journal synced)" : " (memory only)"));
  pending_ = 0;
}

}  // namespace inventory
