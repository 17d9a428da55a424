#!/usr/bin/env bash
# The README's first command: build xiaoan, start a collector on embedded defaults (SQLite)
# and an agent enrolled into it on this host, then show `xiaoanctl status`.
# Run as root on Debian 12. Leaves both running (pids in /run/xiaoan-demo/*.pid);
# `packaging/scripts/demo-local.sh stop` stops them.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
run=/run/xiaoan-demo
data=/var/lib/xiaoan-collector
# The county's signing keys. A real deployment keeps this directory offline (USB key in a safe)
# and only imports the content and timestamp keys into the collector; the demo keeps it here.
keys=/var/lib/xiaoan-demo-keys
agent_port=${XIAOAN_AGENT_PORT:-8443}
admin_port=${XIAOAN_ADMIN_PORT:-8444}

stop_all() {
  for p in agent collector; do
    [ -f "$run/$p.pid" ] && kill "$(cat "$run/$p.pid")" 2>/dev/null || true
    rm -f "$run/$p.pid"
  done
}
if [ "${1:-}" = stop ]; then stop_all; echo "stopped"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "demo-local.sh: run as root (it installs packages and a service)" >&2; exit 2; }

"$src/packaging/scripts/install-deps.sh"
cmake -S "$src" -B "$src/build/release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DXIAOAN_BUILD_TESTS=OFF >/dev/null
cmake --build "$src/build/release" -j"$(nproc)"
cmake --install "$src/build/release" --prefix /usr/local >/dev/null
bin=/usr/local/bin

stop_all
mkdir -p "$run" /etc/xiaoan
if [ ! -f "$data/ca.pem" ]; then
  umask 077
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > /etc/xiaoan/admin.pw
  "$bin/xiaoan-collector" init --data-dir "$data" --admin-password-file /etc/xiaoan/admin.pw \
    --server-name localhost --server-name "$(hostname)" --address 127.0.0.1
  umask 022
fi
[ -f "$keys/root.pb" ] || "$bin/xiaoan-admin" keys init --out "$keys" --deployment "xiaoan demo"
[ -f "$data/trust/content.key" ] ||
  "$bin/xiaoan-collector" keys import --data-dir "$data" --from "$keys"
"$bin/xiaoan-collector" serve --data-dir "$data" --agent-listen "127.0.0.1:$agent_port" \
  --admin-listen "127.0.0.1:$admin_port" > "$run/collector.log" 2>&1 &
echo $! > "$run/collector.pid"
for _ in $(seq 50); do grep -q 'admin api listening' "$run/collector.log" && break; sleep 0.2; done
grep -q 'admin api listening' "$run/collector.log" || { cat "$run/collector.log"; exit 1; }

admin() {
  "$bin/xiaoan-admin" --server "https://127.0.0.1:$admin_port" --ca "$data/ca.pem" \
    --password-file /etc/xiaoan/admin.pw "$@"
}
admin school list --json | grep -q '"demo"' ||
  admin school add --id demo --name "示范学校" --abbr SF
token=$(admin token create --school demo --ttl 1d --note "demo-local" --json |
  sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "could not create an enrollment token" >&2; exit 1; }

# A school policy: agents of this school check in every 30 s (signed, delivered at check-in).
admin policy set --school demo agent.checkin_interval_seconds=30 >/dev/null
# Our own YARA rules as the county's first signature bundle (compiled and signed by the
# collector, loaded by agents at their next check-in).
admin signatures list --json | grep -q '"version"' ||
  admin signatures publish "$src/signatures/rules" --description "xiaoan default rules" >/dev/null

# The CA and the pinned root metadata are installed side by side.
cp "$data/ca.pem" /etc/xiaoan/collector-ca.pem
cp "$keys/root.pb" /etc/xiaoan/root.pb
# The enrollment token is a school-wide secret: the file is root's alone (0600) from the start;
# the agent removes the token from it once enrolled.
rm -f /etc/xiaoan/agent.json
(umask 077 && cat > /etc/xiaoan/agent.json) <<JSON
{
  "collector_url": "https://127.0.0.1:$agent_port",
  "ca_bundle": "/etc/xiaoan/collector-ca.pem",
  "trust_root": "/etc/xiaoan/root.pb",
  "enrollment_token": "$token",
  "state_dir": "/var/lib/xiaoan",
  "status_socket": "/run/xiaoan/agent.sock",
  "builtin_signatures_dir": "/usr/local/share/xiaoan/signatures"
}
JSON
chmod 0600 /etc/xiaoan/agent.json
"$bin/xiaoan-agent" --config /etc/xiaoan/agent.json --foreground > "$run/agent.log" 2>&1 &
echo $! > "$run/agent.pid"
# Until the agent runs the signed school policy and signature bundle (enrolled, checked in,
# verified, applied, rules compiled).
for _ in $(seq 150); do
  st=$("$bin/xiaoanctl" status --json 2>/dev/null || true)
  echo "$st" | grep -q '"policy_version": *"\?[1-9]' &&
    echo "$st" | grep -q '"bundle_version": *"\?[1-9]' && break
  sleep 0.3
done
# An on-demand scan of a folder holding the EICAR test file (harmless by definition).
demo_dir=/var/tmp/xiaoan-demo-scan
mkdir -p "$demo_dir"
printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' > "$demo_dir/eicar.com"
echo "ordinary homework" > "$demo_dir/作业.txt"
echo
echo "== xiaoanctl scan $demo_dir"
"$bin/xiaoanctl" scan "$demo_dir" || true
echo
echo "== 管理端终端列表 / terminals known to the collector"
admin terminals list
echo
echo "== 管理端检出记录 / detections reported to the collector"
for _ in $(seq 50); do admin detections list --json | grep -q eicar && break; sleep 0.3; done
admin detections list
echo
echo "== xiaoanctl status"
"$bin/xiaoanctl" status
