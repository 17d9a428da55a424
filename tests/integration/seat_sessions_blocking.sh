#!/usr/bin/env bash
# Issue 12: lab seat sessions and site blocking with a real agent and collector.
# - A real user (useradd) logs in through login(1) on a pseudo-terminal and out again: the
#   agent reports the session open, then closed with the logout time login(1) wrote to wtmp;
#   the collector has both records.
# - A policy with a blocked category: the agent (in its own mount namespace with an overlay
#   over /etc, so the host's browsers are never touched) writes the Chromium-family and Firefox
#   managed-policy files with exactly the expected JSON (python3 -m json.tool reads them); when
#   the category goes back to alert-only the files are gone; status shows the coverage.
source "$(dirname "$0")/lib.sh"
require_root
STU=xast$$
CREATED_UTMP=0
cleanup_users() {
  userdel -r "$STU" >/dev/null 2>&1 || true
  [ "$CREATED_UTMP" = 1 ] && rm -f /run/utmp
  return 0
}
trap 'rc=$?; cleanup_users; (exit $rc); cleanup' EXIT
# A booted system has /run/utmp (systemd-update-utmp creates it); a bare CI container may not.
if [ ! -e /run/utmp ]; then
  touch /run/utmp && chmod 664 /run/utmp && CREATED_UTMP=1
fi
useradd -m -s /bin/sh "$STU"

collector_init
collector_start --checkin-interval 10
agent_config "$(make_token s1)"
agent_start_etc_overlay :
wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
TID=$(status_field terminal_id)
at_collector() {  # at_collector TYPE PATTERN
  admin events list --type "$1" --terminal "$TID" --limit 500 --json 2>/dev/null | grep -q "$2"
}

# ---- seat session: a real login on a pseudo-terminal, held past one agent poll (10 s)
log "login -f $STU"
(sleep 12; echo exit) | timeout 40 script -qfec "login -f $STU" /dev/null > "$WORK/login.out" 2>&1 ||
  fail "login failed: $(cat "$WORK/login.out")"
wait_until 30 at_collector seat_session SESSION_END_REASON_LOGOUT ||
  fail "no closed session at the collector: $(admin events list --type seat_session --terminal "$TID" --json 2>&1 | tail -5)"
admin events list --type seat_session --terminal "$TID" --limit 50 --json > "$WORK/sessions.json"
python3 - "$WORK/sessions.json" "$STU" <<'PY' || fail "session records wrong: $(cat "$WORK/sessions.json")"
import json, sys
from datetime import datetime
doc = json.load(open(sys.argv[1]))
events = doc["events"] if isinstance(doc, dict) else doc
mine = [json.loads(e["payload_json"]) for e in events if e["type"] == "seat_session"]
mine = [s for s in mine if s.get("user") == sys.argv[2]]
opened = [s for s in mine if "end" not in s]
closed = [s for s in mine if "end" in s]
assert len(opened) == 1 and len(closed) == 1, mine
o, c = opened[0], closed[0]
assert o["key"] == c["key"] and len(o["key"]) == 32, (o, c)
assert o["where"].startswith("pts/"), o
assert c["end_reason"] == "SESSION_END_REASON_LOGOUT", c
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
held = (t(c["end"]) - t(c["start"])).total_seconds()
assert 10 <= held <= 30, held
PY
log "seat session recorded open and closed"

# ---- blocking: a gambling category in block mode
CHROME=etc-upper/opt/chrome/policies/managed/xiaoan-site-block.json
CHROMIUM=etc-upper/chromium/policies/managed/xiaoan-site-block.json
EDGE=etc-upper/opt/edge/policies/managed/xiaoan-site-block.json
FIREFOX=etc-upper/firefox/policies/policies.json
policy_version() { local v; v=$(status_field policy_version); echo "${v:-0}"; }
policy_newer() { [ "$(policy_version)" -gt "$1" ]; }
set_rules() {  # set_rules BLOCK(true|false)
  local before; before=$(policy_version)
  admin policy set --school s1 \
    "browsing.site_rules=[{\"category\":\"SITE_CATEGORY_GAMBLING\",\"domains\":[\"bet.example\",\"WWW.Lottery.example\"],\"url_keywords\":[\"casino\"],\"block\":$1}]" \
    > "$WORK/policy.out" 2>&1 || fail "policy set: $(cat "$WORK/policy.out")"
  wait_until 30 policy_newer "$before" || fail "policy (block=$1) did not arrive"
}
set_rules true
wait_until 10 test -f "$WORK/$FIREFOX" || fail "no Firefox policy written: $(tail -5 "$WORK/agent.log")"
for f in "$CHROME" "$CHROMIUM" "$EDGE"; do
  python3 -m json.tool "$WORK/$f" > /dev/null || fail "$f is not JSON"
  [ "$(cat "$WORK/$f")" = '{"URLBlocklist":["bet.example","www.lottery.example"]}' ] ||
    fail "$f: $(cat "$WORK/$f")"
  [ "$(stat -c %a "$WORK/$f")" = 644 ] || fail "$f mode $(stat -c %a "$WORK/$f")"
done
python3 -m json.tool "$WORK/$FIREFOX" > /dev/null || fail "Firefox policy is not JSON"
[ "$(cat "$WORK/$FIREFOX")" = '{"policies":{"WebsiteFilter":{"Block":["*://bet.example/*","*://*.bet.example/*","*://www.lottery.example/*","*://*.www.lottery.example/*"]}}}' ] ||
  fail "Firefox policy: $(cat "$WORK/$FIREFOX")"
[ ! -e /etc/opt/chrome/policies/managed/xiaoan-site-block.json ] || fail "the host's /etc was written"
status_json | python3 -c '
import json, sys
b = json.load(sys.stdin)["browsing"]
assert b["blocked_domains"] == 2, b
cov = {c["browser"]: c for c in b["coverage"]}
assert set(cov) == {"BROWSER_KIND_CHROME", "BROWSER_KIND_CHROMIUM", "BROWSER_KIND_EDGE", "BROWSER_KIND_FIREFOX"}, cov
assert all(c.get("covered") for c in cov.values()), cov
' || fail "status coverage wrong: $(status_json)"
ctl status > "$WORK/status.txt" || true
grep -q '网站拦截' "$WORK/status.txt" || fail "zh status lacks the blocking line: $(cat "$WORK/status.txt")"

set_rules false
wait_until 10 test ! -e "$WORK/$FIREFOX" || fail "Firefox policy not removed"
for f in "$CHROME" "$CHROMIUM" "$EDGE"; do [ ! -e "$WORK/$f" ] || fail "$f not removed"; done
log "PASS seat sessions and site blocking"
