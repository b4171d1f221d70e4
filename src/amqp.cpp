#include "inventory/amqp.hpp"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "inventory/errors.hpp"

namespace inventory {
namespace {

constexpr amqp_channel_t kChannel = 1;
constexpr int kFrameMax = 131072;  // rabbitmq-c's and RabbitMQ's usual frame size

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

amqp_bytes_t bytes_of(std::string_view s) {
  amqp_bytes_t b;
  b.len = s.size();
  b.bytes = const_cast<char*>(s.data());
  return b;
}

std::string_view view_of(const amqp_bytes_t& b) {
  return b.len == 0 ? std::string_view() : std::string_view(static_cast<const char*>(b.bytes), b.len);
}

std::string status_text(int status) { return amqp_error_string2(status); }

std::string while_doing(const char* doing) { return doing ? std::string(" while ") + doing : std::string(); }

// "PRECONDITION_FAILED - inequivalent arg ..." -> "inequivalent arg ...".
std::string strip_code_name(std::string_view text) {
  const auto dash = text.find(" - ");
  return std::string(dash == std::string_view::npos ? text : text.substr(dash + 3));
}

// A channel.close that a queue declaration caused, said the way an operator
// needs it (which queue, which setting); nullopt for any other close.
std::optional<std::string> topology_problem(int code, std::string_view text, const std::string& user) {
  const auto start = text.find("queue '");
  if (start == std::string_view::npos) return std::nullopt;
  const auto end = text.find('\'', start + 7);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string name(text.substr(start + 7, end - start - 7));
  const std::string why = strip_code_name(text);
  if (code == AMQP_PRECONDITION_FAILED && text.find("inequivalent arg") != std::string_view::npos)
    return "queue '" + name + "' already exists with other settings: " + why + ". Delete it (rabbitmqctl delete_queue " +
           name + ") or choose another queue with --queue";
  if (code == AMQP_ACCESS_REFUSED) return "user '" + user + "' may not declare queue '" + name + "': " + why;
  if (code == AMQP_RESOURCE_LOCKED) return "queue '" + name + "' is exclusive to another connection: " + why;
  return std::nullopt;
}

void destroy_envelope(amqp_envelope_t* envelope) {
  if (!envelope) return;
  amqp_destroy_envelope(envelope);
  delete envelope;
}

}  // namespace

// ---- Delivery ---------------------------------------------------------------

Delivery::Delivery(std::unique_ptr<amqp_envelope_t_, void (*)(amqp_envelope_t_*)> envelope)
    : envelope_(std::move(envelope)) {}
std::uint64_t Delivery::tag() const { return envelope_->delivery_tag; }
std::string_view Delivery::body() const { return view_of(envelope_->message.body); }
std::string_view Delivery::message_id() const {
  const auto& props = envelope_->message.properties;
  if (!(props._flags & AMQP_BASIC_MESSAGE_ID_FLAG)) return {};
  return view_of(props.message_id);
}

// ---- AmqpSession ------------------------------------------------------------

void AmqpSession::ConnectionDeleter::operator()(amqp_connection_state_t_* c) const {
  amqp_destroy_connection(c);
}

AmqpSession::AmqpSession(const ConnectionSettings& settings)
    : url_(settings.url), conn_(amqp_new_connection()) {
  if (!conn_) throw BrokerUnreachable("out of memory creating an AMQP connection");
  const std::string where = url_.display();
  amqp_socket_t* socket = nullptr;
  if (url_.tls) {
    socket = amqp_ssl_socket_new(conn_.get());
    if (socket) {
      amqp_ssl_socket_set_verify_peer(socket, 1);
      amqp_ssl_socket_set_verify_hostname(socket, 1);
      if (!settings.cacert.empty() &&
          amqp_ssl_socket_set_cacert(socket, settings.cacert.c_str()) != AMQP_STATUS_OK)
        throw BrokerUnreachable("cannot read the CA certificate '" + settings.cacert + "' for " + where);
    }
  } else {
    socket = amqp_tcp_socket_new(conn_.get());
  }
  if (!socket) throw BrokerUnreachable("cannot create a socket for " + where);

  timeval connect_tv = to_timeval(settings.connect_timeout);
  errno = 0;
  const int opened = amqp_socket_open_noblock(socket, url_.host.c_str(), url_.port, &connect_tv);
  if (opened != AMQP_STATUS_OK) {
    const int saved_errno = errno;
    if (opened == AMQP_STATUS_SSL_PEER_VERIFY_FAILED || opened == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED ||
        opened == AMQP_STATUS_SSL_ERROR || opened == AMQP_STATUS_SSL_CONNECTION_FAILED)
      throw BrokerUnreachable("TLS with RabbitMQ at " + where + " failed: " + status_text(opened) +
                              ". Give the CA that signed the broker's certificate with --cacert, and use the host "
                              "name the certificate names");
    std::string why;
    if (opened == AMQP_STATUS_TIMEOUT || opened == AMQP_STATUS_SOCKET_ERROR) {
      why = saved_errno == ECONNREFUSED || saved_errno == EHOSTUNREACH || saved_errno == ENETUNREACH
                ? std::strerror(saved_errno)
            : opened == AMQP_STATUS_TIMEOUT
                ? "no answer within " + std::to_string(settings.connect_timeout.count()) + " ms"
                : "connection refused or reset";
    } else {
      why = status_text(opened);
    }
    throw BrokerUnreachable("cannot reach RabbitMQ at " + where + ": " + why +
                            ". Is it running there? Start one with scripts/run-store.sh or `docker compose up -d`, "
                            "or point --url / AMQP_URL at yours");
  }

  timeval handshake_tv = to_timeval(settings.connect_timeout);
  amqp_set_handshake_timeout(conn_.get(), &handshake_tv);
  timeval rpc_tv = to_timeval(settings.rpc_timeout);
  amqp_set_rpc_timeout(conn_.get(), &rpc_tv);

  // RabbitMQ tells a consumer that it was cancelled (its queue deleted, say) with
  // basic.cancel only when the client claims consumer_cancel_notify; rabbitmq-c
  // claims just authentication_failure_close and merges this table into its own.
  amqp_table_entry_t capability_entries[1];
  capability_entries[0].key = amqp_cstring_bytes("consumer_cancel_notify");
  capability_entries[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
  capability_entries[0].value.value.boolean = 1;

  amqp_table_entry_t props_entries[2];
  props_entries[0].key = amqp_cstring_bytes("capabilities");
  props_entries[0].value.kind = AMQP_FIELD_KIND_TABLE;
  props_entries[0].value.value.table = amqp_table_t{1, capability_entries};
  props_entries[1].key = amqp_cstring_bytes("connection_name");
  props_entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
  props_entries[1].value.value.bytes = bytes_of(settings.connection_name);
  amqp_table_t props{settings.connection_name.empty() ? 1 : 2, props_entries};

  const amqp_rpc_reply_t login = amqp_login_with_properties(
      conn_.get(), url_.vhost.c_str(), 0, kFrameMax, static_cast<int>(settings.heartbeat.count()), &props,
      AMQP_SASL_METHOD_PLAIN, url_.user.c_str(), url_.password.c_str());
  if (login.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
      login.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<amqp_connection_close_t*>(login.reply.decoded);
    const int code = close->reply_code;
    const std::string text = strip_code_name(view_of(close->reply_text));
    if (code == AMQP_ACCESS_REFUSED)
      throw AuthRefused("RabbitMQ at " + where + " refused the login of user '" + url_.user +
                        "': check the user name and password in --url or AMQP_URL");
    if (code == AMQP_NOT_ALLOWED)
      throw AuthRefused("RabbitMQ at " + where + " does not let user '" + url_.user + "' use vhost '" +
                        url_.vhost + "' (" + text + "): check the vhost in --url or AMQP_URL");
    throw AuthRefused("RabbitMQ at " + where + " closed the connection during login: " +
                      std::to_string(code) + " " + text);
  }
  if (login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    const int err = login.library_error;
    if (err == AMQP_STATUS_CONNECTION_CLOSED || err == AMQP_STATUS_SOCKET_CLOSED)
      throw AuthRefused("RabbitMQ at " + where + " closed the connection during login (user '" +
                        url_.user + "'): check the user name, password and vhost in --url or AMQP_URL");
    if (err == AMQP_STATUS_TIMEOUT)
      throw BrokerUnreachable("RabbitMQ at " + where + " did not complete the login handshake within " +
                              std::to_string(settings.connect_timeout.count()) + " ms");
    throw BrokerUnreachable("login to RabbitMQ at " + where + " failed: " + status_text(err));
  }
  if (login.reply_type != AMQP_RESPONSE_NORMAL)
    throw BrokerUnreachable("login to RabbitMQ at " + where + " failed");

  amqp_channel_open(conn_.get(), kChannel);
  check_rpc("opening a channel");
}

AmqpSession::~AmqpSession() { close(); }

void AmqpSession::close() noexcept {
  if (!conn_) return;
  if (healthy_) {
    // A frozen broker must not hold up shutdown: the polite close gets a short timeout.
    timeval tv = to_timeval(std::chrono::milliseconds(2000));
    amqp_set_rpc_timeout(conn_.get(), &tv);
    // connection.close closes the channel too: one round trip, not two.
    amqp_connection_close(conn_.get(), AMQP_REPLY_SUCCESS);
  }
  conn_.reset();
}

void AmqpSession::check_rpc(const char* doing) {
  const amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_.get());
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      fail_from_frame_method(reply.reply.id, reply.reply.decoded, doing);
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      healthy_ = false;
      if (reply.library_error == AMQP_STATUS_TIMEOUT)
        throw LinkLost(std::string("no answer from RabbitMQ at ") + url_.display() + " while " + doing);
      throw LinkLost(std::string("link to RabbitMQ at ") + url_.display() + " failed while " + doing + ": " +
                     status_text(reply.library_error));
    case AMQP_RESPONSE_NONE:
    default:
      healthy_ = false;
      throw LinkLost(std::string("no reply from RabbitMQ at ") + url_.display() + " while " + doing);
  }
}

