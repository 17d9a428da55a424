#!/usr/bin/env python3
"""An attacker between an agent and its collector (test tool, RELIABILITY.md U1-U12).

Serves TLS with the collector's own server certificate (as a compromised mirror or proxy
would), asks for a client certificate from the collector CA, and forwards every request to
the real collector with the agent's own certificate and key (read from the agent's identity
directory on each request, so enrolment through the mirror works too). Every check-in answer
from the collector is recorded (RECORD_DIR/NNNN.pb and RECORD_DIR/last.pb). Before answering,
it applies the mutation named in the control file, read again on every request so a scenario
can switch modes while the agent runs. Control file lines (missing line = passthrough):

  checkin passthrough | replay FILE | freeze | forge ARGS... (xiaoan-trust-forge ARGS)
          (freeze: the first answer seen in this mode, again and again)
  artifact passthrough | flip | endless | slow | cut-once
  down                      close every connection without an answer

Log lines on stdout (the scenarios grep them): REQUEST, CHECKIN, ARTIFACT, CUT, SLOW, ENDLESS,
FORGE-FAIL.
"""
import argparse
import hashlib
import http.client
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time

MAX_BODY = 64 << 20
HOP_HEADERS = {"host", "connection", "keep-alive", "transfer-encoding", "content-length"}


def log(*words):
    print(*words, flush=True)


def read_control(path):
    """The modes by key, and a tag of the file's content that log lines carry (ctl=)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raw = b""
    modes = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        words = line.split()
        if words:
            modes[words[0]] = words[1:]
    return modes, hashlib.md5(raw).hexdigest()[:8]


def stamp(tag):
    """Time and control tag of a log line: a scenario takes the first line of a new mode as
    the moment from which the agent's reaction counts."""
    return "t=%.3f ctl=%s" % (time.time(), tag)


