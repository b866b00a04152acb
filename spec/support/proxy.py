#!/usr/bin/env python3
"""A small forward proxy on loopback for the proxy specs (stdlib only).

    python3 spec/support/proxy.py --dir DIR [--cert PEM --key KEY]

Listens on ephemeral 127.0.0.1 ports, one per kind, and writes DIR/proxy.json
({"pid":..., "control":port, "http":port, ...}) once all are up:

  http         HTTP proxy: CONNECT tunnels and absolute-form requests, no auth
  http_auth    the same, Basic auth required (407 when missing or wrong)
  https        HTTP proxy behind TLS (needs --cert/--key), no auth
  https_auth   the same with Basic auth
  socks5       SOCKS5, no authentication
  socks5_auth  SOCKS5 with RFC 1929 user/password
  refuse       HTTP proxy answering every CONNECT with 403 and every
               absolute-form request with 403
  gateway      HTTP proxy answering every CONNECT with 502 (upstream down)

The credentials are --user / --password (defaults below). A control listener
answers GET /stats (JSON: per listener the connections accepted and each
request seen: CONNECT target, absolute URL or SOCKS target, address type,
and auth: "none", "ok" or "bad") and POST /reset.
"""
import argparse
import base64
import os
import select
import socket
import socketserver
import ssl
import struct
import sys
import threading
from http.server import ThreadingHTTPServer

from loopback import JSONControl, announce

USER = "proxyuser"
PASSWORD = "pr0xy:p@ss w0rd"

LOCK = threading.Lock()
STATS = {}


def record(kind, **entry):
    with LOCK:
        STATS[kind]["requests"].append(entry)


def count_connection(kind):
    with LOCK:
        STATS[kind]["connections"] += 1


def reset():
    with LOCK:
        for s in STATS.values():
            s["connections"] = 0
            s["requests"] = []


def relay(a, b):
    """Copies bytes both ways until either side closes."""
    socks = [a, b]
    while True:
        ready = [s for s in socks if isinstance(s, ssl.SSLSocket) and s.pending()]
        if not ready:
            ready, _, _ = select.select(socks, [], [], 120)
            if not ready:
                return
        for s in ready:
            try:
                data = s.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                (b if s is a else a).sendall(data)
            except OSError:
                return


def read_head(sock, buf):
    """Reads up to the end of a header block. Returns (head, rest) or (None, b'')."""
    while b"\r\n\r\n" not in buf:
        try:
            data = sock.recv(65536)
        except OSError:
            return None, b""
        if not data:
            return None, b""
        buf += data
        if len(buf) > 65536:
            return None, b""
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def read_exact(sock, buf, n):
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            raise OSError("closed")
        buf += data
    return buf[:n], buf[n:]


def parse_headers(lines):
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers


def header(headers, name):
    for k, v in headers:
        if k.lower() == name:
            return v
    return None


class HTTPProxy(socketserver.BaseRequestHandler):
    """CONNECT and absolute-form, one client connection, several requests."""

    def setup(self):
        count_connection(self.server.kind)
        if self.server.tls is not None:
            self.request.settimeout(30)
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)

    def auth_state(self, headers):
        got = header(headers, "proxy-authorization")
        if got is None:
            return "none"
        want = "Basic " + base64.b64encode(
            (self.server.user + ":" + self.server.password).encode()).decode()
        return "ok" if got == want else "bad"

    def reply(self, status, reason, extra=b"", close=True):
        body = reason.encode()
        msg = ("HTTP/1.1 %d %s\r\nContent-Length: %d\r\n" % (status, reason, len(body))).encode()
        msg += extra
        if close:
            msg += b"Connection: close\r\n"
        self.request.sendall(msg + b"\r\n" + body)

    def handle(self):
        buf = b""
        while True:
            head, buf = read_head(self.request, buf)
            if head is None:
                return
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                return self.reply(400, "Bad Request")
            method, target, _ = parts
            headers = parse_headers(lines[1:])
            auth = self.auth_state(headers)
            kind = self.server.kind
            if method == "CONNECT":
                record(kind, method="CONNECT", target=target, auth=auth)
            else:
                record(kind, method=method, target=target, auth=auth)
            if self.server.require_auth and auth != "ok":
                return self.reply(407, "Proxy Authentication Required",
                                  b'Proxy-Authenticate: Basic realm="vod-test"\r\n')
            if self.server.refuse:
                return self.reply(self.server.refuse, "Refused by policy" if self.server.refuse == 403
                                  else "Bad Gateway")
            if method == "CONNECT":
                return self.tunnel(target, buf)
            if not target.startswith("http://"):
                return self.reply(400, "Bad Request")
            buf = self.forward(method, target, headers, buf)
            if buf is None:
                return

    def tunnel(self, target, early):
        host, _, port = target.rpartition(":")
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            return self.reply(502, "Bad Gateway")
        up.settimeout(None)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with up:
            if early:
                up.sendall(early)
            relay(self.request, up)

    def forward(self, method, target, headers, buf):
        """One absolute-form request; returns what was read past it, or None to close."""
        rest = target[len("http://"):]
        authority, _, path = rest.partition("/")
        host, _, port = authority.rpartition(":")
        length = int(header(headers, "content-length") or "0")
        body, buf = read_exact(self.request, buf, length)
        out = ["%s /%s HTTP/1.1" % (method, path)]
        for k, v in headers:
            if k.lower() not in ("proxy-authorization", "proxy-connection", "connection"):
                out.append("%s: %s" % (k, v))
        out.append("Connection: close")
        try:
            up = socket.create_connection((host.strip("[]"), int(port or 80)), timeout=30)
        except (OSError, ValueError):
            self.reply(502, "Bad Gateway")
            return None
        with up:
            up.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            rhead, rbuf = read_head(up, b"")
            if rhead is None:
                self.reply(502, "Bad Gateway")
                return None
            rlines = rhead.split("\r\n")
            rheaders = parse_headers(rlines[1:])
            rlen = header(rheaders, "content-length")
            if rlen is None:            # until the upstream closes; then close too
                while True:
                    data = up.recv(65536)
                    if not data:
                        break
                    rbuf += data
                keep = [(k, v) for k, v in rheaders if k.lower() != "connection"]
                keep.append(("Content-Length", str(len(rbuf))))
            else:
                rbody, _ = read_exact(up, rbuf, int(rlen))
                rbuf = rbody
                keep = [(k, v) for k, v in rheaders if k.lower() != "connection"]
        msg = rlines[0] + "\r\n" + "".join("%s: %s\r\n" % kv for kv in keep) + "\r\n"
        self.request.sendall(msg.encode("latin-1") + rbuf)
        return buf


