#include "app/rules_holder.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/log.hpp"

namespace talaia::app {

namespace fs = std::filesystem;

rules_holder::rules_holder(loaded_rules initial, std::vector<std::string> paths, core::sigma_config sigma,
                           core::metrics_registry& metrics)
    : paths_(std::move(paths)),
      sigma_(std::move(sigma)),
      reloads_(metrics.make_counter("talaia_rule_reloads_total", "result=\"applied\"", "Rule reloads")),
      rejected_(metrics.make_counter("talaia_rule_reloads_total", "result=\"rejected\"", "Rule reloads")) {
  current_.store(std::make_shared<const loaded_rules>(std::move(initial)));
  seen_ = stamps();
}

std::vector<rules_holder::stamp> rules_holder::stamps() const {
  std::vector<stamp> out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    const auto mtime = fs::last_write_time(p, ec);
    if (!ec) out.push_back({p.string(), size, mtime});
  };
  for (const auto& p : paths_) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto ext = it->path().extension();
        if (it->is_regular_file(ec) && (ext == ".yml" || ext == ".yaml")) add(it->path());
      }
    } else {
      add(p);
    }
  }
  std::sort(out.begin(), out.end(), [](const stamp& a, const stamp& b) { return a.path < b.path; });
  return out;
}

bool rules_holder::changed_on_disk() { return stamps() != seen_; }

std::string rules_holder::status_json() const {
  const auto rules = current();
  std::string out = "{\"generation\":" + std::to_string(generation()) +
                    ",\"rules\":" + std::to_string(rules->detection->rules().size()) +
                    ",\"correlations\":" + std::to_string(rules->correlations->correlations().size()) + ",\"last_reload\":";
  std::lock_guard lock(mu_);
  out += last_reload_.empty() ? "null" : last_reload_;
  return out + "}";
}

bool rules_holder::reload(const char* why) {
  seen_ = stamps();  // a rejected set is not retried until the files change again
  std::vector<rules::diagnostic> errors;
  auto loaded = load_rules(paths_, errors, sigma_);
  {
    std::string r = "{\"time\":";
    core::append_json_string(r, core::format_rfc3339(core::now_micros()));
    r += ",\"trigger\":";
    core::append_json_string(r, why);
    r += std::string(",\"applied\":") + (loaded && errors.empty() ? "true" : "false") + ",\"problems\":[";
    if (!loaded) core::append_json_string(r, loaded.err().message);
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i || !loaded) r += ',';
      core::append_json_string(r, rules::to_string(errors[i]));
    }
    r += "]}";
    std::lock_guard lock(mu_);
    last_reload_ = std::move(r);
  }
  if (!loaded || !errors.empty()) {
    rejected_.add();
    if (!loaded) core::log_error("rules", "error=\"" + loaded.err().message + "\" reload rejected");
    for (const auto& d : errors) core::log_warn("rules", "problem=\"" + rules::to_string(d) + "\"");
    core::log_warn("rules", std::string("trigger=") + why + " errors=" + std::to_string(errors.size()) +
                                " rules reload rejected: the running rules keep running");
    return false;
  }
  const std::size_t n = loaded->detection->rules().size(), c = loaded->correlations->correlations().size();
  current_.store(std::make_shared<const loaded_rules>(std::move(*loaded)));
  generation_.fetch_add(1, std::memory_order_release);
  reloads_.add();
  core::log_info("rules", std::string("trigger=") + why + " rules=" + std::to_string(n) + " correlations=" +
                              std::to_string(c) + " rules reloaded");
  return true;
}

}  // namespace talaia::app
