#include "collectors/netflow/listener.hpp"

#include <boost/asio.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "collectors/datagram_queue.hpp"
#include "collectors/netflow/decoder.hpp"
#include "collectors/netflow/fields.hpp"
#include "collectors/udp_reader.hpp"
#include "collectors/udp_workers.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

namespace talaia::collectors::netflow {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using udp = asio::ip::udp;

namespace {

constexpr std::int64_t save_interval_micros = 10 * 1000000;

// The decoder's counters and the metrics they are shown as.
struct decoder_metric {
  std::uint64_t decoder_stats::*field;
  const char *name, *labels, *help;
};
constexpr decoder_metric decoder_metrics[] = {
    {&decoder_stats::flow_records, "talaia_events_received_total", "transport=\"udp\",format=\"netflow\"", "Messages received"},
    {&decoder_stats::options_records, "talaia_flow_options_records_total", "", "Options data records applied (sampling, system init time)"},
    {&decoder_stats::templates, "talaia_flow_templates_total", "", "Template records received"},
    {&decoder_stats::templates_withdrawn, "talaia_flow_templates_withdrawn_total", "", "Templates withdrawn by their exporter"},
    {&decoder_stats::templates_expired, "talaia_flow_templates_expired_total", "", "Templates forgotten after their lifetime unused"},
    {&decoder_stats::held_sets, "talaia_flow_held_sets_total", "", "Data sets held until their template arrives"},
    {&decoder_stats::held_dropped, "talaia_events_discarded_total", "reason=\"no_template\",transport=\"netflow\"", "Messages discarded"},
    {&decoder_stats::exporter_limit, "talaia_events_discarded_total", "reason=\"exporter_limit\",transport=\"netflow\"", "Messages discarded"},
    {&decoder_stats::template_limit, "talaia_flow_template_limit_total", "", "Templates refused: too many for one exporter"},
    {&decoder_stats::malformed, "talaia_events_discarded_total", "reason=\"malformed\",transport=\"netflow\"", "Messages discarded"},
    {&decoder_stats::unsupported_version, "talaia_events_discarded_total", "reason=\"unsupported_version\",transport=\"netflow\"", "Messages discarded"},
    {&decoder_stats::sequence_gaps, "talaia_flow_sequence_gaps_total", "", "Export sequence number jumps (per exporter and domain)"},
    {&decoder_stats::sequence_lost, "talaia_flow_sequence_lost_total", "", "Units missing by sequence number (flows v5, packets v9, records IPFIX)"},
    {&decoder_stats::sequence_resets, "talaia_flow_sequence_resets_total", "", "Export sequence restarts"},
};
constexpr std::size_t decoder_metric_count = std::size(decoder_metrics);

// A worker's counters: each has one thread that writes it at a time (queue_full the reading
// thread, the others whichever thread holds the worker's `decoding` lock); /metrics sums every
// worker's.
struct worker_counters {
  local_counter packets, bus_full, queue_full, decoded_by_reader;
  std::array<local_counter, decoder_metric_count> decoder;  // copies of decoder_stats, in decoder_metrics order
};

// One socket, read on its io_context's thread into `queue` (udp_reader.hpp), and decoded by the
// `decoding` thread (datagram_queue.hpp says why the two threads) or, while at most
// decode_on_reader_limit datagrams are queued, by the reading thread itself after its turn: at
// 20,000 packets a second the hand-over (a wake-up, and every datagram's bytes read on another
// core) cost about 5 % of the listener's CPU. Whoever decodes holds `decoding_mu` and takes
// everything queued, so packets are decoded in the order they were read.
constexpr std::size_t decode_on_reader_limit = 64;

struct worker {
  udp::socket socket;
  std::mutex decoding_mu;  // held while decoding: guards the decoder and everything below it
  datagram_queue::batch batch;       // the datagrams being decoded
  core::text_batch records;  // the JSON of a packet's flow records
  netflow::decoder decoder;
  std::string template_file;
  std::uint64_t saved_templates = 0;
  std::int64_t last_save = 0;
  std::shared_ptr<worker_counters> counters = std::make_shared<worker_counters>();
  // The last exporter's address as text, and normalised (the records' key): an exporter sends
  // many packets in a row.
  asio::ip::address last_exporter;
  std::string last_exporter_text, last_exporter_key;
  datagram_queue queue;
  udp_reader reader;
  std::thread decoding;

  worker(asio::io_context& io, decoder_limits limits, std::size_t queue_bytes)
      : socket(io), decoder(limits), queue(queue_bytes), reader(socket, queue, counters->queue_full) {}
};

}  // namespace

struct listener::impl : std::enable_shared_from_this<listener::impl> {
  asio::io_context& io;
  listener_settings settings;
  core::producer& out;
  event_ids& ids;
  std::unique_ptr<worker_threads> threads;  // options.workers > 1
  std::vector<std::unique_ptr<worker>> workers;
  std::atomic<bool> stopped{false};

