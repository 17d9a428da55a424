#!/usr/bin/env bash
# Issue 2, "what a school admin must be able to do": collector + token + agent enrolls,
# checks in, reports events; status in zh-CN, en and JSON with meaningful exit codes.
source "$(dirname "$0")/lib.sh"
collector_init
collector_start
token=$(make_token s1 --ttl 1h)
agent_config "$token"
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"

ctl status > "$WORK/status.zh" || fail "status exit code $? while healthy"
grep -q '已连接' "$WORK/status.zh" || fail "zh status lacks 已连接: $(cat "$WORK/status.zh")"
ctl --lang en status > "$WORK/status.en" || fail "en status not healthy"
grep -qi 'connected' "$WORK/status.en" || fail "en status lacks connected"
agent_id=$(status_field agent_id)
[ ${#agent_id} -ge 16 ] || fail "no agent id in status"

send_events 250 activity || fail "send-test-events failed"
send_events 20 security || fail "send-test-events (security) failed"
wait_drained 30
check_ledger --check-order || fail "ledger mismatch"

admin terminals list --json > "$WORK/terminals.json"
grep -q "$agent_id" "$WORK/terminals.json" || fail "terminal with agent $agent_id not listed"
admin events list --type diagnostic --terminal "$(status_field terminal_id)" --limit 5 --json \
  | grep -q '"diagnostic"' || fail "events list does not show diagnostic events"
admin terminals list | tee "$WORK/terminals.txt" | grep -q "$(hostname)" || fail "terminals table lacks hostname"

# A non-root user can read status but cannot append events.
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  chmod 755 "$WORK"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/xiaoanctl" --socket "$WORK/agent.sock" \
    --config "$WORK/agent.json" status --json >/dev/null || fail "status as nobody failed"
  set +e
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/xiaoanctl" --socket "$WORK/agent.sock" \
    --config "$WORK/agent.json" diagnose send-test-events --count 1 > "$WORK/nobody.out" 2>&1
  rc=$?
  set -e
  [ $rc -eq 4 ] || fail "send-test-events as nobody: exit $rc, want 4: $(cat "$WORK/nobody.out")"
fi

# Daemon down: status comes from the persisted file and the exit code says so.
agent_stop
set +e; ctl status > "$WORK/status.down" 2>&1; rc=$?; set -e
[ $rc -eq 3 ] || fail "status with daemon down: exit $rc, want 3"
grep -q '未运行' "$WORK/status.down" || fail "status down lacks 未运行: $(cat "$WORK/status.down")"
grep -q "$agent_id" <(ctl status --json 2>/dev/null || true) || fail "persisted status lacks agent id"
log "PASS e2e: enrolled $agent_id, $(wc -l < "$LEDGER") requests delivered"
