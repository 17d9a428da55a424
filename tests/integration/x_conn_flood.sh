#!/usr/bin/env bash
# Issue 10 finding 3 (admin lock-out without credentials) against the real collector with its
# default limits, on loopback (the whole 127/8 is local, so 127.0.0.2 is "another machine"):
#  A. 200 idle sockets from 127.0.0.1 on the admin port: an admin from 127.0.0.2 is answered at
#     once; 127.0.0.1 keeps 8 (the per-address cap), the rest are closed at once, the 8 are cut
#     within the 5 s handshake deadline; the agent port is not affected.
#  B. 2000 idle sockets from 127.0.0.1 on the agent port: admins (even from 127.0.0.1) and
#     agents from 127.0.0.2 are answered at once; 127.0.0.1 keeps 256, cut within the deadline.
#  C. 2000 TLS connections from 8 addresses (each under its cap) on the agent port, then closed:
#     the resident memory at the peak (at most 100 KiB a connection: the caps bound it) and
#     back within 16 MiB of where it was afterwards (it used to stay at the peak).
source "$(dirname "$0")/lib.sh"
FLOOD=$HERE/conn_flood.py
collector_init
collector_start
admin school add --id s1 --name "测试学校" --abbr T > /dev/null || fail "xiaoan-admin school add"
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$COLLECTOR_PID/status"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# admin_from SRC -> prints "HTTP_CODE MS" for an authenticated school list from SRC.
admin_from() {
  local t0 code; t0=$(now_ms)
  code=$(curl -sS -o /dev/null -w '%{http_code}' --interface "$1" --max-time 10 \
    --cacert "$WORK/collector/ca.pem" -u "admin:$(cat "$WORK/admin.pw")" \
    "https://127.0.0.1:$ADMIN_PORT/api/v1/schools" 2>/dev/null) || code=000
  echo "$code $(( $(now_ms) - t0 ))"
}
# agent_from SRC -> "HTTP_CODE MS" for a check-in without a certificate (401 when served).
agent_from() {
  local t0 code; t0=$(now_ms)
  code=$(curl -sS -o /dev/null -w '%{http_code}' --interface "$1" --max-time 10 \
    --cacert "$WORK/collector/ca.pem" -X POST "https://127.0.0.1:$AGENT_PORT/v1/checkin" \
    2>/dev/null) || code=000
  echo "$code $(( $(now_ms) - t0 ))"
}
expect_fast() {  # expect_fast WHAT WANT_CODE "CODE MS"
  local code=${3% *} ms=${3#* }
  log "$1 -> $code in $ms ms"
  [ "$code" = "$2" ] || fail "$1 answered $code, want $2"
  [ "$ms" -lt 2000 ] || fail "$1 took $ms ms"
}
# start_hold NAME PORT SRC COUNT SECONDS: the flood in the background, waits until connected.
start_hold() {
  python3 "$FLOOD" hold "$2" "$3" "$4" "$5" > "$WORK/$1.out" 2>&1 &
  EXTRA_PIDS+=($!)
  EXTRA_LOGS+=("$WORK/$1.out")
  wait_until 30 grep -q ready "$WORK/$1.out" || fail "$1: the flood did not connect"
  sleep 0.3  # the collector accepts (and refuses) the backlog
}
# check_hold NAME HELD: HELD connections kept and cut within the deadline, the rest refused.
check_hold() {
  local name=$1 held=$2 result count
  wait_until 30 grep -q refused= "$WORK/$name.out" || fail "$name: the flood did not finish"
  result=$(grep refused= "$WORK/$name.out")
  count=$(sed -n 's/^ready connected=//p' "$WORK/$name.out")
  log "$name: $count sockets: $result"
  [[ $result == "refused=$((count - held)) cut=$held open=0 "* ]] || fail "$name: unexpected: $result"
  local last=${result##*max_cut_ms=}
  [ "$last" -le 6500 ] || fail "$name: idle sockets held for $last ms (deadline 5 s)"
}

rss0=$(rss_kb)
# ---- A: the admin port ---------------------------------------------------------------------
start_hold admin_flood "$ADMIN_PORT" 127.0.0.1 200 9
expect_fast "admin from 127.0.0.2 during 200 idle admin sockets" 200 "$(admin_from 127.0.0.2)"
expect_fast "agent port from 127.0.0.1 during 200 idle admin sockets" 401 "$(agent_from 127.0.0.1)"
check_hold admin_flood 8
expect_fast "admin from 127.0.0.1 after its flood" 200 "$(admin_from 127.0.0.1)"

# ---- B: the agent port ---------------------------------------------------------------------
start_hold agent_flood "$AGENT_PORT" 127.0.0.1 2000 9
expect_fast "admin from 127.0.0.1 during 2000 idle agent sockets" 200 "$(admin_from 127.0.0.1)"
expect_fast "agent port from 127.0.0.2 during 2000 idle agent sockets" 401 "$(agent_from 127.0.0.2)"
check_hold agent_flood 256

# ---- C: memory -----------------------------------------------------------------------------
sleep 3
rss1=$(rss_kb)
mkfifo "$WORK/tls.in"
python3 "$FLOOD" tls "$AGENT_PORT" "$WORK/collector/ca.pem" 2000 127.0.0.{11..18} \
  < "$WORK/tls.in" > "$WORK/tls.out" 2>&1 &
EXTRA_PIDS+=($!)
EXTRA_LOGS+=("$WORK/tls.out")
exec 7> "$WORK/tls.in"
wait_until 60 grep -q ready "$WORK/tls.out" || fail "the TLS flood did not finish its handshakes"
peak=$(rss_kb)
expect_fast "admin from 127.0.0.2 during 2000 TLS agent connections" 200 "$(admin_from 127.0.0.2)"
echo >&7
exec 7>&-
wait_until 20 grep -q closed "$WORK/tls.out" || fail "the TLS flood did not close"
sleep 5  # sessions end, then the heap check (every 2 s) gives the memory back
rss2=$(rss_kb)
log "RSS: start ${rss0} kB, before the TLS flood ${rss1} kB, $(grep ready "$WORK/tls.out" | cut -d' ' -f2-) peak ${peak} kB, after ${rss2} kB"
grep -q 'handshaken=2000 failed=0' "$WORK/tls.out" || fail "TLS flood: $(cat "$WORK/tls.out")"
per_conn=$(( (peak - rss1) / 2000 ))
log "about $per_conn kB a TLS connection"
[ "$per_conn" -le 100 ] || fail "2000 TLS connections took the RSS to $peak kB ($per_conn kB each)"
[ "$rss2" -lt $((rss1 + 16 * 1024)) ] || fail "memory not returned: ${rss2} kB after, ${rss1} kB before"
kill -0 "$COLLECTOR_PID" || fail "collector died"
log "PASS x_conn_flood"
