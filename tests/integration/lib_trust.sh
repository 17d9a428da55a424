# Helpers of the signed content channel scenarios (issue 3, RELIABILITY.md U1-U12, T1).
# Source lib.sh first. Each named agent NAME has its own directory $WORK/NAME (config, state,
# socket, log) and its own evil mirror (evil_mirror.py) in front of the real collector: the
# agent enrolls and checks in through the mirror, and a scenario switches the mirror's mode
# with mirror_mode to attack it.
FORGE=$BIN/xiaoan-trust-forge
KEYS=$WORK/keys
TS_TTL=${TS_TTL:-30}   # collector --timestamp-ttl (seconds)
TG_TTL=${TG_TTL:-120}  # collector --targets-ttl
declare -A A_PID=() M_PID=() M_PORT=() M_MARK=() M_TAG=()

forget_pid() {  # forget_pid PID: no longer killed on exit (it was stopped)
  local keep=() p
  for p in "${EXTRA_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  EXTRA_PIDS=("${keep[@]}")
}

# ---- keys and collector ---------------------------------------------------------------------
# trust_setup: collector with a fresh key set (keys init $KEYS_INIT_FLAGS) imported, started
# with short TTLs; $WORK/pinned-root.pb is root v1, what agents pin.
trust_setup() {
  collector_init
  # shellcheck disable=SC2086  # flags are words
  "$BIN/xiaoan-admin" keys init --out "$KEYS" ${KEYS_INIT_FLAGS:-} > "$WORK/keys-init.log" 2>&1 ||
    { cat "$WORK/keys-init.log"; fail "keys init"; }
  cp "$KEYS/roots/1.pb" "$WORK/pinned-root.pb"
  collector_import_keys
  trust_collector_start
}
collector_import_keys() {
  "$BIN/xiaoan-collector" keys import --data-dir "$WORK/collector" --from "$KEYS" \
    >> "$WORK/keys-import.log" 2>&1 || { cat "$WORK/keys-import.log"; fail "keys import"; }
}
trust_collector_start() {
  collector_start --timestamp-ttl "$TS_TTL" --targets-ttl "$TG_TTL"
}
artifact_dir() { echo "$WORK/collector/artifacts/sha256"; }

# trust_one_agent [FIELD=VALUE...]: trust_setup, school s1 at a 10 s check-in (plus the given
# policy fields), agent a enrolled behind its mirror and running that first signed policy
# (its version in v0, its terminal in term_a).
trust_one_agent() {
  trust_setup
  school_policy s1 agent.checkin_interval_seconds=10 "$@"
  agent_up a s1
  await a 30 'int(d.get("policy_version") or 0) > 0 and d.get("checkin_interval_seconds") == 10 and not c.get("stale")'
  v0=$(policy_version a)
  term_a=$(aget a 'd["terminal_id"]')
}

# school_policy SCHOOL FIELD=VALUE...: xiaoan-admin policy set on the school layer.
school_policy() {
  local school=$1; shift
  admin school list --json | grep -q "\"$school\"" ||
    admin school add --id "$school" --name "测试学校-$school" --abbr T >/dev/null
  admin policy set --school "$school" "$@" > "$WORK/policy-set.out" 2>&1 ||
    { cat "$WORK/policy-set.out"; fail "policy set --school $school $*"; }
}

# ---- mirrors --------------------------------------------------------------------------------
mirror_start() {  # mirror_start NAME: (re)starts the mirror of NAME on its earlier port
  local n=$1 d=$WORK/$1
  mkdir -p "$d/rec"; touch "$d/control"
  python3 "$HERE/evil_mirror.py" --port "${M_PORT[$n]:-0}" --upstream-port "$AGENT_PORT" \
    --cert "$WORK/collector/server.pem" --key "$WORK/collector/server.key" \
    --ca "$WORK/collector/ca.pem" --identity "$d/state/identity" --control "$d/control" \
    --record-dir "$d/rec" --forge "$FORGE" >> "$d/mirror.log" 2>&1 &
  M_PID[$n]=$!
  EXTRA_PIDS+=("${M_PID[$n]}")
  EXTRA_LOGS+=("$d/mirror.log")
  wait_until 10 grep -q 'mirror listening' "$d/mirror.log" || fail "mirror $n did not start"
  M_PORT[$n]=$(sed -n 's/^mirror listening on .*:\([0-9]*\)$/\1/p' "$d/mirror.log" | tail -n 1)
}