  impl(asio::io_context& io_, listener_settings s, core::producer& o, event_ids& i)
      : io(io_), settings(std::move(s)), out(o), ids(i) {}

  std::string template_file(std::size_t k) const {
    if (settings.state_dir.empty()) return {};
    const std::string port = std::to_string(settings.at.port);
    return (fs::path(settings.state_dir) / ("netflow-templates-" + port + (k == 0 ? "" : "." + std::to_string(k)) + ".txt")).string();
  }

  // Every template file of this port (whichever worker wrote it): a restart may send an exporter
  // to another worker, so each worker loads them all.
  std::vector<std::string> saved_template_files() const {
    std::vector<std::string> files;
    if (settings.state_dir.empty()) return files;
    const std::string prefix = "netflow-templates-" + std::to_string(settings.at.port);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(settings.state_dir, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) != 0 || name.size() < 4 || name.substr(name.size() - 4) != ".txt") continue;
      const std::string middle = name.substr(prefix.size(), name.size() - prefix.size() - 4);
      if (middle.empty() || (middle[0] == '.' && middle.find_first_not_of("0123456789", 1) == std::string::npos && middle.size() > 1))
        files.push_back(e.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  void load_templates(worker& w) {
    std::size_t n = 0;
    for (const auto& file : saved_template_files()) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      n += w.decoder.load_templates(text.str(), core::now_micros());
    }
    w.saved_templates = w.decoder.stats().templates;
    if (n > 0 && &w == workers.front().get())
      core::log_info("netflow", "dir=" + settings.state_dir + " templates=" + std::to_string(n) + " templates restored");
  }

  // Writes the worker's templates when they changed (at most every 10 s unless `now`), atomically.
  static void save_templates(worker& w, bool now) {
    if (w.template_file.empty() || w.decoder.stats().templates == w.saved_templates) return;
    const std::int64_t t = core::now_micros();
    if (!now && t - w.last_save < save_interval_micros) return;
    w.last_save = t;
    w.saved_templates = w.decoder.stats().templates;
    std::error_code ec;
    fs::create_directories(fs::path(w.template_file).parent_path(), ec);
    const std::string tmp = w.template_file + ".tmp";
    {
      std::ofstream o(tmp, std::ios::trunc);
      o << w.decoder.save_templates();
      if (!o) {
        core::log(core::log_level::warn, "netflow", "file=" + tmp + " cannot write the template file");
        return;
      }
    }
    fs::rename(tmp, w.template_file, ec);
    if (ec) core::log(core::log_level::warn, "netflow", "file=" + w.template_file + " error=\"" + ec.message() + "\" cannot save templates");
  }

  // The decoding thread of a worker: until its queue is closed and empty.
  void decode_packets(worker& w) {
    while (w.queue.wait_ready()) {
      std::lock_guard lock(w.decoding_mu);
      decode_queued(w);  // nothing, when the reading thread took it meanwhile
    }
  }

  // On the reading thread after a turn: decodes what is queued, unless the decoding thread is at
  // it or more is queued than a small turn (a backlog): then false, and that thread takes it.
  bool decode_on_reader(worker& w) {
    std::unique_lock lock(w.decoding_mu, std::try_to_lock);
    if (!lock || stopped.load()) return false;
    const std::size_t n = decode_queued(w, decode_on_reader_limit);
    w.counters->decoded_by_reader.add(n);
    return n > 0;
  }

  // With decoding_mu held: everything queued (unless more than `at_most` datagrams), in order;
  // how many datagrams.
  std::size_t decode_queued(worker& w, std::size_t at_most = SIZE_MAX) {
    if (!w.queue.try_pop_all(w.batch, at_most)) return 0;
    for (const auto& d : w.batch.datagrams) handle(w, w.batch.bytes(d), d.from, d.from_port, d.received_micros);
    return w.batch.datagrams.size();
  }

