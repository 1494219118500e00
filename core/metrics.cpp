#include "core/metrics.hpp"

#include <cstdio>
#include <algorithm>
#include <vector>

namespace talaia::core {

counter& metrics_registry::make_counter(std::string name, std::string labels, std::string help) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (e.is_counter && e.name == name && e.labels == labels) return e.c;
  auto& e = entries_.emplace_back();
  e.name = std::move(name);
  e.labels = std::move(labels);
  e.help = std::move(help);
  e.is_counter = true;
  return e.c;
}

void metrics_registry::add_counter_part(std::string name, std::string labels, std::string help,
                                        std::function<std::uint64_t()> read) {
  counter& c = make_counter(std::move(name), std::move(labels), std::move(help));
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    if (&e.c == &c) e.parts.push_back(std::move(read));
}

void metrics_registry::make_gauge(std::string name, std::string labels, std::string help,
                                  std::function<double()> read) {
  std::lock_guard lock(mu_);
  auto& e = entries_.emplace_back();
  e.name = std::move(name);
  e.labels = std::move(labels);
  e.help = std::move(help);
  e.is_counter = false;
  e.read = std::move(read);
}

std::string metrics_registry::render() const {
  std::lock_guard lock(mu_);
  // Prometheus wants the samples of one metric together, under one HELP and TYPE.
  std::vector<std::string> names;
  for (const auto& e : entries_)
    if (std::find(names.begin(), names.end(), e.name) == names.end()) names.push_back(e.name);
  std::string out;
  for (const auto& name : names) {
    bool described = false;
    for (const auto& e : entries_) {
      if (e.name != name) continue;
      if (!described) {
        out += "# HELP " + e.name + " " + e.help + "\n";
        out += "# TYPE " + e.name + (e.is_counter ? " counter\n" : " gauge\n");
        described = true;
      }
      out += e.name;
      if (!e.labels.empty()) out += "{" + e.labels + "}";
      char buf[64];
      if (e.is_counter) {
        std::uint64_t v = e.c.value();
        for (const auto& part : e.parts) v += part();
        std::snprintf(buf, sizeof buf, " %llu\n", static_cast<unsigned long long>(v));
      }
      else std::snprintf(buf, sizeof buf, " %g\n", e.read());
      out += buf;
    }
  }
  return out;
}

}  // namespace talaia::core
