// A steady-state scanner::match() must not allocate: this file replaces the global operator new
// for the whole test binary and counts calls while matching.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "rules/loader.hpp"
#include "rules/scanner.hpp"

// Sanitizers bring their own operator new; counting is left to the plain build there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TALAIA_COUNT_ALLOCATIONS 0
#else
#define TALAIA_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

#if TALAIA_COUNT_ALLOCATIONS
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace talaia::rules {
namespace {

TEST(scanner_allocations, steady_state_match_does_not_allocate) {
  if (!TALAIA_COUNT_ALLOCATIONS) GTEST_SKIP() << "operator new belongs to the sanitizer";
  load_result r = load_text(R"(title: fields
detection:
    sel:
        program: sshd
        msg|contains: [failed, invalid]
    filter:
        user: null
    condition: sel and not filter
---
title: keywords
detection:
    keywords:
        - 'segfault'
        - '*'
    condition: keywords
)",
                            "alloc.yml");
  ASSERT_TRUE(r.errors.empty());
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok());
  auto sc = scanner::make(set.value());
  ASSERT_TRUE(sc.ok());

  core::event with_raw, without_raw;
  with_raw.set_string("raw", "sshd[1]: Failed password; segfault");
  with_raw.set_string("program", "sshd");
  with_raw.set_string("msg", "Failed password");
  with_raw.set_string("user", "root");
  without_raw.set_string("program", "cron");
  without_raw.set_integer("pid", 12);
  std::vector<std::size_t> out;
  out.reserve(16);
  sc->match(with_raw, out);  // warm-up
  sc->match(without_raw, out);

  std::size_t before = allocations.load();
  std::size_t matched = 0;
  for (int i = 0; i < 1000; ++i) {
    out.clear();
    sc->match(i % 2 ? with_raw : without_raw, out);
    matched += out.size();
  }
  EXPECT_EQ(allocations.load() - before, 0u);
  EXPECT_EQ(matched, 500u * 2 + 500u * 1);
}

// The same with every kind of atom the modifiers add: Hyperscan regexes with other flags, the
// PCRE2 fallback, cidr, numeric comparisons, fieldref, neq and exists. (PCRE2 allocates with
// malloc, not operator new; its match data is made once per scanner and reused.)
TEST(scanner_allocations, modifiers_do_not_allocate_per_event) {
  if (!TALAIA_COUNT_ALLOCATIONS) GTEST_SKIP() << "operator new belongs to the sanitizer";
  load_result r = load_text(R"(title: modifiers
detection:
    sel:
        src_ip|cidr: [10.0.0.0/8, '2001:db8::/32']
        bytes|gt: 1000
        msg|re: 'user (\w+) \1'
        cmd|windash|contains: ' -enc '
        blob|base64offset|contains: whoami
        dst_ip|fieldref: src_ip
        user|neq: root
        host|exists: true
    condition: sel
---
title: regex flags
detection:
    sel:
        msg|re|i|m: '^USER [a-z]+$'
    condition: sel
)",
                            "alloc.yml");
  for (const diagnostic& d : r.errors) ADD_FAILURE() << to_string(d);
  std::vector<diagnostic> errors;
  auto set = rule_set::build(std::move(r.rules), errors);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ((*set)->warnings().size(), 1u);  // the backreference runs on PCRE2
  auto sc = scanner::make(set.value());
  ASSERT_TRUE(sc.ok());

  auto make_event = [](bool modifiers_hit) {
    core::event ev;
    ev.set_string("src_ip", modifiers_hit ? "10.1.2.3" : "192.0.2.1");
    ev.set_string("dst_ip", "10.1.2.3");
    ev.set_integer("bytes", 5000);
    ev.set_string("msg", modifiers_hit ? "user bob bob" : "x\nuser alice");
    ev.set_string("cmd", "powershell /enc ZQBj");
    ev.set_string("blob", "d2hvYW1p");
    ev.set_string("user", "bob");
    ev.set_string("host", "h1");
    return ev;
  };
  const core::event hit = make_event(true), miss = make_event(false);
  std::vector<std::size_t> out;
  out.reserve(16);
  sc->match(hit, out);  // warm-up
  sc->match(miss, out);

  std::size_t before = allocations.load();
  std::size_t matched = 0;
  for (int i = 0; i < 1000; ++i) {
    out.clear();
    sc->match(i % 2 ? hit : miss, out);
    matched += out.size();
  }
  EXPECT_EQ(allocations.load() - before, 0u);
  EXPECT_EQ(matched, 500u * 1 + 500u * 1);  // `hit`: modifiers; `miss`: regex flags
}

}  // namespace
}  // namespace talaia::rules
