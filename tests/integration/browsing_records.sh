#!/usr/bin/env bash
# Issue 12, agent side: a real local user (useradd) with a Chromium-layout History in their
# home, built with the sqlite3 CLI. The agent reads it (at shutdown too), sends the visits and a
# harmful-site alert for a listed domain to the collector, where they are stored as events
# (browsing_visits, site_alert, browsing_history) and the visits stored as records (xiaoan-admin
# browsing search); a second read sends and stores only the new visit.
source "$(dirname "$0")/lib.sh"
source "$HERE/scan_lib.sh"
require_root
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 CLI not installed"; exit 77; }
command -v useradd >/dev/null || { echo "SKIP: useradd not available"; exit 77; }

U="xabr$$"
trap 'rc=$?; userdel -r "$U" >/dev/null 2>&1 || true; (exit $rc); cleanup' EXIT

collector_init
collector_start
token=$(make_token s1)
admin policy set --school s1 agent.checkin_interval_seconds=10 \
  'browsing.site_rules=[{"category":"SITE_CATEGORY_GAMBLING","domains":["bet.com"],"title_keywords":["赌博"]}]' \
  > "$WORK/policy.out" 2>&1 || fail "policy set: $(cat "$WORK/policy.out")"
agent_config "$token"
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
await_policy_newer 0 30

useradd -m -d "$WORK/home/$U" -s /bin/sh "$U" || fail "useradd"
profile="$WORK/home/$U/.config/google-chrome/Default"
mkdir -p "$profile"
# Chrome time: µs since 1601. 13410000000000000 = 2025-12-12T08:00:00Z.
sqlite3 "$profile/History" <<'SQL'
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES('version','70');
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL,
  visit_time INTEGER NOT NULL, from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL,
  segment_id INTEGER, visit_duration INTEGER DEFAULT 0 NOT NULL, originator_cache_guid TEXT);
CREATE TABLE visit_source(id INTEGER PRIMARY KEY, source INTEGER NOT NULL);
INSERT INTO urls(id,url,title,last_visit_time) VALUES
  (1,'https://www.baidu.com/s?wd=作业','作业帮 - 百度搜索',13410000000000000),
  (2,'https://www.bet.com/casino','Online casino',13410000060000000),
  (3,'https://ads.example.cn/frame','ad',13410000061000000);
INSERT INTO visits(url,visit_time,transition,visit_duration) VALUES
  (1,13410000000000000,1,5000000),
  (2,13410000060000000,0,0),
  (3,13410000061000000,3,0);
SQL
chown -R "$U:$U" "$WORK/home/$U"

# The read at shutdown; the events go up after the restart.
agent_stop
agent_start
await_event_count 30 browsing_visits 1
# stored_visits EXPR: how many visits stored at the collector (xiaoan-admin browsing search,
# newest first) satisfy EXPR over v (the visit) and all (every stored visit).
stored_visits() {
  admin --json browsing search --terminal "$(status_field terminal_id)" --limit 100 |
    python3 -c '
import json,sys
all = [r["visit"] for r in json.load(sys.stdin).get("visits", [])]
print(sum(1 for v in all if eval(sys.argv[1])))' "$1"
}
[ "$(stored_visits 'len(all) == 2 and v["title"] == "作业帮 - 百度搜索" and v["user"] == "'"$U"'" and v["browser"] == "BROWSER_KIND_CHROME" and v["domain"] == "www.baidu.com" and v["transition"] == "VISIT_TRANSITION_TYPED" and int(v["duration_ms"]) == 5000 and v["visit_time"] == "2025-12-12T08:00:00Z" and len(v["key"]) == 32')" -eq 1 ] ||
  fail "visits at the collector: $(admin --json browsing search --limit 100)"
await_event_count 10 site_alert 1
[ "$(event_count site_alert 'p["category"] == "SITE_CATEGORY_GAMBLING" and p["field"] == "SITE_MATCH_FIELD_DOMAIN" and p["pattern"] == "bet.com" and p["visit"]["url"] == "https://www.bet.com/casino"')" -eq 1 ] ||
  fail "site alert at the collector: $(events_json site_alert)"
await_event_count 10 browsing_history 1
[ "$(event_count browsing_history 'p["kind"] == "KIND_PROFILE_FOUND" and p["profile"] == "Default"')" -eq 1 ] ||
  fail "profile found event: $(events_json browsing_history)"
status_json | python3 -c 'import json,sys; b=json.load(sys.stdin)["browsing"]; assert b["enabled"] and int(b["profiles"]) == 1, b' ||
  fail "status browsing: $(status_json)"

# One more visit: only it is sent (the cursor survived the restart).
sqlite3 "$profile/History" "INSERT INTO urls(id,url,title,last_visit_time) VALUES(4,'https://news.cn/','新闻',13410000120000000); INSERT INTO visits(url,visit_time,transition) VALUES(4,13410000120000000,1);"
agent_stop
agent_start
await_event_count 30 browsing_visits 2
[ "$(stored_visits 'len(all) == 3 and v["url"] == "https://news.cn/" and v == all[0]')" -eq 1 ] ||
  fail "second read: $(admin --json browsing search --limit 100)"
[ "$(event_count browsing_visits)" -eq 2 ] ||
  fail "visits sent twice: $(events_json browsing_visits)"
log "PASS browsing_records: visits of a real user's History stored at the collector, alert raised, no repeats"
