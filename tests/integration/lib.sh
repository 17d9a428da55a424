# Shared helpers for the integration scenarios: real processes, real TLS on loopback, a real
# SQLite file. Source it from a scenario script; XIAOAN_BIN names the directory with the
# binaries (ctest passes it). Each scenario gets its own work dir, removed on success.
set -euo pipefail
BIN=${XIAOAN_BIN:?XIAOAN_BIN must point at the build bin directory}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d /tmp/xiaoan-it.XXXXXX)
chmod 755 "$WORK"
LEDGER=$WORK/ledger.jsonl
COLLECTOR_PID=""
AGENT_PID=""
AGENT_PORT=0
ADMIN_PORT=0
MOUNTS=()
# Further processes and logs of a scenario (more agents, test servers): killed and shown on exit.
EXTRA_PIDS=()
EXTRA_LOGS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

dump_logs() {
  for f in "$WORK"/collector.log "$WORK"/agent.log "${EXTRA_LOGS[@]}"; do
    [ -f "$f" ] && { echo "---- tail $f"; tail -n 40 "$f"; }
  done
  return 0
}

fail() {
  echo "FAIL: $*"
  dump_logs
  exit 1
}

cleanup() {
  local rc=$?
  [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" 2>/dev/null || true
  [ -n "$COLLECTOR_PID" ] && kill -9 "$COLLECTOR_PID" 2>/dev/null || true
  for p in "${EXTRA_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
  if [ $rc -eq 0 ] && [ -z "${KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# ---- collector -----------------------------------------------------------------------------
collector_init() {
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$WORK/admin.pw"
  "$BIN/xiaoan-collector" init --data-dir "$WORK/collector" \
    --admin-password-file "$WORK/admin.pw" > "$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; fail "collector init"; }
  # As in a real install, the collector holds the content keys and agents pin the root next to
  # the CA (the default trust_root). lib_trust.sh scenarios (KEYS set) make their own key set.
  [ -n "${KEYS:-}" ] || collector_default_keys
}
collector_default_keys() {
  { "$BIN/xiaoan-admin" keys init --out "$WORK/default-keys" &&
    "$BIN/xiaoan-collector" keys import --data-dir "$WORK/collector" --from "$WORK/default-keys" &&
    cp "$WORK/default-keys/root.pb" "$WORK/collector/root.pb"; } > "$WORK/keys.log" 2>&1 ||
    { cat "$WORK/keys.log"; fail "default key set"; }
}

# collector_start [extra serve flags...]: reuses the ports of an earlier start.
collector_start() {
  : > "$WORK/collector.out"
  "$BIN/xiaoan-collector" serve --data-dir "$WORK/collector" \
    --agent-listen "127.0.0.1:$AGENT_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" "$@" \
    > "$WORK/collector.out" 2>> "$WORK/collector.log" &
  COLLECTOR_PID=$!
  wait_until 20 grep -q 'admin api listening' "$WORK/collector.out" || fail "collector did not start"
  AGENT_PORT=$(sed -n 's/^agent api listening on .*:\([0-9]*\)$/\1/p' "$WORK/collector.out")
  ADMIN_PORT=$(sed -n 's/^admin api listening on .*:\([0-9]*\)$/\1/p' "$WORK/collector.out")
  cat "$WORK/collector.out" >> "$WORK/collector.log"
}

collector_stop() { [ -n "$COLLECTOR_PID" ] && kill -TERM "$COLLECTOR_PID" && wait "$COLLECTOR_PID" || true; COLLECTOR_PID=""; }
collector_kill() { [ -n "$COLLECTOR_PID" ] && kill -9 "$COLLECTOR_PID" && wait "$COLLECTOR_PID" 2>/dev/null || true; COLLECTOR_PID=""; }

admin() {
  "$BIN/xiaoan-admin" --server "https://127.0.0.1:$ADMIN_PORT" --ca "$WORK/collector/ca.pem" \
    --password-file "$WORK/admin.pw" "$@"
}

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# make_token SCHOOL [token create flags...] -> prints the token secret
make_token() {
  local school=$1; shift
  admin school list --json | grep -q "\"$school\"" ||
    admin school add --id "$school" --name "测试学校-$school" --abbr T >/dev/null
  admin token create --school "$school" "$@" --json | json_field secret
}

db() { sqlite3 -cmd '.timeout 5000' "$WORK/collector/collector.db" "$@"; }

# ---- agent ---------------------------------------------------------------------------------
# start_enrolled_agent: a fresh collector and an agent enrolled into school s1 and connected.
# start_enrolled_agent [COLLECTOR_SERVE_ARGS...]
start_enrolled_agent() {
  collector_init
  collector_start "$@"
  agent_config "$(make_token s1)"
  agent_start
  wait_until 30 enrolled_and_connected || fail "agent did not enroll and connect: $(status_json)"
}

# agent_config TOKEN [spool_max_bytes] [state_dir]
agent_config() {
  local token=$1 cap=${2:-268435456} state=${3:-$WORK/agent-state}
  cat > "$WORK/agent.json" <<JSON
{
  "collector_url": "https://127.0.0.1:$AGENT_PORT",
  "ca_bundle": "$WORK/collector/ca.pem",
  "enrollment_token": "$token",
  "state_dir": "$state",
  "status_socket": "$WORK/agent.sock",
  "spool_max_bytes": "$cap",
  "checkin_interval_seconds": 10,
  "max_upload_events_per_second": ${UPLOAD_RATE:-100000}
}
JSON
}

agent_start() {
  "$BIN/xiaoan-agent" --config "$WORK/agent.json" --foreground >> "$WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  wait_until 20 test -S "$WORK/agent.sock" || fail "agent socket did not appear"
  wait_until 20 ctl status || true
}
# agent_start_etc_overlay PRELUDE [UNSHARE_FLAGS...]: the agent in its own mount namespace (plus
# the namespaces the flags ask for) with an overlay over /etc, so what it writes there lands in
# $WORK/etc-upper and the host's /etc is never touched; PRELUDE runs in the namespace first.
agent_start_etc_overlay() {
  local prelude=$1
  shift
  mkdir -p "$WORK/etc-upper" "$WORK/etc-work"
  unshare -m --propagation private "$@" sh -c '
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc || exit 97
    '"$prelude"'
    exec "$3" --config "$4" --foreground' sh "$WORK/etc-upper" "$WORK/etc-work" \
    "$BIN/xiaoan-agent" "$WORK/agent.json" >> "$WORK/agent.log" 2>&1 &
  AGENT_PID=$!
  wait_until 20 test -S "$WORK/agent.sock" ||
    fail "agent socket did not appear: $(tail -5 "$WORK/agent.log")"
}
agent_stop() { [ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" && wait "$AGENT_PID" || true; AGENT_PID=""; }
agent_kill() { [ -n "$AGENT_PID" ] && kill -9 "$AGENT_PID" && wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=""; }

ctl() { "$BIN/xiaoanctl" --socket "$WORK/agent.sock" --config "$WORK/agent.json" "$@"; }

status_json() { ctl status --json 2>/dev/null || true; }
status_field() { status_json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1],""))' "$1"; }

enrolled_and_connected() {
  local s; s=$(status_json)
  grep -q '"ENROLLMENT_STATE_ENROLLED"' <<<"$s" && grep -q '"CONNECTION_STATE_CONNECTED"' <<<"$s"
}

# send_events COUNT [PRIORITY]: appends through the agent; on success records the acknowledged
# (stream, epoch, seq range, request id) in the ledger. Returns non-zero when the agent did not
# confirm the append (then the events are not in the ledger: they may or may not exist).
send_events() {
  local count=$1 prio=${2:-activity} rid out
  rid=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
  out=$(ctl diagnose send-test-events --count "$count" --priority "$prio" --request-id "$rid" --json 2>/dev/null) || return 1
  printf '%s\n' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d))' >> "$LEDGER" || return 1
}

# check_ledger [--allow-gaps]: every acknowledged event is stored exactly once, or (with
# --allow-gaps) accounted for by a gap record; prints the figures.
check_ledger() { python3 "$HERE/ledger_check.py" "$LEDGER" "$WORK/collector/collector.db" "$@"; }

# wait_drained SECONDS: the agent reports an empty spool.
spool_empty() {
  status_json | python3 -c '
import json,sys
d=json.load(sys.stdin)
sys.exit(0 if all(int(c.get("pending_records",0))==0 for c in d.get("spool",[])) else 1)'
}
wait_drained() { wait_until "$1" spool_empty || fail "spool not drained within $1 s: $(status_json)"; }

mount_tmpfs() {
  local dir=$1 size=$2
  mkdir -p "$dir"
  mount -t tmpfs -o "size=$size" tmpfs "$dir" || fail "cannot mount tmpfs (need root)"
  MOUNTS+=("$dir")
}

require_root() { [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }; }
