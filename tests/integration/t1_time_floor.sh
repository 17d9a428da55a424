#!/usr/bin/env bash
# RELIABILITY T1: the agent's clock is wrong (libfaketime). Expiry is judged by the time floor
# max(wall clock, newest signed time seen), TLS failures say what they are, and the last good
# policy is enforced throughout (I2).
#   -1 y: the collector's certificate is "not yet valid" (TLS error naming it); expiry uses the
#         time floor (the newest signed time, about now), so nothing is STALE.
#   +3 y: the certificates still verify (server 5 y), but the root (1 y) has expired by the
#         agent's clock: E_META_EXPIRED, STALE, nothing accepted.
#   +6 y: the collector's certificate has expired too (TLS error naming it), still STALE.
#   Back to the right time: the floor did not move with the wrong clock; fresh and updating.
source "$(dirname "$0")/lib.sh"
TS_TTL=1800
TG_TTL=3600
source "$(dirname "$0")/lib_trust.sh"
[ -n "$FAKETIME_LIB" ] || { echo "SKIP: libfaketime not installed"; exit 77; }
trust_one_agent

# restart_with OFFSET: the agent again, its wall clock shifted by OFFSET ("" = none).
restart_with() {
  agent_n_stop a
  AGENT_CLOCK=$1 agent_n_start a
  await a 10 "abs(ts(d.get('generated_at')) - $(date +%s) - ($2)) < 120"  # the clock is shifted
  log "agent restarted with clock offset '${1:-none}'"
}
tls_error() {  # tls_error TEXT: the connection fails with E_TLS_CERT_TIME (check the clock) saying TEXT
  await a 40 "(d.get('last_error') or {}).get('code','') == 'E_TLS_CERT_TIME' and '$1' in (d.get('last_error') or {}).get('message','')"
  log "TLS error: $(aget a '(d.get("last_error") or {}).get("code","") + ": " + (d.get("last_error") or {}).get("message","")')"
}
year=$((365 * 86400))

restart_with -365d "-$year"
tls_error "not yet valid"
await a 5 "not c.get('stale') and abs(ts(c.get('time_floor')) - $(date +%s)) < 600"
expect_policy a "$v0" 10
log "-1 y: not STALE: expiry judged by the time floor $(aget a 'c.get("time_floor")')"

restart_with +3y "3 * $year"
await_rejection_any() { await a 40 "(c.get('last_rejection') or {}).get('code') == '$1' and c.get('stale')"; }
await_rejection_any E_META_EXPIRED
await a 5 "d.get('connection') == 'CONNECTION_STATE_CONNECTED'"
expect_policy a "$v0" 10
log "+3 y: STALE, $(aget a 'c["last_rejection"]["message"]'), policy v$v0 still enforced"

restart_with +6y "6 * $year"
tls_error "expired"
await a 5 'c.get("stale")'
expect_policy a "$v0" 10

restart_with "" 0
await a 40 "not c.get('stale') and d.get('connection') == 'CONNECTION_STATE_CONNECTED'"
floor=$(aget a 'int(ts(c.get("time_floor")))')
[ "$floor" -le $(($(date +%s) + 60)) ] || fail "the time floor moved with the wrong clock: $floor"
school_policy s1 agent.checkin_interval_seconds=11
await a 30 "int(d['policy_version']) > $v0 and d['checkin_interval_seconds'] == 11"
log "PASS T1: -1 y / +3 y / +6 y: TLS errors named, expiry by the floor, policy v$v0 enforced; then v$(policy_version a)"
