#pragma once
// This process's CPU time (user + system, every thread), for the benchmarks' per-CPU-second rates.
#include <time.h>

namespace talaia::bench {

inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace talaia::bench
