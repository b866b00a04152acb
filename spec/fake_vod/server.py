#!/usr/bin/env python3
"""Fake Tencent Cloud VOD API 3.0 endpoint for client tests (stdlib only).

Usage: python3 server.py --dir DIR [--secret-id ID --secret-key KEY]
                         [--token TOKEN] [--model PATH]... [--verbose]
                         [--exit-with-parent]

Generates a test PKI into DIR, listens on four ephemeral 127.0.0.1 ports
(http, https, https_wrong_host, https_untrusted) that share one state, and
two for the fake COS (cos_http, cos_https), writes DIR/ports.json and prints
READY. See README.md.
"""
import argparse
import itertools
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import actions  # noqa: E402
import certs  # noqa: E402
import control  # noqa: E402
import cos  # noqa: E402
import crc64  # noqa: E402
import faults  # noqa: E402
import tc3  # noqa: E402
from apierror import ApiError, error_response  # noqa: E402
from cos_store import CosStore  # noqa: E402
from model import Model  # noqa: E402
from state import State, session_id_of  # noqa: E402

DEFAULT_SECRET_ID = "AKIDEXAMPLEFAKEVOD0000000000000000"
DEFAULT_SECRET_KEY = "fakeVodSecretKeyEXAMPLE0000000000"
TMP_SECRET_ID = "AKIDEXAMPLETMPVOD0000000000000000"
TMP_SECRET_KEY = "fakeVodTmpKeyEXAMPLE000000000000"
DEFAULT_TOKEN = "fakeVodTokenEXAMPLE"

MAX_BODY = 10 * 1024 * 1024      # documented POST body limit
MAX_DRAIN = 64 * 1024 * 1024     # larger bodies are not read; connection closed
# (name, certificate or None for plain HTTP, COS or not)
LISTENERS = (("http", None, False), ("https", "server", False),
             ("https_wrong_host", "wrong", False), ("https_untrusted", "untrusted", False),
             ("cos_http", None, True), ("cos_https", "server", True))
_CONN_IDS = itertools.count(1)
_DIGITS = re.compile(r"[0-9]{1,15}")


class App:
    """What every request handler needs: state, credentials, logging."""

    def __init__(self, credentials, verbose, model):
        self.state = State()
        self.model = model
        self.credentials = credentials
        self.verbose = verbose

    def log(self, text):
        if self.verbose:
            sys.stderr.write("fake_vod: %s\n" % text.rstrip())
            sys.stderr.flush()


class BadBody(Exception):
    """The request body could not be read as announced."""

    def __init__(self, code, message, close):
        super().__init__(message)
        self.code, self.message, self.close = code, message, close


class ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive
    server_version = "FakeVOD/1.0"
    timeout = 120                   # idle keep-alive connections end eventually
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle
    # plus the client's delayed ACK would add ~40 ms to every response.
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """The Date header tells the fake's own clock (with clock_offset), as a
        server whose clock differs from the client's would."""
        return super().date_time_string(self.app.state.server_time()
                                        if timestamp is None else timestamp)

    def setup(self):
        super().setup()
        self.conn_id = next(_CONN_IDS)

    @property
    def app(self):
        return self.server.app

    def log_message(self, fmt, *args):
        self.app.log("[%s] %s" % (self.server.kind, fmt % args))

    def _serve(self):
        """Entry point for every method; API and control share the listeners."""
        try:
            self._dispatch()
        except (ClientGone, OSError):
            self.close_connection = True   # client went away / TLS broke

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _serve

    def _dispatch(self):
        body, bad = b"", None
        try:
            body = self._read_body()
        except BadBody as e:
            bad = e
            self.close_connection = self.close_connection or e.close
        path = self.path.split("?", 1)[0]
        if path == "/_control" or path.startswith("/_control/"):
            self._handle_control(body, bad)
        elif self.command in ("GET", "HEAD") and path.startswith("/media/"):
            self._handle_media(path[len("/media/"):])
        else:
            self._handle_api(body, bad)

    # -- reading -----------------------------------------------------------
    def _read_exact(self, n):
        data = self.rfile.read(n)
        if len(data) < n:
            raise ClientGone()
        return data

    def _drain(self, n):
        while n > 0:
            n -= len(self._read_exact(min(n, 65536)))

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding")
        if te is not None:
            if te.strip().lower() != "chunked":
                raise BadBody("InvalidRequest", "unsupported Transfer-Encoding", True)
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not _DIGITS.fullmatch(length.strip()):
            raise BadBody("InvalidRequest", "bad Content-Length", True)
        n = int(length)
        if n > MAX_BODY:
            if n > MAX_DRAIN:
                raise BadBody("RequestSizeLimitExceeded", "body larger than 10 MB", True)
            self._drain(n)
            raise BadBody("RequestSizeLimitExceeded", "body larger than 10 MB", False)
        return self._read_exact(n)

    def _read_chunked(self):
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ClientGone()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadBody("InvalidRequest", "bad chunked encoding", True)
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BadBody("RequestSizeLimitExceeded", "body larger than 10 MB", True)
            parts.append(self._read_exact(size))
            self.rfile.readline(8)

    # -- writing -----------------------------------------------------------
    def send_payload(self, status, content_type, parts, length=None):
        """Send a response from byte parts; chunked if so configured."""
        parts = list(parts) if length is None else parts
        chunked = self.app.state.config["chunked"]
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if self.close_connection:
            self.send_header("Connection", "close")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length",
                             str(length if length is not None else sum(map(len, parts))))
        self.end_headers()
        if self.command == "HEAD":
            return
        for part in parts:
            if part:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def send_api_json(self, response):
        data = json.dumps({"Response": response}, ensure_ascii=False).encode("utf-8")
        if self.app.state.config["chunked"]:
            step = max(1, (len(data) + 3) // 4)   # several chunks
            parts = [data[i:i + step] for i in range(0, len(data), step)]
        else:
            parts = [data]
        self.send_payload(200, "application/json", parts)

    # -- control API -------------------------------------------------------
    def _handle_control(self, body, bad):
        if bad:
            status, obj = 400, {"error": bad.message}
        else:
            try:
                status, obj = control.handle(self.app.state, self.app.model,
                                             self.command, self.path, body)
            except Exception as e:
                self.app.log(traceback.format_exc())
                status, obj = 500, {"error": "internal error: %r" % e}
        data = json.dumps(obj).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # -- objects served back (MediaUrl, CoverUrl): GET, no signature ---------
    def _handle_media(self, quoted_key):
        key = unquote(quoted_key, errors="replace")
        obj = self.app.state.cos.get_object(key)
        if obj is None:
            data = ("no object at `%s`\n" % key).encode("utf-8")
            self.send_payload(404, "text/plain; charset=utf-8", [data])
            return
        self.send_response(200)
        for name, value in cos.object_headers(obj):
            self.send_header(name, value)
        self.send_header("x-cos-hash-crc64ecma", str(obj["crc64"]))
        self.send_header("Content-Length", str(obj["size"]))
        self.end_headers()
        if self.command == "GET":
            try:
                cos.send_object_body(self.connection, obj)
            except OSError:
                self.close_connection = True

    # -- VOD API -----------------------------------------------------------
    def _handle_api(self, body, bad):
        state = self.app.state
        action = self.headers.get("X-TC-Action")
        record = state.record_request(self.conn_id, action and action.strip(),
                                      self.command, self.path,
                                      dict(self.headers.items()), body)
        if bad:
            state.count_error(bad.code)
            self.send_api_json(error_response(bad.code, bad.message))
            return
        fault = state.take_fault(record["action"])
        mode = fault and fault["mode"]
        if mode == "delay":
            time.sleep(fault["seconds"])          # outside any lock
        if mode in faults.BEFORE_PROCESSING:
            faults.answer_without_processing(self, fault)
            return
        response = self._process(body, record)
        if mode == "lose_answer":
            state.record_lost(record["action"], session_id_of(body),
                              response.get("TaskId"))
        if mode in faults.AFTER_PROCESSING:
            faults.answer_after_processing(self, fault, response)
        else:
            self.send_api_json(response)

    def _process(self, body, record):
        try:
            response = actions.handle(self.app, self.command, self.path,
                                      self.headers, body, record)
        except ApiError as e:
            response = error_response(e.code, e.message)
        except Exception:  # never let one request kill the server
            self.app.log(traceback.format_exc())
            response = error_response("InternalError", "internal error in fake endpoint")
        if "Error" in response:
            self.app.state.count_error(response["Error"]["Code"])
            self.app.log("-> %s: %s" % (response["Error"]["Code"],
                                        response["Error"]["Message"]))
            if response["Error"]["Code"] == "AuthFailure.SignatureFailure":
                self.app.log("server canonical request:\n%s"
                             % record.get("canonical_request"))
        return response


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, kind, app, ssl_context, handler=Handler):
        self.kind, self.app, self.ssl_context = kind, app, ssl_context
        super().__init__(("127.0.0.1", 0), handler)

    def process_request_thread(self, request, client_address):
        # TLS handshake here, in the connection's own thread, so a slow or
        # failing client never blocks the accept loop.
        try:
            if self.ssl_context is not None:
                request.settimeout(10)
                request = self.ssl_context.wrap_socket(request, server_side=True)
            self.finish_request(request, client_address)
        except Exception as e:
            self.app.log("[%s] connection error: %r" % (self.kind, e))
        finally:
            self.shutdown_request(request)

    def handle_error(self, request, client_address):
        self.app.log(traceback.format_exc())


