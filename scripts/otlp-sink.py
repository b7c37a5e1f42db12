#!/usr/bin/env python3
"""A local OTLP/HTTP sink for the callback benchmark: accepts every export (POST /v1/traces, /v1/metrics, /v1/logs),
answers 200 with an empty protobuf body, and keeps per-path request and byte counts in the file named by argv[1].
Listens on 127.0.0.1 on a free port and prints that port on its first line. Standard library only."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts_file = sys.argv[1]
counts = {}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            entry = counts.setdefault(self.path, {"requests": 0, "bytes": 0})
            entry["requests"] += 1
            entry["bytes"] += len(body)
            with open(counts_file, "w") as f:
                json.dump(counts, f)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
