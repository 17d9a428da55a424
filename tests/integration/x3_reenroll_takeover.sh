#!/usr/bin/env bash
# RELIABILITY X3 / issue 10 finding 1 (collector side), with the real binaries: a local user who
# has the school's token and the PC's MAC enrolls a key of their own as the PC. Under the
# school's `approve` policy the takeover is held (403 E_ENROLL_PENDING), recorded as a
# security_alert, listed by `xiaoan-admin enrollment pending` and linked only after
# `enrollment approve`; the real agent keeps the terminal meanwhile.
source "$(dirname "$0")/lib.sh"
PROTO=$HERE/../../proto
collector_init
collector_start
token=$(make_token s1 --max-uses 5)
agent_config "$token"
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll: $(status_json)"
agent_id=$(status_field agent_id)
mac=$(db "SELECT macs FROM terminals" | cut -d, -f1)
[ -n "$mac" ] || fail "the agent reported no MAC"
admin school reenroll-policy s1 approve > /dev/null || fail "reenroll-policy approve"

# The student's enrollment: own key, the PC's MAC, no SMBIOS UUID (root-only to read).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=pending \
  -keyout "$WORK/student.key" -out "$WORK/student.csr" 2>/dev/null
python3 - "$token" "$WORK/student.csr" "$mac" > "$WORK/enroll.txt" <<'PY'
import json, sys
csr = open(sys.argv[2]).read()
print(f'token: {json.dumps(sys.argv[1])} csr_pem: {json.dumps(csr)} agent_version: "x3" '
      f'facts {{ hostname: "pc-x3" interfaces {{ name: "eth0" mac: "{sys.argv[3]}" }} }}')
PY
protoc --encode=xiaoan.v1.EnrollRequest -I "$PROTO" "$PROTO/xiaoan/v1/agent_api.proto" \
  < "$WORK/enroll.txt" > "$WORK/enroll.bin"
enroll() {
  curl -sS --cacert "$WORK/collector/ca.pem" -o "$WORK/resp.bin" -w '%{http_code}' --max-time 20 \
    -H 'Content-Type: application/x-protobuf' --data-binary @"$WORK/enroll.bin" \
    "https://127.0.0.1:$AGENT_PORT/v1/enroll" || true
}
[ "$(enroll)" = 403 ] || fail "takeover not held"
grep -q E_ENROLL_PENDING "$WORK/resp.bin" || fail "no E_ENROLL_PENDING in the answer"
[ "$(db "SELECT agent_id FROM terminals")" = "$agent_id" ] || fail "the terminal changed hands"
admin events list --type security_alert --json | grep -q '"E_ENROLL_PENDING' ||
  fail "no security_alert for the held re-enrollment"
pending=$(admin enrollment pending --json)
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["enrollments"][0]["id"])' <<<"$pending")
grep -q '"smbios_uuid"' <<<"$pending" || log "note: this machine reports no SMBIOS UUID"
grep -q '"key"' <<<"$pending" || fail "the key difference is not listed: $pending"
admin --lang en enrollment pending | grep -q "1 pending" || fail "text listing"
admin enrollment approve "$id" > /dev/null || fail "approve"
[ "$(enroll)" = 200 ] || fail "approved instance not linked"
[ "$(db "SELECT agent_id FROM terminals")" != "$agent_id" ] || fail "approved instance not linked"
admin events list --type security_alert --json | grep -q 'approved' ||
  fail "no security_alert for the approved re-enrollment"
log "PASS X3 (re-enrollment takeover)"
