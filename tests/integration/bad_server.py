#!/usr/bin/env python3
"""A hostile stand-in for the collector: answers every request in one bad way (test tool)."""
import http.server
import os
import ssl
import sys

MODE, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        self.rfile.read(min(length, 8 << 20))
        print(f"REQUEST {MODE} POST {self.path}", flush=True)
        if MODE == "html":
            self.reply(200, "text/html", b"<html><body>Portal login</body></html>")
        elif MODE == "garbage":
            self.reply(200, "application/x-protobuf", os.urandom(512))
        elif MODE == "error500":
            self.reply(500, "text/plain", b"internal error")
        elif MODE == "redirect":
            self.send_response(302)
            self.send_header("Location", "https://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_GET(self):
        self.do_POST()

    def reply(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.allow_reuse_address = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
