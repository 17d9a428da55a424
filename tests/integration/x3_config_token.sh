#!/usr/bin/env bash
# RELIABILITY X3 / issue 10 finding 1 (agent side): a student read the school's enrollment token
# from a world-readable agent.json and enrolled as the PC. Now the agent sets a config holding a
# token to 0600 at start (logged as a security warning) and removes the token from it once the
# identity is stored; the agent restarts enrolled without it.
source "$(dirname "$0")/lib.sh"
require_root
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
collector_init
collector_start
agent_config "$(make_token s1)"
chmod 0644 "$WORK/agent.json"
# The attack's first step works on the file as an installer leaves it.
as_nobody cat "$WORK/agent.json" | grep -q '"enrollment_token": "[^"]' ||
  fail "setup: a local user cannot read the 0644 config"

agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll: $(status_json)"
token_gone() { ! grep -q '"enrollment_token": "[^"]' "$WORK/agent.json"; }
wait_until 10 token_gone || fail "the enrollment token is still in agent.json: $(cat "$WORK/agent.json")"
[ "$(stat -c %a "$WORK/agent.json")" = 600 ] || fail "agent.json mode $(stat -c %a "$WORK/agent.json")"
[ "$(stat -c %u "$WORK/agent.json")" = 0 ] || fail "agent.json not owned by root"
if as_nobody cat "$WORK/agent.json" > /dev/null 2>&1; then fail "a local user can read agent.json"; fi
grep -q 'SECURITY: .*agent.json held the enrollment token' "$WORK/agent.log" ||
  fail "no security warning about the exposed config"
grep -q 'enrollment token removed from' "$WORK/agent.log" || fail "token removal not logged"
ls -a "$WORK" | grep -q '\.agent\.json\.tmp' && fail "temp file left beside agent.json"
# The rest of the config is intact: the agent restarts enrolled, with the same identity.
agent_id=$(status_field agent_id)
agent_stop
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not reconnect without the token: $(status_json)"
[ "$(status_field agent_id)" = "$agent_id" ] || fail "agent re-enrolled after the token was removed"
n=$(db "SELECT COUNT(*) FROM agents")
[ "$n" = 1 ] || fail "$n agent records, want 1"
log "PASS X3 (config token)"