class SOCKS5(socketserver.BaseRequestHandler):
    def setup(self):
        count_connection(self.server.kind)

    def handle(self):
        s = self.request
        buf = b""
        try:
            greet, buf = read_exact(s, buf, 2)
            if greet[0] != 5:
                return
            methods, buf = read_exact(s, buf, greet[1])
            want = 2 if self.server.require_auth else 0
            if want not in methods:
                s.sendall(b"\x05\xff")
                record(self.server.kind, method="SOCKS5", target=None, auth="none")
                return
            s.sendall(bytes([5, want]))
            auth = "none"
            if want == 2:
                ver, buf = read_exact(s, buf, 2)
                user, buf = read_exact(s, buf, ver[1])
                plen, buf = read_exact(s, buf, 1)
                pw, buf = read_exact(s, buf, plen[0])
                ok = user.decode("latin-1") == self.server.user and \
                    pw.decode("utf-8", "replace") == self.server.password
                auth = "ok" if ok else "bad"
                s.sendall(b"\x01\x00" if ok else b"\x01\x01")
                if not ok:
                    record(self.server.kind, method="SOCKS5", target=None, auth=auth)
                    return
            req, buf = read_exact(s, buf, 4)
            atyp = req[3]
            if atyp == 1:
                raw, buf = read_exact(s, buf, 4)
                host, kind = socket.inet_ntop(socket.AF_INET, raw), "ipv4"
            elif atyp == 4:
                raw, buf = read_exact(s, buf, 16)
                host, kind = socket.inet_ntop(socket.AF_INET6, raw), "ipv6"
            elif atyp == 3:
                n, buf = read_exact(s, buf, 1)
                raw, buf = read_exact(s, buf, n[0])
                host, kind = raw.decode("latin-1"), "domain"
            else:
                return
            pb, buf = read_exact(s, buf, 2)
            port = struct.unpack(">H", pb)[0]
            record(self.server.kind, method="SOCKS5", target="%s:%d" % (host, port),
                   atyp=kind, auth=auth)
            if req[1] != 1:
                s.sendall(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
                return
            try:
                up = socket.create_connection((host, port), timeout=10)
            except OSError:
                s.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
                return
            up.settimeout(None)
            s.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
            with up:
                if buf:
                    up.sendall(buf)
                relay(s, up)
        except OSError:
            return


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler, kind, user, password, require_auth=False, tls=None, refuse=0):
        self.kind = kind
        self.user, self.password = user, password
        self.require_auth = require_auth
        self.tls = tls
        self.refuse = refuse
        STATS[kind] = {"connections": 0, "requests": []}
        super().__init__(("127.0.0.1", 0), handler)


class Control(JSONControl):
    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                return self.reply(STATS)
        self.send_error(404)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/reset":
            reset()
            return self.reply({"ok": True})
        self.send_error(404)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user", default=USER)
    ap.add_argument("--password", default=PASSWORD)
    a = ap.parse_args(argv)
    tls = None
    if a.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(a.cert, a.key)
    kinds = [
        ("http", HTTPProxy, {}),
        ("http_auth", HTTPProxy, {"require_auth": True}),
        ("socks5", SOCKS5, {}),
        ("socks5_auth", SOCKS5, {"require_auth": True}),
        ("refuse", HTTPProxy, {"refuse": 403}),
        ("gateway", HTTPProxy, {"refuse": 502}),
    ]
    if tls is not None:
        kinds += [("https", HTTPProxy, {"tls": tls}),
                  ("https_auth", HTTPProxy, {"tls": tls, "require_auth": True})]
    ports = {"pid": os.getpid()}
    for kind, handler, kw in kinds:
        srv = Server(handler, kind, a.user, a.password, **kw)
        ports[kind] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    control = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    ports["control"] = control.server_address[1]
    announce(os.path.join(a.dir, "proxy.json"), ports)
    print("READY", flush=True)
    try:
        control.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
