// Signals as events: SIGINT, SIGTERM, SIGHUP and SIGWINCH are blocked and read
// from a file descriptor by the foreground loop, so no handler ever runs mid-write
// and the consumer thread never sees them.
#pragma once

namespace inventory {

// Blocks SIGINT, SIGTERM, SIGHUP and SIGWINCH for this thread and every thread started
// after it, and delivers them through a file descriptor. Create it first in main.
class SignalWatch {
 public:
  SignalWatch();
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  int fd() const { return fd_; }
  int take();  // the signal that is ready (0 if none)

 private:
  int fd_ = -1;
};

}  // namespace inventory
