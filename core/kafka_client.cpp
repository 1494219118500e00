#include "core/kafka_client.hpp"

namespace talaia::core::kafka {

// The one place librdkafka's status becomes our error.
error kafka_error(const std::string& context, rd_kafka_resp_err_t err) {
  return make_error(context + ": " + rd_kafka_err2str(err));
}

result<conf_ptr> make_conf(const kafka_config& cfg, const std::map<std::string, std::string>& props) {
  conf_ptr conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& k, const std::string& v) -> result<void> {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
      return make_error("kafka property " + k + "=" + v + ": " + errstr);
    return {};
  };
  if (cfg.brokers.empty()) return make_error("no Kafka brokers configured (--brokers HOST:PORT or kafka.brokers)");
  if (auto r = set("bootstrap.servers", cfg.brokers); !r) return r.err();
  for (const auto& [k, v] : props)
    if (auto r = set(k, v); !r) return r.err();
  for (const auto& [k, v] : cfg.librdkafka)
    if (auto r = set(k, v); !r) return r.err();
  return conf;
}

result<rk_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) return make_error(std::string("cannot create Kafka client: ") + errstr);
  conf.release();  // owned by rk now
  return rk_ptr(rk);
}

}  // namespace talaia::core::kafka
