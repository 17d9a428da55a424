# Shared by the IP/MAC binding scenario (e1_binding.sh) and its benchmark
# (tests/bench/agent/binding_latency.sh): a network namespace NS for the agent (run in its own
# UTS namespace too, so the host's name is never touched) on a bridge of the host, where the
# collector listens; a second namespace NS2 on the same bridge for another PC. Source after
# lib.sh; binding_setup builds it all and enrolls the agent; the EXIT trap takes it down.
NS=xb$$
NS2=xc$$
BRIDGE=xbr$$
HOST_IF=xbh$$
AGENT_IF=xba$$
OTHER_IF=xbo$$
OTHER_MAC=02:00:00:77:00:bb
MAC=02:00:00:77:00:37
HOST_IP=10.77.0.1
AGENT_IP=10.77.0.37
PEER_PID=""
in_ns() { ip netns exec "$NS" "$@"; }
teardown_net() {
  if [ -n "$PEER_PID" ]; then kill "$PEER_PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  ip netns del "$NS2" 2>/dev/null || true
  ip link del "$HOST_IF" 2>/dev/null || true
  ip link del xbp$$ 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
}
trap 'rc=$?; teardown_net; (exit $rc); cleanup' EXIT

start_collector_on_veth() {
  : > "$WORK/collector.out"
  "$BIN/xiaoan-collector" serve --data-dir "$WORK/collector" \
    --agent-listen "$HOST_IP:$AGENT_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
    --checkin-interval 10 > "$WORK/collector.out" 2>> "$WORK/collector.log" &
  COLLECTOR_PID=$!
  wait_until 20 grep -q 'admin api listening' "$WORK/collector.out" || fail "collector did not start"
  AGENT_PORT=$(sed -n 's/^agent api listening on .*:\([0-9]*\)$/\1/p' "$WORK/collector.out")
  ADMIN_PORT=$(sed -n 's/^admin api listening on .*:\([0-9]*\)$/\1/p' "$WORK/collector.out")
}

start_agent_in_ns() {
  ip netns exec "$NS" unshare -u "$BIN/xiaoan-agent" --config "$WORK/agent.json" --foreground \
    >> "$WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  wait_until 20 test -S "$WORK/agent.sock" || fail "agent socket did not appear"
}

# binding_setup: namespaces, bridge and veths; the collector (with the bridge address in its
# certificate); the agent in NS, enrolled into school s1. Sets TID.
binding_setup() {
  ip netns add "$NS"
  ip netns add "$NS2"
  ip link add "$BRIDGE" type bridge
  ip link set "$BRIDGE" up
  ip addr add "$HOST_IP/24" dev "$BRIDGE"
  ip link add "$HOST_IF" type veth peer name "$AGENT_IF"
  ip link set "$AGENT_IF" netns "$NS"
  ip link set "$HOST_IF" master "$BRIDGE" up
  ip link add xbp$$ type veth peer name "$OTHER_IF"
  ip link set "$OTHER_IF" netns "$NS2"
  ip link set xbp$$ master "$BRIDGE" up
  ip netns exec "$NS2" ip link set "$OTHER_IF" address "$OTHER_MAC"
  in_ns ip link set lo up
  in_ns ip link set "$AGENT_IF" address "$MAC" up
  in_ns ip addr add "$AGENT_IP/24" dev "$AGENT_IF"
  in_ns ip route add default via "$HOST_IP"

  # The collector, for agents on the veth, with the host-side address in its certificate.
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$WORK/admin.pw"
  "$BIN/xiaoan-collector" init --data-dir "$WORK/collector" --address 127.0.0.1 \
    --address "$HOST_IP" --admin-password-file "$WORK/admin.pw" > "$WORK/init.log" 2>&1 ||
    fail "collector init: $(cat "$WORK/init.log")"
  collector_default_keys
  start_collector_on_veth

  agent_config "$(make_token s1)"
  sed -i "s#https://127.0.0.1:$AGENT_PORT#https://$HOST_IP:$AGENT_PORT#" "$WORK/agent.json"
  start_agent_in_ns
  wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
  TID=$(status_field terminal_id)
  [ "$(hostname)" = "$(cat /proc/sys/kernel/hostname)" ] || fail "host name changed"
}

# ---- helpers ----
now_ms() { date +%s%3N; }
# eventually SECONDS 'EXPRESSION': evaluates the expression every EVENTUALLY_STEP seconds (0.05)
# until it holds.
eventually() {
  local deadline=$((SECONDS + $1)); shift
  until eval "$*" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep "${EVENTUALLY_STEP:-0.05}"
  done
}
binding_state() { ctl binding check --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("state",""))'; }
policy_version() { local v; v=$(status_field policy_version); echo "${v:-0}"; }
# set_mac MAC: the veth's MAC; the host forgets the old one (no gratuitous ARP on a veth).
set_mac() { in_ns ip link set "$AGENT_IF" address "$1"; ip neigh flush dev "$BRIDGE"; }
# set_binding MODE: a terminal policy layer binding the PC to MAC/IP/gateway; waits until running.
set_binding() {
  local before; before=$(policy_version)
  admin policy set --terminal "$TID" binding.enabled=true "binding.mode=$1" "binding.mac=$MAC" \
    "binding.ipv4=$AGENT_IP/24" "binding.gateway=$HOST_IP" binding.grace_seconds=0 \
    binding.check_interval_seconds=10 > "$WORK/policy.out" 2>&1 || fail "policy set: $(cat "$WORK/policy.out")"
  eventually 30 '[ "$(policy_version)" -gt "$before" ]' || fail "policy $1 did not arrive: $(status_json)"
}
# detect KIND CMD...: runs CMD in the namespace and waits for the agent to log the violation;
# the time it took goes to LAST_MS and DETECT_MS.
DETECT_MS=()
LAST_MS=0
detect() {
  local kind=$1; shift
  local n; n=$(grep -c "binding violation: $kind" "$WORK/agent.log" || true)
  local t0; t0=$(now_ms)
  in_ns "$@"
  eventually 10 '[ "$(grep -c "binding violation: $kind" "$WORK/agent.log")" -gt "$n" ]' ||
    fail "$kind not detected after: $*"
  LAST_MS=$(( $(now_ms) - t0 ))
  DETECT_MS+=("$kind=${LAST_MS}ms")
}
at_collector() {
  admin events list --type binding --terminal "$TID" --limit 500 --json 2>/dev/null | grep -q "$1"
}
addrs() { in_ns ip -4 -o addr show dev "$AGENT_IF" | awk '{print $4}' | sort | tr '\n' ' '; }
gateway() { in_ns ip -4 route show default | awk '{print $3; exit}'; }
reach() { in_ns timeout 2 bash -c "exec 3<>/dev/tcp/$HOST_IP/$1" 2>/dev/null; }
