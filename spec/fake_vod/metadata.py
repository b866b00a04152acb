#!/usr/bin/env python3
"""Fake CVM metadata service for the credential-chain specs (stdlib only).

Usage: python3 metadata.py --port-file FILE

Listens on an ephemeral 127.0.0.1 port, writes {"port": N, "pid": P} to FILE,
and answers like http://metadata.tencentyun.com/latest/meta-data/:

  GET <any prefix>/cam/security-credentials/        the role name, one line
  GET <any prefix>/cam/security-credentials/<role>  JSON: Code, TmpSecretId,
      TmpSecretKey, Token, ExpiredTime, Expiration (the fake VOD endpoint's
      temporary credential, so calls signed with it really succeed)

Control (JSON):
  POST /_control/config {mode, delay, expire_in, role}   change the behaviour
      mode: "normal" | "slow" (sleep `delay` s first) | "http500" |
            "failcode" (Code "InternalError") | "notjson" | "nokey"
            (no TmpSecretKey) | "norole" (404 on the role list) |
            "badkey" (a wrong TmpSecretKey, so the API refuses the signature)
      expire_in: ExpiredTime = now + expire_in (default 7200)
  POST /_control/reset      back to the defaults, counters to zero
  GET  /_control/stats      {"roles": n, "creds": n, "requests": n, "paths": [...]}
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TMP_SECRET_ID = "AKIDEXAMPLETMPVOD0000000000000000"
TMP_SECRET_KEY = "fakeVodTmpKeyEXAMPLE000000000000"
TOKEN = "fakeVodTokenEXAMPLE"
DEFAULTS = {"mode": "normal", "delay": 0, "expire_in": 7200, "role": "vod-test-role"}
PREFIX = "/cam/security-credentials/"

lock = threading.Lock()
config = dict(DEFAULTS)
counts = {"roles": 0, "creds": 0, "requests": 0, "paths": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        with lock:
            if self.path == "/_control/reset":
                config.clear()
                config.update(DEFAULTS)
                counts.update({"roles": 0, "creds": 0, "requests": 0, "paths": []})
            elif self.path == "/_control/config":
                config.update(body)
            else:
                return self.reply(404, "no such control")
        self.reply(200, json.dumps({"ok": True}), "application/json")

    def do_GET(self):
        if self.path == "/_control/stats":
            with lock:
                return self.reply(200, json.dumps(counts), "application/json")
        i = self.path.find(PREFIX)
        if i < 0:
            return self.reply(404, "not found")
        role = self.path[i + len(PREFIX):]
        with lock:
            cfg = dict(config)
            counts["requests"] += 1
            counts["roles" if role == "" else "creds"] += 1
            counts["paths"].append(self.path)
        mode = cfg["mode"]
        if mode == "slow":
            time.sleep(float(cfg["delay"]))
        if mode == "http500":
            return self.reply(500, "internal error")
        if role == "":
            if mode == "norole":
                return self.reply(404, "not found")
            return self.reply(200, cfg["role"])
        if role != cfg["role"]:
            return self.reply(404, "no such role")
        if mode == "notjson":
            return self.reply(200, "<html>not json</html>", "text/html")
        expired = int(time.time()) + int(cfg["expire_in"])
        doc = {
            "TmpSecretId": TMP_SECRET_ID,
            "TmpSecretKey": "wrongTmpKeyEXAMPLE" if mode == "badkey" else TMP_SECRET_KEY,
            "ExpiredTime": expired,
            "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expired)),
            "Token": TOKEN,
            "Code": "InternalError" if mode == "failcode" else "Success",
        }
        if mode == "nokey":
            del doc["TmpSecretKey"]
        self.reply(200, json.dumps(doc), "application/json")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"port": srv.server_address[1], "pid": os.getpid()}, f)
    os.rename(tmp, args.port_file)
    print("READY", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
