#include "tests/support/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

std::uint16_t free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(t, reinterpret_cast<sockaddr*>(&a), &len);
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    bool udp_free = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    const std::uint16_t port = ntohs(a.sin_port);
    ::close(u);
    ::close(t);
    if (udp_free) return port;
  }
  return 0;
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
