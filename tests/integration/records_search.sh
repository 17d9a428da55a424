#!/usr/bin/env bash
# Issue 12, collector side: browsing visits, seat sessions and harmful-site alerts stored from
# real uploads over mTLS (a test agent, xiaoan-records-feed), deduplicated by key, searched
# with the real xiaoan-admin over TLS (filters, Chinese, local Asia/Shanghai time, cursor
# pages, JSON, CSV with BOM); then retention with the clock moved 100 days forward (faketime):
# old rows deleted in batches while uploads go on, nothing younger touched, the audit record.
source "$(dirname "$0")/lib.sh"
command -v faketime > /dev/null || { echo "SKIP: faketime not installed"; exit 77; }
export TZ=Asia/Shanghai

collector_init
collector_start --retention-interval 0
admin school add --id s1 --name 沙市中学 --abbr 沙中 > /dev/null
admin rooms add --school s1 机房1 > /dev/null
TOKEN=$(admin token create --school s1 --json | json_field secret)
mkdir -p "$WORK/pc"
feed() { "$BIN/xiaoan-records-feed" "$@" --port "$AGENT_PORT" --ca "$WORK/collector/ca.pem"; }
feed enroll --token "$TOKEN" --mac 02:00:00:00:12:01 --hostname JF1-01 --out "$WORK/pc" \
  > /dev/null || fail "enroll"
TERMINAL=$(admin terminals list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["terminals"][0]["id"])')
admin terminals set-room "$TERMINAL" 机房1 > /dev/null || fail "set-room"

NOW=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# batch FILE SEQ EVENTS_JSON: one upload of the activity stream starting at SEQ.
visit() {  # KEY URL DOMAIN TITLE UNIX_SECONDS [USER]
  printf '{"key":"%s","user":"%s","browser":"BROWSER_KIND_CHROME","profile":"Default","url":"%s","domain":"%s","title":"%s","visit_time":"%s","transition":"VISIT_TRANSITION_LINK"}' \
    "$1" "${6:-student}" "$2" "$3" "$4" "$(iso "$5")"
}
event() {  # STREAM SEQ PAYLOAD_JSON
  local prio=PRIORITY_ACTIVITY; [ "$1" = security ] && prio=PRIORITY_SECURITY
  printf '{"stream":"%s","epoch":"7","seq":"%s","priority":"%s","wall_time":"%s",%s}' \
    "$1" "$2" "$prio" "$(iso "$NOW")" "$3"
}
send() { feed send --identity "$WORK/pc" --json "$1"; }

# A fixed visit at 2026-11-21 06:00:00 UTC = 14:00:00 in Asia/Shanghai.
FIXED=1795240800
V1=$(visit k1 "https://www.baidu.com/s?wd=作业" www.baidu.com "作业_百度搜索" $((NOW - 300)))
V2=$(visit k2 "https://baidu.com/" baidu.com "百度一下，你就知道" $((NOW - 200)))
V3=$(visit k3 "https://www.4399.com/flash/游戏.htm" www.4399.com "=4399小游戏" $FIXED lisi)
V4=$(visit k4 "https://notbaidu.com/" notbaidu.com "not it" $((NOW - 100)))
OPEN=$(printf '{"key":"sess1","user":"张三","uid":1001,"where":"seat0","boot_id":"b1","start":"%s"}' "$(iso $((NOW - 3600)))")
CLOSE=$(printf '{"key":"sess1","user":"张三","uid":1001,"where":"seat0","boot_id":"b1","start":"%s","end":"%s","end_reason":"SESSION_END_REASON_LOGOUT"}' "$(iso $((NOW - 3600)))" "$(iso $((NOW - 60)))")
ALERT=$(printf '{"category":"SITE_CATEGORY_GAMES","field":"SITE_MATCH_FIELD_DOMAIN","pattern":"4399.com","visit":%s}' "$V3")
printf '{"events":[%s,%s,%s]}' \
  "$(event activity 1 "\"browsing_visits\":{\"visits\":[$V1,$V2,$V3,$V4]}")" \
  "$(event activity 2 "\"seat_session\":$OPEN")" \
  "$(event security 1 "\"site_alert\":$ALERT")" > "$WORK/b1.json"
