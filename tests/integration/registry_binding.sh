#!/usr/bin/env bash
# Issue 11, seat registry: a school's IP allocation table imported as CSV (GBK, UTF-8 with BOM,
# Chinese headers); bad files (duplicate IP, bad MAC, gateway outside the subnet, unknown room)
# have every bad line reported and nothing written; an agent whose MAC is in the registry gets
# the entry's binding and naming values in its policy; rooms are first-class; the compliance
# report counts the terminals and flags the same MAC reported from two schools.
# Runs in its own network namespace (a veth NIC with the registered MAC, its own hostname),
# so the host's interfaces and name are never touched.
set -euo pipefail
if [ -z "${XIAOAN_IN_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespace)"; exit 77; }
  ns=xiaoan-reg-$$
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  # A veth pair inside the namespace: eth0 carries the registered MAC.
  ip -n "$ns" link add eth0 type veth peer name eth0p
  ip -n "$ns" link set eth0 address 02:00:5e:10:00:01
  ip -n "$ns" link set eth0p address 02:00:5e:10:00:fe
  ip -n "$ns" link set eth0p up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" addr add 10.20.1.11/24 dev eth0
  rc=0
  XIAOAN_IN_NETNS=1 ip netns exec "$ns" unshare -u bash "$0" || rc=$?
  exit $rc
fi
hostname lab1-pc01
source "$(dirname "$0")/lib.sh"

collector_init
collector_start
admin school add --id s1 --name 沙市中学 --abbr 沙中 > /dev/null
admin policy set --school s1 agent.checkin_interval_seconds=10 > /dev/null  # quick check-ins
admin rooms add --school s1 机房1 > /dev/null
admin rooms add --school s1 "机房 1" > "$WORK/dup-room.out" 2>&1 &&
  fail "a room differing only by a blank was accepted"
grep -q E_EXISTS "$WORK/dup-room.out" || fail "blank-only room: $(cat "$WORK/dup-room.out")"

# ---- bad files: every line reported, nothing written ----------------------------------------
cat > "$WORK/bad.csv" <<'CSV'
房间,座位号,使用人,MAC地址,IP地址,网关,DNS,命名规则
机房1,1,,02-00-5E-10-00-01,10.20.1.11/24,10.20.1.1,10.20.0.53,{room}-{seat:02}
机房1,2,,02-00-5E-10-00-0G,10.20.1.12/24,10.20.1.1,,
机房1,3,,02-00-5E-10-00-03,10.20.1.11/24,10.20.1.1,,
机房1,4,,02-00-5E-10-00-04,10.20.1.14/24,10.20.9.1,,
机房9,5,,02-00-5E-10-00-05,10.20.1.15/24,10.20.1.1,,
CSV
iconv -f UTF-8 -t GBK "$WORK/bad.csv" > "$WORK/bad-gbk.csv"
rc=0
admin --lang en registry import "$WORK/bad-gbk.csv" --school s1 > "$WORK/bad.out" 2> "$WORK/bad.err" || rc=$?
[ $rc -eq 2 ] || fail "bad GBK file: exit $rc, $(cat "$WORK/bad.out" "$WORK/bad.err")"
grep -q "encoding GB18030" "$WORK/bad.out" || fail "GBK not detected: $(cat "$WORK/bad.out")"
for want in "line 3 \[mac\]: malformed MAC" "line 4 \[ip\]: IP 10.20.1.11 duplicates line 2" \
            "line 5 \[gateway\]: gateway 10.20.9.1 is outside" "line 6 \[room\]: unknown room"; do
  grep -q "$want" "$WORK/bad.err" || fail "missing '$want' in: $(cat "$WORK/bad.err")"
done
[ "$(grep -c '^line ' "$WORK/bad.err")" -eq 4 ] || fail "not exactly 4 issues: $(cat "$WORK/bad.err")"
[ "$(db 'SELECT count(*) FROM registry_entries')" = 0 ] || fail "a bad file wrote entries"
# Chinese by default, and a UTF-8 file with BOM is read as such.
{ printf '\xef\xbb\xbf'; sed -n '1,3p' "$WORK/bad.csv"; } > "$WORK/bad-bom.csv"
rc=0
admin registry import "$WORK/bad-bom.csv" --school s1 > "$WORK/bom.out" 2> "$WORK/bom.err" || rc=$?
[ $rc -eq 2 ] && grep -q "UTF-8 (BOM)" "$WORK/bom.out" && grep -q "第 3 行 \[mac\]: MAC 地址" "$WORK/bom.err" ||
  fail "BOM file: exit $rc, $(cat "$WORK/bom.out" "$WORK/bom.err")"
