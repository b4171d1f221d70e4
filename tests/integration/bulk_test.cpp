// Filled in by its issue; see the header comment once written.
#include <gtest/gtest.h>
