#!/usr/bin/env python3
"""Checks RELIABILITY.md's "nothing lost" against the collector's SQLite database.

ledger: one JSON object per line, as printed by `xiaoanctl diagnose send-test-events --json`
for every append the agent confirmed. Every such event must be stored exactly once, or, with
--allow-gaps, fall in a gap record's range; no diagnostic event may be stored twice.
Exit 0 when that holds; prints the figures either way.
"""
import argparse
import json
import sqlite3
import sys

U64 = 1 << 64


def u64(v):
    return int(v) % U64


def load_ledger(path):
    entries = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    entries.append(json.loads(line))
    except FileNotFoundError:
        pass
    return entries


def load_db(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    rows = con.execute(
        "SELECT rowid, stream, epoch, seq, type, payload_json FROM events "
        "WHERE type IN ('diagnostic', 'gap') ORDER BY rowid").fetchall()
    con.close()
    stored, gaps, order = {}, [], {}
    dup_keys = 0
    seen_req = {}
    for rowid, stream, epoch, seq, typ, payload in rows:
        p = json.loads(payload or "{}")
        key = (stream, u64(epoch), int(seq))
        if typ == "gap":
            gaps.append((p.get("stream", stream), u64(p.get("epoch", 0)), int(p.get("first_seq", 0)),
                         int(p.get("last_seq", 0)), int(p.get("count", 0))))
            continue
        rid, idx = p.get("request_id", ""), int(p.get("index", 0))
        if (rid, idx) in seen_req:
            dup_keys += 1
        seen_req[(rid, idx)] = key
        stored[key] = (rid, idx)
        order.setdefault((stream, u64(epoch)), []).append(int(seq))
    return stored, gaps, dup_keys, order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("db")
    ap.add_argument("--allow-gaps", action="store_true")
    ap.add_argument("--check-order", action="store_true")
    args = ap.parse_args()

    ledger = load_ledger(args.ledger)
    stored, gaps, dups, order = load_db(args.db)
    total = found = in_gap = missing = wrong = 0
    for e in ledger:
        stream, epoch = e["stream"], u64(e["epoch"])
        first, last = int(e["first_seq"]), int(e["last_seq"])
        for seq in range(first, last + 1):
            total += 1
            got = stored.get((stream, epoch, seq))
            if got is not None:
                if got != (e["request_id"], seq - first):
                    wrong += 1
                found += 1
            elif args.allow_gaps and any(g[0] == stream and g[1] == epoch and g[2] <= seq <= g[3]
                                         for g in gaps):
                in_gap += 1
            else:
                missing += 1
    gap_sum = sum(g[4] for g in gaps)
    unordered = 0
    if args.check_order:
        for seqs in order.values():
            unordered += sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
    print(f"ledger={total} stored={found} in_gaps={in_gap} gap_records={len(gaps)} "
          f"gap_count_sum={gap_sum} missing={missing} wrong={wrong} duplicates={dups} "
          f"out_of_order={unordered}")
    ok = missing == 0 and wrong == 0 and dups == 0 and unordered == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
