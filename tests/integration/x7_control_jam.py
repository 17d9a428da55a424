"""RELIABILITY X7 helper, run as a local user: holds N connections to the agent's status socket
without sending a request, prints "ready", then reports what each connection saw: a refusal
(an answer frame naming E_OVERLOADED) or a cut (end of stream with no answer), and when the
last cut came."""
import socket
import sys
import time

path, count = sys.argv[1], int(sys.argv[2])
held = []
t0 = time.monotonic()
for _ in range(count):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    held.append(s)
print("ready", flush=True)
refused = cut = other = 0
last_cut = 0.0
for s in held:
    s.settimeout(15)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        other += 1
        continue
    if b"E_OVERLOADED" in data:
        refused += 1
    elif not data:
        cut += 1
        last_cut = max(last_cut, time.monotonic() - t0)
    else:
        other += 1
print(f"refused={refused} cut={cut} other={other} last_cut_ms={int(last_cut * 1000)}", flush=True)
