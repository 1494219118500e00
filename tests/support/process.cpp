#include "tests/support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace talaia::testing {

namespace fs = std::filesystem;

child_process::child_process(std::vector<std::string> argv, const fs::path& log_dir, const std::string& name)
    : out_(log_dir / (name + ".out")), err_(log_dir / (name + ".err")) {
  fs::create_directories(log_dir);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);
    int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
}

child_process::~child_process() {
  if (running()) {
    signal(SIGKILL);
    wait(std::chrono::seconds(10));
  }
}

bool child_process::running() {
  if (pid_ <= 0 || status_) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0) return true;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return false;
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

std::string child_process::out() const { return read_file(out_); }
std::string child_process::err() const { return read_file(err_); }

run_result run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  auto dir = make_temp_dir("cmd");
  run_result r;
  {
    child_process p(std::move(argv), dir, "cmd");
    auto code = p.wait(timeout);
    if (!code) {
      p.signal(SIGKILL);
      p.wait(std::chrono::seconds(5));
    }
    r.code = code.value_or(-1);
    r.out = p.out();
    r.err = p.err();
  }
  fs::remove_all(dir);
  return r;
}

fs::path make_temp_dir(const std::string& prefix) {
  std::random_device rd;
  for (;;) {
    fs::path p = fs::temp_directory_path() / ("talaia-test-" + prefix + "-" + std::to_string(rd()));
    if (fs::create_directories(p)) return p;
  }
}

namespace {

// Ports for tests, outside the range the kernel hands to outgoing connections and `bind(0)`
// (32768-60999 by default): up to 12,000 below it, or, when too few ports lie below it, above it.
std::pair<int, int> test_port_range() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int first = 32768, last = 60999;
  in >> first >> last;
  if (first - 1024 >= 2000) return {std::max(1024, first - 12000), first - 1};
  return {std::min(last + 1, 63535), 65535};
}

bool bindable(int type, std::uint16_t port) {
  int s = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  if (s >= 0) ::close(s);
  return ok;
}

}  // namespace

// Ports come from outside the ephemeral range: a port the kernel picked for us could be picked again
// for another test's outgoing connection before our program binds it (CI saw exactly that). Every
// test process (and deploy/kafka/kafka.sh) advances one cursor kept in a locked file, so tests
// running side by side get different ports.
std::uint16_t free_port() {
  const auto [low, high] = test_port_range();
  const int fd = ::open("/tmp/talaia-test-ports.cursor", O_RDWR | O_CREAT, 0666);
  if (fd < 0 || ::flock(fd, LOCK_EX) != 0) return 0;
  char text[16] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  int cursor = n > 0 ? std::atoi(text) : 0;
  if (cursor < low || cursor > high) cursor = low + static_cast<int>(std::random_device{}() % (high - low + 1));
  std::uint16_t found = 0;
  for (int tries = 0; tries <= high - low && found == 0; ++tries) {
    const auto port = static_cast<std::uint16_t>(cursor);
    cursor = cursor == high ? low : cursor + 1;
    if (bindable(SOCK_STREAM, port) && bindable(SOCK_DGRAM, port)) found = port;
  }
  const std::string next = std::to_string(cursor) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, next.data(), next.size(), 0) < 0) found = 0;
  ::close(fd);  // also releases the lock
  return found;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

bool eventually(const std::function<bool()>& probe, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string talaia_binary() { return TALAIA_BINARY; }
std::string source_dir() { return TALAIA_SOURCE_DIR; }

}  // namespace talaia::testing
