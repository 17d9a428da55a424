#!/usr/bin/env bash
# RELIABILITY U9: root rotation and fast-forward recovery against a real collector.
#  1. Root 1 -> 2 -> 3 (2-of-3 root keys) while a mirror withholds root 2, then replaces root
#     3's signatures by a stranger's, then by one root key of the two required: E_ROOT_CHAIN, the agent stays on root 1 (and on its
#     policy); with the whole chain it reaches root 3.
#  2. Fast-forward: someone holding the content and timestamp keys pushes targets and timestamp
#     version 10^9; the agent accepts (the signatures are valid), and the collector's genuine
#     versions are then rollbacks. Rotating the content and timestamp keys in a new root makes
#     the agent forget the inflated versions and accept the collector's again.
source "$(dirname "$0")/lib.sh"
KEYS_INIT_FLAGS="--root-keys 3 --threshold 2"  # a county's 2-of-3 root
source "$(dirname "$0")/lib_trust.sh"
trust_one_agent
await a 1 'int(c.get("root_version") or 0) == 1'

rotate() {  # rotate [rotate-root flags]: a new root version, imported, collector restarted
  "$BIN/xiaoan-admin" keys rotate-root --keys "$KEYS" "$@" >> "$WORK/rotate.log" 2>&1 ||
    { cat "$WORK/rotate.log"; fail "keys rotate-root $*"; }
  collector_import_keys
  collector_stop
  trust_collector_start
}

# 1. A gap in the chain, then a forged last link.
mirror_mode a "checkin forge drop-root --version 2"
rotate
rotate
[ -f "$KEYS/roots/3.pb" ] || fail "no root v3 after two rotations"
await_rejection a 30 E_ROOT_CHAIN
await a 2 'int(c.get("root_version") or 0) == 1'
expect_policy a "$v0" 10
roots=$(forge_info "$WORK/a/rec/last.pb" 'd["roots"]')
[ "$roots" = "[2, 3]" ] || fail "the collector should offer roots [2, 3] to a root-1 agent, offered $roots"
"$FORGE" genkey --out "$WORK/unknown.pem"
mirror_mode a "checkin forge resign --part root --key $WORK/unknown.pem"
await_rejection a 30 E_ROOT_CHAIN  # root 3 signed by a stranger: not even root 2 is taken
await a 2 'int(c.get("root_version") or 0) == 1'
one_root_key=$(ls "$KEYS"/keys/root-*.key | head -n 1)
mirror_mode a "checkin forge resign --part root --key $one_root_key"
await_rejection a 30 E_ROOT_CHAIN  # one genuine root signature of the two required
await a 2 'int(c.get("root_version") or 0) == 1'
mirror_mode a
await a 30 'int(c.get("root_version") or 0) == 3'
expect_policy a "$v0" 10
log "U9 chain: root 2 withheld -> E_ROOT_CHAIN on root 1; whole chain -> root 3"

# 2. Fast-forward with the (stolen) content and timestamp keys.
big=1000000000
mirror_mode a "checkin forge reissue --content-key $KEYS/keys/content.key --timestamp-key $KEYS/keys/timestamp.key --targets-version $big --timestamp-version $big"
await a 30 "int(c.get('content_targets_version') or 0) == $big and int(c.get('timestamp_version') or 0) == $big"
expect_policy a "$v0" 10
mirror_mode a
school_policy s1 agent.checkin_interval_seconds=12
await_rejection a 30 E_META_ROLLBACK
expect_policy a "$v0" 10
log "U9 fast-forward: versions at $big, the collector's genuine policy is a rollback"
rotate --rotate content,timestamp
await a 40 "int(c.get('root_version') or 0) == 4 and int(c.get('timestamp_version') or 0) < $big and int(d['policy_version']) > $v0 and d['checkin_interval_seconds'] == 12"
log "PASS U9: chain gap refused, root 3 reached; fast-forward recovered by rotating keys in root 4 (policy v$(policy_version a))"
