// latency_probe: publish-to-visible latency through a live store_service.
// Starts the store as a child on pipes, waits for "connected to" on its stderr,
// then publishes product "lat" with quantity 1, 2, 3, ... on a steady schedule
// while a reader thread asks the store `get lat` over and over; an update is
// visible when its quantity (or a higher one) is first answered.
//
//   latency_probe --url URL --queue Q [--seconds S] [--rate HZ] [--poll-us U] -- STORE_COMMAND...
//
// Prints one line: "latency: sent=N seen=N rate_hz=R p50_ms=.. p99_ms=.. max_ms=..".
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "inventory/broker_url.hpp"
#include "inventory/publisher.hpp"
#include "inventory/update.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Options {
  std::string url;
  std::string queue;
  double seconds = 10;
  double rate_hz = 1000;
  int poll_us = 200;  // pause between two `get lat` round trips (0 = none)
  std::vector<std::string> store_command;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "latency_probe: %s\nusage: latency_probe --url URL --queue Q [--seconds S] [--rate HZ] "
               "[--poll-us U] -- STORE_COMMAND...\n",
               why.c_str());
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  int i = 1;
  const auto value = [&](const char* name) -> std::string {
    if (i + 1 >= argc) usage(std::string(name) + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) o.store_command.emplace_back(argv[i]);
      break;
    }
    if (arg == "--url") o.url = value("--url");
    else if (arg == "--queue") o.queue = value("--queue");
    else if (arg == "--seconds") o.seconds = std::stod(value("--seconds"));
    else if (arg == "--rate") o.rate_hz = std::stod(value("--rate"));
    else if (arg == "--poll-us") o.poll_us = std::stoi(value("--poll-us"));
    else usage("unknown argument '" + std::string(arg) + "'");
  }
  if (o.url.empty() || o.queue.empty() || o.store_command.empty()) usage("--url, --queue and a store command are required");
  if (o.seconds <= 0 || o.rate_hz <= 0) usage("--seconds and --rate must be positive");
  return o;
}

