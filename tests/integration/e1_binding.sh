#!/usr/bin/env bash
# RELIABILITY E1 / issue 11 (agent side): IP/MAC binding in a real network namespace. The agent
# runs in namespace NS (its own UTS namespace too, so the host's name is never touched), linked
# by a veth pair to a bridge on the host, where the collector listens and a second "peer" port
# is open; a second namespace NS2 on the same bridge plays another PC.
# Report mode: wrong IP, extra IP, wrong gateway, MAC change each detected and reported to the
# collector; restore mode: the address and route put back; isolate mode: only the collector stays
# reachable, then released (by the agent when compliant, by `xiaoanctl isolation release`, and by
# xiaoanctl alone when the agent is stopped); a change made while the collector is down arrives
# after it is back. Prints the detection and restore times.
source "$(dirname "$0")/lib.sh"
require_root
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

source "$(dirname "$0")/binding_lib.sh"
PEER_PID=""
binding_setup

# A second service on the peer that isolation must cut off.
python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 0)); s.listen(16); print(s.getsockname()[1], flush=True)
while True:
    c,_=s.accept(); c.close()' "$HOST_IP" > "$WORK/peer.port" &
PEER_PID=$!
wait_until 5 test -s "$WORK/peer.port" || fail "peer listener"
PEER_PORT=$(cat "$WORK/peer.port")

# ---- report mode ----
set_binding report
eventually 10 '[ "$(binding_state)" = COMPLIANCE_STATE_COMPLIANT ]' || fail "not compliant at start: $(ctl binding check)"
detect VIOLATION_KIND_EXTRA_IP ip addr add 10.77.0.99/24 dev "$AGENT_IF"
rc=0; ctl binding check > "$WORK/check.txt" || rc=$?
[ $rc = 1 ] || fail "binding check exit $rc in violation"
grep -q '多余的 IP 地址' "$WORK/check.txt" || fail "binding check text: $(cat "$WORK/check.txt")"
{ ctl status || true; } | grep -q '网络绑定.*违规' || fail "status lacks the binding line"
[ "$(addrs)" = "10.77.0.37/24 10.77.0.99/24 " ] || fail "report mode changed addresses: $(addrs)"
in_ns ip addr del 10.77.0.99/24 dev "$AGENT_IF"
detect VIOLATION_KIND_WRONG_IP sh -c "ip addr add 10.88.0.5/24 dev $AGENT_IF && ip addr del $AGENT_IP/24 dev $AGENT_IF"
in_ns ip addr add "$AGENT_IP/24" dev "$AGENT_IF"
in_ns ip addr del 10.88.0.5/24 dev "$AGENT_IF"
in_ns ip route replace default via "$HOST_IP"
detect VIOLATION_KIND_WRONG_GATEWAY ip route replace default via 10.77.0.254
in_ns ip route replace default via "$HOST_IP"
detect VIOLATION_KIND_MAC_CHANGED ip link set "$AGENT_IF" address 02:00:00:77:00:99
set_mac "$MAC"
eventually 10 '[ "$(binding_state)" = COMPLIANCE_STATE_COMPLIANT ]' || fail "not compliant again: $(ctl binding check)"
for k in VIOLATION_KIND_EXTRA_IP VIOLATION_KIND_WRONG_IP VIOLATION_KIND_WRONG_GATEWAY \
         VIOLATION_KIND_MAC_CHANGED KIND_VIOLATION_CLEARED 10.77.0.99/24; do
  wait_until 20 at_collector "$k" || fail "$k not at the collector"
done