  void handle(worker& w, std::string_view bytes, const asio::ip::address& from, std::uint16_t port, std::int64_t received) {
    worker_counters& c = *w.counters;
    c.packets.add();
    if (w.last_exporter_text.empty() || from != w.last_exporter) {
      w.last_exporter = from;
      w.last_exporter_text = from.to_string();
      w.last_exporter_key = normalise_address(w.last_exporter_text);
    }
    const std::string& address = w.last_exporter_text;
    w.records.clear();
    auto n = w.decoder.decode_json(bytes, address, port, received, w.records, &ids);
    const decoder_stats& stats = w.decoder.stats();
    for (std::size_t k = 0; k < decoder_metric_count; ++k) c.decoder[k].set(stats.*(decoder_metrics[k].field));
    if (!n && core::log_enabled(core::log_level::debug))
      core::log(core::log_level::debug, "netflow", "exporter=" + address + " error=\"" + n.err().message + "\"");
    c.bus_full.add(w.records.size() - out.try_send_all(settings.topic, w.last_exporter_key, w.records));
    save_templates(w, false);
  }
};

core::result<std::unique_ptr<listener>> listener::bind(asio::io_context& io, listener_settings s, core::producer& out,
                                                       event_ids& ids, core::metrics_registry& metrics) {
  auto i = std::make_shared<impl>(io, std::move(s), out, ids);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(i->settings.at.host, ec);
  if (ec) return core::make_error("netflow listen address " + i->settings.at.text() + ": " + ec.message());
  const std::size_t n = std::max<std::size_t>(1, i->settings.options.workers);
  if (n > 1) i->threads = std::make_unique<worker_threads>(n);
  const decoder_limits limits = limits_of(i->settings.options);
  for (std::size_t k = 0; k < n; ++k) {
    auto w = std::make_unique<worker>(n > 1 ? i->threads->io(k) : io, limits, i->settings.options.udp_receive_buffer);
    // Port 0: the first socket picks a free port, the others join it.
    if (auto r = open_udp(w->socket, udp::endpoint(address, i->settings.at.port), i->settings.options.udp_receive_buffer, n > 1); !r)
      return core::make_error("NetFlow: " + r.err().message);
    if (i->settings.at.port == 0) i->settings.at.port = w->socket.local_endpoint(ec).port();
    i->workers.push_back(std::move(w));
  }
  if (n > 1) {
    std::vector<std::uint64_t> inodes;
    for (const auto& w : i->workers) inodes.push_back(socket_inode(w->socket.native_handle()));
    if (auto r = check_port_not_shared(inodes, i->settings.at.text()); !r) return core::make_error("cannot listen for NetFlow: " + r.err().message);
  }
  for (std::size_t k = 0; k < n; ++k) {
    worker& w = *i->workers[k];
    w.template_file = i->template_file(k);
    i->load_templates(w);
    const auto& c = w.counters;
    add_part(metrics, "talaia_flow_packets_total", "", "Flow export packets received", c, c->packets);
    add_part(metrics, "talaia_udp_worker_received_total",
             "listener=\"netflow\",listen=\"" + i->settings.at.text() + "\",worker=\"" + std::to_string(k) + "\"",
             "Datagrams received by each UDP worker (SO_REUSEPORT socket)", c, c->packets);
    add_part(metrics, "talaia_events_discarded_total", "reason=\"bus_full\",transport=\"netflow\"", "Messages discarded", c, c->bus_full);
    add_part(metrics, "talaia_flow_packets_decoded_by_reader_total", "",
             "Flow export packets decoded on the reading thread (small turns), not handed to the decoding thread", c,
             c->decoded_by_reader);
    add_part(metrics, "talaia_flow_packets_discarded_total", "reason=\"receive_queue_full\"",
             "Flow export packets read but refused by the full queue to the decoding thread", c, c->queue_full);
    for (std::size_t m = 0; m < decoder_metric_count; ++m) {
      const auto& d = decoder_metrics[m];
      c->decoder[m].set(w.decoder.stats().*(d.field));
      add_part(metrics, d.name, d.labels, d.help, c, c->decoder[m]);
    }
  }
  return std::unique_ptr<listener>(new listener(std::move(i)));
}

listener::~listener() { stop(); }

void listener::start() {
  for (auto& w : impl_->workers) {
    w->decoding = std::thread([i = impl_, &w = *w] { i->decode_packets(w); });
    w->reader.start(impl_, [i = impl_.get()] { return i->stopped.load(); },
                    [i = impl_.get(), &w = *w] { return i->decode_on_reader(w); });
  }
  if (impl_->threads) impl_->threads->start();
  core::log_info("netflow", "address=" + impl_->settings.at.host + ":" + std::to_string(port()) +
                                " workers=" + std::to_string(impl_->workers.size()) + " listening on udp (NetFlow v5, v9, IPFIX, sFlow v5)");
}

void listener::stop() {
  if (impl_->stopped.exchange(true)) return;
  for (auto& w : impl_->workers)
    asio::post(w->socket.get_executor(), [i = impl_, &w = *w] {
      boost::system::error_code ec;
      w.socket.close(ec);
      w.reader.cancel();
    });
  if (impl_->threads) impl_->threads->join();  // each ends once its socket is closed
  // The decoding threads end once they have decoded what was read; then the templates are saved.
  for (auto& w : impl_->workers) {
    w->queue.close();
    if (w->decoding.joinable()) w->decoding.join();
    std::lock_guard lock(w->decoding_mu);  // a reading thread may still be decoding its last turn
    impl::save_templates(*w, true);
  }
}

std::uint16_t listener::port() const { return impl_->settings.at.port; }

}  // namespace talaia::collectors::netflow
