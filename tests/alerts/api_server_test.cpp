#include "alerts/api_server.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "alerts/http_client.hpp"
#include "tests/support/process.hpp"

namespace talaia::alerts {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct api_test : ::testing::Test {
  fs::path dir = testing::make_temp_dir("api");
  std::unique_ptr<storage::incident_store> store;
  core::metrics_registry metrics;
  void SetUp() override {
    auto s = storage::incident_store::open(dir.string());
    ASSERT_TRUE(s.ok());
    store = std::move(*s);
    for (int i = 0; i < 5; ++i) {
      core::incident inc;
      inc.rule = {"r" + std::to_string(i), "t", "low", "a", {}};
      inc.first_seen = inc.last_seen = 1000 * i;
      inc.event_count = 1;
      inc.id = core::incident_id(inc.rule.id, {}, inc.first_seen);
      ASSERT_TRUE(store->upsert(inc, {}).ok());
    }
    metrics.make_counter("talaia_test_total", "", "test").add(3);
  }
  void TearDown() override {
    store.reset();
    fs::remove_all(dir);
  }
  api_response get(std::string_view target) { return handle_api_request("GET", target, store.get(), metrics); }
};

TEST_F(api_test, lists_incidents_newest_first_with_limit_and_offset) {
  auto r = get("/api/v1/incidents");
  EXPECT_EQ(r.status, 200);
  auto list = json::parse(r.body).as_array();
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0].at("rule_id"), "r4");
  EXPECT_EQ(list[4].at("rule_id"), "r0");
  list = json::parse(get("/api/v1/incidents?limit=2&offset=1").body).as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("rule_id"), "r3");
}

TEST_F(api_test, one_incident_by_id_or_404) {
  const std::string id = core::incident_id("r2", {}, 2000);
  auto r = get("/api/v1/incidents/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("id").as_string(), id);
  auto missing = get("/api/v1/incidents/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(json::parse(missing.body).as_object().contains("error"));
}

TEST_F(api_test, bad_requests_get_a_json_error_and_the_right_status) {
  for (const char* t : {"/api/v1/incidents?limit=0", "/api/v1/incidents?limit=abc", "/api/v1/incidents?limit=1001",
                        "/api/v1/incidents?offset=-1"}) {
    auto r = get(t);
    EXPECT_EQ(r.status, 400) << t;
    EXPECT_TRUE(json::parse(r.body).as_object().contains("error")) << t;
  }
  EXPECT_EQ(get("/api/v2/things").status, 404);
  EXPECT_EQ(handle_api_request("DELETE", "/api/v1/incidents", store.get(), metrics).status, 405);
}

TEST_F(api_test, rules_status_comes_from_the_process_that_loads_rules) {
  EXPECT_EQ(get("/api/v1/rules").status, 404);  // talaia serve loads none
  auto r = handle_api_request("GET", "/api/v1/rules", store.get(), metrics, [] { return std::string(R"({"rules":3})"); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"rules":3})");
}

TEST_F(api_test, a_stage_without_a_store_serves_metrics_and_health_but_no_incidents) {
  EXPECT_EQ(handle_api_request("GET", "/metrics", nullptr, metrics).status, 200);
  EXPECT_EQ(handle_api_request("GET", "/healthz", nullptr, metrics).status, 200);
  auto r = handle_api_request("GET", "/api/v1/incidents", nullptr, metrics);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("talaia serve"), std::string::npos) << r.body;
  EXPECT_EQ(handle_api_request("GET", "/api/v1/incidents/abc", nullptr, metrics).status, 404);
}

TEST_F(api_test, metrics_and_health) {
  auto m = get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("# TYPE talaia_test_total counter\ntalaia_test_total 3\n"), std::string::npos) << m.body;
  EXPECT_EQ(get("/healthz").body, "ok\n");
}

TEST_F(api_test, serves_over_http_on_a_real_socket) {
  auto server = api_server::bind({"127.0.0.1", 0}, store.get(), metrics);
  ASSERT_TRUE(server.ok()) << server.err().message;
  (*server)->start();
  auto r = http_get("http://127.0.0.1:" + std::to_string((*server)->port()) + "/api/v1/incidents?limit=1",
                    std::chrono::seconds(5));
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body).as_array().size(), 1u);
  (*server)->stop();
}

TEST(http_url, parses_host_port_and_target) {
  auto u = parse_http_url("http://soc.example:8000/hooks/talaia?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "soc.example");
  EXPECT_EQ(u->port, "8000");
  EXPECT_EQ(u->target, "/hooks/talaia?x=1");
  EXPECT_EQ(parse_http_url("http://h")->target, "/");
  EXPECT_EQ(parse_http_url("http://h")->port, "80");
  EXPECT_EQ(parse_http_url("http://[::1]:9/")->host, "::1");
  EXPECT_FALSE(parse_http_url("https://h/").ok());
  EXPECT_FALSE(parse_http_url("http:///x").ok());
}

}  // namespace
}  // namespace talaia::alerts
