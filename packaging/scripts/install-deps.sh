#!/usr/bin/env bash
# Installs what building, running and testing xiaoan needs on Debian 12 (run as root).
#   install-deps.sh          build + run dependencies
#   install-deps.sh --test   also the test tools (clang/libFuzzer, sqlite3 CLI, faketime, ...)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root" >&2; exit 2; }
# python3 + unicode-data: the pinyin table of common/naming is generated at build time from
# Unihan (tools/gen_pinyin_table.py).
pkgs=(ca-certificates build-essential cmake ninja-build pkg-config git
      libboost-all-dev libcurl4-openssl-dev libssl-dev openssl libyara-dev
      protobuf-compiler libprotobuf-dev libspdlog-dev doctest-dev
      libsqlite3-dev libpq-dev procps python3 unicode-data nftables)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(clang-14 libclang-rt-14-dev llvm-14 sqlite3 faketime iproute2 util-linux curl
         python3 postgresql yara ccache login bsdutils)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: ${#pkgs[@]} packages present"
