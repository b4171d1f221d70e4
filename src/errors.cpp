#include "inventory/errors.hpp"

#include <cstdio>

namespace inventory {

int report_error(const char* program, const std::exception& error) {
  std::fprintf(stderr, "%s: error: %s\n", program, error.what());
  std::fflush(stderr);
  if (const auto* known = dynamic_cast<const Error*>(&error)) return static_cast<int>(known->exit_code());
  return static_cast<int>(ExitCode::kFailure);
}

}  // namespace inventory