# mirror_mode NAME [LINE...]: the control lines (none = passthrough), e.g.
#   mirror_mode a "checkin forge resign --part content --key $WORK/unknown.pem"
# The mirror's log lines carry the tag (ctl=) of the control file they ran under: M_MARK and
# M_TAG let mode_seen find the first request of the new mode.
mirror_mode() {
  local n=$1; shift
  if [ $# -gt 0 ]; then printf '%s\n' "$@" > "$WORK/$n/control.tmp"; else : > "$WORK/$n/control.tmp"; fi
  M_MARK[$n]=$(wc -l < "$WORK/$n/mirror.log")
  M_TAG[$n]=$(md5sum < "$WORK/$n/control.tmp" | cut -c1-8)
  mv "$WORK/$n/control.tmp" "$WORK/$n/control"
  log "mirror $n: ${*:-passthrough}"
}
# mode_seen NAME: epoch time of the first check-in or artifact request in the current mode.
mode_seen() {
  tail -n +"$((${M_MARK[$1]:-0} + 1))" "$WORK/$1/mirror.log" |
    sed -n "s/^\(CHECKIN\|ARTIFACT\) t=\([0-9.]*\) ctl=${M_TAG[$1]:-none} .*/\2/p" | head -n 1
}
mode_was_seen() { [ -n "$(mode_seen "$1")" ]; }
await_mode_seen() {  # await_mode_seen NAME SECONDS
  wait_until "$2" mode_was_seen "$1" || fail "mirror $1: no request in the new mode within $2 s"
}

# Newest recorded check-in answer (a copy, so later check-ins do not change it).
snapshot() {  # snapshot NAME LABEL -> prints the path
  cp "$WORK/$1/rec/last.pb" "$WORK/$1/$2.pb"
  echo "$WORK/$1/$2.pb"
}
# forge_info FILE [python expression over d]: the forge's view of a recorded answer.
forge_info() {
  "$FORGE" info --in "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "${2:-d}"
}

# ---- named agents ---------------------------------------------------------------------------
# agent_up NAME SCHOOL: mirror + agent enrolled through it, connected.
agent_up() {
  local n=$1 school=$2 d=$WORK/$1
  mkdir -p "$d"
  mirror_start "$n"
  cat > "$d/agent.json" <<JSON
{
  "collector_url": "https://127.0.0.1:${M_PORT[$n]}",
  "ca_bundle": "$WORK/collector/ca.pem",
  "trust_root": "$WORK/pinned-root.pb",
  "enrollment_token": "$(make_token "$school")",
  "state_dir": "$d/state",
  "status_socket": "$d/agent.sock",
  "checkin_interval_seconds": 10
}
JSON
  agent_n_start "$n"
  wait_until 30 agent_n_connected "$n" || fail "agent $n did not enroll and connect: $(astatus "$n")"
}

# libfaketime for T1 (preloaded directly, so that $! is the agent and not a wrapper).
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1 || true)

# agent_n_start NAME: starts the agent; with AGENT_CLOCK set (faketime offset, e.g. "+3y") its
# wall clock is shifted (the monotonic clock and file times are not, as on a real machine).
agent_n_start() {
  local n=$1 d=$WORK/$1 pre=()
  [ -n "${AGENT_CLOCK:-}" ] && pre=(env "LD_PRELOAD=$FAKETIME_LIB" "FAKETIME=$AGENT_CLOCK" FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1)
  "${pre[@]}" "$BIN/xiaoan-agent" --config "$d/agent.json" --foreground >> "$d/agent.log" 2>&1 &
  A_PID[$n]=$!
  EXTRA_PIDS+=("${A_PID[$n]}")
  EXTRA_LOGS+=("$d/agent.log")
  wait_until 20 test -S "$d/agent.sock" || fail "agent $n socket did not appear"
  wait_until 20 acheck "$n" 'd.get("daemon_running") and d.get("pid") == '"${A_PID[$n]}" ||
    fail "agent $n does not answer status"
}
agent_n_stop() {
  kill -TERM "${A_PID[$1]}" 2>/dev/null && wait "${A_PID[$1]}" 2>/dev/null || true
  forget_pid "${A_PID[$1]}"
  rm -f "$WORK/$1/agent.sock"
}
agent_n_alive() { kill -0 "${A_PID[$1]}" 2>/dev/null; }

