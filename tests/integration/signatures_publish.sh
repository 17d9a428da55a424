#!/usr/bin/env bash
# Issue 4, "signatures publish" with a real collector, xiaoan-admin and an enrolled agent:
# a bundle that compiles is published as version 1; a bundle with two files that do not
# compile is rejected as a whole (exit 2, both file:line errors, nothing published, no version
# taken); the next good bundle is version 2, also after a collector restart. From the next
# check-in on, the signed content targets name the latest bundle (checked in an exported
# offline bundle) and an agent that does not load signatures yet keeps applying its updates.
source "$(dirname "$0")/lib.sh"
FORGE=$BIN/xiaoan-trust-forge

start_enrolled_agent --checkin-interval 10
term=$(status_field terminal_id)
[ -n "$term" ] || fail "no terminal id in status: $(status_json)"

# rule_file DIR/NAME TEXT
rule_file() { mkdir -p "$(dirname "$1")"; printf '%b' "$2" > "$1"; }
versions() {
  admin signatures list --json | python3 -c '
import json,sys; print(" ".join(str(b["version"]) for b in json.load(sys.stdin).get("bundles",[])))'
}
# offered_signatures: the SIGNATURES artifact version the terminal's content targets name now.
offered_signatures() {
  admin bundle export --terminal "$term" --out "$WORK/export.pb" > "$WORK/export.out" 2>&1 ||
    fail "bundle export: $(cat "$WORK/export.out")"
  "$FORGE" info --bundle --in "$WORK/export.pb" | python3 -c '
import json,sys
def walk(x):
    if isinstance(x, dict):
        if x.get("kind") == "ARTIFACT_KIND_SIGNATURES": yield x
        for v in x.values(): yield from walk(v)
    elif isinstance(x, list):
        for v in x: yield from walk(v)
found = [a for line in sys.stdin for a in walk(json.loads(line))]
print(found[0]["version"] if found else 0)'
}

R=$WORK/rules
rule_file "$R/v1/eicar.yar" 'rule eicar_test {\n  strings:\n    $a = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"\n  condition:\n    $a\n}\n'
rule_file "$R/v1/miner/xmrig.yara" 'rule xmrig_config {\n  strings:\n    $a = "\\"donate-level\\""\n  condition:\n    $a\n}\n'
rule_file "$R/v1/README.md" 'not a rule file\n'
[ "$(offered_signatures)" = 0 ] || fail "a bundle is offered before any was published"

admin signatures publish "$R/v1" --description "第一版" > "$WORK/p1.out" 2>&1 ||
  fail "publish v1: $(cat "$WORK/p1.out")"
grep -q '已发布特征库版本 1：2 条规则，2 个文件' "$WORK/p1.out" || fail "publish v1 output: $(cat "$WORK/p1.out")"
[ "$(versions)" = 1 ] || fail "signatures list after v1: $(versions)"
log "published: $(cat "$WORK/p1.out" | head -n 1)"

# Two broken files beside a good one: the whole bundle is rejected with both locations.
rule_file "$R/broken/a_good.yar" 'rule fine { condition: true }\n'
rule_file "$R/broken/b_bad.yar" 'rule b {\n  condition:\n    no_such_identifier\n}\n'
rule_file "$R/broken/sub/c_bad.yar" 'rule c {\n  strings:\n    $x = "x"\n  condition:\n    $x and\n}\n'
set +e
admin signatures publish "$R/broken" > "$WORK/broken.out" 2> "$WORK/broken.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "broken bundle: exit $rc, want 2: $(cat "$WORK/broken.out" "$WORK/broken.err")"
grep -q '^E_RULES_INVALID' "$WORK/broken.err" || fail "no E_RULES_INVALID: $(cat "$WORK/broken.err")"
grep -q '^b_bad\.yar:3: .*no_such_identifier' "$WORK/broken.err" || fail "b_bad.yar:3 missing: $(cat "$WORK/broken.err")"
grep -q '^sub/c_bad\.yar:[56]: ' "$WORK/broken.err" || fail "sub/c_bad.yar missing: $(cat "$WORK/broken.err")"
[ "$(versions)" = 1 ] || fail "the broken bundle was published: $(versions)"
log "broken bundle rejected: $(tr '\n' '|' < "$WORK/broken.err")"

# The rejected bundle took no version; versions survive a restart.
rule_file "$R/v2/eicar.yar" "$(cat "$R/v1/eicar.yar")"
rule_file "$R/v2/ransom_note.yar" 'rule ransom_note {\n  strings:\n    $a = "YOUR FILES HAVE BEEN ENCRYPTED" nocase\n  condition:\n    $a\n}\n'
admin --lang en signatures publish "$R/v2" > "$WORK/p2.out" 2>&1 || fail "publish v2: $(cat "$WORK/p2.out")"
grep -q '^published signature bundle version 2: 2 rules' "$WORK/p2.out" || fail "publish v2 output: $(cat "$WORK/p2.out")"
[ "$(versions)" = "2 1" ] || fail "signatures list after v2: $(versions)"
[ "$(offered_signatures)" = 2 ] || fail "content targets do not name bundle 2"
collector_stop
collector_start --checkin-interval 10
[ "$(versions)" = "2 1" ] || fail "signatures list after a restart: $(versions)"
admin signatures list > "$WORK/list.out" 2>&1
grep -q '共 2 个特征库版本' "$WORK/list.out" || fail "signatures list text: $(cat "$WORK/list.out")"

# The agent (which does not load bundles yet or does by now) keeps taking its updates: it checks
# in after the targets changed and reports no rejection; terminals list has the bundle column.
before=$(date +%s)
wait_until 40 python3 -c '
import calendar,json,subprocess,sys,time
d=json.loads(subprocess.run(sys.argv[1:], capture_output=True, text=True).stdout or "{}")
t=d.get("last_checkin") or ""
sys.exit(0 if t and calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) > '"$before"' else 1)' \
  "$BIN/xiaoanctl" --socket "$WORK/agent.sock" --config "$WORK/agent.json" status --json ||
  fail "agent did not check in after the publish: $(status_json)"
status_json | python3 -c '
import json,sys; d=json.load(sys.stdin); c=d.get("content") or {}
r=(c.get("last_rejection") or {}).get("code")
sys.exit(1 if r else 0)' || fail "agent rejected an update: $(status_json)"
admin terminals list > "$WORK/terminals.out" 2>&1 || fail "terminals list: $(cat "$WORK/terminals.out")"
grep -q '特征库版本' "$WORK/terminals.out" || fail "terminals list has no bundle column: $(cat "$WORK/terminals.out")"
log "PASS signatures publish: v1, broken bundle rejected (exit 2, both files), v2 offered to $term"
