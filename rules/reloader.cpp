#include "rules/reloader.hpp"

#include <algorithm>

namespace talaia::rules {
namespace {

namespace fs = std::filesystem;

bool is_yaml(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yml" || ext == ".yaml";
}

}  // namespace

std::vector<rule_reloader::file_stamp> rule_reloader::stamps() const {
  std::vector<file_stamp> out;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    file_stamp s{p.string(), fs::file_size(p, ec), fs::last_write_time(p, ec)};
    if (!ec) out.push_back(std::move(s));
  };
  for (const std::string& path : paths_) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_regular_file(type_ec) && is_yaml(it->path())) add(it->path());
      }
    } else if (fs::exists(path, ec)) {
      add(path);
    }
  }
  std::sort(out.begin(), out.end(), [](const file_stamp& a, const file_stamp& b) { return a.path < b.path; });
  return out;
}

reload_outcome rule_reloader::compile(std::shared_ptr<const rule_set>& out, std::vector<file_stamp>& seen) const {
  reload_outcome o;
  seen = stamps();  // before reading: an edit during the load shows as a change next time
  load_result loaded = load_paths(paths_, options_);
  o.errors = std::move(loaded.errors);
  o.warnings = std::move(loaded.warnings);
  auto set = rule_set::build(std::move(loaded.rules), o.errors);
  if (!set) {
    o.errors.push_back({"", 0, set.err().message});
    return o;
  }
  o.warnings.insert(o.warnings.end(), (*set)->warnings().begin(), (*set)->warnings().end());
  out = std::move(*set);
  return o;
}

core::result<std::unique_ptr<rule_reloader>> rule_reloader::make(std::vector<std::string> paths, load_options options) {
  std::unique_ptr<rule_reloader> r(new rule_reloader(std::move(paths), std::move(options)));
  std::shared_ptr<const rule_set> set;
  reload_outcome first = r->compile(set, r->loaded_stamps_);
  if (!first.errors.empty()) {
    std::string message = "rules have errors:";
    for (const diagnostic& d : first.errors) message += "\n" + to_string(d);
    return core::make_error(std::move(message));
  }
  r->current_.store(std::move(set));
  r->generation_.store(1);
  return r;
}

reload_outcome rule_reloader::reload() {
  std::shared_ptr<const rule_set> set;
  std::vector<file_stamp> seen;
  reload_outcome o = compile(set, seen);
  loaded_stamps_ = std::move(seen);  // a broken set is not retried until something changes again
  if (!o.errors.empty()) {
    o.rules = current()->rules().size();
    return o;
  }
  o.rules = set->rules().size();
  current_.store(std::move(set));
  generation_.fetch_add(1);
  o.swapped = true;
  return o;
}

bool rule_reloader::changed_on_disk() const { return stamps() != loaded_stamps_; }

}  // namespace talaia::rules