[ "$(db 'SELECT count(*) FROM registry_entries')" = 0 ] || fail "a bad file wrote entries"
log "bad files refused with every line reported (GBK and UTF-8 BOM), nothing written"

# ---- a good GBK file: dry run, then the import --------------------------------------------
cat > "$WORK/good.csv" <<'CSV'
房间,座位号,使用人,MAC地址,IP地址,网关,DNS,命名规则
机房1,1,,02-00-5E-10-00-01,10.20.1.11/24,10.20.1.1,10.20.0.53;10.20.0.54,{room}-{seat:02}
机房1,2,,aabb.cc10.0002,10.20.1.12/24,10.20.1.1,10.20.0.53,
办公室,,李维,02:00:5e:10:00:09,10.20.2.20/24,10.20.2.1,,
CSV
iconv -f UTF-8 -t GBK "$WORK/good.csv" > "$WORK/good-gbk.csv"
admin --lang en registry import "$WORK/good-gbk.csv" --school s1 --dry-run > "$WORK/dry.out" 2>&1 &&
  admin --lang en registry import "$WORK/good-gbk.csv" --school s1 > "$WORK/dry.out" 2>&1 &&
  fail "unknown room 办公室 accepted without --create-rooms"
grep -q "unknown room" "$WORK/dry.out" || fail "unknown room not said: $(cat "$WORK/dry.out")"
admin --lang en registry import "$WORK/good-gbk.csv" --school s1 --create-rooms --dry-run > "$WORK/dry.out" 2>&1 ||
  fail "dry run: $(cat "$WORK/dry.out")"
grep -q "valid (dry run" "$WORK/dry.out" || fail "dry run: $(cat "$WORK/dry.out")"
[ "$(db 'SELECT count(*) FROM registry_entries')" = 0 ] || fail "the dry run wrote entries"
admin --lang en registry import "$WORK/good-gbk.csv" --school s1 --create-rooms > "$WORK/import.out" 2>&1 ||
  fail "import: $(cat "$WORK/import.out")"
[ "$(db 'SELECT count(*) FROM registry_entries')" = 3 ] || fail "import did not write 3 entries"
[ "$(db "SELECT mac FROM registry_entries WHERE seat = 2")" = aa:bb:cc:10:00:02 ] || fail "MAC not normalised"
admin registry list --school s1 --room 机房1 | grep -q "02:00:5e:10:00:01" || fail "registry list"
log "GBK file imported: $(cat "$WORK/import.out" | head -1)"

# ---- the agent with the registered MAC gets the entry in its policy -----------------------
agent_config "$(admin token create --school s1 --json | json_field secret)"
agent_start
wait_until 30 enrolled_and_connected || fail "agent did not enroll: $(status_json)"
wait_until 20 test "$(db "SELECT registry_mac FROM terminals")" = 02:00:5e:10:00:01 ||
  fail "terminal not matched to its entry: $(db 'SELECT id, macs, registry_mac FROM terminals')"
admin policy get --terminal s1/机房1/1 --effective > "$WORK/effective.json" 2>&1 ||
  fail "policy get by school/room/seat: $(cat "$WORK/effective.json")"
python3 - "$WORK/effective.json" <<'PY' || fail "effective policy lacks the entry: $(cat "$WORK/effective.json")"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["policy"]
b, n = p["binding"], p["naming"]
assert b["mac"] == "02:00:5e:10:00:01", b
assert b["ipv4"] == "10.20.1.11/24" and b["gateway"] == "10.20.1.1", b
assert b["dns"] == ["10.20.0.53", "10.20.0.54"], b
assert n["room"] == "机房1" and n["seat"] == 1 and n["pattern"] == "{room}-{seat:02}", n
assert n["school_abbr"] == "沙中", n
assert any(s["id"] == "registry/02:00:5e:10:00:01" for s in d["sources"]), d["sources"]
PY
admin policy get --terminal lab1-pc01 --effective > /dev/null || fail "policy get by hostname"
# The agent runs that policy (signed channel): its version is the one issued.
wait_until 30 test "$(status_field policy_version)" -gt 0 || fail "agent has no policy: $(status_json)"
log "agent matched by MAC; its policy carries binding and naming of 机房1 #1"

