# Helpers of the antivirus scenarios (issue 4). Source lib.sh first.
RULES_DIR=${XIAOAN_RULES_DIR:-$(cd "$HERE/../../signatures/rules" && pwd)}

# write_eicar FILE: the EICAR test file, assembled so that this script is not one.
write_eicar() {
  printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-' 'ANTIVIRUS-TEST-FILE!$H+H*' > "$1"
}

# write_webshell FILE: a one-line PHP web shell (eval of request data).
write_webshell() {
  printf '<?php\n// uploaded "avatar"\n@ev%s($_POST["pass"]);\n?>\n' 'al' > "$1"
}

# set_config KEY JSON_VALUE: sets a field of the agent's bootstrap config.
set_config() {
  python3 - "$WORK/agent.json" "$1" "$2" <<'PY'
import json, sys
path, key, value = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path) as f:
    c = json.load(f)
c[key] = json.loads(value)
with open(path, "w") as f:
    json.dump(c, f, indent=2)
PY
}

# scan_get EXPR: evaluates EXPR on the agent status (d) and its scan section (s).
scan_get() {
  status_json | python3 -c '
import json, sys
d = json.load(sys.stdin); s = d.get("scan") or {}
print(eval(sys.argv[1]))' "$1"
}
scan_check() { [ "$(scan_get "bool($1)" 2>/dev/null)" = True ]; }
await_scan() {  # await_scan SECONDS EXPR
  wait_until "$1" scan_check "$2" || fail "not within $1 s: $2; scan status: $(scan_get 's' 2>/dev/null)"
}

# scan_agent [RULES_DIR]: a collector and an enrolled agent whose built-in rules are RULES_DIR,
# rules loaded, checking in every 10 s.
scan_agent() {
  collector_init
  collector_start
  local token
  token=$(make_token s1)
  # Policy changes of the scenarios reach the agent within seconds.
  admin policy set --school s1 agent.checkin_interval_seconds=10 > "$WORK/policy.out" 2>&1 ||
    fail "policy set: $(cat "$WORK/policy.out")"
  agent_config "$token"
  set_config builtin_signatures_dir "\"${1:-$RULES_DIR}\""
  agent_start
  wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
  await_scan 60 'int(s.get("rule_count", 0)) > 0'
}

# events_json TYPE: the collector's events of TYPE (detection, scan_fault, scan_summary, ...).
events_json() { admin events list --type "$1" --limit 500 --json 2>/dev/null || echo '{}'; }
# event_count TYPE [PREDICATE]: how many such events match PREDICATE, a Python expression on
# p, the payload (snake_case fields, e.g. p["action"] == "DETECTION_ACTION_QUARANTINED").
event_count() {
  events_json "$1" | python3 -c '
import json, sys
n = 0
for e in json.load(sys.stdin).get("events", []):
    p = json.loads(e.get("payload_json") or "{}")
    n += bool(eval(sys.argv[1]))
print(n)' "${2:-True}"
}
await_event_count() {  # await_event_count SECONDS TYPE MIN [PREDICATE]
  local deadline=$((SECONDS + $1))
  until [ "$(event_count "$2" "${4:-True}")" -ge "$3" ]; do
    [ $SECONDS -lt $deadline ] || fail "fewer than $3 $2 events at the collector within $1 s: $(events_json "$2")"
    sleep 0.5
  done
}

# policy_applied VERSION: the agent runs a policy newer than VERSION.
policy_newer() { [ "$(status_field policy_version)" -gt "$1" ] 2>/dev/null; }
await_policy_newer() {
  wait_until "$2" policy_newer "$1" || fail "no policy newer than v$1 within $2 s: $(status_json)"
}