# ---- restore mode ----
set_binding restore
t0=$(now_ms)
in_ns ip addr add 10.77.0.50/24 dev "$AGENT_IF"
in_ns ip addr del "$AGENT_IP/24" dev "$AGENT_IF"  # takes the default route with it
eventually 10 '[ "$(addrs)" = "10.77.0.37/24 " ]' || fail "address not restored: $(addrs)"
eventually 10 '[ "$(gateway)" = "$HOST_IP" ]' || fail "gateway not restored: $(gateway)"
RESTORE_MS=$(( $(now_ms) - t0 ))
wait_until 20 at_collector 'restore address' || fail "restore action not at the collector"
# Another PC on the LAN took the address: the agent's ARP probe sees it, reports the conflict
# with the other MAC and leaves the address alone until that PC is gone.
ip netns exec "$NS2" ip addr add "$AGENT_IP/24" dev "$OTHER_IF"
ip netns exec "$NS2" ip link set "$OTHER_IF" up
in_ns ip addr del "$AGENT_IP/24" dev "$AGENT_IF"
eventually 10 'grep -q "address $AGENT_IP is in use by $OTHER_MAC" "$WORK/agent.log"' ||
  fail "ARP conflict not seen"
{ ctl binding check --json || true; } | grep -q "\"other_mac\": \"$OTHER_MAC\"" || fail "no IP_CONFLICT in binding check"
[ "$(addrs)" = "" ] || fail "address taken back despite the conflict: $(addrs)"
ip netns exec "$NS2" ip link set "$OTHER_IF" down
ip neigh flush dev "$BRIDGE"
ctl binding check > /dev/null || true  # the next check would come with the 10 s timer
eventually 15 '[ "$(addrs)" = "10.77.0.37/24 " ]' || fail "address not restored after the conflict: $(addrs)"
eventually 10 '[ "$(gateway)" = "$HOST_IP" ]' || fail "gateway not restored after the conflict"
# Sent while the PC had no address; delivered once it is back.
wait_until 20 at_collector KIND_CONFLICT_SEEN || fail "conflict event not at the collector"

# ---- isolate mode ----
set_binding isolate
reach "$PEER_PORT" || fail "peer port not reachable before isolation"
set_mac 02:00:00:77:00:99
wait_until 10 in_ns nft list table inet xiaoan_isolation || fail "not isolated after MAC change"
reach "$AGENT_PORT" || fail "collector port not reachable while isolated"
reach "$PEER_PORT" && fail "peer port reachable while isolated"
wait_until 20 at_collector KIND_ISOLATION_ENTERED || fail "isolation event not at the collector"
set_mac "$MAC"
wait_until 10 bash -c "! ip netns exec $NS nft list table inet xiaoan_isolation" || fail "isolation not left when compliant"
reach "$PEER_PORT" || fail "peer port not reachable after isolation"
# Released by root through the agent (binding stays on: the next check may isolate again).
set_mac 02:00:00:77:00:99
wait_until 10 in_ns nft list table inet xiaoan_isolation || fail "not isolated again"
ctl isolation release > "$WORK/release.txt" || fail "isolation release: $(cat "$WORK/release.txt")"
set_mac "$MAC"
eventually 10 '[ "$(binding_state)" = COMPLIANCE_STATE_COMPLIANT ]' || fail "not compliant after release"
in_ns nft list table inet xiaoan_isolation >/dev/null 2>&1 && fail "isolation table left after release"
# With the agent stopped, xiaoanctl removes the table itself.
set_mac 02:00:00:77:00:99
wait_until 10 in_ns nft list table inet xiaoan_isolation || fail "not isolated (third time)"
agent_stop
in_ns nft list table inet xiaoan_isolation >/dev/null || fail "a clean stop removed the isolation"
in_ns "$BIN/xiaoanctl" --socket "$WORK/agent.sock" --config "$WORK/agent.json" isolation release \
  > "$WORK/release2.txt" 2>&1 || fail "release without agent: $(cat "$WORK/release2.txt")"
grep -q '代理未运行' "$WORK/release2.txt" || fail "release without agent said: $(cat "$WORK/release2.txt")"
in_ns nft list table inet xiaoan_isolation >/dev/null 2>&1 && fail "table left after release without agent"
set_mac "$MAC"

# ---- offline: a change while the collector is down arrives after it is back ----
start_agent_in_ns
eventually 20 '[ "$(binding_state)" = COMPLIANCE_STATE_COMPLIANT ]' || fail "not compliant after restart"
collector_stop
detect VIOLATION_KIND_EXTRA_IP ip addr add 10.77.0.66/24 dev "$AGENT_IF"
eventually 10 '[ "$(addrs)" = "10.77.0.37/24 " ]' || fail "offline restore: $(addrs)"
at_collector 10.77.0.66/24 && fail "collector down but event there"
start_collector_on_veth
wait_until 40 at_collector 10.77.0.66/24 || fail "offline violation not delivered after reconnect"

log "detection: ${DETECT_MS[*]}; restore completed in ${RESTORE_MS}ms"
log "e1_binding OK"
