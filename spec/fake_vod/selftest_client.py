"""Independent test client for the fake VOD endpoint (used by selftest.py).

A TC3-HMAC-SHA256 signer and HTTP client written from the spec alone, with
hmac/hashlib + http.client. It imports nothing from the server's modules (nor
shares code with the C client), so a signing bug cannot hide on both sides.
"""
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")

SECRET_ID = "AKIDEXAMPLEFAKEVOD0000000000000000"
SECRET_KEY = "fakeVodSecretKeyEXAMPLE0000000000"
TMP_ID = "AKIDEXAMPLETMPVOD0000000000000000"
TMP_KEY = "fakeVodTmpKeyEXAMPLE000000000000"
TOKEN = "fakeVodTokenEXAMPLE"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ISO_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
IMG = ["https://example.com/a.png"]


# ---------------------------------------------------------------- signer --
def hex_sha256(data):
    return hashlib.sha256(data).hexdigest()


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sign_tc3(secret_key, service, timestamp, method, query, values, payload,
             date=None):
    """Independent TC3-HMAC-SHA256 signer.

    values: {lowercase header name: value exactly as it is to be signed}.
    Returns (hashed canonical request, signature hex, signed header names).
    """
    if date is None:
        date = datetime.datetime.fromtimestamp(
            timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    names = sorted(values)
    block = "".join("%s:%s\n" % (n, values[n].strip()) for n in names)
    creq = "\n".join([method, "/", query, block, ";".join(names),
                      hex_sha256(payload)])
    hashed = hex_sha256(creq.encode())
    sts = "TC3-HMAC-SHA256\n%d\n%s/%s/tc3_request\n%s" % (timestamp, date,
                                                          service, hashed)
    key = hmac256(("TC3" + secret_key).encode(), date)
    key = hmac256(hmac256(key, service), "tc3_request")
    return hashed, hmac.new(key, sts.encode(), hashlib.sha256).hexdigest(), names


# ---------------------------------------------------------------- server --
class FakeServer:
    def __init__(self, *extra, env=None):
        self.dir = tempfile.mkdtemp(prefix="fake_vod_selftest_")
        t0 = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--dir", self.dir] + list(extra),
            stdout=subprocess.PIPE, text=True, env=dict(os.environ, **(env or {})))
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline() if ready else ""
        if line.strip() != "READY":
            self.proc.kill()
            raise RuntimeError("server did not print READY (got %r)" % line)
        self.startup = time.time() - t0
        with open(os.path.join(self.dir, "ports.json")) as f:
            self.ports = json.load(f)
        self.ca = os.path.join(self.dir, "ca.pem")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- client --
class Client:
    def __init__(self, srv, secret_id=SECRET_ID, secret_key=SECRET_KEY):
        self.srv, self.ports = srv, srv.ports
        self.secret_id, self.secret_key = secret_id, secret_key
        self._conn = None

    def connect(self, kind="http", host="127.0.0.1", ctx=None, timeout=20):
        port = self.ports[kind]
        if kind == "http":
            return http.client.HTTPConnection(host, port, timeout=timeout)
        if ctx is None:
            ctx = ssl.create_default_context(cafile=self.srv.ca)
        return http.client.HTTPSConnection(host, port, context=ctx, timeout=timeout)

    def build(self, action, params=None, body=None, ts=None, kind="http",
              host="127.0.0.1", secret_id=None, secret_key=None,
              content_type="application/json", sign=("content-type", "host"),
              service="vod", date=None, token=None, sign_values=None,
              headers=None, auth=None):
        """Return (body bytes, request headers) of a signed API call."""
        if body is None:
            body = json.dumps(params if params is not None else {}).encode()
        ts = int(time.time()) if ts is None else ts
        hdrs = {"Host": "%s:%d" % (host, self.ports[kind]),
                "Content-Type": content_type, "X-TC-Action": action,
                "X-TC-Version": "2018-07-17", "X-TC-Timestamp": str(ts)}
        if token is not None:
            hdrs["X-TC-Token"] = token
        # Canonical values: host without port, action lowercased.
        values = {"content-type": content_type, "host": host,
                  "x-tc-action": action.lower(), "x-tc-timestamp": str(ts),
                  "x-tc-token": token or ""}
        values.update(sign_values or {})
        values = {n: values[n] for n in sign}
        _, sig, names = sign_tc3(secret_key or self.secret_key, service, ts,
                                 "POST", "", values, body, date)
        scope_date = date or datetime.datetime.fromtimestamp(
            ts, datetime.timezone.utc).strftime("%Y-%m-%d")
        hdrs["Authorization"] = auth or (
            "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=%s, "
            "Signature=%s" % (secret_id or self.secret_id, scope_date, service,
                              ";".join(names), sig))
        for k, v in (headers or {}).items():
            if v is None:
                hdrs.pop(k, None)
            else:
                hdrs[k] = v
        return body, hdrs

    def send(self, conn, method, path, body, hdrs, **kw):
        conn.request(method, path, body=body, headers=hdrs, **kw)
        r = conn.getresponse()
        data = r.read()
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            obj = None
        return r, data, obj

    def call(self, action, params=None, conn=None, method="POST", path="/", **kw):
        """Signed call; returns (HTTPResponse, raw bytes, parsed JSON or None)."""
        own = conn is None
        if own:
            conn = self._conn = self._conn or self.connect()
        body, hdrs = self.build(action, params, **kw)
        try:
            return self.send(conn, method, path, body, hdrs)
        except Exception:
            if own:
                self._conn.close()
                self._conn = None
            raise

    def ctl(self, method, path, obj=None):
        conn = self.connect()
        try:
            body = json.dumps(obj).encode() if obj is not None else None
            conn.request(method, "/_control/" + path, body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()

    def reset(self, **config):
        self.ctl("POST", "reset")
        if config:
            self.ctl("POST", "config", config)

    def stats(self):
        return self.ctl("GET", "stats")[1]

    def create(self, **kw):
        params = kw.pop("params", None) or {"SubAppId": 221073, "SubjectName": "s",
                                             "SubjectImages": IMG}
        return self.call("CreateAigcSubject", params, **kw)

    def describe(self, task_id, **kw):
        return self.call("DescribeTaskDetail", {"TaskId": task_id}, **kw)


def code(obj):
    """Error code of a parsed response, or None for success."""
    try:
        return obj["Response"].get("Error", {}).get("Code")
    except (TypeError, AttributeError, KeyError):
        return "<not a Response object>"


def raw_exchange(port, payload, timeout=5):
    """Send raw bytes and half-close; read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            out += data
    return out
