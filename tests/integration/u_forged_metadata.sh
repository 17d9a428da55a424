#!/usr/bin/env bash
# RELIABILITY U2 (wrong-role signature), U3 (unknown key), U4 (rollback / replay) and U7
# (mix-and-match, another agent's metadata) against a real collector: a mirror between the
# agent and the collector rewrites the signed metadata of each check-in answer while the
# collector offers a newer policy. Every attack is rejected with its code before anything is
# used, reported in status and to the collector, and the last good policy keeps running; once
# the mirror stops attacking, the genuine policy applies.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_trust.sh"
trust_setup
school_policy s1 agent.checkin_interval_seconds=10
agent_up a s1
agent_up b s1
await a 30 'int(d.get("policy_version") or 0) > 0 and d.get("checkin_interval_seconds") == 10'
await b 30 'int(d.get("policy_version") or 0) > 0'
older=$(snapshot a older)  # what brought the first policy: replayed and spliced below
school_policy s1 agent.max_upload_events_per_second=5000
await a 20 "int(d['policy_version']) > $(policy_version a)"
v0=$(policy_version a)
term_a=$(aget a 'd["terminal_id"]')
"$FORGE" genkey --out "$WORK/unknown.pem"

# attack NAME CODE CONTROL-LINE: the mirror attacks a; a rejects with CODE, keeps policy v0.
attack() {
  local what=$1 code=$2; shift 2
  mirror_mode a "$@"
  await_rejection a 30 "$code"
  expect_policy a "$v0" 10
  agent_n_alive a || fail "agent a died on $what"
  log "$what: rejected with $code, policy v$v0 still in force"
}

attack "U3 unknown key" E_META_SIGNATURE "checkin forge resign --part content --key $WORK/unknown.pem"
# The collector now offers policy v1+ (interval 11); every attack below hides or mangles it.
school_policy s1 agent.checkin_interval_seconds=11
await_offer a 15 "$v0"
offered=$(offered_policy a)
expect_policy a "$v0" 10
attack "U4 replay of an older answer" E_META_ROLLBACK "checkin replay $older"
attack "U2 content signed by the timestamp key" E_META_SIGNATURE \
  "checkin forge resign --part content --key $KEYS/keys/timestamp.key"
attack "U7 current timestamp, older content targets" E_META_MISMATCH \
  "checkin forge splice --targets-from $older"
attack "U2 timestamp with a content-role signature" E_META_SIGNATURE \
  "checkin forge resign --part timestamp --key $KEYS/keys/content.key --sign-role content"
attack "U7 another agent's metadata" E_META_MISMATCH "checkin replay $WORK/b/rec/last.pb"
attack "U2 timestamp signed by the content key" E_META_SIGNATURE \
  "checkin forge resign --part timestamp --key $KEYS/keys/content.key --sign-role timestamp"

for code in E_META_SIGNATURE E_META_ROLLBACK E_META_MISMATCH; do await_event 30 "$code" "$term_a"; done
log "the collector lists content_update events for every rejection"

mirror_mode a
await a 30 "int(d['policy_version']) >= $offered and d['checkin_interval_seconds'] == 11"
log "PASS U2 U3 U4 U7: policy v$v0 kept through 7 attacks, then genuine v$(policy_version a)"
