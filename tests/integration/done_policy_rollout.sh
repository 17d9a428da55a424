#!/usr/bin/env bash
# Issue 3, "done means": an admin changes the check-in interval in the policy of one school;
# within one check-in both agents of that school run the new policy version (xiaoanctl status
# --json) and the agent of the other school does not. A forged policy (content targets signed
# by an unknown key) and a replayed one (an older check-in answer) are rejected with
# E_META_SIGNATURE / E_META_ROLLBACK, visible in status and in the collector's event list,
# and the last good policy stays in force.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_trust.sh"
trust_setup
school_policy school-a agent.checkin_interval_seconds=10
school_policy school-b agent.checkin_interval_seconds=10
agent_up a school-a
agent_up a2 school-a
agent_up b school-b
for n in a a2 b; do
  await $n 30 'int(d.get("policy_version") or 0) > 0 and d.get("checkin_interval_seconds") == 10'
done
va0=$(policy_version a); va20=$(policy_version a2); vb0=$(policy_version b)
term_a=$(aget a 'd["terminal_id"]')
log "policies in force: a v$va0, b v$vb0"
older_answer=$(snapshot a before-change)

# The admin changes school A's check-in interval: within one check-in (10 s) every agent of
# school A runs it.
school_policy school-a agent.checkin_interval_seconds=20
changed_at=$SECONDS
await a 16 "int(d['policy_version']) > $va0 and d['checkin_interval_seconds'] == 20"
left=$((changed_at + 16 - SECONDS))
await a2 $((left > 1 ? left : 1)) "int(d['policy_version']) > $va20 and d['checkin_interval_seconds'] == 20"
va1=$(policy_version a)
log "a and a2 run policies v$va1 and v$(policy_version a2) (interval 20) $((SECONDS - changed_at)) s after the change"
admin policy get --school school-a > "$WORK/policy-a.json" 2>&1 || fail "policy get: $(cat "$WORK/policy-a.json")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d.get("policy", d); sys.exit(p["agent"]["checkin_interval_seconds"] != 20)' \
  "$WORK/policy-a.json" || fail "policy get does not show the new interval: $(cat "$WORK/policy-a.json")"

# Forged: the next policy's content targets re-signed by a key the root does not know.
"$FORGE" genkey --out "$WORK/unknown.pem"
mirror_mode a "checkin forge resign --part content --key $WORK/unknown.pem"
school_policy school-a agent.checkin_interval_seconds=30
await_rejection a 30 E_META_SIGNATURE
expect_policy a "$va1" 20
await_offer a 5 "$va1"
offered=$(offered_policy a)
await_event 30 E_META_SIGNATURE "$term_a"
log "forged policy v$offered rejected; status and event list show E_META_SIGNATURE"

# Replayed: the check-in answer recorded before the change, with the older policy.
mirror_mode a "checkin replay $older_answer"
await_rejection a 30 E_META_ROLLBACK
expect_policy a "$va1" 20
await_event 30 E_META_ROLLBACK "$term_a"
agent_n_alive a || fail "agent a died"

# The other school never saw any of it.
expect_policy b "$vb0" 10

# Back to the real collector: the genuine newer policy applies.
mirror_mode a
await a 30 "int(d['policy_version']) >= $offered and d['checkin_interval_seconds'] == 30"
await a 5 "not c.get('last_rejection') or not c['last_rejection'].get('code')"
expect_policy b "$vb0" 10
log "PASS done-means: a v$va0 -> v$va1 -> v$(policy_version a); a2 v$va20 -> v$(policy_version a2); b stays v$vb0"
