#include "support/harness.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace testing_support {

std::string program(const std::string& name) { return std::string(INVENTORY_BIN_DIR) + "/" + name; }

TestBroker& TestBroker::instance() {
  static TestBroker broker;
  return broker;
}

TestBroker::TestBroker() : dir_(TEST_BROKER_DIR) { reload(); }

void TestBroker::reload() {
  std::ifstream in(dir_ + "/broker.env");
  if (!in) throw std::runtime_error("no " + dir_ + "/broker.env: run the tests through ctest (it starts the broker)");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("AMQP_URL=", 0) == 0) url_ = line.substr(9);
    if (line.rfind("BROKER_PORT=", 0) == 0) port_ = std::stoi(line.substr(12));
    if (line.rfind("BROKER_TLS_PORT=", 0) == 0 && line.size() > 16) tls_port_ = std::stoi(line.substr(16));
    if (line.rfind("BROKER_CACERT=", 0) == 0) cacert_ = line.substr(14);
  }
}

RunResult TestBroker::script(std::vector<std::string> args) {
  args.insert(args.begin(), {"/bin/bash", BROKER_SCRIPT});
  RunResult r = run(args, {}, "", 180s);
  if (r.exit_code != 0) throw std::runtime_error("broker.sh " + args[2] + " failed: " + r.err);
  return r;
}

void TestBroker::stop() { script({"stop", dir_}); }
void TestBroker::start() {
  script({"start", dir_});
  reload();
}
void TestBroker::restart() {
  script({"restart", dir_});
  reload();
}
void TestBroker::freeze() { script({"freeze", dir_}); }
void TestBroker::thaw() { script({"thaw", dir_}); }

RunResult TestBroker::ctl(std::vector<std::string> args) {
  args.insert(args.begin(), {"/bin/bash", BROKER_SCRIPT, "ctl", dir_});
  return run(args, {}, "", 120s);
}

std::unique_ptr<inventory::AmqpSession> TestBroker::session() {
  inventory::ConnectionSettings settings;
  settings.url = inventory::parse_broker_url(url_);
  settings.connection_name = "integration test";
  return std::make_unique<inventory::AmqpSession>(settings);
}

BrokerRunningAtEnd::~BrokerRunningAtEnd() {
  auto& broker = TestBroker::instance();
  try {
    broker.thaw();
  } catch (...) {
  }
  try {
    broker.session();
  } catch (...) {
    broker.start();
  }
}

std::string unique_queue(const std::string& hint) {
  static std::atomic<int> n{0};
  std::random_device rd;
  return "test." + hint + "." + std::to_string(::getpid()) + "." + std::to_string(rd() % 100000) + "." +
         std::to_string(n++);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "inventory-test-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Store::Store(const std::string& queue, std::vector<std::string> extra_args, const std::string& url) {
  std::vector<std::string> argv = {program("store_service"), "--url",
                                   url.empty() ? TestBroker::instance().url() : url,
                                   "--queue", queue, "--retry-interval", "1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, std::map<std::string, std::string>{{"AMQP_URL", ""}});
}

std::string Store::ask(const std::string& line, std::chrono::milliseconds timeout) {
  process_->write_stdin(line + "\n");
  auto end = process_->wait_stdout("\n", timeout, read_);
  if (!end) return "<no answer to '" + line + "'>";
  std::string out = process_->out();
  std::string answer = out.substr(read_, *end - 1 - read_);
  read_ = *end;
  return answer;
}

std::string Store::status() {
  process_->write_stdin("status\n");
  auto end = process_->wait_stdout("state:", 10s, read_);
  if (!end) return "<no status>";
  auto nl = process_->wait_stdout("\n", 10s, *end);
  std::string out = process_->out();
  std::string block = out.substr(read_, (nl ? *nl : out.size()) - read_);
  read_ = nl ? *nl : out.size();
  return block;
}

bool Store::wait_for(const std::string& product_id, const std::string& expect, std::chrono::milliseconds timeout) {
  return eventually([&] { return ask("get " + product_id).find(expect) != std::string::npos; }, timeout);
}

bool Store::wait_connected(std::chrono::milliseconds timeout, std::size_t nth) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < nth; ++i) {
    auto at = process_->wait_stderr("connected to ", timeout, from);
    if (!at) return false;
    from = *at;
  }
  return true;
}

int Store::stop_with(int signal) {
  process_->send_signal(signal);
  auto code = process_->wait_exit(30s);
  return code ? *code : -1;
}

RunResult publish(const std::vector<std::string>& args, const std::string& url) {
  std::vector<std::string> argv = {program("inventory_publisher"), "--url",
                                   url.empty() ? TestBroker::instance().url() : url};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {{"AMQP_URL", ""}});
}

void publish_raw(inventory::AmqpSession& session, const std::string& queue, const std::string& body,
                 bool persistent) {
  inventory::OutgoingMessage message;
  message.body = body;
  message.persistent = persistent;
  message.app_id = "integration-test";
  session.publish(queue, message);
}

}  // namespace testing_support
