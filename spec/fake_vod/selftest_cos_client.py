"""Independent COS client for the fake's self-test.

Its own COS signer (XML API V5, q-sign-algorithm=sha1), written from COS's
"Request Signature" page (https://cloud.tencent.com/document/product/436/7778)
with hmac/hashlib and its own byte-wise UrlEncode; it imports nothing from
the fake (nor from the C client). Its CRC-64 oracle reads the check field of
an .xz stream (Python's lzma module): that check is CRC-64/XZ, the one COS
answers; selftest_cos.py holds it to the bit-by-bit definition.
"""
import base64
import hashlib
import hmac
import http.client
import lzma
import socket
import ssl
import time

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def enc(text, keep=b""):
    """UrlEncode: every byte of the UTF-8 text but the unreserved as %XX."""
    out = []
    for byte in text.encode("utf-8"):
        out.append(chr(byte) if byte in UNRESERVED or byte in keep else "%%%02X" % byte)
    return "".join(out)


def sign(secret_key, method, key, params, headers, key_time):
    """params: [(name, value or None)]; headers: {name: value} to sign.
    Returns (signature, header list, param list, HttpString, StringToSign)."""
    def block(items):
        rows = sorted((enc(n).lower(), enc(v or "")) for n, v in items)
        return "&".join("%s=%s" % r for r in rows), ";".join(r[0] for r in rows)
    http_params, param_list = block(params)
    http_headers, header_list = block(headers.items())
    http_string = "\n".join([method.lower(), "/" + key, http_params, http_headers, ""])
    sts = "sha1\n%s\n%s\n" % (key_time, hashlib.sha1(http_string.encode()).hexdigest())
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    sig = hmac.new(sign_key.encode(), sts.encode(), hashlib.sha1).hexdigest()
    return sig, header_list, param_list, http_string, sts


def authorization(secret_id, key_time, header_list, param_list, sig):
    return ("q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s&q-key-time=%s&q-header-list=%s"
            "&q-url-param-list=%s&q-signature=%s"
            % (secret_id, key_time, key_time, header_list, param_list, sig))


def crc64_oracle(data):
    """CRC-64/XZ of data, read from the check field of an .xz stream."""
    xz = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=0)
    backward = (int.from_bytes(xz[-8:-4], "little") + 1) * 4   # stream footer
    index = len(xz) - 12 - backward
    return int.from_bytes(xz[index - 8:index], "little")


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


class Answer:
    def __init__(self, r, body):
        self.status = r.status
        self.headers = {k.lower(): v for k, v in r.getheaders()}
        self.body = body

    def code(self):
        """The <Code> of an error document, else None."""
        text = self.body.decode("utf-8", "replace")
        if "<Code>" not in text:
            return None
        return text.split("<Code>", 1)[1].split("</Code>", 1)[0]

    def __repr__(self):
        return "<%d %s %r>" % (self.status, self.code(), self.body[:300])


class CosClient:
    """Signed requests to the fake COS with the credentials of one session."""

    def __init__(self, srv, apply_answer, kind="cos_http"):
        self.port = srv.ports[kind]
        self.kind, self.ca = kind, srv.ca
        cert = apply_answer["TempCertificate"]
        self.secret_id, self.secret_key = cert["SecretId"], cert["SecretKey"]
        self.token, self.expired = cert["Token"], cert["ExpiredTime"]
        self.bucket, self.region = apply_answer["StorageBucket"], apply_answer["StorageRegion"]
        self.key = apply_answer["MediaStoragePath"][1:]
        self.skew = 0

    def connect(self, timeout=20):
        if self.kind == "cos_http":
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        ctx = ssl.create_default_context(cafile=self.ca)
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx,
                                           timeout=timeout)

    def key_time(self, start=None, end=None):
        now = int(time.time()) + self.skew
        start = now - 30 if start is None else start
        end = min(now + 600, self.expired) if end is None else end
        return "%d;%d" % (start, end)

    def build(self, method, key=None, params=(), headers=None, body=b"", md5=False,
              host=None, key_time=None, secret_key=None, secret_id=None, token=None,
              unsigned=(), sign_path=None, auth=None):
        """(request target, headers) of a signed request. `unsigned` names
        headers sent but left out of the signature; `sign_path` signs another key."""
        key = self.key if key is None else key
        hdrs = {"Host": host or "127.0.0.1:%d" % self.port}
        if body or method in ("PUT", "POST"):
            hdrs["Content-Length"] = str(len(body))
        if md5:
            hdrs["Content-MD5"] = md5_b64(body) if md5 is True else md5
        if token is not False:
            hdrs["x-cos-security-token"] = self.token if token is None else token
        hdrs.update(headers or {})
        kt = key_time or self.key_time()
        signed = {n.lower(): v for n, v in hdrs.items() if n.lower() not in unsigned}
        sig, hlist, plist, _, _ = sign(secret_key or self.secret_key, method,
                                       key if sign_path is None else sign_path,
                                       params, signed, kt)
        if auth is not False:               # False: no Authorization at all
            hdrs["Authorization"] = auth if auth is not None else authorization(
                secret_id or self.secret_id, kt, hlist, plist, sig)
        query = "&".join(enc(n) if v is None else "%s=%s" % (enc(n), enc(v))
                         for n, v in params)
        return "/" + enc(key, b"/") + ("?" + query if query else ""), hdrs

    def send(self, method, key=None, params=(), body=b"", conn=None, **kw):
        target, hdrs = self.build(method, key, params, body=body, **kw)
        own = conn is None
        conn = conn or self.connect()
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in hdrs.items():
                conn.putheader(name, value)
            conn.endheaders(body or None)
            r = conn.getresponse()
            return Answer(r, r.read())
        finally:
            if own:
                conn.close()

    # -- operations -------------------------------------------------------------
    def put(self, data, key=None, **kw):
        return self.send("PUT", key, body=data, md5=True, **kw)

    def initiate(self, key=None, **kw):
        a = self.send("POST", key, [("uploads", None)], **kw)
        text = a.body.decode()
        return a, (text.split("<UploadId>")[1].split("</UploadId>")[0]
                   if "<UploadId>" in text else None)

    def part(self, upload_id, number, data, key=None, **kw):
        params = [("partNumber", str(number)), ("uploadId", upload_id)]
        return self.send("PUT", key, params, body=data, md5=True, **kw)

    def complete(self, upload_id, parts, key=None, **kw):
        """parts: [(number, etag)]"""
        xml = "<CompleteMultipartUpload>%s</CompleteMultipartUpload>" % "".join(
            "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>" % p for p in parts)
        return self.send("POST", key, [("uploadId", upload_id)], body=xml.encode(), **kw)

    def abort(self, upload_id, key=None, **kw):
        return self.send("DELETE", key, [("uploadId", upload_id)], **kw)

    def list_parts(self, upload_id, key=None, marker=None, max_parts=None, **kw):
        params = [("uploadId", upload_id)]
        if marker is not None:
            params.append(("part-number-marker", str(marker)))
        if max_parts is not None:
            params.append(("max-parts", str(max_parts)))
        return self.send("GET", key, params, **kw)

    def get(self, key=None, **kw):
        return self.send("GET", key, **kw)

    def raw(self, payload, read_timeout=5):
        """Raw bytes to the COS port; returns what came back until close/timeout."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as s:
            s.sendall(payload)
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


def etag_of(answer):
    return answer.headers.get("etag", "").strip('"')


def tags(body, name):
    """The texts of every <name> element (a flat look, enough for these answers)."""
    text = body.decode()
    return [t.split("</%s>" % name)[0] for t in text.split("<%s>" % name)[1:]]
