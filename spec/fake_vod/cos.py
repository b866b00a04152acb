"""The fake COS (XML API V5) on its own listeners (cos_http, cos_https).

A request finds its upload session by the q-ak of its Authorization (the
temporary SecretId ApplyUpload gave), never by the Host name: the client
talks to 127.0.0.1:port. A Host of the form <bucket>.cos.<region>.<rest> must
name the session's bucket and region. The object key is the request path
without its leading "/", percent-decoded.

Order of the checks: the request line and query, the operation, then
Authorization (layout), q-ak (InvalidAccessKeyId), x-cos-security-token,
the Host's bucket, the signature (cos_sign.py), the key time against the COS
clock (start after now: RequestTimeTooSkewed; now after the end or after the
credentials' ExpiredTime: AccessDenied "Request has expired"; an end after
ExpiredTime: AccessDenied), a Date header more than 15 minutes away
(RequestTimeTooSkewed), the key (List Multipart Uploads: its prefix) against
the session's paths (AccessDenied), Content-MD5's form (InvalidDigest), then
the operation. A check that fails before the body was read answers at
once: with "Expect: 100-continue" the body is never asked for (and the
connection closes), otherwise the body is read and dropped (up to 256 MiB;
beyond, the connection closes).

Bodies stream to disk in 1 MiB chunks with their MD5 and CRC-64 computed on
the way; GET streams back with sendfile. See README.md for faults and the
ledger.
"""
import base64
import binascii
import email.utils
import hashlib
import os
import re
import time
import traceback
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

import cos_sign
import crc64
from coserror import CosError, XML_HEAD, error_document, new_request_id, new_trace_id
from cos_store import MAX_PART_NUMBER, quoted

CHUNK = 1 << 20
MAX_OBJECT = 5 << 30            # a PUT body or a part: at most 5 GiB
MAX_COMPLETE_BODY = 4 << 20
DRAIN_MAX = 256 << 20
MAX_SKEW = 900                  # a Date header this far from the COS clock: refused
MAX_LIST_PARTS = 1000
MAX_LIST_UPLOADS = 1000
_HOST_FORM = re.compile(r"([a-z0-9-]+)\.cos\.([a-z0-9-]+)\..+")
_DIGITS = re.compile(r"[0-9]{1,19}")

BODY_OPS = {"PutObject", "UploadPart", "CompleteMultipartUpload"}
CRC_OPS = {"PutObject", "UploadPart", "CompleteMultipartUpload", "GetObject", "HeadObject"}
OPERATIONS = {"PutObject", "InitiateMultipartUpload", "UploadPart",
              "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
              "GetObject", "HeadObject", "ListMultipartUploads"}


class ClientGone(Exception):
    pass


class Request:
    """One COS request and what the ledger keeps of it."""

    def __init__(self, method, target, headers):
        self.method, self.target = method, target
        self.headers = {}
        for name, value in headers.items():
            name = name.lower()
            self.headers[name] = (self.headers[name] + "," + value.strip()
                                  if name in self.headers else value.strip())
        self.operation = self.key = self.upload_id = self.part_number = None
        self.length = 0             # Content-Length announced (0 if none)
        self.received = 0
        self.md5 = hashlib.md5()
        self.status, self.code, self.fault = 0, None, None
        self.recorded = False       # in the ledger already (store.record)
        self.request_id, self.trace_id = new_request_id(), new_trace_id()
        self.time = time.time()

    def entry(self):
        return {"time": self.time, "method": self.method, "operation": self.operation,
                "key": self.key, "upload_id": self.upload_id,
                "part_number": self.part_number, "bytes": self.received,
                "md5": self.md5.hexdigest(), "status": self.status, "code": self.code,
                "fault": self.fault}


