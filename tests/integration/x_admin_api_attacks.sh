#!/usr/bin/env bash
# Issue 10, findings 8, 9 and 11 against the real collector: a 64 KB body of 32 000 nested
# arrays is refused at once and never stalls other admins; cross-site style POSTs (form or text
# Content-Type) are refused with 415 and no Basic challenge invites a browser prompt; only AEAD
# TLS suites on both listeners (openssl s_client); raw bytes are never echoed and bad display
# names are refused. xiaoan-admin keeps working throughout.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
collector_init
collector_start
url=https://127.0.0.1:$ADMIN_PORT
auth="admin:$(cat "$WORK/admin.pw")"
c=(curl -sS --cacert "$WORK/collector/ca.pem" -u "$auth" --max-time 20)
admin school add --id s1 --name "测试学校" --abbr T > /dev/null || fail "xiaoan-admin school add"

# ---- 8: deep JSON --------------------------------------------------------------------------
python3 -c 'import sys; n=32000; sys.stdout.write("{\"policy\":" + "["*n + "]"*n + "}")' > "$WORK/deep.json"
"${c[@]}" -o "$WORK/deep.out" -w '%{http_code} %{time_total}\n' -X PUT -H 'Content-Type: application/json' \
  --data-binary @"$WORK/deep.json" "$url/api/v1/policies/school/s1" > "$WORK/deep.code" &
deep_pid=$!
start=$(date +%s%N)
admin school list > /dev/null || fail "school list beside the deep request"
list_ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait $deep_pid || fail "deep request: curl failed"
read -r code secs < "$WORK/deep.code"
log "64 KB / 32 000 levels -> $code in ${secs}s; a school list beside it took ${list_ms} ms"
[ "$code" = 413 ] || fail "deep JSON answered $code: $(cat "$WORK/deep.out")"
grep -q '"E_TOO_LARGE"' "$WORK/deep.out" || fail "deep JSON: no E_TOO_LARGE"
[ "$list_ms" -lt 5000 ] || fail "school list took ${list_ms} ms beside the deep request"

# ---- 9: CSRF -------------------------------------------------------------------------------
for type in 'text/plain' 'application/x-www-form-urlencoded' 'multipart/form-data; boundary=x'; do
  code=$("${c[@]}" -o "$WORK/csrf.out" -w '%{http_code}' -H "Content-Type: $type" \
    --data-binary '{"id":"evil","name":"x"}' "$url/api/v1/schools")
  log "POST with Content-Type $type -> $code"
  [ "$code" = 415 ] || fail "POST as $type answered $code"
  grep -q '"E_PROTOCOL"' "$WORK/csrf.out" || fail "415 without E_PROTOCOL"
done
admin school list --json | grep -q '"evil"' && fail "a non-JSON POST created a school"
headers=$(curl -sS --cacert "$WORK/collector/ca.pem" -D - -o /dev/null "$url/api/v1/schools")
echo "$headers" | grep -q '^HTTP/1.1 401' || fail "no 401 without credentials"
echo "$headers" | grep -qi '^www-authenticate' && fail "401 still carries WWW-Authenticate"

# ---- 11: TLS suites ------------------------------------------------------------------------
handshake() {  # handshake PORT TLS12_CIPHER -> 0 when it succeeds
  openssl s_client -connect "127.0.0.1:$1" -tls1_2 -cipher "$2" -CAfile "$WORK/collector/ca.pem" \
    < /dev/null > "$WORK/s_client.out" 2>&1
}
for port in "$AGENT_PORT" "$ADMIN_PORT"; do
  for cbc in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256; do
    handshake "$port" "$cbc" && fail "port $port accepted $cbc"
  done
  handshake "$port" ECDHE-ECDSA-AES128-GCM-SHA256 || fail "port $port refused AES-GCM: $(tail -5 "$WORK/s_client.out")"
  handshake "$port" ECDHE-ECDSA-CHACHA20-POLY1305 || fail "port $port refused ChaCha20"
  openssl s_client -connect "127.0.0.1:$port" -tls1_3 -CAfile "$WORK/collector/ca.pem" \
    < /dev/null > "$WORK/s_client.out" 2>&1 || fail "port $port refused TLS 1.3"
  log "port $port: CBC suites refused, AEAD suites and TLS 1.3 accepted"
done

# ---- 11: echo and display names ------------------------------------------------------------
"${c[@]}" -o "$WORK/echo.out" "$url/api/v1/events?%FF%1B%5B31m%E2%80%AE%C0%AF=1"
printf '{"id":"s2","name":"\xff\x1b[31m"}' > "$WORK/bad.json"
"${c[@]}" -H 'Content-Type: application/json' --data-binary @"$WORK/bad.json" "$url/api/v1/schools" >> "$WORK/echo.out"
python3 - "$WORK/echo.out" <<'EOF' || fail "error answers echo raw bytes: $(cat -v "$WORK/echo.out")"
import json, sys
raw = open(sys.argv[1], 'rb').read()
text = raw.decode('utf-8')  # raises on invalid UTF-8
for line in text.splitlines():
    json.loads(line)
assert '\x1b' not in text and '\u202e' not in text, text
EOF
out=$(admin school add --id s3 --name $'实验\u202e小学' 2>&1) && fail "bidi override accepted in a school name"
log "bidi school name refused: $out"
echo "$out" | grep -q '学校名称不能包含改变文字方向的字符' || fail "no Chinese message: $out"
out=$(admin --lang en school add --id s3 --name 'a..b' 2>&1) && fail "'..' accepted in a school name"
echo "$out" | grep -q 'school name must not contain ".."' || fail "no English message: $out"
admin school list --json | grep -q '"s3"' && fail "a refused school was stored"
log "PASS x_admin_api_attacks"
