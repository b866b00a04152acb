#!/usr/bin/env python3
"""A scripted HTTP/1.1 server on loopback for the transport specs (stdlib only).

    python3 spec/support/rawhttp.py --dir DIR

Answers POSTs with a VOD-shaped JSON body, each answer shaped by the next
mode in its script (then "normal"), so the client's own HTTP/1.1 reader
meets what real servers and middleboxes do:

  normal      HTTP/1.1 200 with Content-Length, the connection kept
  bytewise    the same, one byte per TCP segment
  continue    "100 Continue" first, then the answer
  chunked     chunked, a chunk per segment, with an extension and a trailer
  http10      HTTP/1.0 without a length: the body ends with the connection
  close       "Connection: close", then closes
  idle_close  the answer, then closes the idle connection 0.2 s later
  extra       the answer followed by bytes nobody asked for
  silent      reads the request, closes without an answer
  reset       reads the request, resets the connection (RST) without an answer
  garbage     answers "SSH-2.0-..." and closes
  bighead     a 70 KB header block
  bigint      the answer with integers beyond 2^53 (MediaInfo.Size = 2^53 + 1,
              Sizes = [1, 2^53, -(2^53 + 1)]), written exactly

and, for the fault matrix (spec/faults_spec.lua), every one kept alive unless
it says otherwise:

  html502     502 with an HTML page
  api500      500 with the API's JSON error (InternalError)
  notjson     200 whose body is not JSON
  noresponse  200 with JSON that has no "Response"
  throttle    200 with RequestLimitExceeded
  auth        200 with AuthFailure.SignatureFailure
  invalid     200 with InvalidParameterValue
  midbody     200 with a Content-Length, half the body, then closes
  badchunk    chunked, with a chunk size that is not hexadecimal
  big         200 with a 200 KB body
  slow        the answer after 1.5 s
  endless     header lines that never end (100 KB of them, then silence)

Writes DIR/rawhttp.json ({"pid", "port", "control"}) once listening. The
control listener: POST /script {"modes": [...]}, POST /reset, GET /stats
({"connections": n, "requests": [{"conn": i, "head": "...", "body": n}]}),
POST /mode {"mode": M}: the mode once the script is used up (default
"normal"), POST /drop: closes every connection the server holds.
"""
import argparse
import json
import os
import socket
import socketserver
import struct
import threading
import time
from http.server import ThreadingHTTPServer

from loopback import JSONControl, announce

LOCK = threading.Lock()
STATE = {"connections": 0, "requests": [], "script": [], "mode": "normal", "socks": set()}


def next_mode():
    with LOCK:
        return STATE["script"].pop(0) if STATE["script"] else STATE["mode"]


def api_answer(code, message):
    return json.dumps({"Response": {"Error": {"Code": code, "Message": message},
                                    "RequestId": "req-err"}}).encode()


def answer_with(sock, status, ctype, body):
    sock.sendall(b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                 % (status, ctype, len(body)) + body)


