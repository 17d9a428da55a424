#!/usr/bin/env python3
"""Checks RELIABILITY.md's "nothing lost" against the collector's SQLite database.

ledger: one JSON object per line, as printed by `xiaoanctl diagnose send-test-events --json`
for every append the agent confirmed (request id, stream, epoch, first..last seq, appended).

Always: no diagnostic event is stored twice, and each stored one sits in its request's stream,
epoch and seq range. Without --allow-gaps every confirmed event must be stored. With
--allow-gaps an event may be missing only if it was dropped at the disk cap and reported: every
seq inside a request's range that the collector does not have must lie in a gap record's range,
and the gap counts must cover the missing events.
"""
import argparse
import json
import sqlite3
import sys

U64 = 1 << 64


def u64(v):
    return int(v) % U64


def load_ledger(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def load_db(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    rows = con.execute("SELECT stream, epoch, seq, type, payload_json FROM events "
                       "ORDER BY rowid").fetchall()
    con.close()
    return rows


def merge(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def covered(merged, seq):
    return any(a <= seq <= b for a, b in merged)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("db")
    ap.add_argument("--allow-gaps", action="store_true")
    ap.add_argument("--check-order", action="store_true")
    ap.add_argument("--exact", action="store_true",
                    help="with --allow-gaps: ledger - stored - gap counts must be 0 (only ledger "
                         "events can have been dropped)")
    args = ap.parse_args()

    ledger = load_ledger(args.ledger)
    rows = load_db(args.db)
    present = {}   # (stream, epoch) -> set of stored seqs (every type)
    diag = {}      # (request_id, index) -> list of (stream, epoch, seq)
    gaps = {}      # (stream, epoch) -> list of (first, last)
    gap_sum = 0
    order = {}
    for stream, epoch, seq, typ, payload in rows:
        key = (stream, u64(epoch))
        present.setdefault(key, set()).add(int(seq))
        p = json.loads(payload or "{}")
        if typ == "gap":
            gaps.setdefault((p.get("stream", stream), u64(p.get("epoch", 0))), []).append(
                (int(p.get("first_seq", 0)), int(p.get("last_seq", 0))))
            gap_sum += int(p.get("count", 0))
        elif typ == "diagnostic":
            diag.setdefault((p.get("request_id", ""), int(p.get("index", 0))), []).append(
                (stream, u64(epoch), int(seq)))
            order.setdefault(key, []).append(int(seq))
    merged = {k: merge(v) for k, v in gaps.items()}

    total = found = wrong = uncovered = 0
    dups = sum(len(v) - 1 for v in diag.values() if len(v) > 1)
    for e in ledger:
        key = (e["stream"], u64(e["epoch"]))
        first, last, n = int(e["first_seq"]), int(e["last_seq"]), int(e["appended"])
        total += n
        for idx in range(n):
            hits = diag.get((e["request_id"], idx), [])
            if hits:
                found += 1
                s, ep, seq = hits[0]
                if (s, ep) != key or not first <= seq <= last:
                    wrong += 1
        have = present.get(key, set())
        for seq in range(first, last + 1):
            if seq not in have and not (args.allow_gaps and covered(merged.get(key, []), seq)):
                uncovered += 1
    missing = total - found
    unordered = 0
    if args.check_order:
        unordered = sum(sum(1 for a, b in zip(s, s[1:]) if b <= a) for s in order.values())
    print(f"ledger={total} stored={found} missing={missing} gap_records="
          f"{sum(len(v) for v in gaps.values())} gap_count_sum={gap_sum} "
          f"unaccounted_holes={uncovered} wrong={wrong} duplicates={dups} out_of_order={unordered}")
    ok = wrong == 0 and dups == 0 and unordered == 0 and uncovered == 0
    if not args.allow_gaps:
        ok = ok and missing == 0
    elif args.exact:
        ok = ok and missing == gap_sum
    else:
        ok = ok and missing <= gap_sum
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
