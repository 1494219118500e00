#include "collectors/udp_workers.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <boost/asio.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace talaia::collectors {

namespace asio = boost::asio;
using udp = asio::ip::udp;

core::result<void> open_udp(udp::socket& s, const udp::endpoint& at, std::size_t receive_buffer, bool reuse_port) {
  const std::string where = at.address().to_string() + ":" + std::to_string(at.port());
  boost::system::error_code ec;
  s.open(at.protocol(), ec);
  if (ec) return core::make_error("cannot open a udp socket for " + where + ": " + ec.message());
  s.set_option(asio::socket_base::receive_buffer_size(static_cast<int>(receive_buffer)), ec);
  ec.clear();  // a smaller buffer than asked for is not fatal (the kernel caps it at rmem_max)
  if (reuse_port) {
    const int one = 1;
    if (::setsockopt(s.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      return core::make_error("cannot set SO_REUSEPORT on udp " + where + ": " + std::strerror(errno));
  }
  s.bind(at, ec);
  if (ec) return core::make_error("cannot listen on udp " + where + ": " + ec.message());
  return {};
}

std::uint64_t socket_inode(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

core::result<void> check_port_not_shared(const std::vector<std::uint64_t>& inodes, const std::string& where) {
  // Lines: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...".
  std::vector<std::pair<std::string, std::uint64_t>> sockets;  // local address, inode
  for (const char* file : {"/proc/net/udp", "/proc/net/udp6"}) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, skip;
      std::uint64_t inode = 0;
      fields >> sl >> local;
      for (int i = 0; i < 7; ++i) fields >> skip;
      if (fields >> inode) sockets.emplace_back(local, inode);
    }
  }
  std::string ours;
  for (const auto& [local, inode] : sockets)
    if (std::find(inodes.begin(), inodes.end(), inode) != inodes.end()) ours = local;
  if (ours.empty()) return {};  // no /proc here: nothing to check
  for (const auto& [local, inode] : sockets)
    if (local == ours && std::find(inodes.begin(), inodes.end(), inode) == inodes.end())
      return core::make_error("udp " + where + " is already bound by another socket with SO_REUSEPORT (another collector?)");
  return {};
}

worker_threads::worker_threads(std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
}

worker_threads::~worker_threads() { join(); }

void worker_threads::start() {
  for (auto& io : ios_) threads_.emplace_back([&io] { io->run(); });
}

void worker_threads::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace talaia::collectors