# The school turns binding and naming on (report only): the agent checks against its entry and
# reports at check-in; the collector stores the latest status. In this namespace there is no
# default route: gateway 10.20.1.1 is missing.
admin policy set --school s1 binding.enabled=true binding.mode=report naming.enabled=true \
  naming.action=report > "$WORK/policy-set.out" 2>&1 || fail "policy set: $(cat "$WORK/policy-set.out")"
violation_stored() { [ -n "$(db "SELECT kinds FROM terminal_compliance WHERE state = 3")" ]; }
wait_until 40 violation_stored ||
  fail "no violation stored: $(db 'SELECT state, kinds FROM terminal_compliance')"
admin compliance --school s1 --json > "$WORK/c0.json" || fail "compliance"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); t=d["total"]
kinds = {k["kind"] for k in t["by_kind"]}
assert t["violation"] == 1 and "VIOLATION_KIND_WRONG_GATEWAY" in kinds, t
o = d["offenders"][0]
assert o["category"] == "violation" and o["seat"] == 1 and "wrong gateway" in o["reason_en"], o' \
  "$WORK/c0.json" || fail "compliance after the check: $(cat "$WORK/c0.json")"
log "the agent's check (wrong gateway) is stored and counted: $(db 'SELECT kinds FROM terminal_compliance')"

# ---- rooms are first-class ------------------------------------------------------------------
tid=$(db "SELECT id FROM terminals")
admin terminals set-room s1/机房1/1 "机房 1" > "$WORK/setroom.out" 2>&1 &&
  fail "set-room to a blank-only variant accepted"
admin rooms delete --school s1 机房1 > "$WORK/del.out" 2>&1 && fail "a non-empty room was deleted"
admin rooms list --school s1 --json | python3 -c '
import json,sys; r={x["name"]: x for x in json.load(sys.stdin)["rooms"]}
assert r["机房1"]["terminals"] == 1 and r["机房1"]["entries"] == 2, r
assert r["办公室"]["entries"] == 1, r' || fail "rooms list"

# ---- export round trip -----------------------------------------------------------------------
admin registry export --school s1 --out "$WORK/export.csv" || fail "export"
[ "$(head -c 3 "$WORK/export.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "export has no BOM"
admin registry import "$WORK/export.csv" --school s1 --dry-run > /dev/null || fail "export does not import back"

# ---- compliance --------------------------------------------------------------------------------
admin compliance --school s1 --json > "$WORK/c1.json" || fail "compliance"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); t=d["total"]
assert t["terminals"] == 1 and t.get("unregistered", 0) == 0 and t.get("conflicts", 0) == 0, t
assert t["violation"] == 1, t' \
  "$WORK/c1.json" || fail "compliance s1: $(cat "$WORK/c1.json")"
# A second school's agent on the same NIC: its MAC is not in s2's registry (unregistered), and
# across schools the same MAC and IP are claimed twice (a cloned image).
agent_stop
admin school add --id s2 --name 二中 --abbr 二中 > /dev/null
agent_config "$(admin token create --school s2 --json | json_field secret)" 268435456 "$WORK/agent-state-2"
agent_start
wait_until 30 enrolled_and_connected || fail "second agent did not enroll: $(status_json)"
admin compliance --json > "$WORK/c2.json" || fail "compliance"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); t=d["total"]
assert t["terminals"] == 2 and t["unregistered"] == 1 and t["conflicts"] == 2, t
cats = sorted(o["category"] for o in d["offenders"])
assert cats == ["conflict", "violation"], cats
assert any("02:00:5e:10:00:01 also claimed" in o["reason_en"] for o in d["offenders"]), d' \
  "$WORK/c2.json" || fail "compliance across schools: $(cat "$WORK/c2.json")"
admin compliance --csv > "$WORK/c2.csv" || fail "compliance --csv"
grep -q "lab1-pc01" "$WORK/c2.csv" || fail "compliance csv: $(cat "$WORK/c2.csv")"
admin compliance | tee "$WORK/c2.txt" | grep -q "也被" || fail "compliance text: $(cat "$WORK/c2.txt")"
log "compliance: s1 clean; the same NIC in s2 is unregistered and both terminals are flagged"
agent_stop
collector_stop
echo "PASS registry_binding"
