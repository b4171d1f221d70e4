// An RAII session over rabbitmq-c: one connection and one channel, owned by one
// thread. Also home of the one topology declaration both programs use (SPEC 3).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "inventory/broker_url.hpp"

struct amqp_connection_state_t_;
struct amqp_envelope_t_;

namespace inventory {

struct ConnectionSettings {
  BrokerUrl url;
  std::chrono::seconds heartbeat{0};                   // 0 = no heartbeats
  std::chrono::milliseconds connect_timeout{5000};     // TCP connect + login handshake
  std::chrono::milliseconds rpc_timeout{15000};        // any synchronous call after login
  std::string cacert;                                  // amqps: CA bundle to verify the broker
  std::string connection_name;                         // shown in the management UI
};

// The queue and its dead-letter route; declared identically by both programs.
struct Topology {
  std::string queue = "inventory_updates";
  std::string dead_letter_queue() const { return queue + ".dead"; }
};

// One message delivered to our consumer; owns the library's envelope.
class Delivery {
 public:
  explicit Delivery(std::unique_ptr<amqp_envelope_t_, void (*)(amqp_envelope_t_*)> envelope);
  std::uint64_t tag() const;
  std::string_view body() const;
  std::string_view message_id() const;

 private:
  std::unique_ptr<amqp_envelope_t_, void (*)(amqp_envelope_t_*)> envelope_;
};

// basic.ack / basic.nack for messages we published (publisher confirms).
struct Confirm {
  std::uint64_t tag = 0;
  bool multiple = false;
  bool ack = true;
};

// basic.return: a mandatory message that no queue took.
struct Returned {
  std::string message_id;
  int reply_code = 0;
  std::string reply_text;
};

// basic.cancel from the broker: our queue was deleted.
struct ConsumerCancelled {};

struct NoEvent {};

using SessionEvent = std::variant<NoEvent, Delivery, Confirm, Returned, ConsumerCancelled>;

struct OutgoingMessage {
  std::string_view body;
  std::string_view message_id;
  std::int64_t timestamp_s = 0;
  bool persistent = true;
  std::string_view app_id = "inventory_publisher";
  std::string_view content_type = "application/json";
};

// Wait for the broker's answer, or send and go on (a failure then arrives as a
// channel close on the next read, with the same typed error).
enum class Reply { kWait, kPipelined };

class AmqpSession {
 public:
  // Connects, logs in and opens channel 1. Throws BrokerUnreachable or AuthRefused.
  explicit AmqpSession(const ConnectionSettings& settings);
  ~AmqpSession();
  AmqpSession(const AmqpSession&) = delete;
  AmqpSession& operator=(const AmqpSession&) = delete;

  // Declares the dead-letter queue and the queue routed to it, both durable.
  // Throws TopologyMismatch naming the queue and the setting that differs.
  void declare_topology(const Topology& topology, Reply reply = Reply::kWait);
  void enable_confirms(Reply reply = Reply::kWait);
  void set_prefetch(std::uint16_t count);
  void consume(const std::string& queue);

  // Ready messages in `queue` (a passive declare). Throws LinkLost if it does not exist.
  std::uint32_t message_count(const std::string& queue);
  void delete_queue(const std::string& queue);

  // Sends one message to `queue` on the default exchange, mandatory. Returns the
  // publish sequence number (the delivery tag its confirm will carry).
  std::uint64_t publish(const std::string& queue, const OutgoingMessage& message);

  // The next thing the broker sent, waiting at most `timeout` (0 = only what is
  // already here). Throws LinkLost when the link is gone (including missed heartbeats).
  SessionEvent next_event(std::chrono::milliseconds timeout);

  void ack(std::uint64_t tag, bool multiple);
  void reject(std::uint64_t tag, bool requeue);

  // Closes channel and connection politely; the destructor does this too.
  void close() noexcept;

  const BrokerUrl& url() const { return url_; }

 private:
  struct ConnectionDeleter {
    void operator()(amqp_connection_state_t_* c) const;
  };
  void check_rpc(const char* doing);
  void send_method(unsigned id, void* method, const char* doing);
  [[noreturn]] void fail_from_frame_method(unsigned id, void* decoded, const char* doing);

  BrokerUrl url_;
  std::unique_ptr<amqp_connection_state_t_, ConnectionDeleter> conn_;
  bool healthy_ = true;  // false once the link failed: no polite close then
  bool consuming_ = false;
  std::uint64_t next_publish_seq_ = 1;
};

}  // namespace inventory
