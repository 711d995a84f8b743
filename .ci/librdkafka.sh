#!/usr/bin/env bash
# Builds a librdkafka newer than Debian's 2.0.2 (which stops at Metadata v4) and prints the directory
# holding its librdkafka.so.1, for the tests that need real librdkafka >= 2.1 behaviour
# (ProtocolCompatibilityTest: kcat loads it through LD_LIBRARY_PATH). The source comes from the npm
# registry: node-rdkafka's package carries librdkafka's source tree in deps/librdkafka.
set -euo pipefail
version=3.6.1   # node-rdkafka 3.6.1 bundles librdkafka 2.12.0
out="${XDG_CACHE_HOME:-$HOME/.cache}/sluice/librdkafka-node-rdkafka-$version"
if [ ! -f "$out/librdkafka.so.1" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "node-rdkafka@$version" --silent >/dev/null && tar xzf "node-rdkafka-$version.tgz")
  src="$work/package/deps/librdkafka"
  (cd "$src" && ./configure --disable-ssl --disable-gssapi --disable-curl >/dev/null && make -s -j2 -C src librdkafka.so >/dev/null)
  mkdir -p "$out"
  cp "$src/src/librdkafka.so.1" "$out/"
fi
echo "$out"