// The store as a child process on three pipes; waited for and reaped by us only.
class StoreChild {
 public:
  explicit StoreChild(const std::vector<std::string>& command) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : command) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + command[0] + ": " + std::strerror(rc));
    stdin_ = in[1];
    stdout_ = ::fdopen(out[0], "r");
    stderr_ = ::fdopen(err[0], "r");
  }
  ~StoreChild() {
    terminate();
    if (stdin_ >= 0) ::close(stdin_);
    if (stdout_) std::fclose(stdout_);
    if (stderr_) std::fclose(stderr_);
  }

  void write_line(std::string_view line) {
    std::size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(stdin_, line.data() + done, line.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("writing to the store: ") + std::strerror(errno));
      }
      done += static_cast<std::size_t>(n);
    }
  }
  // One line of the store's stdout (without '\n'); false at end of output.
  bool read_line(std::string& line) { return read(stdout_, line); }
  bool read_error_line(std::string& line) { return read(stderr_, line); }

  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  // Asks the store to stop (SIGTERM: it acks, snapshots and exits) and reaps it.
  int terminate() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    return wait();
  }
  int wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  static bool read(FILE* f, std::string& line) {
    line.clear();
    for (int c; (c = std::getc(f)) != EOF;) {
      if (c == '\n') return true;
      line += static_cast<char>(c);
    }
    return !line.empty();
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  FILE* stdout_ = nullptr;
  FILE* stderr_ = nullptr;
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  const auto total = static_cast<std::uint64_t>(o.seconds * o.rate_hz);
  std::vector<std::int64_t> sent_ns(total + 1, 0);
  std::vector<std::int64_t> seen_ns(total + 1, 0);

  try {
    StoreChild store(o.store_command);

    // The store's log: wait for "connected to", keep draining it afterwards.
    std::mutex mutex;
    std::condition_variable changed;
    bool connected = false;
    bool log_ended = false;
    std::vector<std::string> log_lines;
    std::thread log_reader([&] {
      std::string line;
      while (store.read_error_line(line)) {
        std::lock_guard lock(mutex);
        if (line.find("connected to") != std::string::npos) connected = true;
        if (log_lines.size() < 200) log_lines.push_back(line);
        changed.notify_all();
      }
      std::lock_guard lock(mutex);
      log_ended = true;
      changed.notify_all();
    });
    const auto dump_log = [&] {
      std::lock_guard lock(mutex);
      for (const auto& l : log_lines) std::fprintf(stderr, "  store: %s\n", l.c_str());
    };
    {
      std::unique_lock lock(mutex);
      if (!changed.wait_for(lock, std::chrono::seconds(60), [&] { return connected || log_ended; }) || !connected) {
        lock.unlock();
        store.terminate();
        log_reader.join();
        dump_log();
        throw std::runtime_error("the store did not log 'connected to' within 60 s");
      }
    }

    // Reader: `get lat` round trips; the first answer showing quantity >= i makes i visible.
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> highest_seen{0};
    std::atomic<std::uint64_t> polls{0};
    std::string reader_error;
    std::thread reader([&] {
      try {
        std::string line;
        std::uint64_t last = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          store.write_line("get lat\n");
          if (!store.read_line(line)) throw std::runtime_error("the store closed its output");
          const std::int64_t now = ns_now();
          polls.fetch_add(1, std::memory_order_relaxed);
          const auto at = line.find("quantity=");
          if (at != std::string::npos) {
            std::uint64_t q = 0;
            const char* begin = line.data() + at + 9;
            std::from_chars(begin, line.data() + line.size(), q);
            if (q > last) {
              for (std::uint64_t j = last + 1; j <= std::min(q, total); ++j) seen_ns[j] = now;
              last = q;
              highest_seen.store(q, std::memory_order_release);
            }
          }
          if (o.poll_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(o.poll_us));
        }
      } catch (const std::exception& e) {
        reader_error = e.what();
        stop = true;
      }
    });

    // Every way out of here stops the reader, ends the store (end of its input)
    // and joins both threads; the store is reaped by its pid.
    int store_rc = -1;
    const auto shut_down = [&] {
      stop = true;
      if (reader.joinable()) reader.join();
      store.close_stdin();
      if (store_rc < 0) store_rc = store.wait();
      if (log_reader.joinable()) log_reader.join();
    };

    std::uint64_t refused = 0;
    double publish_seconds = 0;
    try {
      inventory::PublisherSettings settings;
      settings.connection.url = inventory::parse_broker_url(o.url);
      settings.connection.connection_name = "latency_probe";
      settings.topology.queue = o.queue;
      inventory::ConfirmedPublisher publisher(settings);
      const auto on_settled = [&](const inventory::ConfirmedPublisher::Settled& s) {
        if (s.outcome != inventory::PublishOutcome::kConfirmed) ++refused;
      };

      const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.rate_hz));
      const auto start = Clock::now();
      for (std::uint64_t i = 1; i <= total && !stop; ++i) {
        std::this_thread::sleep_until(start + period * static_cast<std::int64_t>(i - 1));
        sent_ns[i] = ns_now();
        publisher.publish(
            inventory::InventoryUpdate{"lat", static_cast<std::int64_t>(i), inventory::next_version_stamp()}, i,
            on_settled);
      }
      publish_seconds = std::chrono::duration<double>(Clock::now() - start).count();
      publisher.wait_all(on_settled);

      const auto deadline = Clock::now() + std::chrono::seconds(30);
      while (highest_seen.load(std::memory_order_acquire) < total && Clock::now() < deadline && !stop)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } catch (...) {
      shut_down();
      throw;
    }
    shut_down();
    if (!reader_error.empty()) {
      dump_log();
      throw std::runtime_error(reader_error);
    }

    std::vector<double> ms;
    ms.reserve(total);
    for (std::uint64_t i = 1; i <= total; ++i)
      if (seen_ns[i] != 0) ms.push_back(static_cast<double>(seen_ns[i] - sent_ns[i]) / 1e6);
    std::sort(ms.begin(), ms.end());
    std::printf("latency: sent=%llu seen=%zu refused=%llu rate_hz=%.1f polls=%llu store_exit=%d "
                "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
                static_cast<unsigned long long>(total), ms.size(), static_cast<unsigned long long>(refused),
                static_cast<double>(total) / publish_seconds, static_cast<unsigned long long>(polls.load()), store_rc,
                percentile(ms, 0.50), percentile(ms, 0.99), ms.empty() ? 0.0 : ms.back());
    return ms.size() == total && refused == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latency_probe: %s\n", e.what());
    return 1;
  }
}