[ "$(send "$WORK/b1.json")" = "stored 3 duplicates 0" ] || fail "first upload"
# The same upload again (lost ack) and a re-read after a restore card (new seq, same keys).
[ "$(send "$WORK/b1.json")" = "stored 0 duplicates 3" ] || fail "resend not a duplicate"
printf '{"events":[%s,%s]}' \
  "$(event activity 3 "\"browsing_visits\":{\"visits\":[$V1,$V2,$V3,$V4]}")" \
  "$(event activity 4 "\"seat_session\":$CLOSE")" > "$WORK/b2.json"
[ "$(send "$WORK/b2.json")" = "stored 2 duplicates 0" ] || fail "re-read upload"
[ "$(db 'SELECT count(*) FROM browsing_visits')" = 4 ] || fail "re-read visits duplicated"
[ "$(db 'SELECT count(*) FROM seat_sessions WHERE end_time IS NOT NULL')" = 1 ] || fail "session not closed"
log "4 visits, 1 closed session, 1 alert stored; resends and re-reads added nothing"

# ---- searches through the admin API -------------------------------------------------------------
admin browsing search --domain baidu.com > "$WORK/s1.out" || fail "search"
grep -q "作业_百度搜索" "$WORK/s1.out" && grep -q "百度一下" "$WORK/s1.out" || fail "domain search: $(cat "$WORK/s1.out")"
grep -q notbaidu "$WORK/s1.out" && fail "notbaidu.com matched baidu.com"
grep -q "本页 2 条上网记录" "$WORK/s1.out" || fail "count line: $(cat "$WORK/s1.out")"
grep -q "沙中\|s1/机房1" "$WORK/s1.out" || fail "place missing: $(cat "$WORK/s1.out")"
admin browsing search --keyword 游戏 --terminal JF1-01 --school s1 --room 机房1 > "$WORK/s2.out" || fail "keyword search"
grep -q "2026-11-21 14:00:00" "$WORK/s2.out" || fail "not shown in Asia/Shanghai time: $(cat "$WORK/s2.out")"
grep -q "本页 1 条" "$WORK/s2.out" || fail "keyword search count: $(cat "$WORK/s2.out")"
admin --lang en browsing search --account lisi > "$WORK/s3.out" || fail "user search"
grep -q "1 visits on this page" "$WORK/s3.out" || fail "English output: $(cat "$WORK/s3.out")"

# Pages of 3: the first names a cursor, the second has the rest, nothing twice.
admin --json browsing search --limit 3 > "$WORK/p1.json" || fail "page 1"
CURSOR=$(json_field next_cursor < "$WORK/p1.json")
[ -n "$CURSOR" ] || fail "no cursor after a full page"
admin --json browsing search --limit 3 --cursor "$CURSOR" > "$WORK/p2.json" || fail "page 2"
python3 - "$WORK/p1.json" "$WORK/p2.json" <<'PY' || fail "pages"
import json, sys
p1, p2 = (json.load(open(f)) for f in sys.argv[1:])
keys = [v["visit"]["key"] for v in p1["visits"] + p2["visits"]]
assert sorted(keys) == ["k1", "k2", "k3", "k4"], keys
times = [v["visit"]["visit_time"] for v in p1["visits"] + p2["visits"]]
assert times == sorted(times, reverse=True), times
assert not p2.get("next_cursor"), p2
PY
admin browsing search --cursor 00ff > "$WORK/bad.out" 2>&1 && fail "a forged cursor was accepted"
grep -q E_INVALID_ARGUMENT "$WORK/bad.out" || fail "bad cursor: $(cat "$WORK/bad.out")"

