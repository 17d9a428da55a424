#!/usr/bin/env bash
# RELIABILITY P3 (+ issue 2's token and identity checks): a replayed batch is stored once; a
# batch claiming another agent id is stored under the certificate's identity only and raises
# a security event; used-up, revoked and expired tokens get 401; no client certificate or one
# from another CA is rejected.
source "$(dirname "$0")/lib.sh"
PROTO=$HERE/../../proto
start_enrolled_agent
agent_id=$(status_field agent_id)
ident=$WORK/agent-state/identity
url=https://127.0.0.1:$AGENT_PORT
post() {  # post PATH FILE [curl args...] -> http code; body in $WORK/resp.bin
  local path=$1 file=$2; shift 2
  curl -sS --cacert "$WORK/collector/ca.pem" -o "$WORK/resp.bin" -w '%{http_code}' --max-time 20 \
    -H 'Content-Type: application/x-protobuf' --data-binary @"$file" "$@" "$url$path" || true
}
encode() { protoc --encode="$1" -I "$PROTO" "$PROTO/xiaoan/v1/agent_api.proto"; }
mtls=(--cert "$ident/agent.pem" --key "$ident/agent.key")

# Replay: the same batch twice is stored once.
cat > "$WORK/batch.txt" <<TXT
events { stream: "activity" epoch: 4242 seq: 1 priority: PRIORITY_ACTIVITY diagnostic { request_id: "replay" index: 0 count: 2 } }
events { stream: "activity" epoch: 4242 seq: 2 priority: PRIORITY_ACTIVITY diagnostic { request_id: "replay" index: 1 count: 2 } }
TXT
encode xiaoan.v1.EventBatch < "$WORK/batch.txt" > "$WORK/batch.bin"
[ "$(post /v1/events "$WORK/batch.bin" "${mtls[@]}")" = 200 ] || fail "first batch not accepted"
[ "$(post /v1/events "$WORK/batch.bin" "${mtls[@]}")" = 200 ] || fail "replayed batch not answered 200"
protoc --decode=xiaoan.v1.EventBatchResponse -I "$PROTO" "$PROTO/xiaoan/v1/agent_api.proto" \
  < "$WORK/resp.bin" | grep -q 'duplicates: 2' || fail "replay not reported as duplicates"
n=$(db "SELECT COUNT(*) FROM events WHERE epoch=4242")
[ "$n" = 2 ] || fail "replayed batch stored $n times"

# Spoofing: the body claims another agent; stored under the certificate's id + security event.
sed 's/epoch: 4242/epoch: 4343 claimed_agent_id: "00000000000000000000000000000bad"/' \
  "$WORK/batch.txt" | encode xiaoan.v1.EventBatch > "$WORK/spoof.bin"
code=$(post /v1/events "$WORK/spoof.bin" "${mtls[@]}")
[ "$code" = 200 ] || [ "$code" = 403 ] || fail "spoofed batch answered $code"
bad=$(db "SELECT COUNT(*) FROM events WHERE agent_id='00000000000000000000000000000bad'")
[ "$bad" = 0 ] || fail "events stored under the claimed identity"
mine=$(db "SELECT COUNT(*) FROM events WHERE epoch=4343 AND agent_id='$agent_id'")
[ "$code" = 403 ] || [ "$mine" = 2 ] || fail "spoofed batch not stored under the cert identity"
admin events list --type security_alert --json | grep -q 0000000000000bad || fail "no security_alert event"

# No client certificate / a certificate from another CA.
[ "$(post /v1/events "$WORK/batch.bin")" = 401 ] || fail "events without client cert not 401"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=$agent_id" \
  -keyout "$WORK/rogue.key" -out "$WORK/rogue.pem" 2>/dev/null
code=$(post /v1/events "$WORK/batch.bin" --cert "$WORK/rogue.pem" --key "$WORK/rogue.key")
[ "$code" = 000 ] || [ "$code" = 401 ] || fail "foreign-CA client cert answered $code"

# Tokens: used up, revoked, expired -> 401; a good one -> 200.
enroll_with() {  # enroll_with TOKEN -> http code
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=pending \
    -keyout "$WORK/e.key" -out "$WORK/e.csr" 2>/dev/null
  python3 - "$1" "$WORK/e.csr" > "$WORK/enroll.txt" <<'PY'
import json, sys
csr = open(sys.argv[2]).read()
print(f'token: {json.dumps(sys.argv[1])} csr_pem: {json.dumps(csr)} agent_version: "it" '
      'facts { hostname: "pc-it" interfaces { name: "eth0" mac: "02:00:00:00:00:99" } }')
PY
  encode xiaoan.v1.EnrollRequest < "$WORK/enroll.txt" > "$WORK/enroll.bin"
  post /v1/enroll "$WORK/enroll.bin"
}
once=$(make_token s1 --max-uses 1)
[ "$(enroll_with "$once")" = 200 ] || fail "first use of a one-use token refused"
[ "$(enroll_with "$once")" = 401 ] || fail "reused one-use token not 401"
revoked_json=$(admin token create --school s1 --json)
revoked=$(json_field secret <<<"$revoked_json")
admin token revoke "$(json_field id <<<"$revoked_json")" >/dev/null
[ "$(enroll_with "$revoked")" = 401 ] || fail "revoked token not 401"
short=$(make_token s1 --ttl 1)
sleep 2
[ "$(enroll_with "$short")" = 401 ] || fail "expired token not 401"
[ "$(enroll_with "garbage.token")" = 401 ] || fail "unknown token not 401"
log "PASS P3"
