#!/usr/bin/env bash
# RELIABILITY E2 / issue 11 (naming): the agent runs in its own UTS and mount namespace with an
# overlay over /etc, so neither the host's name nor its /etc is touched. A naming rule
# "{school_abbr}{owner}" for 沙中 + 李维: in report mode the wrong name is reported; in enforce
# mode the machine is renamed (static ASCII name "shazhongliwei", pretty name 沙中李维 in
# /etc/machine-info); a name changed by hand while the collector is down is fixed and the
# events arrive after it is back; the host's own name never changes.
source "$(dirname "$0")/lib.sh"
require_root
HOST_NAME_BEFORE=$(cat /proc/sys/kernel/hostname)

collector_init
collector_start --checkin-interval 10
agent_config "$(make_token s1)"
agent_start_etc_overlay 'hostname lab-wrong-01' -u
wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
TID=$(status_field terminal_id)
ns_hostname() { nsenter -t "$AGENT_PID" -u cat /proc/sys/kernel/hostname; }
[ "$(ns_hostname)" = lab-wrong-01 ] || fail "namespace hostname not set"
policy_version() { local v; v=$(status_field policy_version); echo "${v:-0}"; }
policy_newer() { [ "$(policy_version)" -gt "$1" ]; }
ns_named() { [ "$(ns_hostname)" = "$1" ]; }
set_naming() {
  local before; before=$(policy_version)
  admin policy set --terminal "$TID" naming.enabled=true "naming.action=$1" \
    'naming.pattern={school_abbr}{owner}' 'naming.fallback={room}-{seat:02}' \
    naming.school_abbr=沙中 naming.owner=李维 naming.room=T naming.seat=7 \
    binding.check_interval_seconds=10 > "$WORK/policy.out" 2>&1 ||
    fail "policy set: $(cat "$WORK/policy.out")"
  wait_until 30 policy_newer "$before" || fail "policy $1 did not arrive"
}
at_collector() {
  admin events list --type binding --terminal "$TID" --limit 500 --json 2>/dev/null | grep -q "$1"
}

# Report: the wrong name is reported with the expected one; nothing is renamed.
set_naming report
wait_until 15 grep -q 'binding violation: VIOLATION_KIND_HOSTNAME' "$WORK/agent.log" ||
  fail "wrong hostname not detected"
wait_until 20 at_collector VIOLATION_KIND_HOSTNAME || fail "hostname violation not at the collector"
at_collector shazhongliwei || fail "the event lacks the expected name"
[ "$(ns_hostname)" = lab-wrong-01 ] || fail "report mode renamed the machine"
{ ctl binding check || true; } > "$WORK/check.txt"
grep -q '计算机名不符.*shazhongliwei (沙中李维).*lab-wrong-01' "$WORK/check.txt" || fail "binding check lacks the hostname line: $(cat "$WORK/check.txt")"

# Enforce: renamed at once, static and pretty names written under the overlay.
set_naming enforce
wait_until 15 ns_named shazhongliwei || fail "not renamed: $(ns_hostname)"
[ "$(cat "$WORK/etc-upper/hostname")" = shazhongliwei ] || fail "/etc/hostname not written"
grep -q '^PRETTY_HOSTNAME="沙中李维"$' "$WORK/etc-upper/machine-info" ||
  fail "pretty name not written: $(cat "$WORK/etc-upper/machine-info" 2>&1)"
wait_until 20 at_collector KIND_RENAME_DONE || fail "rename event not at the collector"

# Offline: renamed by hand while the collector is down; the agent fixes it, the events wait.
collector_stop
n=$(grep -c 'binding violation: VIOLATION_KIND_HOSTNAME' "$WORK/agent.log" || true)
nsenter -t "$AGENT_PID" -u hostname student-pc
ctl binding check > /dev/null 2>&1 || true
wait_until 15 ns_named shazhongliwei || fail "offline rename not fixed: $(ns_hostname)"
[ "$(grep -c 'binding violation: VIOLATION_KIND_HOSTNAME' "$WORK/agent.log")" -gt "$n" ] ||
  fail "offline change not detected"
collector_start --checkin-interval 10
wait_until 40 at_collector student-pc || fail "offline hostname violation not delivered after reconnect"

[ "$(cat /proc/sys/kernel/hostname)" = "$HOST_NAME_BEFORE" ] || fail "the host's name changed"
log "e2_naming OK"
