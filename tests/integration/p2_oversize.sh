#!/usr/bin/env bash
# RELIABILITY P2: a 200 MB body, huge repeated fields, deep nesting and a gzip bomb are
# refused before the collector reads or decompresses past its cap; its RSS stays bounded and
# it keeps serving agents.
source "$(dirname "$0")/lib.sh"
start_enrolled_agent
ident=$WORK/agent-state/identity
mtls=(--cacert "$WORK/collector/ca.pem" --cert "$ident/agent.pem" --key "$ident/agent.key" -sS -o /dev/null -w '%{http_code}' --max-time 30)
url=https://127.0.0.1:$AGENT_PORT

code=$(head -c 200000000 /dev/zero | curl "${mtls[@]}" -H 'Content-Type: application/x-protobuf' \
  --data-binary @- "$url/v1/events" || true)
log "200 MB body -> $code"
[ "$code" = 413 ] || [ "$code" = 000 ] || fail "200 MB body answered $code"

# 3 MB of one repeated tiny field: under the byte cap but far over the event-count cap.
python3 -c 'import sys; sys.stdout.buffer.write(b"\x0a\x00" * 1500000)' > "$WORK/many.bin"
code=$(curl "${mtls[@]}" -H 'Content-Type: application/x-protobuf' --data-binary @"$WORK/many.bin" "$url/v1/events")
log "1.5M empty events -> $code"
[ "$code" = 400 ] || [ "$code" = 413 ] || fail "huge repeated field answered $code"

# Deeply nested length-delimited garbage.
python3 -c '
import sys
b = b""
for _ in range(20000):
    b = b"\x0a" + bytes([len(b) & 0x7f | (0x80 if len(b) > 127 else 0)]) + b[:100]
sys.stdout.buffer.write(b)' > "$WORK/deep.bin"
code=$(curl "${mtls[@]}" -H 'Content-Type: application/x-protobuf' --data-binary @"$WORK/deep.bin" "$url/v1/events")
log "nested garbage -> $code"
[ "$code" = 400 ] || fail "nested garbage answered $code"

# Gzip bomb: 1 GB of zeros compressed to ~1 MB, declared as gzip.
head -c 1000000000 /dev/zero | gzip -1 > "$WORK/bomb.gz"
code=$(curl "${mtls[@]}" -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: gzip' \
  --data-binary @"$WORK/bomb.gz" "$url/v1/events")
log "gzip bomb -> $code"
[ "$code" = 400 ] || [ "$code" = 413 ] || [ "$code" = 415 ] || fail "gzip bomb answered $code"

rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$COLLECTOR_PID/status)
log "collector peak RSS ${rss_kb} kB"
[ "$rss_kb" -lt 200000 ] || fail "collector peak RSS ${rss_kb} kB"
send_events 100 || fail "append failed"
wait_drained 30
check_ledger || fail "agent traffic disturbed"
log "PASS P2"
