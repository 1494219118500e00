#include "storage/incident_store.hpp"

#include <rocksdb/write_batch.h>

#include <filesystem>


namespace talaia::storage {

namespace {

enum cf_index { cf_default = 0, cf_incidents, cf_by_time, cf_outbox, cf_state, cf_windows, cf_partitions, cf_count };
const char* const cf_names[cf_count] = {rocksdb::kDefaultColumnFamilyName.c_str(), "incidents", "incidents_by_time",
                                         "outbox", "correlation_state", "correlation_windows", "partition_state"};

// The one place RocksDB's status becomes our error.
core::error db_error(const std::string& context, const rocksdb::Status& s) {
  return core::make_error(context + ": " + s.ToString());
}

std::string be64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

std::uint64_t from_be64(std::string_view s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

std::string partition_prefix(std::int32_t partition) {
  const auto p = static_cast<std::uint32_t>(partition);
  return {static_cast<char>(p >> 24), static_cast<char>(p >> 16), static_cast<char>(p >> 8), static_cast<char>(p)};
}

// Sorts before every record key of its partition (record keys never start with a NUL).
std::string offset_key(std::int32_t partition) { return partition_prefix(partition) + std::string("\0offset", 7); }

std::string time_key(const core::incident& inc) {
  return be64(~static_cast<std::uint64_t>(inc.last_seen)) + inc.id;
}

}  // namespace

core::result<std::unique_ptr<incident_store>> incident_store::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::make_error(dir + ": cannot create the data directory: " + ec.message());
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : cf_names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::unique_ptr<incident_store> store(new incident_store());
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, descriptors, &store->cfs_, &raw);
  if (!s.ok()) return db_error(dir + ": cannot open the incident store", s);
  store->db_.reset(raw);
  // Continue the outbox sequence after the last queued entry.
  std::unique_ptr<rocksdb::Iterator> it(store->db_->NewIterator(rocksdb::ReadOptions(), store->cfs_[cf_outbox]));
  it->SeekToLast();
  if (it->Valid()) store->next_outbox_ = from_be64(it->key().ToStringView()) + 1;
  return store;
}

incident_store::~incident_store() {
  if (!db_) return;
  for (auto* cf : cfs_) db_->DestroyColumnFamilyHandle(cf);
  db_->Close();
}

core::result<bool> incident_store::upsert(const core::incident& inc, const std::vector<std::string>& webhook_urls) {
  std::lock_guard lock(write_mu_);
  auto old = get(inc.id);
  if (!old) return old.err();
  rocksdb::WriteBatch batch;
  const bool is_new = !old->has_value();
  if (!is_new) {
    const core::incident& prev = **old;
    if (prev.event_count >= inc.event_count) return false;  // redelivered or stale update
    batch.Delete(cfs_[cf_by_time], time_key(prev));
  }
  const std::string body = core::encode_incident(inc);
  batch.Put(cfs_[cf_incidents], inc.id, body);
  batch.Put(cfs_[cf_by_time], time_key(inc), "");
  if (is_new) {
    for (const auto& url : webhook_urls) {
      batch.Put(cfs_[cf_outbox], be64(next_outbox_++), url + '\n' + body);
    }
  }
  auto s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return db_error("writing incident " + inc.id, s);
  return is_new;
}

core::result<std::optional<core::incident>> incident_store::get(const std::string& id) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), cfs_[cf_incidents], id, &value);
  if (s.IsNotFound()) return std::optional<core::incident>();
  if (!s.ok()) return db_error("reading incident " + id, s);
  auto inc = core::decode_incident(value);
  if (!inc) return core::make_error("stored incident " + id + " is unreadable: " + inc.err().message);
  return std::optional<core::incident>(std::move(*inc));
}

core::result<std::vector<core::incident>> incident_store::list(std::size_t limit, std::size_t offset) {
  std::vector<core::incident> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_by_time]));
  std::size_t skipped = 0;
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    if (skipped++ < offset) continue;
    auto key = it->key().ToStringView();
    if (key.size() <= 8) continue;
    auto inc = get(std::string(key.substr(8)));
    if (!inc) return inc.err();
    if (inc->has_value()) out.push_back(std::move(**inc));
  }
  if (!it->status().ok()) return db_error("listing incidents", it->status());
  return out;
}

