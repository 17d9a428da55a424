#!/usr/bin/env bash
# Issue 10 finding 10 with the real binaries: a second `serve` on one data dir is refused
# (E_ALREADY_RUNNING naming the holder); `backup` works while the collector serves and writes;
# `restore` is refused while it serves and brings the backup back once it is stopped; an emptied
# or corrupted database is refused at start (E_DATABASE with a message saying which).
source "$(dirname "$0")/lib.sh"
DATA=$WORK/collector
DB=$DATA/collector.db
collector() { timeout 60 "$BIN/xiaoan-collector" "$@"; }

# serve_refused PATTERN [LANG [SERVE_ARGS...]]: a serve on the data dir exits 1 and its
# output ($WORK/refused.out) matches PATTERN; LANG defaults to C, i.e. Chinese.
serve_refused() {
  local rc=0 code=$1 lang=${2:-C}
  shift; [ $# -gt 0 ] && shift
  env -u LC_ALL -u LC_MESSAGES LANG="$lang" timeout 60 "$BIN/xiaoan-collector" serve \
    --data-dir "$DATA" --agent-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "$@" > "$WORK/refused.out" 2>&1 || rc=$?
  [ $rc -eq 1 ] || fail "serve exit $rc, want 1: $(cat "$WORK/refused.out")"
  grep -q -- "$code" "$WORK/refused.out" || fail "serve did not say $code: $(cat "$WORK/refused.out")"
}

collector_init
collector_start
admin school add --id s1 --name 备份前 --abbr A > /dev/null

log "second serve on the same data dir"
serve_refused E_ALREADY_RUNNING en
grep -q "pid $COLLECTOR_PID" "$WORK/refused.out" || fail "holder not named: $(cat "$WORK/refused.out")"
kill -0 "$COLLECTOR_PID" || fail "first collector died"

log "backup while serving and writing"
( for i in $(seq 1 40); do admin school add --id "w$i" --name "写入$i" --abbr W > /dev/null || exit 1; done ) &
WRITER=$!
EXTRA_PIDS+=("$WRITER")
sleep 0.3
collector backup --data-dir "$DATA" --out "$WORK/b1.db" > "$WORK/backup.out" 2>&1 ||
  fail "backup while serving: $(cat "$WORK/backup.out")"
wait "$WRITER" || fail "admin writes failed during the backup"
[ "$(sqlite3 "$WORK/b1.db" 'PRAGMA integrity_check')" = ok ] || fail "backup fails integrity_check"
[ "$(sqlite3 "$WORK/b1.db" "SELECT count(*) FROM schools WHERE id = 's1'")" = 1 ] || fail "backup lacks s1"
collector check --data-dir "$DATA" --full > "$WORK/check.out" 2>&1 || fail "check while serving: $(cat "$WORK/check.out")"

log "restore is refused while serving"
admin school add --id s2 --name 备份后 --abbr B > /dev/null
rc=0; collector restore --data-dir "$DATA" --from "$WORK/b1.db" > "$WORK/restore.out" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q E_ALREADY_RUNNING "$WORK/restore.out" || fail "restore while serving: rc $rc $(cat "$WORK/restore.out")"

log "restore after stop"
collector_stop
collector restore --data-dir "$DATA" --from "$WORK/b1.db" > "$WORK/restore.out" 2>&1 ||
  fail "restore: $(cat "$WORK/restore.out")"
ls -d "$DATA"/db-before-restore-* > /dev/null || fail "old database not kept aside"
collector_start
admin school list --json > "$WORK/schools.json"
grep -q '"s1"' "$WORK/schools.json" || fail "s1 missing after restore"
grep -q '"s2"' "$WORK/schools.json" && fail "s2 (after the backup) still there after restore"
collector_stop

log "an emptied database is refused, in Chinese by default"
: > "$DB"; rm -f "$DB-wal" "$DB-shm"
serve_refused 'E_DATABASE: .*collector.db 为空（0 字节）'
[ "$(stat -c %s "$DB")" = 0 ] || fail "an empty database was recreated"
collector restore --data-dir "$DATA" --from "$WORK/b1.db" > "$WORK/restore.out" 2>&1 ||
  fail "restore of the emptied database: $(cat "$WORK/restore.out")"

log "a corrupted last page is refused at start and by check"
sqlite3 "$DB" "CREATE TABLE filler(v); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000) INSERT INTO filler SELECT printf('%0200d', i) FROM n;"
rm -f "$DB-wal" "$DB-shm"
python3 - "$DB" <<'PY'
import os, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    page = int.from_bytes(f.read(18)[16:18], 'big') or 65536
    f.seek(os.path.getsize(path) - page)
    f.write(b'\xa5' * 512)
PY
serve_refused 'E_DATABASE: .*未通过完整性检查'
rc=0; collector check --data-dir "$DATA" > "$WORK/check.out" 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q 'E_DATABASE: .*未通过完整性检查' "$WORK/check.out" || fail "check missed the damage: $(cat "$WORK/check.out")"

log "serve --check-db full: an index that disagrees with its table (quick_check cannot see it)"
collector restore --data-dir "$DATA" --from "$WORK/b1.db" > "$WORK/restore.out" 2>&1 ||
  fail "restore of the corrupted database: $(cat "$WORK/restore.out")"
sqlite3 "$DB" "CREATE INDEX schools_name ON schools(name);"
sqlite3 "$DB" "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = 'CREATE INDEX schools_name ON schools(name) WHERE 0' WHERE name = 'schools_name';"
collector check --data-dir "$DATA" > "$WORK/check.out" 2>&1 || fail "quick check: $(cat "$WORK/check.out")"
rc=0; collector check --data-dir "$DATA" --full > "$WORK/check.out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "check --full missed the index: $(cat "$WORK/check.out")"
serve_refused 'E_DATABASE: .*failed its integrity check' en --check-db full
rc=0; collector serve --data-dir "$DATA" --check-db sometimes > "$WORK/usage.out" 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "--check-db sometimes: exit $rc, want 2"
log "PASS database guard, backup and restore"
