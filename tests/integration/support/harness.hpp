// The pieces every end-to-end test uses: the fixture's private broker, our two
// programs as real processes, and a raw AMQP session to play the outside world.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "inventory/amqp.hpp"
#include "support/process.hpp"

namespace testing_support {

std::string program(const std::string& name);  // <build>/bin/<name>

// The broker the ctest fixture started (scripts/broker.sh, dir in broker.env).
class TestBroker {
 public:
  static TestBroker& instance();
  std::string url() const { return url_; }
  int port() const { return port_; }
  // The node's TLS listener and the CA that signed its certificate (0 / "" if none).
  int tls_port() const { return tls_port_; }
  std::string cacert() const { return cacert_; }
  void stop();
  void start();
  void restart();
  void freeze();
  void thaw();
  RunResult ctl(std::vector<std::string> args);
  // A raw session for publishing what our publisher never would, and for counting.
  std::unique_ptr<inventory::AmqpSession> session();

 private:
  TestBroker();
  void reload();
  RunResult script(std::vector<std::string> args);
  std::string dir_, url_, cacert_;
  int port_ = 0;
  int tls_port_ = 0;
};

// Keeps the broker up for the next test even if this one fails midway.
struct BrokerRunningAtEnd {
  ~BrokerRunningAtEnd();
};

// A queue name of its own for each test, so tests never see each other's messages.
std::string unique_queue(const std::string& hint);

// A fresh temporary directory, removed at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// store_service on pipes: send a line, read its one-line answer.
class Store {
 public:
  Store(const std::string& queue, std::vector<std::string> extra_args = {}, const std::string& url = "");
  Process& process() { return *process_; }
  // Sends `line` and returns the next line the store prints on stdout.
  std::string ask(const std::string& line, std::chrono::milliseconds timeout = 10s);
  // Sends `status` and returns the whole block.
  std::string status();
  // Asks `get ID` until the answer contains `expect` (the consumer is asynchronous).
  bool wait_for(const std::string& product_id, const std::string& expect, std::chrono::milliseconds timeout = 20s);
  bool wait_connected(std::chrono::milliseconds timeout = 30s, std::size_t nth = 1);
  int stop_with(int signal);

 private:
  std::unique_ptr<Process> process_;
  std::size_t read_ = 0;
};

// inventory_publisher run to completion.
RunResult publish(const std::vector<std::string>& args, const std::string& url = "");

// Publishes `body` as is (no contract checks) to `queue`, persistent unless told.
void publish_raw(inventory::AmqpSession& session, const std::string& queue, const std::string& body,
                 bool persistent = true);

}  // namespace testing_support
