#!/usr/bin/env bash
# The whole test suite, set-up included: Debian packages, build, the Kafka broker (fetched from
# Maven Central on first use, cached in ~/.cache/talaia), then every test under ctest.
# Every test that starts processes has a timeout; the broker is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

bash deploy/setup.sh
bash deploy/kafka/kafka.sh fetch
# rsigma, the independent Sigma engine the differential test compares with (crates.io, cached).
rsigma=${TALAIA_CACHE:-$HOME/.cache/talaia}/rsigma
if [[ ! -x $rsigma/bin/rsigma ]] && command -v cargo >/dev/null; then
  timeout 1500 cargo install rsigma --version 0.23.0 --locked --quiet --root "$rsigma" \
    || echo "tests/run.sh: rsigma could not be installed; the differential test will be skipped" >&2
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
status=0
ctest --test-dir build --output-on-failure --timeout 300 -j1 || status=$?
echo "tests/run.sh: finished in $((SECONDS - start)) s"
exit $status