def read_request(sock, buf):
    """Returns (head, body, rest) or None when the client closed."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            return None
        rest += data
    return head.decode("latin-1"), rest[:length], rest[length:]


class Conn(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with LOCK:
            STATE["connections"] += 1
            conn = STATE["connections"]
            STATE["socks"].add(sock)
        try:
            self.serve(sock, conn)
        finally:
            with LOCK:
                STATE["socks"].discard(sock)

    def serve(self, sock, conn):
        buf = b""
        while True:
            try:
                got = read_request(sock, buf)
            except OSError:
                return
            if got is None:
                return
            head, body, buf = got
            with LOCK:
                STATE["requests"].append({"conn": conn, "head": head, "body": len(body)})
                n = len(STATE["requests"])
            try:
                if not self.answer(sock, next_mode(), n):
                    return
            except OSError:         # the client gave up first (a timeout)
                return

    def answer(self, sock, mode, n):
        response = {"TaskId": "raw-%d" % n, "RequestId": "req-%d" % n}
        if mode == "bigint":        # Python's integers are exact: so is its JSON
            response["MediaInfo"] = {"Size": 2 ** 53 + 1}
            response["Sizes"] = [1, 2 ** 53, -(2 ** 53 + 1)]
            mode = "normal"
        payload = json.dumps({"Response": response}).encode()
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % len(payload)
        whole = head + b"\r\n" + payload
        if mode == "normal":
            sock.sendall(whole)
        elif mode == "bytewise":
            for i in range(len(whole)):
                sock.sendall(whole[i:i + 1])
                time.sleep(0.0005)
        elif mode == "continue":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)
            sock.sendall(whole)
        elif mode == "chunked":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            for i in range(0, len(payload), 7):
                part = payload[i:i + 7]
                sock.sendall(b"%x;n=%d\r\n%s\r\n" % (len(part), i, part))
                time.sleep(0.001)
            sock.sendall(b"0\r\nX-Trailer: done\r\n\r\n")
        elif mode == "http10":
            sock.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + payload)
            sock.shutdown(socket.SHUT_WR)
            return False
        elif mode == "close":
            sock.sendall(head + b"Connection: close\r\n\r\n" + payload)
            sock.shutdown(socket.SHUT_WR)
            return False
        elif mode == "idle_close":
            sock.sendall(whole)
            time.sleep(0.2)
            sock.shutdown(socket.SHUT_RDWR)
            return False
        elif mode == "extra":
            sock.sendall(whole + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        elif mode == "silent":
            sock.shutdown(socket.SHUT_RDWR)
            return False
        elif mode == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return False
        elif mode == "garbage":
            sock.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            sock.shutdown(socket.SHUT_WR)
            return False
        elif mode == "bighead":
            sock.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 70000 + b"\r\n" + head[17:] +
                         b"\r\n" + payload)
        elif mode == "html502":
            answer_with(sock, b"502 Bad Gateway", b"text/html",
                        b"<html><body><h1>502 Bad Gateway</h1></body></html>")
        elif mode == "api500":
            answer_with(sock, b"500 Internal Server Error", b"application/json",
                        api_answer("InternalError", "an internal error"))
        elif mode == "notjson":
            answer_with(sock, b"200 OK", b"text/html", b"<html>not JSON</html>")
        elif mode == "noresponse":
            answer_with(sock, b"200 OK", b"application/json", b'{"Result": {"TaskId": "x"}}')
        elif mode == "throttle":
            answer_with(sock, b"200 OK", b"application/json",
                        api_answer("RequestLimitExceeded", "too many requests"))
        elif mode == "auth":
            answer_with(sock, b"200 OK", b"application/json",
                        api_answer("AuthFailure.SignatureFailure", "the signature is wrong"))
        elif mode == "invalid":
            answer_with(sock, b"200 OK", b"application/json",
                        api_answer("InvalidParameterValue", "TaskId is not valid"))
        elif mode == "midbody":
            sock.sendall(head + b"\r\n" + payload[:len(payload) // 2])
            time.sleep(0.05)
            sock.shutdown(socket.SHUT_RDWR)
            return False
        elif mode == "badchunk":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + payload + b"\r\n0\r\n\r\n")
        elif mode == "big":
            answer_with(sock, b"200 OK", b"application/json",
                        b'{"Response": {"RequestId": "r", "Pad": "' + b"a" * 200000 + b'"}}')
        elif mode == "slow":
            time.sleep(1.5)
            sock.sendall(whole)
        elif mode == "endless":
            sock.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(2000):
                sock.sendall(b"X-More: " + b"b" * 40 + b"\r\n")
            time.sleep(5)
            return False
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Control(JSONControl):
    def do_GET(self):
        with LOCK:
            self.reply({"connections": STATE["connections"], "requests": STATE["requests"]})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with LOCK:
            if self.path == "/reset":
                STATE["connections"] = 0
                STATE["requests"] = []
                STATE["script"] = []
                STATE["mode"] = "normal"
            elif self.path == "/script":
                STATE["script"] = list(json.loads(body)["modes"])
            elif self.path == "/mode":
                STATE["mode"] = json.loads(body)["mode"]
            elif self.path == "/drop":
                for s in list(STATE["socks"]):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
        self.reply({"ok": True})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Conn)
    ctl = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    ctl.daemon_threads = True
    for s in (srv, ctl):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    info = {"pid": os.getpid(), "port": srv.server_address[1], "control": ctl.server_address[1]}
    announce(os.path.join(args.dir, "rawhttp.json"), info)
    threading.Event().wait()


if __name__ == "__main__":
    main()