actl() { local n=$1; shift; "$BIN/xiaoanctl" --socket "$WORK/$n/agent.sock" --config "$WORK/$n/agent.json" "$@"; }
astatus() { actl "$1" status --json 2>/dev/null || true; }

# aget NAME EXPR: a Python expression over the status (d), its content section (c), and
# ts(RFC 3339 text) -> epoch seconds (0 for none).
aget() {
  astatus "$1" | python3 -c '
import calendar,json,re,sys,time
def ts(s):
    m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(\.\d+)?Z", s or "")
    return calendar.timegm(time.strptime(m[1], "%Y-%m-%dT%H:%M:%S")) + float(m[2] or 0) if m else 0
d=json.load(sys.stdin); c=d.get("content") or {}
print(eval(sys.argv[1]))' "$2"
}
acheck() { [ "$(aget "$1" "bool($2)" 2>/dev/null)" = True ]; }

# await NAME SECONDS EXPR: waits until EXPR (see aget) holds; fails with the status otherwise.
await() {
  local n=$1 secs=$2 expr=$3
  wait_until "$secs" acheck "$n" "$expr" || fail "agent $n: not within $secs s: $expr; status: $(astatus "$n")"
}
agent_n_connected() { acheck "$1" 'd.get("enrollment")=="ENROLLMENT_STATE_ENROLLED" and d.get("connection")=="CONNECTION_STATE_CONNECTED"'; }
policy_version() { aget "$1" 'int(d.get("policy_version") or 0)'; }
interval() { aget "$1" 'int(d.get("checkin_interval_seconds") or 0)'; }

# await_rejection NAME SECONDS CODE: the agent rejects an update with CODE, after the mirror
# served the first request in the current mode (so an earlier rejection does not count).
await_rejection() {
  local n=$1 deadline=$((SECONDS + $2)) code=$3 t
  await_mode_seen "$n" "$2"
  t=$(mode_seen "$n")
  await "$n" $((deadline - SECONDS + 1)) \
    "(c.get('last_rejection') or {}).get('code')=='$code' and ts(c.get('last_rejection_at')) >= $t - 1"
  log "agent $n rejected: $(aget "$n" '(c.get("last_rejection") or {}).get("message","")')"
}

# expect_policy NAME VERSION INTERVAL: the policy in force.
expect_policy() {
  local v i
  v=$(policy_version "$1"); i=$(interval "$1")
  [ "$v" = "$2" ] && [ "$i" = "$3" ] || fail "agent $1 runs policy v$v interval $i, want v$2 interval $3"
}

# events_with_code CODE [TERMINAL]: content_update events in the collector carrying CODE.
events_with_code() {
  local args=(events list --type content_update --limit 200 --json)
  [ -n "${2:-}" ] && args+=(--terminal "$2")
  admin "${args[@]}" 2>/dev/null | python3 -c '
import json,sys
print(sum(1 for e in json.load(sys.stdin).get("events",[]) if sys.argv[1] in json.dumps(e)))' "$1"
}
await_event() {  # await_event SECONDS CODE [TERMINAL]
  local deadline=$((SECONDS + $1))
  until [ "$(events_with_code "$2" "${3:-}")" -gt 0 ]; do
    [ $SECONDS -lt $deadline ] || fail "no content_update event with $2 at the collector within $1 s"
    sleep 0.5
  done
}

# offered_policy NAME: highest policy version in the newest answer the collector gave NAME.
offered_policy() {
  forge_info "$WORK/$1/rec/last.pb" 'max([x["version"] for x in d["content"]["artifacts"]] or [0])' 2>/dev/null || echo 0
}
offer_above() { [ "$(offered_policy "$1")" -gt "$2" ]; }
await_offer() {  # await_offer NAME SECONDS ABOVE: the collector offers NAME a policy > ABOVE
  wait_until "$2" offer_above "$1" "$3" || fail "the collector offered $1 no policy newer than v$3 within $2 s"
}
