#!/usr/bin/env bash
# RELIABILITY U5 (freeze: a mirror keeps serving one old, validly signed answer) and U6
# (expired metadata: the collector is gone past the timestamp's lifetime), with I2: the agent
# shows STALE (E_META_EXPIRED) but keeps enforcing the last good policy and keeps logging;
# fresh metadata clears STALE.
source "$(dirname "$0")/lib.sh"
TS_TTL=15
source "$(dirname "$0")/lib_trust.sh"
trust_one_agent

# U5: the mirror freezes the agent on the next answer, while the admin changes policy.
mirror_mode a "checkin freeze"
await_mode_seen a 15
school_policy s1 agent.checkin_interval_seconds=11
frozen=$(sed -n "s/^CHECKIN t=[0-9.]* ctl=${M_TAG[a]} saved=\([^ ]*\) .*/\1/p" "$WORK/a/mirror.log" | head -n 1)
expires=$(forge_info "$frozen" 'd["timestamp"]["expires"]')
await a $((expires - $(date +%s) + 25)) 'c.get("stale")'
await_rejection a 15 E_META_EXPIRED
expect_policy a "$v0" 10
ctl_out=$(actl a status 2>&1 || true)
grep -q STALE <<<"$ctl_out" || fail "xiaoanctl status does not show STALE: $ctl_out"
ctl_en=$(actl a --lang en status 2>&1 || true)
grep -q STALE <<<"$ctl_en" || fail "English status does not show STALE: $ctl_en"
await_event 30 E_META_EXPIRED "$term_a"
log "U5: frozen agent turned STALE with E_META_EXPIRED, still on policy v$v0"
mirror_mode a
await a 30 "int(d['policy_version']) > $v0 and d['checkin_interval_seconds'] == 11 and not c.get('stale')"
v1=$(policy_version a)
log "U5: unfrozen, policy v$v1, not stale"

# U6: the collector goes away for longer than the timestamp lives.
collector_stop
await a $((TS_TTL + 25)) 'c.get("stale")'
expect_policy a "$v1" 11
actl a diagnose send-test-events --count 20 --priority security > /dev/null ||
  fail "the agent stopped logging while its metadata is expired"
agent_n_alive a || fail "agent a died"
log "U6: collector gone, agent STALE, policy v$v1 still enforced, events still spooled"
trust_collector_start
await a 40 "not c.get('stale') and d.get('connection') == 'CONNECTION_STATE_CONNECTED'"
expect_policy a "$v1" 11
await a 30 'all(int(s.get("pending_records", 0)) == 0 for s in d.get("spool", []))'
log "PASS U5 U6: STALE on freeze and on silence, enforcement continued, fresh again after"