void AmqpSession::fail_from_frame_method(unsigned id, void* decoded, const char* doing) {
  if (id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<amqp_channel_close_t*>(decoded);
    const int code = close->reply_code;
    std::string text(view_of(close->reply_text));
    amqp_channel_close_ok_t ok{};
    amqp_send_method(conn_.get(), kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    // The connection itself is still fine: only this channel is gone.
    if (auto problem = topology_problem(code, text, url_.user)) throw TopologyMismatch(*problem);
    throw LinkLost("RabbitMQ at " + url_.display() + " closed the channel" + while_doing(doing) + ": " +
                   std::to_string(code) + " " + text);
  }
  if (id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<amqp_connection_close_t*>(decoded);
    const int code = close->reply_code;
    std::string text(view_of(close->reply_text));
    amqp_connection_close_ok_t ok{};
    amqp_send_method(conn_.get(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      healthy_ = false;
    throw LinkLost("RabbitMQ at " + url_.display() + " closed the connection" + while_doing(doing) + ": " +
                   std::to_string(code) + " " + text);
  }
  healthy_ = false;
  throw LinkLost(std::string("unexpected reply from RabbitMQ") + while_doing(doing));
}

void AmqpSession::declare_topology(const Topology& topology, Reply reply) {
  const std::string dead = topology.dead_letter_queue();
  amqp_table_entry_t entries[2];
  entries[0].key = amqp_cstring_bytes("x-dead-letter-exchange");
  entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
  entries[0].value.value.bytes = amqp_cstring_bytes("");
  entries[1].key = amqp_cstring_bytes("x-dead-letter-routing-key");
  entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
  entries[1].value.value.bytes = bytes_of(dead);

  const auto declare = [&](const std::string& name, amqp_table_t args) {
    if (reply == Reply::kWait) {
      amqp_queue_declare(conn_.get(), kChannel, bytes_of(name), /*passive=*/0, /*durable=*/1,
                         /*exclusive=*/0, /*auto_delete=*/0, args);
      check_rpc(("declaring queue '" + name + "'").c_str());
      return;
    }
    amqp_queue_declare_t method{};
    method.queue = bytes_of(name);
    method.durable = 1;
    method.nowait = 1;
    method.arguments = args;
    send_method(AMQP_QUEUE_DECLARE_METHOD, &method, "declaring a queue");
  };
  declare(dead, amqp_empty_table);
  declare(topology.queue, amqp_table_t{2, entries});
}

void AmqpSession::enable_confirms(Reply reply) {
  if (reply == Reply::kWait) {
    amqp_confirm_select(conn_.get(), kChannel);
    check_rpc("enabling publisher confirms");
    return;
  }
  amqp_confirm_select_t method{};
  method.nowait = 1;
  send_method(AMQP_CONFIRM_SELECT_METHOD, &method, "enabling publisher confirms");
}

void AmqpSession::send_method(unsigned id, void* method, const char* doing) {
  const int status = amqp_send_method(conn_.get(), kChannel, id, method);
  if (status != AMQP_STATUS_OK) {
    healthy_ = false;
    throw LinkLost(std::string("link to RabbitMQ at ") + url_.display() + " failed while " + doing + ": " +
                   status_text(status));
  }
}

void AmqpSession::set_prefetch(std::uint16_t count) {
  amqp_basic_qos(conn_.get(), kChannel, 0, count, 0);
  check_rpc("setting the prefetch window");
}

void AmqpSession::consume(const std::string& queue) {
  amqp_basic_consume(conn_.get(), kChannel, bytes_of(queue), amqp_empty_bytes, /*no_local=*/0,
                     /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
  check_rpc(("subscribing to queue '" + queue + "'").c_str());
  consuming_ = true;
}

std::uint32_t AmqpSession::message_count(const std::string& queue) {
  const amqp_queue_declare_ok_t* ok = amqp_queue_declare(conn_.get(), kChannel, bytes_of(queue), /*passive=*/1, 0,
                                                         0, 0, amqp_empty_table);
  check_rpc(("looking up queue '" + queue + "'").c_str());
  return ok->message_count;
}

void AmqpSession::delete_queue(const std::string& queue) {
  amqp_queue_delete(conn_.get(), kChannel, bytes_of(queue), /*if_unused=*/0, /*if_empty=*/0);
  check_rpc(("deleting queue '" + queue + "'").c_str());
}

std::uint64_t AmqpSession::publish(const std::string& queue, const OutgoingMessage& message) {
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_APP_ID_FLAG |
                 AMQP_BASIC_TIMESTAMP_FLAG;
  props.content_type = bytes_of(message.content_type);
  props.delivery_mode = message.persistent ? 2 : 1;
  props.app_id = bytes_of(message.app_id);
  props.timestamp = static_cast<uint64_t>(message.timestamp_s);
  if (!message.message_id.empty()) {
    props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = bytes_of(message.message_id);
  }
  const int status = amqp_basic_publish(conn_.get(), kChannel, amqp_empty_bytes, bytes_of(queue),
                                        /*mandatory=*/1, /*immediate=*/0, &props, bytes_of(message.body));
  if (status != AMQP_STATUS_OK)
    throw LinkLost("publishing to RabbitMQ at " + url_.display() + " failed: " + status_text(status));
  return next_publish_seq_++;
}

SessionEvent AmqpSession::next_event(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(conn_.get());
  timeval tv = to_timeval(timeout);
  amqp_frame_t frame{};
  if (consuming_) {
    std::unique_ptr<amqp_envelope_t, void (*)(amqp_envelope_t*)> envelope(new amqp_envelope_t{},
                                                                          destroy_envelope);
    const amqp_rpc_reply_t reply = amqp_consume_message(conn_.get(), envelope.get(), &tv, 0);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return Delivery(std::move(envelope));
    envelope.release();  // not filled in: nothing to destroy
    if (reply.reply_type != AMQP_RESPONSE_LIBRARY_EXCEPTION) {
      healthy_ = false;
      throw LinkLost("unexpected reply from RabbitMQ at " + url_.display() + " while consuming");
    }
    if (reply.library_error == AMQP_STATUS_TIMEOUT) return NoEvent{};
    if (reply.library_error != AMQP_STATUS_UNEXPECTED_STATE) {
      healthy_ = false;
      if (reply.library_error == AMQP_STATUS_HEARTBEAT_TIMEOUT)
        throw LinkLost("no heartbeat from RabbitMQ at " + url_.display() + ": the broker or the network went silent");
      throw LinkLost("lost the link to RabbitMQ at " + url_.display() + ": " + status_text(reply.library_error));
    }
    const int status = amqp_simple_wait_frame(conn_.get(), &frame);
    if (status != AMQP_STATUS_OK) {
      healthy_ = false;
      throw LinkLost("lost the link to RabbitMQ at " + url_.display() + ": " + status_text(status));
    }
  } else {
    const int status = amqp_simple_wait_frame_noblock(conn_.get(), &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) return NoEvent{};
    if (status != AMQP_STATUS_OK) {
      healthy_ = false;
      if (status == AMQP_STATUS_HEARTBEAT_TIMEOUT)
        throw LinkLost("no heartbeat from RabbitMQ at " + url_.display() + ": the broker or the network went silent");
      throw LinkLost("lost the link to RabbitMQ at " + url_.display() + ": " + status_text(status));
    }
  }

  if (frame.frame_type != AMQP_FRAME_METHOD) return NoEvent{};
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      const auto* m = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      return Confirm{m->delivery_tag, m->multiple != 0, true};
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* m = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
      return Confirm{m->delivery_tag, m->multiple != 0, false};
    }
    case AMQP_BASIC_RETURN_METHOD: {
      const auto* m = static_cast<amqp_basic_return_t*>(frame.payload.method.decoded);
      Returned returned;
      returned.reply_code = m->reply_code;
      returned.reply_text = std::string(view_of(m->reply_text));
      amqp_message_t message{};
      const amqp_rpc_reply_t read = amqp_read_message(conn_.get(), frame.channel, &message, 0);
      if (read.reply_type != AMQP_RESPONSE_NORMAL) {
        healthy_ = false;
        throw LinkLost("lost the link to RabbitMQ at " + url_.display() + " while reading a returned message");
      }
      if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        returned.message_id = std::string(view_of(message.properties.message_id));
      amqp_destroy_message(&message);
      return returned;
    }
    case AMQP_BASIC_CANCEL_METHOD:
      consuming_ = false;
      return ConsumerCancelled{};
    case AMQP_CHANNEL_CLOSE_METHOD:
    case AMQP_CONNECTION_CLOSE_METHOD:
      fail_from_frame_method(frame.payload.method.id, frame.payload.method.decoded, nullptr);
    default:
      return NoEvent{};
  }
}

void AmqpSession::ack(std::uint64_t tag, bool multiple) {
  const int status = amqp_basic_ack(conn_.get(), kChannel, tag, multiple ? 1 : 0);
  if (status != AMQP_STATUS_OK) {
    healthy_ = false;
    throw LinkLost("acknowledging to RabbitMQ at " + url_.display() + " failed: " + status_text(status));
  }
}

void AmqpSession::reject(std::uint64_t tag, bool requeue) {
  const int status = amqp_basic_reject(conn_.get(), kChannel, tag, requeue ? 1 : 0);
  if (status != AMQP_STATUS_OK) {
    healthy_ = false;
    throw LinkLost("rejecting a message on RabbitMQ at " + url_.display() + " failed: " + status_text(status));
  }
}

}  // namespace inventory
