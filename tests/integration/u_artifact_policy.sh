#!/usr/bin/env bash
# RELIABILITY U1 (tampered artifact) and U12 (invalid policy: the whole policy is rejected and
# the last good one kept), over the network and through an offline bundle (xiaoanctl
# apply-bundle): a tampered bundle is rejected, a genuine one applies even though its timestamp
# expired meanwhile (freshness is waived offline, signatures and versions are not).
source "$(dirname "$0")/lib.sh"
TS_TTL=20
source "$(dirname "$0")/lib_trust.sh"
trust_one_agent

# U1: the mirror flips one byte of every artifact body while the collector offers a new policy.
mirror_mode a "artifact flip"
school_policy s1 agent.checkin_interval_seconds=11
await_rejection a 30 E_ARTIFACT_HASH
expect_policy a "$v0" 10
ls "$WORK/a/state/content/sha256" 2>/dev/null | grep -v '\.part$' > "$WORK/stored.txt" || true
for h in $(cat "$WORK/stored.txt"); do
  [ "$(sha256sum < "$WORK/a/state/content/sha256/$h" | cut -c1-64)" = "$h" ] ||
    fail "the agent stored artifact $h under a name that is not its hash"
done
await_event 30 E_ARTIFACT_HASH "$term_a"
mirror_mode a
await a 30 "int(d['policy_version']) > $v0 and d['checkin_interval_seconds'] == 11"
v1=$(policy_version a)
log "U1: tampered artifact rejected, the genuine one applied as v$v1"

# U12: correctly signed metadata naming a policy that breaks the rules (one valid change, one
# out of range): nothing of it applies.
cat > "$WORK/invalid.json" <<'JSON'
{"agent": {"checkin_interval_seconds": 25}, "scan": {"cpu_percent": 500}}
JSON
reissue="reissue --content-key $KEYS/keys/content.key --timestamp-key $KEYS/keys/timestamp.key"
mirror_mode a "checkin forge $reissue --policy-json $WORK/invalid.json --artifact-dir $(artifact_dir)"
await_rejection a 30 E_POLICY_INVALID
expect_policy a "$v1" 11
await_event 30 E_POLICY_INVALID "$term_a"
mirror_mode a
school_policy s1 agent.checkin_interval_seconds=12
await a 40 "int(d['policy_version']) > $v1 and d['checkin_interval_seconds'] == 12"
v2=$(policy_version a)
log "U12: invalid policy rejected as a whole; the next genuine one applied as v$v2"

# Offline bundle: the terminal has no network; the admin exports a bundle with a new policy.
mirror_mode a down
school_policy s1 agent.checkin_interval_seconds=13
admin bundle export --terminal "$term_a" --out "$WORK/bundle.pb" > "$WORK/export.out" 2>&1 ||
  fail "bundle export: $(cat "$WORK/export.out")"
"$FORGE" tamper-artifacts --bundle --in "$WORK/bundle.pb" --out "$WORK/tampered.pb"
if actl a apply-bundle "$WORK/tampered.pb" > "$WORK/apply-tampered.out" 2>&1; then
  fail "a tampered bundle was applied: $(cat "$WORK/apply-tampered.out")"
fi
grep -q E_ARTIFACT_HASH "$WORK/apply-tampered.out" || fail "apply-bundle (tampered) does not say E_ARTIFACT_HASH: $(cat "$WORK/apply-tampered.out")"
expect_policy a "$v2" 12
# Let the bundle's timestamp expire: offline, freshness is waived.
expires=$("$FORGE" info --bundle --in "$WORK/bundle.pb" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["timestamp"]["expires"])')
while [ "$(date +%s)" -le "$expires" ]; do sleep 1; done
actl a apply-bundle "$WORK/bundle.pb" > "$WORK/apply.out" 2>&1 || fail "apply-bundle: $(cat "$WORK/apply.out")"
await a 5 "int(d['policy_version']) > $v2 and d['checkin_interval_seconds'] == 13 and c.get('from_offline_bundle')"
v3=$(policy_version a)
grep -qi -e waived -e 豁免 -e expired -e 过期 "$WORK/apply.out" || fail "apply-bundle does not say that expiry was waived: $(cat "$WORK/apply.out")"
log "bundle with an expired timestamp applied offline as v$v3: $(tr '\n' ' ' < "$WORK/apply.out")"
# U12 offline: the bundle re-signed around an invalid policy.
"$FORGE" $reissue --bundle --policy-json "$WORK/invalid.json" --in "$WORK/bundle.pb" --out "$WORK/invalid.pb"
if actl a apply-bundle "$WORK/invalid.pb" > "$WORK/apply-invalid.out" 2>&1; then
  fail "a bundle with an invalid policy was applied: $(cat "$WORK/apply-invalid.out")"
fi
grep -q E_POLICY_INVALID "$WORK/apply-invalid.out" || fail "apply-bundle (invalid) does not say E_POLICY_INVALID: $(cat "$WORK/apply-invalid.out")"
expect_policy a "$v3" 13
agent_n_alive a || fail "agent a died"
log "PASS U1 U12: policy v$v0 -> v$v1 -> v$v2 -> v$v3 (bundle); tampered and invalid updates rejected"
