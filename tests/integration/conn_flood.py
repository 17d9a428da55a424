#!/usr/bin/env python3
"""Connection floods against a collector listener (issue 10 finding 3), loopback only.

  conn_flood.py hold PORT SRC COUNT SECONDS
      COUNT idle TCP connections from source address SRC (nothing is ever sent); prints
      "ready connected=N" once they are established, then watches them for SECONDS and prints
      "refused=R cut=C open=O max_cut_ms=M": R closed by the server at once (seen within
      500 ms of the connect, or of the end of the connecting when that came later: over a
      cap), C closed later (cut by a deadline), O still open at the end, M the longest time
      from connect to close among the cut ones.
  conn_flood.py tls PORT CA COUNT SRC...
      COUNT TLS connections spread over the source addresses, each handshaken and then idle;
      prints "ready handshaken=N failed=F", waits for a line on stdin, closes them all and
      prints "closed".
"""
import resource
import select
import socket
import ssl
import sys
import time


def raise_fd_limit(count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, count + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def open_from(src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def hold(port, src, count, seconds):
    raise_fd_limit(count)
    socks = {}
    for _ in range(count):
        s = open_from(src, port)
        s.setblocking(False)
        socks[s.fileno()] = (s, time.monotonic())
    ready = time.monotonic()
    print(f"ready connected={len(socks)}", flush=True)
    poller = select.poll()
    for fd in socks:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    refused = cut = 0
    max_cut_ms = 0
    deadline = time.monotonic() + seconds
    while socks and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            s, opened = socks[fd]
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                continue  # the server never speaks first on TLS; ignore anything else
            now = time.monotonic()
            ms = int((now - opened) * 1000)
            if now - max(opened, ready) <= 0.5:
                refused += 1
            else:
                cut += 1
                max_cut_ms = max(max_cut_ms, ms)
            poller.unregister(fd)
            s.close()
            del socks[fd]
    print(f"refused={refused} cut={cut} open={len(socks)} max_cut_ms={max_cut_ms}", flush=True)


def tls_flood(port, ca, count, sources):
    raise_fd_limit(count)
    ctx = ssl.create_default_context(cafile=ca)
    ctx.check_hostname = False
    conns, failed = [], 0
    for i in range(count):
        try:
            raw = open_from(sources[i % len(sources)], port)
            conns.append(ctx.wrap_socket(raw, server_hostname="localhost"))
        except OSError:
            failed += 1
    print(f"ready handshaken={len(conns)} failed={failed}", flush=True)
    sys.stdin.readline()
    for c in conns:
        c.close()
    print("closed", flush=True)


def main():
    mode = sys.argv[1]
    if mode == "hold":
        hold(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif mode == "tls":
        tls_flood(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
