#pragma once
// Test support: real child processes (talaia, logger) with timeouts, temporary folders, free
// ports, HTTP polling. Every process a test starts is killed when its handle goes away.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace talaia::testing {

class child_process {
 public:
  // Starts argv[0] with the arguments; stdout and stderr go to files in `log_dir`.
  child_process(std::vector<std::string> argv, const std::filesystem::path& log_dir, const std::string& name);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Exit code (128+signal when killed), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string out() const;  // what it printed so far
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_, err_;
};

// Runs a command to completion (killed after `timeout`); returns {exit code, stdout, stderr}.
struct run_result {
  int code = -1;
  std::string out, err;
};
run_result run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::filesystem::path make_temp_dir(const std::string& prefix);
// A TCP and UDP port free on 127.0.0.1 right now, outside the kernel's ephemeral range and not handed
// out lately to another test (see process.cpp).
std::uint16_t free_port();
std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& text);

// Polls `probe` every 100 ms until it returns true or `timeout` passes.
bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout = std::chrono::seconds(20));

std::string talaia_binary();  // build/talaia
std::string source_dir();     // the repository

}  // namespace talaia::testing