def tls_context(directory, name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(directory, name + ".pem"),
                        os.path.join(directory, name + ".key"))
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def write_ports(directory, listeners):
    ports = {kind: srv.server_address[1] for kind, srv in listeners.items()}
    ports["pid"] = os.getpid()
    tmp = os.path.join(directory, "ports.json.tmp.%d" % os.getpid())
    with open(tmp, "w") as f:
        json.dump(ports, f)
        f.write("\n")
    os.replace(tmp, os.path.join(directory, "ports.json"))


def parse_args(argv):
    p = argparse.ArgumentParser(description="Fake Tencent Cloud VOD endpoint")
    p.add_argument("--dir", required=True, help="writable dir for certs and ports.json")
    p.add_argument("--secret-id", default=DEFAULT_SECRET_ID)
    p.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    p.add_argument("--token", default=DEFAULT_TOKEN,
                   help="X-TC-Token required with the temporary credential")
    p.add_argument("--model", action="append", default=None, metavar="PATH",
                   help="an API model; repeat for several, validated as their union "
                        "(default: the project's two editions, model/vod-2018-07-17.model.json "
                        "and model/vod-2018-07-17.intl.model.json)")
    p.add_argument("--verbose", action="store_true", help="log to stderr")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="exit when the parent process goes away")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.dir, exist_ok=True)
    certs.generate(args.dir)
    credentials = {args.secret_id: tc3.Credential(args.secret_key),
                   TMP_SECRET_ID: tc3.Credential(TMP_SECRET_KEY, args.token)}
    app = App(credentials, args.verbose, Model(args.model))
    crc64.self_check()
    if crc64.IMPLEMENTATION.startswith("pure"):
        sys.stderr.write("fake_vod: CRC-64 in %s\n" % crc64.IMPLEMENTATION)
    app.state.cos = CosStore(os.path.join(args.dir, "cos"))
    listeners = {}
    for kind, cert, is_cos in LISTENERS:
        ctx = tls_context(args.dir, cert) if cert else None
        listeners[kind] = Listener(kind, app, ctx, cos.CosHandler if is_cos else Handler)
    app.state.media_base = "http://127.0.0.1:%d/media/" % listeners["http"].server_address[1]
    for srv in listeners.values():
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    write_ports(args.dir, listeners)
    print("READY", flush=True)
    app.log("ports %s" % {k: s.server_address[1] for k, s in listeners.items()})

    parent = os.getppid()
    while not stop.wait(0.2):
        if args.exit_with_parent and os.getppid() != parent:
            break
    stoppers = [threading.Thread(target=srv.shutdown) for srv in listeners.values()]
    for t in stoppers:
        t.start()
    for t in stoppers:
        t.join()
    for srv in listeners.values():
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