def parse_target(target):
    """(key, [(name, value)]) from the request target; CosError InvalidURI."""
    raw_path, _, raw_query = target.partition("?")
    try:
        if not raw_path.startswith("/"):
            raise ValueError
        key = unquote(raw_path[1:], errors="strict")
        query = []
        for item in raw_query.split("&") if raw_query else []:
            if item:
                name, _, value = item.partition("=")
                query.append((unquote(name, errors="strict"),
                              unquote(value, errors="strict")))
    except (ValueError, UnicodeDecodeError):
        raise CosError(400, "InvalidURI", "Couldn't parse the specified URI: `%s`"
                       % target[:200])
    return key, query


def operation_of(method, key, params):
    if not key:
        if method == "GET" and "uploads" in params:
            return "ListMultipartUploads"
        raise CosError(501, "NotImplemented",
                       "bucket operations other than List Multipart Uploads are not "
                       "implemented by the fake")
    if method == "PUT":
        if "partNumber" in params or "uploadId" in params:
            if "partNumber" not in params or "uploadId" not in params:
                raise CosError(400, "InvalidArgument",
                               "partNumber and uploadId must be given together")
            return "UploadPart"
        if "x-cos-copy-source" in params:
            raise CosError(501, "NotImplemented", "copies are not implemented by the fake")
        return "PutObject"
    if method == "POST":
        if "uploads" in params:
            return "InitiateMultipartUpload"
        if "uploadId" in params:
            return "CompleteMultipartUpload"
        raise CosError(501, "NotImplemented",
                       "POST Object is not implemented by the fake")
    if method == "DELETE":
        if "uploadId" in params:
            return "AbortMultipartUpload"
        raise CosError(501, "NotImplemented",
                       "DELETE Object is not implemented by the fake")
    if method == "GET":
        return "ListParts" if "uploadId" in params else "GetObject"
    if method == "HEAD":
        return "HeadObject"
    raise CosError(405, "MethodNotAllowed", "The specified method is not allowed: %s"
                   % method)


def key_allowed(session, key):
    """The session's media and cover, and for a manifest (m3u8, mpd) anything
    under the media's directory (its segments)."""
    if key in (session["media_key"], session["cover_key"]):
        return True
    if session["streaming"]:
        prefix = session["media_key"][:session["media_key"].rfind("/") + 1]
        return key.startswith(prefix)
    return False


def _iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def _xml(root, items):
    """A small XML document: items are (name, text) or (name, [items])."""
    def render(pairs):
        out = []
        for name, value in pairs:
            inner = render(value) if isinstance(value, list) else escape(str(value))
            out.append("<%s>%s</%s>" % (name, inner, name))
        return "".join(out)
    return ("<%s>%s</%s>" % (root, render(items), root)).encode("utf-8")


def send_object_body(connection, obj):
    """Stream an object's files (sendfile where it can)."""
    for path, size in obj["files"]:
        with open(path, "rb") as f:
            if size:
                connection.sendfile(f, 0, size)


class CosHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tencent-cos"
    timeout = 120
    disable_nagle_algorithm = True

    @property
    def app(self):
        return self.server.app

    @property
    def store(self):
        return self.server.app.state.cos

    def version_string(self):
        return self.server_version

    def date_time_string(self, timestamp=None):
        """The Date header tells the COS clock (cos_clock_offset included)."""
        return email.utils.formatdate(self.app.state.cos_time() if timestamp is None
                                      else timestamp, usegmt=True)

    def log_message(self, fmt, *args):
        self.app.log("[%s] %s" % (self.server.kind, fmt % args))

    def handle_expect_100(self):
        # "100 Continue" only once the request passed its checks.
        self._expect_pending = True
        return True

    def _continue(self):
        if getattr(self, "_expect_pending", False):
            self._expect_pending = False
            self.send_response_only(100)
            self.end_headers()

    def _serve(self):
        self._sent = False
        req = Request(self.command, self.path, self.headers)
        req.generation = self.store.generation
        try:
            self._handle(req)
        except CosError as e:
            self._error(req, e)
        except (ClientGone, OSError):
            self.close_connection = True
        except Exception as e:  # never let one request kill the server
            self.app.log(traceback.format_exc())
            self._error(req, CosError(500, "InternalError", "fake COS: %r" % e))
        finally:
            self._expect_pending = False
            if not req.recorded:
                self.store.record(req.entry())

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve

    # -- answers ---------------------------------------------------------------
    def _respond(self, req, status, headers=(), body=b"", length=None):
        # in the ledger before the client can read the answer: a client that
        # got it may look at the ledger at once (the request is over for it)
        req.status = status
        self.store.record(req.entry())
        req.recorded = True
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("x-cos-request-id", req.request_id)
        self.send_header("x-cos-trace-id", req.trace_id)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self._sent = True
        req.status = status
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, req, e):
        req.code = e.code
        if self._sent:
            self.close_connection = True
            return
        unread = req.length - req.received
        if unread > 0 or req.headers.get("transfer-encoding"):
            if getattr(self, "_expect_pending", False) or unread > DRAIN_MAX \
                    or req.headers.get("transfer-encoding"):
                self.close_connection = True
            else:
                try:
                    self._read(req, unread, None, None)
                except (ClientGone, OSError):
                    self.close_connection = True
                    return
        host = req.headers.get("host", "")
        body = error_document(e.code, e.message, host + req.target.split("?")[0],
                              req.request_id, req.trace_id)
        self.app.log("-> COS %d %s: %s" % (e.status, e.code, e.message))
        self._respond(req, e.status, [("Content-Type", "application/xml")], body)

    def _respond_chunked(self, req, headers, seconds, final):
        """200, whitespace every 0.1 s for `seconds` while "merging", then final."""
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("x-cos-request-id", req.request_id)
        self.send_header("x-cos-trace-id", req.trace_id)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._sent = True
        req.status = 200
        deadline = time.monotonic() + seconds
        while True:
            self.wfile.write(b"1\r\n \r\n")
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(0.1, left))
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(final), final))

    # -- reading -----------------------------------------------------------------
    def _read(self, req, n, sink, crc):
        """Read n body bytes (into req.md5, the ledger's and the body's MD5);
        into the file sink if given; their CRC-64 into crc[0] if given."""
        buf = bytearray(min(CHUNK, max(n, 1)))
        view = memoryview(buf)
        left = n
        while left > 0:
            k = self.rfile.readinto(view[:min(len(buf), left)])
            if not k:
                raise ClientGone()
            chunk = view[:k]
            req.md5.update(chunk)
            req.received += k
            left -= k
            if crc is not None:
                crc[0] = crc64.update(crc[0], chunk)
            if sink is not None:
                while chunk:
                    w = sink.write(chunk)
                    chunk = chunk[w:]

    def _receive(self, req, fault):
        """The body to a new data file: (path, size, md5 hex, crc). A
        close_mid_body fault reads part of it and closes the connection."""
        n = req.length
        if fault and fault["mode"] == "close_mid_body":
            self._continue()
            self._read(req, min(fault["after_bytes"], n // 2), None, None)
            self.close_connection = True
            raise ClientGone()
        self._continue()
        path = self.store.new_path()
        crc = [0]
        try:
            with open(path, "wb", buffering=0) as f:
                self._read(req, n, f, crc)
        except BaseException:
            _unlink(path)
            raise
        return path, n, req.md5.hexdigest(), crc[0]

    def _length(self, req, required):
        if req.headers.get("transfer-encoding"):
            raise CosError(501, "NotImplemented",
                           "Transfer-Encoding is not supported: send Content-Length")
        text = req.headers.get("content-length")
        if text is None:
            if required:
                raise CosError(411, "MissingContentLength",
                               "You must provide the Content-Length HTTP header.")
            return 0
        if not _DIGITS.fullmatch(text):
            self.close_connection = True
            raise CosError(400, "InvalidArgument", "bad Content-Length `%s`" % text[:40])
        return int(text)

    # -- the request ---------------------------------------------------------------
    def _handle(self, req):
        store = self.store
        key, query = parse_target(req.target)
        req.key = key
        if req.headers.get("transfer-encoding"):
            self.close_connection = True
        else:
            req.length = self._length(req, False)
        params = {}
        for name, value in query:
            if name in params:
                raise CosError(400, "InvalidArgument", "query parameter `%s` given twice"
                               % name)
            params[name] = value
        req.operation = op = operation_of(self.command, key, params)
        req.upload_id = params.get("uploadId")
        if op == "UploadPart":
            pn = params["partNumber"]
            if not _DIGITS.fullmatch(pn) or not 1 <= int(pn) <= MAX_PART_NUMBER:
                raise CosError(400, "InvalidArgument",
                               "partNumber must be an integer in 1..%d, got `%s`"
                               % (MAX_PART_NUMBER, pn[:20]))
            req.part_number = int(pn)
        session = self._authenticate(req, key, query)
        if op == "ListMultipartUploads":
            # a session lists only under a key it may write (the SDKs list
            # with prefix = the object's key before a multipart upload)
            if not key_allowed(session, params.get("prefix", "")):
                raise CosError(403, "AccessDenied",
                               "Access Denied: the temporary credentials of this upload "
                               "session do not cover the prefix `%s`"
                               % params.get("prefix", ""))
        elif not key_allowed(session, key):
            raise CosError(403, "AccessDenied",
                           "Access Denied: the temporary credentials of this upload "
                           "session do not cover the key `%s`" % key)
        md5_header = self._content_md5(req)
        if op in BODY_OPS:
            req.length = self._length(req, True)
            if req.length > (MAX_COMPLETE_BODY if op == "CompleteMultipartUpload"
                             else MAX_OBJECT):
                raise CosError(400, "EntityTooLarge",
                               "Your proposed upload exceeds the maximum allowed object "
                               "size (%d bytes)" % req.length)
        if op in ("UploadPart", "ListParts", "AbortMultipartUpload",
                  "CompleteMultipartUpload"):
            store.check_upload(req.upload_id, key)
        fault = store.take_fault(op, req.part_number)
        req.fault = fault and fault["mode"]
        if fault and fault["mode"] == "error" and op not in BODY_OPS:
            raise CosError(fault["status"], fault["code"], fault["message"])
        getattr(self, "_op_" + op)(req, session, params, md5_header, fault)

    def _authenticate(self, req, key, query):
        h = req.headers
        if "authorization" not in h:
            raise CosError(403, "AccessDenied",
                           "Access Denied. (the request carries no Authorization)")
        fields = cos_sign.parse_authorization(h["authorization"])
        session = self.store.session_by_ak(fields["q-ak"])
        if session is None:
            raise CosError(403, "InvalidAccessKeyId",
                           "The Access Key Id you provided does not exist in our records.")
        token = h.get("x-cos-security-token")
        if token is None:
            raise CosError(403, "AccessDenied", "x-cos-security-token is required with "
                           "the temporary credentials of an upload session")
        if token != session["token"]:
            raise CosError(403, "AccessDenied",
                           "x-cos-security-token does not belong to q-ak %s" % fields["q-ak"])
        m = _HOST_FORM.fullmatch(h.get("host", "").rsplit(":", 1)[0].lower())
        if m and (m.group(1), m.group(2)) != (session["bucket"], session["region"]):
            raise CosError(404, "NoSuchBucket",
                           "The specified bucket does not exist: `%s` in %s (the session's "
                           "is `%s` in %s)" % (m.group(1), m.group(2), session["bucket"],
                                              session["region"]))
        cos_sign.verify(self.command, key, query, h, fields, session["secret_key"])
        now = self.app.state.cos_time()
        start, end = cos_sign.key_time(fields)
        if start > end:
            raise CosError(403, "AccessDenied", "q-key-time starts after it ends")
        if start > now:
            raise CosError(403, "RequestTimeTooSkewed",
                           "The difference between the request time and the server's time "
                           "is too large: q-key-time starts at %d, server time is %d"
                           % (start, now))
        if now > end or now > session["expired_time"]:
            raise CosError(403, "AccessDenied", "Request has expired")
        if end > session["expired_time"]:
            raise CosError(403, "AccessDenied",
                           "q-key-time ends at %d, after the temporary credentials "
                           "expire (ExpiredTime %d)" % (end, session["expired_time"]))
        date = h.get("date")
        if date:
            try:
                sent = email.utils.parsedate_to_datetime(date).timestamp()
            except (TypeError, ValueError, IndexError):
                sent = None
            if sent is not None and abs(sent - now) > MAX_SKEW:
                raise CosError(403, "RequestTimeTooSkewed",
                               "The difference between the request time and the server's "
                               "time is too large: Date `%s`" % date)
        return session

    def _content_md5(self, req):
        text = req.headers.get("content-md5")
        if text is None:
            return None
        try:
            digest = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 16:
            raise CosError(400, "InvalidDigest",
                           "The Content-MD5 you specified is not valid: `%s`" % text[:60])
        return digest.hex()

    def _check_body(self, req, fault, path, md5, md5_header):
        """After a body was received: BadDigest, or an injected error."""
        if md5_header is not None and md5_header != md5:
            _unlink(path)
            raise CosError(400, "BadDigest",
                           "The Content-MD5 you specified did not match what we received "
                           "(Content-MD5 %s, received %s)" % (md5_header, md5))
        if fault and fault["mode"] == "error":
            _unlink(path)
            raise CosError(fault["status"], fault["code"], fault["message"])

    @staticmethod
    def _crc_header(fault, crc):
        if fault and fault["mode"] == "bad_crc":
            crc ^= 1
        return ("x-cos-hash-crc64ecma", str(crc))

    @staticmethod
    def _delay(fault):
        if fault and fault["mode"] == "delay":
            time.sleep(fault["seconds"])

    # -- operations ------------------------------------------------------------
    def _op_PutObject(self, req, session, params, md5_header, fault):
        path, size, md5, crc = self._receive(req, fault)
        self._check_body(req, fault, path, md5, md5_header)
        content_type = req.headers.get("content-type", "application/octet-stream")
        if not self.store.put_object(req.generation, req.key, path, size, md5, crc,
                                     content_type):
            _unlink(path)
            raise CosError(503, "ServiceUnavailable", "the fake was reset meanwhile")
        self._delay(fault)
        self._respond(req, 200, [("ETag", quoted(md5)), self._crc_header(fault, crc)])

    def _op_UploadPart(self, req, session, params, md5_header, fault):
        path, size, md5, crc = self._receive(req, fault)
        self._check_body(req, fault, path, md5, md5_header)
        try:
            self.store.put_part(req.generation, req.upload_id, req.key, req.part_number,
                                path, size, md5, crc)
        except CosError:
            _unlink(path)
            raise
        self._delay(fault)
        self._respond(req, 200, [("ETag", quoted(md5)), self._crc_header(fault, crc)])

    def _op_InitiateMultipartUpload(self, req, session, params, md5_header, fault):
        self._drain_small(req)
        upload_id = self.store.initiate(req.generation, req.key, session["secret_id"])
        req.upload_id = upload_id
        self._delay(fault)
        body = XML_HEAD + _xml("InitiateMultipartUploadResult", [
            ("Bucket", session["bucket"]), ("Key", req.key), ("UploadId", upload_id)])
        self._respond(req, 200, [("Content-Type", "application/xml")], body)

    def _op_CompleteMultipartUpload(self, req, session, params, md5_header, fault):
        if fault and fault["mode"] == "close_mid_body":
            self._receive(req, fault)
        self._continue()
        chunks = []

        class Sink:
            def write(self, data):
                chunks.append(bytes(data))
                return len(data)
        self._read(req, req.length, Sink(), None)
        body = b"".join(chunks)
        if md5_header is not None and md5_header != req.md5.hexdigest():
            raise CosError(400, "BadDigest", "The Content-MD5 you specified did not match "
                           "what we received")
        listed = _parse_complete(body)
        if fault and fault["mode"] == "error":
            raise CosError(fault["status"], fault["code"], fault["message"])
        if fault and fault["mode"] == "complete_error_in_200":
            self.store.complete(req.upload_id, req.key, listed, dry_run=True)
            doc = error_document(fault["code"], fault["message"],
                                 req.headers.get("host", "") + req.target.split("?")[0],
                                 req.request_id, req.trace_id)
            req.code = fault["code"]
            self._respond_chunked(req, [], fault["seconds"], doc[len(XML_HEAD):])
            return
        obj = self.store.complete(req.upload_id, req.key, listed)
        result = _xml("CompleteMultipartUploadResult", [
            ("Location", "%s.cos.%s.myqcloud.com/%s" % (session["bucket"], session["region"],
                                                       quote(req.key))),
            ("Bucket", session["bucket"]), ("Key", req.key), ("ETag", quoted(obj["etag"]))])
        self._delay(fault)
        crc = self._crc_header(fault, obj["crc64"])
        if fault and fault["mode"] == "complete_whitespace":
            self._respond_chunked(req, [crc], fault["seconds"], result)
        else:
            self._respond(req, 200, [("Content-Type", "application/xml"), crc],
                          XML_HEAD + result)

    def _op_AbortMultipartUpload(self, req, session, params, md5_header, fault):
        self._drain_small(req)
        self.store.abort(req.upload_id, req.key)
        self._delay(fault)
        self._respond(req, 204)

    def _op_ListParts(self, req, session, params, md5_header, fault):
        self._drain_small(req)
        marker = _int_param(params, "part-number-marker", 0, 0, MAX_PART_NUMBER)
        max_parts = min(_int_param(params, "max-parts", MAX_LIST_PARTS, 1, 2 ** 31),
                        MAX_LIST_PARTS)
        parts = [p for p in self.store.list_parts(req.upload_id, req.key)
                 if p["number"] > marker]
        page, truncated = parts[:max_parts], len(parts) > max_parts
        owner = [("ID", "qcs::cam::uin/100000000001:uin/100000000001"),
                 ("DisplayName", "100000000001")]
        items = [("Bucket", session["bucket"])]
        if params.get("encoding-type") == "url":    # then the Key comes URL-encoded
            items += [("Encoding-type", "url"), ("Key", quote(req.key, safe="/"))]
        else:
            items += [("Key", req.key)]
        items += [("UploadId", req.upload_id),
                  ("Initiator", owner), ("Owner", owner), ("StorageClass", "STANDARD"),
                  ("PartNumberMarker", marker),
                  ("NextPartNumberMarker", page[-1]["number"] if page else marker),
                  ("MaxParts", max_parts), ("IsTruncated", "true" if truncated else "false")]
        items += [("Part", [("PartNumber", p["number"]),
                            ("LastModified", _iso(p["last_modified"])),
                            ("ETag", quoted(p["md5"])), ("Size", p["size"])])
                  for p in page]
        self._delay(fault)
        self._respond(req, 200, [("Content-Type", "application/xml")],
                      XML_HEAD + _xml("ListPartsResult", items))

    def _op_ListMultipartUploads(self, req, session, params, md5_header, fault):
        """The uploads in progress under prefix, ordered by key then initiation
        (COS's List Multipart Uploads: https://cloud.tencent.com/document/product/436/7736);
        key-marker / upload-id-marker / max-uploads page; no delimiter."""
        self._drain_small(req)
        if "delimiter" in params:
            raise CosError(501, "NotImplemented",
                           "List Multipart Uploads with a delimiter is not implemented "
                           "by the fake")
        prefix = params.get("prefix", "")
        max_uploads = min(_int_param(params, "max-uploads", MAX_LIST_UPLOADS, 1, 2 ** 31),
                          MAX_LIST_UPLOADS)
        key_marker = params.get("key-marker", "")
        id_marker = params.get("upload-id-marker", "")
        uploads = self.store.list_uploads(prefix)
        start = 0
        if key_marker:
            ids = [i for i, u in enumerate(uploads)
                   if u["key"] == key_marker and u["upload_id"] == id_marker]
            start = (ids[0] + 1 if ids else
                     len([u for u in uploads if u["key"] <= key_marker]))
        page = uploads[start:start + max_uploads]
        truncated = start + max_uploads < len(uploads)
        url = params.get("encoding-type") == "url"

        def k(text):
            return quote(text, safe="/") if url else text
        owner = [("ID", "qcs::cam::uin/100000000001:uin/100000000001"),
                 ("DisplayName", "100000000001")]
        items = [("Bucket", session["bucket"])]
        if url:
            items.append(("Encoding-Type", "url"))
        items += [("KeyMarker", k(key_marker)), ("UploadIdMarker", id_marker),
                  ("NextKeyMarker", k(page[-1]["key"]) if truncated else ""),
                  ("NextUploadIdMarker", page[-1]["upload_id"] if truncated else ""),
                  ("MaxUploads", max_uploads), ("IsTruncated", "true" if truncated else "false"),
                  ("Prefix", k(prefix))]
        items += [("Upload", [("Key", k(u["key"])), ("UploadId", u["upload_id"]),
                              ("StorageClass", "STANDARD"), ("Initiator", owner),
                              ("Owner", owner), ("Initiated", _iso(u["initiated"]))])
                  for u in page]
        self._delay(fault)
        self._respond(req, 200, [("Content-Type", "application/xml")],
                      XML_HEAD + _xml("ListMultipartUploadsResult", items))

    def _op_GetObject(self, req, session, params, md5_header, fault):
        self._drain_small(req)
        obj = self.store.get_object(req.key)
        if obj is None:
            raise CosError(404, "NoSuchKey", "The specified key does not exist.")
        self._delay(fault)
        self._respond(req, 200, object_headers(obj) + [self._crc_header(fault, obj["crc64"])],
                      length=obj["size"])
        if self.command != "HEAD":
            try:
                send_object_body(self.connection, obj)
            except OSError:         # replaced meanwhile, or the client left
                self.close_connection = True

    _op_HeadObject = _op_GetObject

    def _drain_small(self, req):
        """Bodies of operations that take none: read and dropped."""
        if req.length:
            self._continue()
            if req.length > DRAIN_MAX:
                raise CosError(400, "InvalidArgument", "this operation takes no body")
            self._read(req, req.length, None, None)


def object_headers(obj):
    return [("Content-Type", obj["content_type"]), ("ETag", quoted(obj["etag"])),
            ("Last-Modified", email.utils.formatdate(obj["last_modified"], usegmt=True)),
            ("Accept-Ranges", "bytes")]


def _int_param(params, name, default, low, high):
    text = params.get(name)
    if text is None:
        return default
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise CosError(400, "InvalidArgument", "%s must be an integer in %d..%d, got `%s`"
                       % (name, low, high, text[:20]))
    return int(text)


def _parse_complete(body):
    """[(PartNumber, ETag without quotes)] from CompleteMultipartUpload XML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise CosError(400, "MalformedXML", "The XML you provided was not well-formed: %s" % e)
    if root.tag != "CompleteMultipartUpload":
        raise CosError(400, "MalformedXML", "the root element must be "
                       "CompleteMultipartUpload, got %s" % root.tag[:60])
    listed = []
    for i, part in enumerate(root):
        if part.tag != "Part":
            raise CosError(400, "MalformedXML", "unexpected element %s" % part.tag[:60])
        number, etag = part.findtext("PartNumber"), part.findtext("ETag")
        if number is None or etag is None or not _DIGITS.fullmatch(number.strip()):
            raise CosError(400, "MalformedXML",
                           "Part %d needs a PartNumber (an integer) and an ETag" % (i + 1))
        listed.append((int(number.strip()), etag.strip().strip('"')))
    return listed


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass
