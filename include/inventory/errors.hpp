// What can go wrong, as types, and the one place that maps each to an exit code
// and a message for the person at the console (SPEC 4 exit codes).
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace inventory {

enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,  // broker, network, auth, nack, state on disk
  kUsage = 2,    // bad arguments or a bad single update: nothing was published
  kPartial = 3,  // a bulk file where some lines were rejected
};

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual ExitCode exit_code() const { return ExitCode::kFailure; }
};

// Bad command line or a bad single update; nothing was sent.
class UsageError : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kUsage; }
};

// TCP connect failed: refused, timed out, unknown host, TLS handshake.
class BrokerUnreachable : public Error {
 public:
  using Error::Error;
};

// The broker refused the login or the vhost.
class AuthRefused : public Error {
 public:
  using Error::Error;
};

// The queue exists with other settings than ours (durable, dead-letter route).
class TopologyMismatch : public Error {
 public:
  using Error::Error;
};

// An established link failed: socket error, missed heartbeats, closed by the broker.
class LinkLost : public Error {
 public:
  using Error::Error;
};

// The broker nacked or returned a message we published.
class PublishRejected : public Error {
 public:
  using Error::Error;
};

// The state directory cannot be used (locked by another store, unreadable, full).
class StateError : public Error {
 public:
  using Error::Error;
};

// Prints "program: error: ..." to stderr and returns the exit code for `error`.
int report_error(const char* program, const std::exception& error);

}  // namespace inventory
