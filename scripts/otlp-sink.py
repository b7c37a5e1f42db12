#!/usr/bin/env python3
"""A local OTLP/HTTP sink for the callback benchmark: accepts every export (POST /v1/traces, /v1/metrics, /v1/logs),
answers 200 with an empty protobuf body, and keeps per-path request and byte counts, and, for traces, the spans by
instrumentation scope and name (what each return costs in spans). It stands in for Azure Monitor's ingestion, which is
not on the app's machine: while the benchmark runs it only counts and keeps the trace bodies (decoding them here, on the
same 2 cores, took CPU from the app and Azurite and was counted as telemetry's cost); GET /summary decodes what it kept
and writes the counts to the file named by argv[1]. Listens on 127.0.0.1 on a free port and prints that port on its
first line. Standard library only: the few protobuf fields it reads are walked by
hand (OTLP trace: ExportTraceServiceRequest.resource_spans=1 > ResourceSpans.scope_spans=2 > ScopeSpans.scope=1 (name=1),
spans=2 > Span.name=5)."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts_file = sys.argv[1]
counts = {}
lock = threading.Lock()


def fields(data):
    """(field number, wire type, value) of one protobuf message; length-delimited values as bytes."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 2:
            length, i = varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            return
        yield number, wire, value


def varint(data, i):
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def count_spans(body, spans):
    for number, _, resource_spans in fields(body):
        if number != 1:
            continue
        for number, _, scope_spans in fields(resource_spans):
            if number != 2:
                continue
            scope, names = "", []
            for number, _, value in fields(scope_spans):
                if number == 1:
                    scope = next((v.decode("utf-8", "replace") for n, _, v in fields(value) if n == 1), "")
                elif number == 2:
                    names.append(next((v.decode("utf-8", "replace") for n, _, v in fields(value) if n == 5), ""))
            for name in names:
                key = f"{scope} {name}"
                spans[key] = spans.get(key, 0) + 1


kept = []


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            entry = counts.setdefault(self.path, {"requests": 0, "bytes": 0})
            entry["requests"] += 1
            entry["bytes"] += len(body)
            if self.path == "/v1/traces" and self.headers.get("Content-Type", "").startswith("application/x-protobuf"):
                kept.append(body)
        self.answer(b"", "application/x-protobuf")

    def do_GET(self):
        if self.path != "/summary":
            self.send_error(404)
            return
        with lock:
            spans = counts.setdefault("spans", {})
            for body in kept:
                try:
                    count_spans(body, spans)
                except (IndexError, ValueError):
                    counts["undecodable"] = counts.get("undecodable", 0) + 1
            kept.clear()
            with open(counts_file, "w") as f:
                json.dump(counts, f)
        self.answer(b"{}", "application/json")

    def answer(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
