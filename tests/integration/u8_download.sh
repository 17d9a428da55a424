#!/usr/bin/env bash
# RELIABILITY U8: artifact downloads are bounded. A mirror answers the artifact request with a
# body that never ends (E_TOO_LARGE, stopped right after the signed length), then at one byte a
# second (E_DOWNLOAD_TOO_SLOW), then cuts it halfway once (the agent resumes with a Range
# request and applies the policy). The last good policy runs throughout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_trust.sh"
# Scan paths make the policy document a few hundred bytes, so halves and rates mean something.
trust_one_agent 'scan.paths=["/home","/srv","/opt","/var/www","/data/students","/data/teachers","/media/usb","/tmp"]'

# Endless body.
mirror_mode a "artifact endless"
school_policy s1 agent.checkin_interval_seconds=11
await_rejection a 30 E_TOO_LARGE
expect_policy a "$v0" 10
wait_until 10 grep -q '^ENDLESS' "$WORK/a/mirror.log" || fail "the agent did not hang up on the endless body"
sent=$(sed -n 's/^ENDLESS .* after \([0-9]*\) bytes/\1/p' "$WORK/a/mirror.log" | head -n 1)
log "endless body: the agent hung up after the mirror wrote $sent bytes"
[ "$sent" -le $((64 << 20)) ] || fail "the agent read $sent bytes of an endless body"

# One byte a second: far below the minimum rate.
mirror_mode a "artifact slow"
started=$SECONDS
await_rejection a 75 E_DOWNLOAD_TOO_SLOW
expect_policy a "$v0" 10
log "slow body: given up after $((SECONDS - started)) s"
wait_until 10 grep -q '^SLOW' "$WORK/a/mirror.log" || fail "the agent did not hang up on the slow body"
grep '^SLOW' "$WORK/a/mirror.log" | head -n 1

# Cut halfway once: the agent keeps the part, resumes with Range, verifies and applies.
mirror_mode a "artifact cut-once"
await a 40 "int(d['policy_version']) > $v0 and d['checkin_interval_seconds'] == 11"
cut=$(grep -m1 '^CUT ' "$WORK/a/mirror.log") || fail "the mirror never cut a body"
# The cut request may itself be a resumption (of the bytes the slow body left): the next one
# must start where the cut one stopped.
half=$(sed -n 's/^CUT .* at \([0-9]*\)\/[0-9]* .*/\1/p' <<<"$cut")
from=$(sed -n 's/^CUT .* range=bytes=\([0-9]*\)-$/\1/p' <<<"$cut")
resume=$((${from:-0} + half))
path=$(awk '{print $2}' <<<"$cut")
log "$cut"
sed -n "/^CUT /,\$p" "$WORK/a/mirror.log" | grep -E "^ARTIFACT .* $path .* range=bytes=$resume-" >/dev/null ||
  fail "after the cut at byte $resume the agent did not resume with Range: bytes=$resume-: $(grep "^ARTIFACT" "$WORK/a/mirror.log" | tail -n 3)"
log "PASS U8: endless and slow bodies refused, a cut body resumed at byte $resume, policy v$(policy_version a)"