core::result<std::vector<outbox_entry>> incident_store::outbox(std::size_t limit) {
  std::vector<outbox_entry> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_outbox]));
  for (it->SeekToFirst(); it->Valid() && out.size() < limit; it->Next()) {
    // value: URL, a newline, then the body (URLs hold no newline).
    std::string_view v = it->value().ToStringView();
    auto nl = v.find('\n');
    if (nl == std::string_view::npos) continue;
    outbox_entry e{it->key().ToString(), std::string(v.substr(0, nl)), std::string(v.substr(nl + 1))};
    out.push_back(std::move(e));
  }
  if (!it->status().ok()) return db_error("reading the webhook outbox", it->status());
  return out;
}

core::result<void> incident_store::remove_outbox(const std::string& key) {
  auto s = db_->Delete(rocksdb::WriteOptions(), cfs_[cf_outbox], key);
  if (!s.ok()) return db_error("removing a delivered webhook", s);
  return {};
}

core::result<void> incident_store::put_state(const std::string& key, const core::incident& inc) {
  auto s = db_->Put(rocksdb::WriteOptions(), cfs_[cf_state], key, core::encode_incident(inc));
  if (!s.ok()) return db_error("writing correlation state", s);
  return {};
}

core::result<void> incident_store::delete_state(const std::string& key) {
  auto s = db_->Delete(rocksdb::WriteOptions(), cfs_[cf_state], key);
  if (!s.ok()) return db_error("deleting correlation state", s);
  return {};
}

core::result<void> incident_store::for_each_state(const std::function<void(const std::string&, core::incident)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_state]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto inc = core::decode_incident(it->value().ToStringView());
    if (inc) fn(it->key().ToString(), std::move(*inc));
  }
  if (!it->status().ok()) return db_error("reading correlation state", it->status());
  return {};
}

core::result<void> incident_store::replace_windows(const std::vector<std::pair<std::string, std::string>>& windows) {
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_windows]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(cfs_[cf_windows], it->key());
  for (const auto& [key, value] : windows) batch.Put(cfs_[cf_windows], key, value);
  auto s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return db_error("saving correlation windows", s);
  return {};
}

core::result<void> incident_store::for_each_window(const std::function<void(const std::string&, const std::string&)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_windows]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) fn(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return db_error("reading correlation windows", it->status());
  return {};
}

core::result<partition_snapshot> incident_store::read_partition(std::int32_t partition) {
  partition_snapshot out;
  const std::string prefix = partition_prefix(partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[cf_partitions]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const auto key = it->key().ToStringView().substr(prefix.size());
    if (!key.empty() && key[0] == '\0') {
      out.offset = static_cast<std::int64_t>(from_be64(it->value().ToStringView()));
      continue;
    }
    out.records.emplace_back(std::string(key), it->value().ToString());
  }
  if (!it->status().ok()) return db_error("reading partition state", it->status());
  return out;
}

core::result<void> incident_store::write_partitions(const std::vector<partition_update>& updates) {
  rocksdb::WriteBatch batch;
  for (const auto& u : updates) {
    const std::string prefix = partition_prefix(u.partition);
    for (const auto& [key, value] : u.records) {
      if (value) batch.Put(cfs_[cf_partitions], prefix + key, *value);
      else batch.Delete(cfs_[cf_partitions], prefix + key);
    }
    batch.Put(cfs_[cf_partitions], offset_key(u.partition), be64(static_cast<std::uint64_t>(u.offset)));
  }
  auto s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return db_error("writing partition state", s);
  return {};
}

core::result<void> incident_store::replace_partition(std::int32_t partition, std::optional<std::int64_t> offset,
                                                     const std::vector<std::pair<std::string, std::string>>& records) {
  rocksdb::WriteBatch batch;
  batch.DeleteRange(cfs_[cf_partitions], partition_prefix(partition), partition_prefix(partition + 1));
  const std::string prefix = partition_prefix(partition);
  for (const auto& [key, value] : records) batch.Put(cfs_[cf_partitions], prefix + key, value);
  if (offset) batch.Put(cfs_[cf_partitions], offset_key(partition), be64(static_cast<std::uint64_t>(*offset)));
  auto s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return db_error("replacing partition state", s);
  return {};
}

}  // namespace talaia::storage