class Mirror:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.recorded = 0
        self.cut_done = set()  # artifact paths already cut once (per control-file content)
        self.cut_key = None
        self.frozen = {}  # control tag -> the answer frozen under it

    def upstream(self):
        ctx = ssl.create_default_context(cafile=self.args.ca)
        ctx.check_hostname = False
        ident = self.args.identity
        cert, key = os.path.join(ident, "agent.pem"), os.path.join(ident, "agent.key")
        if os.path.exists(cert) and os.path.exists(key):
            ctx.load_cert_chain(cert, key)
        return http.client.HTTPSConnection("127.0.0.1", self.args.upstream_port, context=ctx,
                                           timeout=30)

    def record(self, body):
        with self.lock:
            self.recorded += 1
            name = os.path.join(self.args.record_dir, "%04d.pb" % self.recorded)
        with open(name, "wb") as f:
            f.write(body)
        tmp = os.path.join(self.args.record_dir, ".last.tmp.%d" % threading.get_ident())
        shutil.copyfile(name, tmp)
        os.replace(tmp, os.path.join(self.args.record_dir, "last.pb"))
        return name

    def forge(self, words, body):
        proc = subprocess.run([self.args.forge] + words, input=body, capture_output=True,
                              timeout=30, check=False)
        if proc.returncode != 0:
            log("FORGE-FAIL", " ".join(words), proc.stderr.decode(errors="replace").strip())
            return None
        return proc.stdout

    def mutate_checkin(self, mode, body, tag):
        """The answer the agent gets for a recorded 200 check-in answer `body`."""
        if not mode or mode[0] == "passthrough":
            return body
        if mode[0] == "freeze":
            with self.lock:
                return self.frozen.setdefault(tag, body)
        if mode[0] == "replay":
            with open(mode[1], "rb") as f:
                return f.read()
        if mode[0] == "forge":
            return self.forge(mode[1:], body)
        log("BAD-MODE checkin", " ".join(mode))
        return None

    def should_cut(self, path, control):
        with self.lock:
            if self.cut_key != control:
                self.cut_key, self.cut_done = control, set()
            if path in self.cut_done:
                return False
            self.cut_done.add(path)
            return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mirror = None  # set before serving

    def do_POST(self):
        self.relay()

    def do_GET(self):
        self.relay()

    def log_message(self, *args):
        pass

    def relay(self):
        m = self.mirror
        control, self.tag = read_control(m.args.control)
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length else b""
        log("REQUEST", self.command, self.path, "range=" + self.headers.get("Range", "-"))
        if "down" in control:
            self.drop()
            return
        try:
            status, headers, answer = self.forward(body)
        except OSError as e:
            log("UPSTREAM-FAIL", self.path, repr(e))
            self.reply(502, [("Content-Type", "text/plain")], b"upstream failed")
            return
        if self.path == "/v1/checkin" and status == 200:
            self.answer_checkin(control.get("checkin"), headers, answer)
        elif self.path.startswith("/v1/artifacts/") and status in (200, 206):
            self.answer_artifact(control.get("artifact") or ["passthrough"], status, headers,
                                 answer, self.tag)
        else:
            self.reply(status, headers, answer)

    def forward(self, body):
        conn = self.mirror.upstream()
        try:
            fwd = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            fwd["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body if self.command == "POST" else None,
                         headers=fwd)
            r = conn.getresponse()
            answer = r.read(MAX_BODY)
            headers = [(k, v) for k, v in r.getheaders() if k.lower() not in HOP_HEADERS]
            return r.status, headers, answer
        finally:
            conn.close()

    def answer_checkin(self, mode, headers, answer):
        saved = self.mirror.record(answer)
        out = self.mirror.mutate_checkin(mode, answer, self.tag)
        log("CHECKIN", stamp(self.tag), "saved=" + saved, "bytes=%d" % len(answer),
            "sent=%s" % (len(out) if out is not None else "502"),
            "mode=" + " ".join(mode or ["passthrough"]))
        if out is None:
            self.reply(502, [("Content-Type", "text/plain")], b"forge failed")
        else:
            self.reply(200, headers, out)

    def answer_artifact(self, mode, status, headers, answer, control_key):
        log("ARTIFACT", stamp(self.tag), self.path, "status=%d" % status,
            "bytes=%d" % len(answer), "range=" + self.headers.get("Range", "-"), "mode=" + mode[0])
        if mode[0] == "flip" and answer:
            flipped = bytearray(answer)
            flipped[len(flipped) // 2] ^= 0x01
            self.reply(status, headers, bytes(flipped))
        elif mode[0] == "endless":
            self.endless(headers)
        elif mode[0] == "slow":
            self.slow(status, headers, answer)
        elif mode[0] == "cut-once" and self.mirror.should_cut(self.path, control_key):
            self.cut(status, headers, answer)
        else:
            self.reply(status, headers, answer)

    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def endless(self, headers):
        """A body without end: close-delimited, random bytes until the client hangs up."""
        self.send_response(200)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent, chunk = 0, os.urandom(64 << 10)
        try:
            while sent < (4 << 30):
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        log("ENDLESS", self.path, "client hung up after %d bytes" % sent)

    def slow(self, status, headers, body):
        """The real body at one byte a second, until done or the client hangs up."""
        start, sent = time.monotonic(), 0
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                sent += 1
                time.sleep(1)
        except OSError:
            pass
        log("SLOW", self.path, "sent %d/%d bytes in %.1f s" % (sent, len(body),
                                                               time.monotonic() - start))
        self.close_connection = True

    def cut(self, status, headers, body):
        """Full Content-Length, half the body, then the connection drops."""
        half = len(body) // 2
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:half])
        self.wfile.flush()
        log("CUT", self.path, "at %d/%d" % (half, len(body)),
            "range=" + self.headers.get("Range", "-"))
        self.drop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--identity", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--record-dir", required=True)
    p.add_argument("--forge", required=True)
    args = p.parse_args()
    os.makedirs(args.record_dir, exist_ok=True)
    Handler.mirror = Mirror(args)
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.load_verify_locations(args.ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    log("mirror listening on 127.0.0.1:%d" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
