// What the broker itself allows, for reading rows 2 and 3 of the bench: the
// thinnest rabbitmq-c client that does the same protocol work as ours, with none
// of our work (no file, no JSON, no map, no journal).
//   ceiling_probe publish PORT QUEUE N   persistent, mandatory, confirmed, our four
//                                        properties, 4096 in flight; prints updates/s
//   ceiling_probe drain PORT QUEUE N     manual acks (multiple, every 500), prefetch
//                                        1000; prints updates/s
#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

amqp_connection_state_t connect(int port) {
  amqp_connection_state_t conn = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(conn);
  if (!socket || amqp_socket_open(socket, "127.0.0.1", port) != AMQP_STATUS_OK) {
    std::fprintf(stderr, "ceiling_probe: cannot connect to port %d\n", port);
    std::exit(1);
  }
  if (amqp_login(conn, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest").reply_type !=
      AMQP_RESPONSE_NORMAL) {
    std::fprintf(stderr, "ceiling_probe: login failed\n");
    std::exit(1);
  }
  amqp_channel_open(conn, 1);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) std::exit(1);
  return conn;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int publish(int port, const char* queue, long n) {
  amqp_connection_state_t conn = connect(port);
  amqp_confirm_select(conn, 1);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) return 1;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                 AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_APP_ID_FLAG;
  props.delivery_mode = 2;
  props.content_type = amqp_cstring_bytes("application/json");
  props.app_id = amqp_cstring_bytes("inventory_publisher");
  props.timestamp = 1;
  const long window = 4096;
  long sent = 0, acked = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (acked < n) {
    while (sent < n && sent - acked < window) {
      const std::string id = "0123456789abcdef01234567-" + std::to_string(sent + 1);
      const std::string body = "{\"product_id\":\"sku-" + std::to_string(sent % 10000) +
                               "\",\"quantity\":" + std::to_string(sent % 1000) + ",\"version\":" +
                               std::to_string(sent + 1) + "}";
      props.message_id = amqp_cstring_bytes(id.c_str());
      if (amqp_basic_publish(conn, 1, amqp_empty_bytes, amqp_cstring_bytes(queue), 1, 0, &props,
                             amqp_cstring_bytes(body.c_str())) != AMQP_STATUS_OK)
        return 1;
      ++sent;
    }
    amqp_frame_t frame;
    if (amqp_simple_wait_frame(conn, &frame) != AMQP_STATUS_OK) return 1;
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
      const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      acked = static_cast<long>(ack->delivery_tag);
    }
    amqp_maybe_release_buffers(conn);
  }
  std::printf("%.0f\n", static_cast<double>(n) / seconds_since(t0));
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  return 0;
}

int drain(int port, const char* queue, long n) {
  amqp_connection_state_t conn = connect(port);
  amqp_basic_qos(conn, 1, 0, 1000, 0);
  amqp_basic_consume(conn, 1, amqp_cstring_bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  if (amqp_get_rpc_reply(conn).reply_type != AMQP_RESPONSE_NORMAL) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  long got = 0, pending = 0;
  std::uint64_t last = 0;
  while (got < n) {
    amqp_envelope_t envelope;
    amqp_maybe_release_buffers(conn);
    timeval poll{0, 0};
    const amqp_rpc_reply_t r = amqp_consume_message(conn, &envelope, pending ? &poll : nullptr, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
      if (r.library_error != AMQP_STATUS_TIMEOUT) return 1;
      amqp_basic_ack(conn, 1, last, 1);
      pending = 0;
      continue;
    }
    ++got;
    last = envelope.delivery_tag;
    if (++pending >= 500) {
      amqp_basic_ack(conn, 1, last, 1);
      pending = 0;
    }
    amqp_destroy_envelope(&envelope);
  }
  if (pending) amqp_basic_ack(conn, 1, last, 1);
  std::printf("%.0f\n", static_cast<double>(n) / seconds_since(t0));
  amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(conn);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || (std::strcmp(argv[1], "publish") != 0 && std::strcmp(argv[1], "drain") != 0)) {
    std::fprintf(stderr, "usage: ceiling_probe publish|drain PORT QUEUE N\n");
    return 2;
  }
  const int port = std::atoi(argv[2]);
  const long n = std::atol(argv[4]);
  return std::strcmp(argv[1], "publish") == 0 ? publish(port, argv[3], n) : drain(port, argv[3], n);
}
