#!/usr/bin/env bash
# RELIABILITY P4 + N4: the agent's collector address answers garbage, HTML, 500 loops, or
# presents a certificate from another CA (intercepting proxy). The agent shows a clear error
# code, backs off, keeps its spool, and delivers everything once the real collector is back.
source "$(dirname "$0")/lib.sh"
start_enrolled_agent
real_port=$AGENT_PORT
collector_stop
send_events 300 || fail "append failed"

# A hostile HTTPS server on the collector's port with the collector's own server certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/mitm.key" -out "$WORK/mitm.pem" 2>/dev/null
run_bad() {  # run_bad MODE CERT KEY
  python3 "$HERE/bad_server.py" "$1" "$real_port" "$2" "$3" >> "$WORK/bad.log" 2>&1 &
  BAD_PID=$!
  wait_until 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$real_port" || fail "bad server did not start"
}
expect_error() {  # expect_error MODE CODE...
  local mode=$1; shift
  local want=("$@") got=""
  for _ in $(seq 150); do
    got=$(status_json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("last_error",{}).get("code",""))' 2>/dev/null || true)
    for w in "${want[@]}"; do [ "$got" = "$w" ] && { log "$mode -> $got"; return 0; }; done
    sleep 0.2
  done
  fail "$mode: last_error is '$got', want one of ${want[*]}"
}
for mode in html garbage error500 redirect; do
  run_bad "$mode" "$WORK/collector/server.pem" "$WORK/collector/server.key"
  ctl status >/dev/null 2>&1 || true
  expect_error "$mode" E_PROTOCOL E_HTTP_STATUS
  kill "$BAD_PID"; wait "$BAD_PID" 2>/dev/null || true
  kill -0 "$AGENT_PID" || fail "agent died on $mode"
done
run_bad html "$WORK/mitm.pem" "$WORK/mitm.key"
: > "$WORK/bad.log"
expect_error mitm E_TLS_PIN_MISMATCH
# Nothing was sent to the interceptor: the handshake failed before any request.
! grep -q REQUEST "$WORK/bad.log" || fail "agent sent a request through an untrusted server"
kill "$BAD_PID"; wait "$BAD_PID" 2>/dev/null || true
# Back-off: the agent must not hammer a failing collector (count requests over 5 s of 500s).
run_bad error500 "$WORK/collector/server.pem" "$WORK/collector/server.key"
: > "$WORK/bad.log"; sleep 5
reqs=$(grep -c 'REQUEST' "$WORK/bad.log" || true)
kill "$BAD_PID"; wait "$BAD_PID" 2>/dev/null || true
log "requests to a 500-loop server in 5 s: $reqs"
[ "$reqs" -le 15 ] || fail "agent does not back off: $reqs requests in 5 s"
AGENT_PORT=$real_port collector_start
wait_drained 120
check_ledger || fail "events lost after hostile collector"
log "PASS P4"