# CSV: UTF-8 with BOM, Chinese intact, a formula-looking title defused.
admin browsing search --csv > "$WORK/v.csv" || fail "csv"
[ "$(head -c 3 "$WORK/v.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM"
python3 - "$WORK/v.csv" <<'PY' || fail "csv content"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
assert rows[0][:3] == ["访问时间", "学校", "机房"], rows[0]
assert len(rows) == 5, rows
titles = {r[11] for r in rows[1:]}
assert "作业_百度搜索" in titles and "'=4399小游戏" in titles, titles
assert all(r[2] == "机房1" and r[4] == "JF1-01" for r in rows[1:]), rows
PY

admin sessions list --school s1 > "$WORK/sess.out" || fail "sessions list"
grep -q "张三" "$WORK/sess.out" && grep -q "注销" "$WORK/sess.out" || fail "sessions: $(cat "$WORK/sess.out")"
admin sessions list --csv > "$WORK/sess.csv" || fail "sessions csv"
[ "$(head -c 3 "$WORK/sess.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "sessions csv BOM"
admin alerts list --category games > "$WORK/al.out" || fail "alerts list"
grep -q "游戏" "$WORK/al.out" && grep -q "4399.com" "$WORK/al.out" || fail "alerts: $(cat "$WORK/al.out")"
[ "$(admin --json alerts list --category gambling | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("alerts",[])))')" = 0 ] ||
  fail "category filter"
log "search, pages, JSON, CSV (BOM), sessions and alerts as expected"

# ---- retention with the clock 100 days on ------------------------------------------------------
# Visits (90 days), the session (60) and activity events (90) are past their limit then; the
# alert and security events (180) are not; visits uploaded "now" (+100 days) are younger.
collector_stop
FAKE=(faketime -f "+100d")
"${FAKE[@]}" "$BIN/xiaoan-collector" serve --data-dir "$WORK/collector" --retention-interval 0 \
  --agent-listen "127.0.0.1:$AGENT_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
  > "$WORK/collector.out" 2>> "$WORK/collector.log" &
COLLECTOR_PID=$!
wait_until 20 grep -q 'admin api listening' "$WORK/collector.out" || fail "collector under faketime"
LATER=$((NOW + 100 * 86400))
seq=10
upload_new() {
  for i in 1 2 3 4 5 6; do
    seq=$((seq + 1))
    printf '{"events":[%s]}' "$(event activity $seq "\"browsing_visits\":{\"visits\":[$(visit "new$i" "https://new.cn/$i" new.cn "新的 $i" $LATER)]}")" \
      > "$WORK/new$i.json"
    "${FAKE[@]}" "$BIN/xiaoan-records-feed" send --identity "$WORK/pc" --json "$WORK/new$i.json" \
      --port "$AGENT_PORT" --ca "$WORK/collector/ca.pem" > /dev/null || return 1
  done
}
upload_new & UPLOADER=$!
"${FAKE[@]}" "$BIN/xiaoan-collector" retention run --data-dir "$WORK/collector" --batch 1 --json \
  > "$WORK/ret.json" || fail "retention run"
wait "$UPLOADER" || fail "uploads beside the retention pass"
python3 - "$WORK/ret.json" <<'PY' || fail "retention report: $(cat "$WORK/ret.json")"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["tables"]
assert t["browsing_visits"]["deleted"] == 4, t
assert t["seat_sessions"]["deleted"] == 1, t
assert t["site_alerts"]["deleted"] == 0 and t["security_events"]["deleted"] == 0, t
assert t["activity_events"]["deleted"] == 4, t  # the 4 uploads of the first day
assert r["transactions"] >= 9, r  # one row per transaction (--batch 1)
PY
[ "$(db "SELECT count(*) FROM browsing_visits WHERE key LIKE 'new%'")" = 6 ] || fail "young visits touched"
[ "$(db 'SELECT count(*) FROM browsing_visits')" = 6 ] || fail "old visits left"
[ "$(db 'SELECT count(*) FROM site_alerts')" = 1 ] || fail "alert deleted before 180 days"
[ "$(db "SELECT count(*) FROM events WHERE stream = 'security'")" = 1 ] || fail "security event deleted"
db "SELECT admin, detail FROM admin_audit WHERE action = 'retention.run'" > "$WORK/audit.out"
grep -q '^xiaoan-collector|.*"browsing_visits":4' "$WORK/audit.out" || fail "audit: $(cat "$WORK/audit.out")"
log "retention: old rows deleted one per transaction beside uploads, younger rows kept, audited"
echo PASS
