"""Self-test: ApplyUpload / CommitUpload, the fake COS, ParseStreamingManifest.

Drives the fake COS with the independent client of selftest_cos_client.py
(its own signer, checked first against COS's published examples; its own
CRC-64 oracle). Sizes stay small: 1 MiB parts only where the limit needs them.
"""
import email.utils
import http.client
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

from selftest_client import code
from selftest_cos_client import (CosClient, authorization, crc64_oracle, etag_of, md5_b64,
                                 sign, tags)
from selftest_results import R, expect_code

MIB = 1 << 20
APP = 221073
# COS "Request Signature" (https://cloud.tencent.com/document/product/436/7778),
# its examples "upload an object" and "download an object".
DOC_KEY = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
DOC_ID = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
DOC_HOST = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"
DOC_PUT = {"date": "Thu, 16 May 2019 06:45:51 GMT", "host": DOC_HOST,
           "content-type": "text/plain", "content-length": "13",
           "content-md5": "mQ/fVh815F3k6TAUm8m0eg==", "x-cos-acl": "private",
           "x-cos-grant-read": 'uin="100000000011"'}
DOC_GET = {"date": "Thu, 16 May 2019 06:55:53 GMT", "host": DOC_HOST}
DOC_GET_PARAMS = [("response-content-type", "application/octet-stream"),
                  ("response-cache-control", "max-age=600")]


def crc64_bitwise(data):
    """CRC-64/XZ from its definition, bit by bit (slow: small inputs only)."""
    c = (1 << 64) - 1
    for byte in data:
        c ^= byte
        for _ in range(8):
            c = (c >> 1) ^ 0xC96C5795D7870F42 if c & 1 else c >> 1
    return c ^ ((1 << 64) - 1)


def blob(size):
    """Test bytes: a random 64 KiB block repeated (cheap for the xz oracle)."""
    block = os.urandom(65536)
    return (block * (size // 65536 + 1))[:size]


def apply(c, **params):
    params.setdefault("MediaType", "mp4")
    r, data, obj = c.call("ApplyUpload", params)
    R.check("ApplyUpload %s" % params, code(obj) is None, data[:300])
    return obj["Response"]


def model_members(action):
    import selftest_model
    model = selftest_model.load_model()
    out = model["actions"][action]["output"]
    return sorted(m["name"] for m in model["objects"][out]["members"])


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()


# ----------------------------------------------------------------- vectors --
def test_cos_vectors(c):
    sig, hlist, plist, _, sts = sign(DOC_KEY, "PUT", "exampleobject(腾讯云)", [], DOC_PUT,
                                     "1557989151;1557996351")
    R.eq("COS doc PUT: HeaderList", hlist,
         "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read")
    R.eq("COS doc PUT: StringToSign", sts,
         "sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n")
    R.eq("COS doc PUT: Signature", sig, "3b8851a11a569213c17ba8fa7dcf2abec6935172")
    sig, hlist, plist, _, sts = sign(DOC_KEY, "GET", "exampleobject(腾讯云)", DOC_GET_PARAMS,
                                     DOC_GET, "1557989753;1557996953")
    R.eq("COS doc GET: UrlParamList", plist, "response-cache-control;response-content-type")
    R.eq("COS doc GET: Signature", sig, "01681b8c9d798a678e43b685a9f1bba0f6c0e012")
    R.eq("CRC-64 oracle check value", crc64_oracle(b"123456789"), 11051210869376104954)
    R.eq("Content-MD5 of the doc's body", md5_b64(b"ObjectContent"), DOC_PUT["content-md5"])
    # The fake's checker, in process, on the same published requests.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cos_sign
    import crc64
    from coserror import CosError
    put_auth = authorization(DOC_ID, "1557989151;1557996351", *sign(
        DOC_KEY, "PUT", "exampleobject(腾讯云)", [], DOC_PUT, "1557989151;1557996351")[1:3],
        "3b8851a11a569213c17ba8fa7dcf2abec6935172")
    fields = cos_sign.parse_authorization(put_auth)
    try:
        cos_sign.verify("PUT", "exampleobject(腾讯云)", [], DOC_PUT, fields, DOC_KEY)
        R.check("checker accepts the doc's PUT", True)
    except CosError as e:
        R.check("checker accepts the doc's PUT", False, e)
    get_auth = ("q-sign-algorithm=sha1&q-ak=%s&q-sign-time=1557989753;1557996953&q-key-time="
                "1557989753;1557996953&q-header-list=date;host&q-url-param-list="
                "response-cache-control;response-content-type&q-signature="
                "01681b8c9d798a678e43b685a9f1bba0f6c0e012" % DOC_ID)
    try:
        cos_sign.verify("GET", "exampleobject(腾讯云)", DOC_GET_PARAMS, DOC_GET,
                        cos_sign.parse_authorization(get_auth), DOC_KEY)
        R.check("checker accepts the doc's GET", True)
    except CosError as e:
        R.check("checker accepts the doc's GET", False, e)
    for name, change in [("a header value", dict(DOC_PUT, **{"x-cos-acl": "public-read"})),
                         ("the host", dict(DOC_PUT, host="other-1250000000.cos.x.y"))]:
        try:
            cos_sign.verify("PUT", "exampleobject(腾讯云)", [], change, fields, DOC_KEY)
            R.check("checker refuses the doc's PUT with another " + name, False)
        except CosError as e:
            R.eq("checker refuses the doc's PUT with another " + name, e.code,
                 "SignatureDoesNotMatch")
    R.check("fake's CRC-64 is compiled", not crc64.IMPLEMENTATION.startswith("pure"),
            crc64.IMPLEMENTATION)
    sample = os.urandom(20000)
    R.eq("CRC-64 oracle equals the definition", crc64_oracle(sample), crc64_bitwise(sample))
    a, b = blob(300000), blob(5000)
    R.eq("fake's CRC-64 equals the oracle", crc64.crc64(a + b), crc64_oracle(a + b))
    R.eq("fake's CRC-64 combine", crc64.combine(crc64.crc64(a), crc64.crc64(b), len(b)),
         crc64_oracle(a + b))


# ------------------------------------------------------- ApplyUpload etc. --
def test_apply_upload(c):
    c.reset(rate_limit=0)
    t0 = int(time.time())
    a = apply(c, MediaType="mp4", SubAppId=APP)
    R.eq("ApplyUpload answers every member of the model", sorted(a),
         model_members("ApplyUpload"))
    R.check("StorageBucket ends in -APPID", re.fullmatch(r"[a-z0-9-]+-[0-9]{10}",
                                                         a["StorageBucket"]), a)
    R.eq("StorageRegion default", a["StorageRegion"], "ap-guangzhou")
    R.check("MediaStoragePath", a["MediaStoragePath"].startswith("/")
            and a["MediaStoragePath"].endswith(".mp4"), a)
    R.eq("CoverStoragePath null without CoverType", a["CoverStoragePath"], None)
    cert = a["TempCertificate"]
    R.eq("TempCertificate members", sorted(cert),
         ["ExpiredTime", "SecretId", "SecretKey", "Token"])
    R.check("ExpiredTime = now + 3600", t0 + 3599 <= cert["ExpiredTime"] <= int(time.time())
            + 3600, cert["ExpiredTime"])
    b = apply(c, MediaType="MOV", CoverType="png", StorageRegion="ap-singapore",
              MediaName="x", ClassId=3, SourceContext="s", SessionContext="t",
              ExpireTime="2030-01-01T00:00:00Z", Procedure="p", ExtInfo="e")
    R.eq("StorageRegion as asked", b["StorageRegion"], "ap-singapore")
    R.check("MediaStoragePath ends .<MediaType>", b["MediaStoragePath"].endswith(".MOV"), b)
    R.check("CoverStoragePath with CoverType", (b["CoverStoragePath"] or "").endswith(".png"),
            b)
    R.check("sessions differ", len({a["VodSessionKey"], b["VodSessionKey"]}) == 2
            and a["MediaStoragePath"] != b["MediaStoragePath"]
            and cert["SecretId"] != b["TempCertificate"]["SecretId"]
            and cert["Token"] != b["TempCertificate"]["Token"])
    c.ctl("POST", "config", {"upload_session_seconds": 60})
    d = apply(c)
    R.check("upload_session_seconds", d["TempCertificate"]["ExpiredTime"]
            <= int(time.time()) + 60, d)
    cases = [
        ("empty MediaType", {"MediaType": ""}, "InvalidParameterValue.MediaType"),
        ("odd MediaType", {"MediaType": "exe"}, "InvalidParameterValue.MediaType"),
        ("no MediaType", {}, "MissingParameter"),
        ("odd CoverType", {"MediaType": "mp4", "CoverType": "txt"},
         "InvalidParameterValue.CoverType"),
        ("SubAppId -1", {"MediaType": "mp4", "SubAppId": -1},
         "InvalidParameterValue.SubAppId"),
        ("SubAppId 2^32", {"MediaType": "mp4", "SubAppId": 2 ** 32},
         "InvalidParameterValue.SubAppId"),
        ("SubAppId a string", {"MediaType": "mp4", "SubAppId": "1"},
         "InvalidParameterValue.SubAppId"),
        ("ExpireTime not ISO 8601", {"MediaType": "mp4", "ExpireTime": "tomorrow"},
         "InvalidParameterValue.ExpireTime"),
        ("MediaStoragePath relative", {"MediaType": "mp4", "MediaStoragePath": "a/b.mp4"},
         "InvalidParameterValue.MediaStoragePath"),
        ("MediaStoragePath with ..", {"MediaType": "mp4", "MediaStoragePath": "/a/../b.mp4"},
         "InvalidParameterValue.MediaStoragePath"),
        ("StorageRegion odd", {"MediaType": "mp4", "StorageRegion": "Guangzhou"},
         "InvalidParameterValue"),
        ("unknown parameter", {"MediaType": "mp4", "Nope": 1}, "UnknownParameter"),
    ]
    for name, params, want in cases:
        expect_code("ApplyUpload refused: " + name, c.call("ApplyUpload", params), want)
    sessions = c.ctl("GET", "cos/sessions")[1]
    R.eq("sessions listed", len(sessions), 3)
    R.check("sessions list no secrets", all("secret_key" not in s and "token" not in s
                                            for s in sessions), sessions[:1])


def test_put_commit_get(c):
    c.reset(rate_limit=0)
    a = apply(c, MediaType="mp4", CoverType="jpg", SubAppId=APP)
    cos = CosClient(c.srv, a)
    expect_code("CommitUpload before the upload", c.call(
        "CommitUpload", {"VodSessionKey": a["VodSessionKey"], "SubAppId": APP}),
        "ResourceNotFound")
    data = blob(200000)
    r = cos.put(data, headers={"Content-Type": "video/mp4"})
    R.eq("PUT Object 200", r.status, 200)
    R.eq("PUT Object ETag", r.headers.get("etag"), '"%s"' % __import__("hashlib").md5(
        data).hexdigest())
    R.eq("PUT Object CRC-64", r.headers.get("x-cos-hash-crc64ecma"), str(crc64_oracle(data)))
    R.check("PUT Object x-cos-request-id", r.headers.get("x-cos-request-id"))
    expect_code("CommitUpload without its cover", c.call(
        "CommitUpload", {"VodSessionKey": a["VodSessionKey"]}), "ResourceNotFound")
    cover = b"\xff\xd8cover"
    R.eq("PUT cover", cos.put(cover, key=a["CoverStoragePath"][1:]).status, 200)
    g = cos.get()
    R.eq("GET Object bytes", (g.status, g.body == data), (200, True))
    R.eq("GET Object headers", (g.headers.get("content-type"),
                                g.headers.get("x-cos-hash-crc64ecma"),
                                g.headers.get("content-length")),
         ("video/mp4", str(crc64_oracle(data)), str(len(data))))
    h = cos.send("HEAD")
    R.eq("HEAD Object", (h.status, h.body, h.headers.get("content-length"),
                         h.headers.get("etag")), (200, b"", str(len(data)), g.headers["etag"]))
    expect_code("CommitUpload with another SubAppId", c.call(
        "CommitUpload", {"VodSessionKey": a["VodSessionKey"], "SubAppId": 5}),
        "InvalidParameterValue.VodSessionKey")
    r, raw, obj = c.call("CommitUpload", {"VodSessionKey": a["VodSessionKey"], "SubAppId": APP})
    R.check("CommitUpload", code(obj) is None, raw[:300])
    resp = obj["Response"]
    R.eq("CommitUpload answers every member of the model", sorted(resp),
         model_members("CommitUpload"))
    R.check("FileId numeric", re.fullmatch(r"[0-9]{19}", resp["FileId"]), resp)
    status, headers, body = fetch(resp["MediaUrl"])
    R.eq("GET MediaUrl", (status, body == data, headers.get("x-cos-hash-crc64ecma")),
         (200, True, str(crc64_oracle(data))))
    R.eq("GET CoverUrl", fetch(resp["CoverUrl"])[2], cover)
    expect_code("CommitUpload twice", c.call(
        "CommitUpload", {"VodSessionKey": a["VodSessionKey"], "SubAppId": APP}),
        "InvalidParameterValue.VodSessionKey")
    expect_code("CommitUpload unknown session", c.call(
        "CommitUpload", {"VodSessionKey": "nope"}), "InvalidParameterValue.VodSessionKey")
    expect_code("CommitUpload SubAppId -1", c.call(
        "CommitUpload", {"VodSessionKey": "nope", "SubAppId": -1}),
        "InvalidParameterValue.SubAppId")
    # No cover: CoverUrl null; an odd key (space, UTF-8, +) over https with the
    # bucket's host name.
    b = apply(c, MediaType="mp4", MediaStoragePath="/dir one/vidéo+1 (a).mp4")
    cos2 = CosClient(c.srv, b, kind="cos_https")
    host = "%s.cos.%s.myqcloud.com" % (b["StorageBucket"], b["StorageRegion"])
    R.eq("PUT over https, bucket host, odd key", cos2.put(b"abc", host=host).status, 200)
    R.eq("wrong bucket in the host", cos2.put(b"abc", host="other-1250000000.cos.%s.x"
                                              % b["StorageRegion"]).code(), "NoSuchBucket")
    resp = c.call("CommitUpload", {"VodSessionKey": b["VodSessionKey"]})[2]["Response"]
    R.eq("CoverUrl null without a cover", resp.get("CoverUrl", "absent"), None)
    R.check("MediaUrl percent-encoded", "dir%20one/vid%C3%A9o%2B1%20%28a%29.mp4"
            in resp["MediaUrl"], resp)
    R.eq("GET MediaUrl of an odd key", fetch(resp["MediaUrl"])[2], b"abc")
    try:
        fetch(resp["MediaUrl"] + "x")
        R.check("GET an unknown media 404", False)
    except urllib.error.HTTPError as e:
        R.eq("GET an unknown media 404", e.code, 404)
    objs = {o["key"]: o for o in c.ctl("GET", "cos/objects")[1]}
    o = objs.get(a["MediaStoragePath"][1:], {})
    R.eq("objects ledger", (o.get("size"), o.get("crc64"), o.get("md5")),
         (len(data), str(crc64_oracle(data)), __import__("hashlib").md5(data).hexdigest()))


# ---------------------------------------------------------------- multipart --
def test_multipart(c):
    c.reset(rate_limit=0)
    a = apply(c, MediaType="mp4")
    cos = CosClient(c.srv, a)
    r, upload_id = cos.initiate()
    R.eq("Initiate 200", r.status, 200)
    R.eq("Initiate XML", (tags(r.body, "Bucket"), tags(r.body, "Key")),
         ([a["StorageBucket"]], [cos.key]))
    R.check("UploadId", upload_id and re.fullmatch(r"[0-9a-f]+", upload_id), r)
    parts = [blob(MIB), blob(MIB), blob(MIB), blob(MIB), blob(1000)]
    first2 = blob(MIB)
    R.eq("part 2, first version", cos.part(upload_id, 2, first2).status, 200)
    etags, errors = {}, []

    def send(n):
        try:
            ans = cos.part(upload_id, n, parts[n - 1])
            if ans.status != 200 or ans.headers.get("x-cos-hash-crc64ecma") != str(
                    crc64_oracle(parts[n - 1])):
                errors.append((n, ans))
            etags[n] = etag_of(ans)
        except Exception as e:  # pragma: no cover
            errors.append((n, e))
    threads = [threading.Thread(target=send, args=(n,)) for n in range(1, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    R.eq("five parts in parallel", errors, [])
    page = cos.list_parts(upload_id, max_parts=2)
    R.eq("ListParts page 1", (tags(page.body, "PartNumber"), tags(page.body, "IsTruncated"),
                              tags(page.body, "NextPartNumberMarker"),
                              tags(page.body, "MaxParts")),
         (["1", "2"], ["true"], ["2"], ["2"]))
    R.eq("ListParts: part 2 replaced", tags(page.body, "ETag")[1], '"%s"' % etags[2])
    page = cos.list_parts(upload_id, marker=2, max_parts=2)
    R.eq("ListParts page 2", (tags(page.body, "PartNumber"), tags(page.body, "IsTruncated"),
                              tags(page.body, "NextPartNumberMarker")),
         (["3", "4"], ["true"], ["4"]))
    page = cos.list_parts(upload_id, marker=4)
    R.eq("ListParts last page", (tags(page.body, "PartNumber"), tags(page.body, "Size"),
                                 tags(page.body, "IsTruncated"), tags(page.body, "MaxParts")),
         (["5"], ["1000"], ["false"], ["1000"]))
    R.eq("ListParts max-parts 0", cos.list_parts(upload_id, max_parts=0).code(),
         "InvalidArgument")
    page = cos.send("GET", params=[("uploadId", upload_id), ("encoding-type", "url")])
    R.eq("ListParts encoding-type=url", (tags(page.body, "Encoding-type"),
                                         tags(page.body, "Key")), (["url"], [cos.key]))
    ups = c.ctl("GET", "cos/uploads")[1]
    R.eq("uploads in progress", [(u["upload_id"], len(u["parts"])) for u in ups],
         [(upload_id, 5)])
    listed = [(n, '"%s"' % etags[n]) for n in range(1, 6)]
    r = cos.complete(upload_id, listed)
    whole = b"".join(parts)
    R.eq("Complete 200", r.status, 200)
    R.eq("Complete CRC-64 of the whole object", r.headers.get("x-cos-hash-crc64ecma"),
         str(crc64_oracle(whole)))
    R.check("Complete ETag -5", tags(r.body, "ETag")[0].endswith('-5"'), r)
    R.eq("Complete Key", tags(r.body, "Key"), [cos.key])
    g = cos.get()
    R.eq("GET the assembled object", (g.status, len(g.body), g.body == whole,
                                      g.headers.get("x-cos-hash-crc64ecma")),
         (200, len(whole), True, str(crc64_oracle(whole))))
    R.eq("no upload left after Complete", c.ctl("GET", "cos/uploads")[1], [])
    obj = [o for o in c.ctl("GET", "cos/objects")[1] if o["key"] == cos.key][0]
    R.eq("objects ledger: multipart", (obj["size"], obj["parts"], obj["md5"], obj["crc64"]),
         (len(whole), 5, __import__("hashlib").md5(whole).hexdigest(),
          str(crc64_oracle(whole))))
    for name, ans in [("ListParts", cos.list_parts(upload_id)),
                      ("UploadPart", cos.part(upload_id, 1, b"x")),
                      ("Complete", cos.complete(upload_id, listed)),
                      ("Abort", cos.abort(upload_id))]:
        R.eq("NoSuchUpload after Complete: " + name, (ans.status, ans.code()),
             (404, "NoSuchUpload"))
    ledger = c.ctl("GET", "cos/requests")[1]
    parts_seen = sorted((e["part_number"], e["bytes"], e["md5"]) for e in ledger
                        if e["operation"] == "UploadPart" and e["status"] == 200)
    R.eq("ledger: the parts received", [p[0] for p in parts_seen], [1, 2, 2, 3, 4, 5])
    R.check("ledger: MD5 of each part's bytes",
            ({p[2] for p in parts_seen} >= {etags[n] for n in range(1, 6)}), parts_seen)


def test_abort(c):
    c.reset(rate_limit=0)
    cos = CosClient(c.srv, apply(c))
    _, upload_id = cos.initiate()
    R.eq("part before abort", cos.part(upload_id, 1, b"abc").status, 200)
    r = cos.abort(upload_id)
    R.eq("Abort 204", (r.status, r.body), (204, b""))
    R.eq("no upload left after Abort", c.ctl("GET", "cos/uploads")[1], [])
    R.eq("Abort twice: NoSuchUpload", (cos.abort(upload_id).status,
                                       cos.abort(upload_id).code()), (404, "NoSuchUpload"))
    R.eq("part after abort: NoSuchUpload", cos.part(upload_id, 2, b"abc").code(),
         "NoSuchUpload")
    R.eq("unknown UploadId", cos.list_parts("123abc").code(), "NoSuchUpload")


def test_list_uploads(c):
    """List Multipart Uploads (GET /?uploads): what the COS SDKs ask before a
    multipart upload, to resume one in progress."""
    c.reset(rate_limit=0)
    cos = CosClient(c.srv, apply(c))
    other = CosClient(c.srv, apply(c))

    def listing(client=cos, prefix=None, **params):
        query = [("uploads", None)]
        if prefix is not False:
            query.append(("prefix", client.key if prefix is None else prefix))
        query += [(n.replace("_", "-"), str(v)) for n, v in params.items()]
        return client.send("GET", key="", params=query)
    r = listing()
    R.eq("ListMultipartUploads, none", (r.status, tags(r.body, "Bucket"),
                                        tags(r.body, "Prefix"), tags(r.body, "IsTruncated"),
                                        tags(r.body, "Upload")),
         (200, [cos.bucket], [cos.key], ["false"], []))
    ids = [cos.initiate()[1] for _ in range(3)]
    other_id = other.initiate()[1]
    r = listing()
    R.eq("ListMultipartUploads: the key's uploads, in the order initiated",
         (tags(r.body, "UploadId"), tags(r.body, "Key"), tags(r.body, "MaxUploads")),
         (ids, [cos.key] * 3, ["1000"]))
    R.eq("ListMultipartUploads: the other session's", tags(listing(other).body, "UploadId"),
         [other_id])
    r = listing(max_uploads=2)
    R.eq("ListMultipartUploads page 1", (tags(r.body, "UploadId"), tags(r.body, "IsTruncated"),
                                         tags(r.body, "NextKeyMarker"),
                                         tags(r.body, "NextUploadIdMarker")),
         (ids[:2], ["true"], [cos.key], [ids[1]]))
    r = listing(max_uploads=2, key_marker=cos.key, upload_id_marker=ids[1])
    R.eq("ListMultipartUploads page 2", (tags(r.body, "UploadId"), tags(r.body, "IsTruncated")),
         (ids[2:], ["false"]))
    R.eq("ListMultipartUploads after the key", tags(listing(key_marker=cos.key).body,
                                                    "UploadId"), [])
    R.eq("ListMultipartUploads max-uploads 0", listing(max_uploads=0).code(),
         "InvalidArgument")
    cos.abort(ids[0])
    R.eq("ListMultipartUploads after an Abort", tags(listing().body, "UploadId"), ids[1:])
    _error_shape("ListMultipartUploads refused: another session's key",
                 listing(prefix=other.key), 403, "AccessDenied")
    _error_shape("ListMultipartUploads refused: no prefix", listing(prefix=False),
                 403, "AccessDenied")
    _error_shape("ListMultipartUploads refused: a shorter prefix",
                 listing(prefix=cos.key[:5]), 403, "AccessDenied")
    _error_shape("ListMultipartUploads: a delimiter", listing(delimiter="/"),
                 501, "NotImplemented")
    _error_shape("other bucket operations", cos.send("GET", key=""), 501, "NotImplemented")
    spaced = CosClient(c.srv, apply(c, MediaStoragePath="/bench dir/a b.mp4"))
    up = spaced.initiate()[1]
    r = listing(spaced, encoding_type="url")
    R.eq("ListMultipartUploads encoding-type=url",
         (tags(r.body, "Encoding-Type"), tags(r.body, "Key"), tags(r.body, "Prefix"),
          tags(r.body, "UploadId")),
         (["url"], ["bench%20dir/a%20b.mp4"], ["bench%20dir/a%20b.mp4"], [up]))


# ----------------------------------------------------------------- refusals --
def _error_shape(name, ans, status, code_):
    R.eq(name, (ans.status, ans.code()), (status, code_))
    if ans.status != status:
        return
    h = ans.headers
    R.check(name + ": XML error shape", h.get("content-type") == "application/xml" and all(
        "<%s>" % t in ans.body.decode() for t in ("Error", "Code", "Message", "Resource",
                                                  "RequestId", "TraceId")), ans)
    R.check(name + ": request id and trace id", h.get("x-cos-request-id") and
            tags(ans.body, "RequestId") == [h.get("x-cos-request-id")] and
            h.get("x-cos-trace-id") and h.get("date"), h)


def test_refusals(c):
    c.reset(rate_limit=0)
    a = apply(c, MediaType="mp4")
    cos = CosClient(c.srv, a)
    now = int(time.time())
    good = cos.key_time()
    cases = [
        ("no Authorization", dict(auth=False), 403, "AccessDenied"),
        ("Authorization missing a field", dict(
            auth="q-sign-algorithm=sha1&q-ak=%s&q-sign-time=%s" % (cos.secret_id, good)),
         403, "AccessDenied"),
        ("q-sign-algorithm md5", dict(auth=authorization(
            cos.secret_id, good, "host", "", "0" * 40).replace("sha1", "md5", 1)),
         403, "AccessDenied"),
        ("q-sign-time differs from q-key-time", dict(auth=authorization(
            cos.secret_id, good, "host", "", "0" * 40).replace(
            "q-sign-time=" + good, "q-sign-time=1;2")), 403, "AccessDenied"),
        ("unknown q-ak", dict(secret_id="AKIDnope"), 403, "InvalidAccessKeyId"),
        ("no token", dict(token=False), 403, "AccessDenied"),
        ("another session's token", dict(token="0" * 80), 403, "AccessDenied"),
        ("host not signed", dict(unsigned=("host",)), 403, "AccessDenied"),
        ("x-cos-meta header not signed", dict(headers={"x-cos-meta-a": "b"},
                                              unsigned=("x-cos-meta-a",)),
         403, "AccessDenied"),
        ("token not signed", dict(unsigned=("x-cos-security-token",)), 403, "AccessDenied"),
        ("wrong secret key", dict(secret_key="x" * 32), 403, "SignatureDoesNotMatch"),
        ("another path signed", dict(sign_path=cos.key + "x"), 403, "SignatureDoesNotMatch"),
        ("start in the future", dict(key_time="%d;%d" % (now + 120, now + 600)),
         403, "RequestTimeTooSkewed"),
        ("end in the past", dict(key_time="%d;%d" % (now - 600, now - 60)),
         403, "AccessDenied"),
        ("end after ExpiredTime", dict(key_time="%d;%d" % (now - 60, cos.expired + 1)),
         403, "AccessDenied"),
        ("start after end", dict(key_time="%d;%d" % (now, now - 10)), 403, "AccessDenied"),
        ("Date 20 minutes off", dict(headers={"Date": email.utils.formatdate(
            now + 1200, usegmt=True)}), 403, "RequestTimeTooSkewed"),
        ("Content-MD5 not base64 of 16 bytes", dict(md5="abc"), 400, "InvalidDigest"),
        ("Content-MD5 of other bytes", dict(md5=md5_b64(b"other")), 400, "BadDigest"),
    ]
    for name, kw, status, want in cases:
        md5 = kw.pop("md5", True)
        _error_shape("refused: " + name, cos.send("PUT", body=b"data", md5=md5, **kw),
                     status, want)
    R.check("nothing stored by refused requests", c.ctl("GET", "cos/objects")[1] == [],
            c.ctl("GET", "cos/objects")[1])
    r = cos.send("PUT", body=b"data", md5=True, key_time="%d;%d" % (now - 600, now - 60))
    R.check("expired: message `Request has expired`",
            tags(r.body, "Message") == ["Request has expired"], r)
    # the query: every parameter signed; a header listed must be sent
    _, upload_id = cos.initiate()
    target, hdrs = cos.build("GET", params=[("uploadId", upload_id)])
    conn = cos.connect()
    conn.request("GET", target + "&max-parts=5", headers=hdrs)
    r = conn.getresponse()
    R.eq("refused: a query parameter not signed", (r.status, b"<Code>AccessDenied</Code>"
                                                   in r.read()), (403, True))
    conn.close()
    auth = authorization(cos.secret_id, good, "host;x-cos-meta-x;x-cos-security-token", "",
                         "0" * 40)
    _error_shape("refused: a listed header absent", cos.send("GET", auth=auth),
                 403, "SignatureDoesNotMatch")
    # the key: only the session's
    other = apply(c, MediaType="mp4")
    _error_shape("refused: another session's key", cos.put(b"x", key=other[
        "MediaStoragePath"][1:]), 403, "AccessDenied")
    _error_shape("refused: a key beside the media", cos.put(b"x", key=cos.key + ".ts"),
                 403, "AccessDenied")
    # parts
    for n in ("0", "10001", "x"):
        ans = cos.send("PUT", params=[("partNumber", n), ("uploadId", upload_id)],
                       body=b"x")
        _error_shape("refused: partNumber " + n, ans, 400, "InvalidArgument")
    # Complete's refusals
    big = blob(MIB)
    e1 = etag_of(cos.part(upload_id, 1, b"s" * 10))
    e2 = etag_of(cos.part(upload_id, 2, b"t" * 10))
    e3 = etag_of(cos.part(upload_id, 3, big))
    for name, listed, want in [
        ("parts out of order", [(2, e2), (1, e1)], "InvalidPartOrder"),
        ("parts not contiguous", [(1, e1), (3, e3)], "InvalidPartOrder"),
        ("a wrong ETag", [(1, e1), (2, e1)], "InvalidPart"),
        ("a part not uploaded", [(1, e1), (2, e2), (3, e3), (4, e3)], "InvalidPart"),
        ("a small part but the last", [(1, e1), (2, e2)], "EntityTooSmall"),
        ("no part", [], "MalformedXML"),
    ]:
        _error_shape("Complete refused: " + name, cos.complete(upload_id, listed),
                     400, want)
    _error_shape("Complete refused: malformed XML", cos.send(
        "POST", params=[("uploadId", upload_id)], body=b"<Complete"), 400, "MalformedXML")
    R.eq("refused Completes leave the upload", len(c.ctl("GET", "cos/uploads")[1]), 1)
    # no Content-Length on a PUT (signed without it)
    target, hdrs = cos.build("PUT", unsigned=("content-length",))
    raw = ("PUT %s HTTP/1.1\r\nConnection: close\r\n%s\r\n" % (target, "".join(
        "%s: %s\r\n" % kv for kv in hdrs.items() if kv[0] != "Content-Length"))).encode()
    reply = cos.raw(raw, read_timeout=2)
    R.check("refused: PUT without Content-Length: 411", reply.startswith(b"HTTP/1.1 411")
            and b"MissingContentLength" in reply, reply[:200])
    # the session's lifetime
    c.ctl("POST", "config", {"upload_session_seconds": 0})
    short = CosClient(c.srv, apply(c))
    r = short.put(b"x", key_time="%d;%d" % (now - 60, short.expired))
    R.eq("refused: credentials expired", (r.status, r.code(), tags(r.body, "Message")),
         (403, "AccessDenied", ["Request has expired"]))
    c.ctl("POST", "config", {"upload_session_seconds": 3600})
    _expect_100(c, cos)
    _skewed_clock(c)


def _expect_100(c, cos):
    """A refused request with Expect: 100-continue is answered before its body."""
    target, hdrs = cos.build("PUT", body=b"x" * 100000, secret_key="y" * 32)
    head = ("PUT %s HTTP/1.1\r\n%sExpect: 100-continue\r\n\r\n" % (target, "".join(
        "%s: %s\r\n" % kv for kv in hdrs.items()))).encode()
    reply = cos.raw(head, read_timeout=3)
    R.check("Expect 100: refused without 100 Continue, connection closed",
            reply.startswith(b"HTTP/1.1 403") and b"100 Continue" not in reply
            and b"Connection: close" in reply, reply[:300])
    body = b"z" * 5000
    target, hdrs = cos.build("PUT", body=body, md5=True)
    with socket.create_connection(("127.0.0.1", cos.port), timeout=5) as s:
        s.sendall(("PUT %s HTTP/1.1\r\n%sExpect: 100-continue\r\n\r\n" % (target, "".join(
            "%s: %s\r\n" % kv for kv in hdrs.items()))).encode())
        first = s.recv(100)
        s.sendall(body)
        rest = b""
        while b"\r\n\r\n" not in rest:
            rest += s.recv(4096)
    R.check("Expect 100: accepted request gets 100 Continue then 200",
            first.startswith(b"HTTP/1.1 100") and rest.startswith(b"HTTP/1.1 200"),
            (first, rest[:100]))


def _skewed_clock(c):
    """COS's clock an hour behind: a client signing with its own clock is refused
    RequestTimeTooSkewed, with a Date it can correct from."""
    c.ctl("POST", "config", {"cos_clock_offset": -3600})
    a = apply(c)
    cos = CosClient(c.srv, a)
    R.check("ExpiredTime follows the COS clock", a["TempCertificate"]["ExpiredTime"]
            <= int(time.time()) + 1, a["TempCertificate"])
    r = cos.put(b"x")
    R.eq("skewed client: RequestTimeTooSkewed", (r.status, r.code()),
         (403, "RequestTimeTooSkewed"))
    server = email.utils.parsedate_to_datetime(r.headers["date"]).timestamp()
    R.check("Date tells the COS clock", abs(server - (time.time() - 3600)) < 5,
            r.headers["date"])
    cos.skew = int(server - time.time())
    R.eq("corrected client accepted", cos.put(b"x").status, 200)
    c.ctl("POST", "config", {"cos_clock_offset": 0})


# ------------------------------------------------------------------- faults --
def _fault(c, **f):
    status, obj = c.ctl("POST", "cos/fault", f)
    R.eq("COS fault %s set" % f, status, 200)


def test_cos_faults(c):
    c.reset(rate_limit=0)
    cos = CosClient(c.srv, apply(c))
    _, upload_id = cos.initiate()
    data = blob(MIB)
    # a part answered 503 once, then accepted
    _fault(c, mode="error", status=503, operation="UploadPart", count=1)
    _error_shape("fault: 503 once", cos.part(upload_id, 1, data), 503, "ServiceUnavailable")
    R.eq("fault: retry accepted", cos.part(upload_id, 1, data).status, 200)
    # 403 on every part, until cleared
    _fault(c, mode="error", status=403, operation="UploadPart")
    R.eq("fault: 403 on every part", [cos.part(upload_id, n, b"p").code() for n in (2, 3)],
         ["AccessDenied", "AccessDenied"])
    R.eq("fault: ListParts not affected", cos.list_parts(upload_id).status, 200)
    _fault(c, mode="none")
    # only part 2
    _fault(c, mode="error", status=500, operation="UploadPart", part_number=2, count=1)
    R.eq("fault: part_number targets", [cos.part(upload_id, n, b"p").status for n in (3, 2)],
         [200, 500])
    # the connection closed mid-part
    _fault(c, mode="close_mid_body", operation="UploadPart", after_bytes=1000, count=1)
    try:
        ans = cos.part(upload_id, 4, data)
        R.check("fault: connection closed mid-part", False, ans)
    except (http.client.HTTPException, OSError):
        R.check("fault: connection closed mid-part", True)
    last = c.ctl("GET", "cos/requests")[1][-1]
    R.eq("fault: ledger of the cut part", (last["part_number"], last["bytes"], last["status"],
                                           last["fault"]), (4, 1000, 0, "close_mid_body"))
    R.eq("fault: the cut part not stored (nor the refused ones)",
         tags(cos.list_parts(upload_id).body, "PartNumber"), ["1", "3"])
    # a slow part: the answer comes after `seconds`
    _fault(c, mode="delay", seconds=2.0, operation="UploadPart", count=1)
    try:
        cos.part(upload_id, 4, b"p", conn=cos.connect(timeout=0.3))
        R.check("fault: slow part times a client out", False)
    except socket.timeout:
        R.check("fault: slow part times a client out", True)
    # Complete: an error inside a 200, then whitespace-padded success
    e1 = etag_of(cos.part(upload_id, 1, data))
    listed = [(1, e1), (2, etag_of(cos.part(upload_id, 2, b"end")))]
    _fault(c, mode="complete_error_in_200", seconds=0.2, count=1)
    r = cos.complete(upload_id, listed)
    R.check("fault: error inside a 200 Complete", r.status == 200 and r.body[:1] == b" "
            and r.code() == "InternalError" and b"<Error>" in r.body, r)
    R.eq("fault: the upload is still there", len(c.ctl("GET", "cos/uploads")[1]), 1)
    _fault(c, mode="complete_whitespace", seconds=0.2, count=1)
    r = cos.complete(upload_id, listed)
    whole = data + b"end"
    R.check("fault: whitespace then the result", r.status == 200 and r.body[:1] == b" "
            and b"<CompleteMultipartUploadResult>" in r.body
            and r.headers.get("x-cos-hash-crc64ecma") == str(crc64_oracle(whole)), r)
    # a wrong x-cos-hash-crc64ecma
    cos2 = CosClient(c.srv, apply(c))
    _fault(c, mode="bad_crc", count=1)
    r = cos2.put(b"payload")
    R.check("fault: bad CRC on PUT", r.status == 200 and r.headers.get(
        "x-cos-hash-crc64ecma") != str(crc64_oracle(b"payload")), r.headers)
    R.eq("fault: GET has the right CRC", cos2.get().headers.get("x-cos-hash-crc64ecma"),
         str(crc64_oracle(b"payload")))
    _, up2 = cos2.initiate()
    e = etag_of(cos2.part(up2, 1, b"abc"))
    _fault(c, mode="bad_crc", operation="CompleteMultipartUpload", count=1)
    r = cos2.complete(up2, [(1, e)])
    R.check("fault: bad CRC on Complete", r.status == 200 and r.headers.get(
        "x-cos-hash-crc64ecma") != str(crc64_oracle(b"abc")), r.headers)
    R.eq("fault: the object's own CRC is right", [o["crc64"] for o in c.ctl(
        "GET", "cos/objects")[1] if o["key"] == cos2.key], [str(crc64_oracle(b"abc"))])
    # the control API refuses bad faults
    for bad in ({"mode": "nope"}, {"mode": "bad_crc", "operation": "ListParts"},
                {"mode": "error", "status": 200}, {"mode": "delay", "after_bytes": 1},
                {"mode": "error", "count": 0}):
        R.eq("COS fault refused: %s" % bad, c.ctl("POST", "cos/fault", bad)[0], 400)
    R.eq("COS fault cleared by reset", (c.ctl("POST", "cos/fault", {"mode": "delay"})[0],
                                        c.ctl("POST", "reset")[0],
                                        c.ctl("GET", "cos/fault")[1]), (200, 200,
                                                                        {"fault": None}))


def test_lost_answers(c):
    c.reset(rate_limit=0)
    c.ctl("POST", "fault", {"mode": "lose_answer", "action": "ApplyUpload", "count": 1})
    try:
        r, data, obj = c.call("ApplyUpload", {"MediaType": "mp4"})
        R.check("ApplyUpload answer lost", False, data[:200])
    except (http.client.HTTPException, OSError):
        R.check("ApplyUpload answer lost", True)
    R.eq("the lost ApplyUpload made a session", len(c.ctl("GET", "cos/sessions")[1]), 1)
    a = apply(c)
    R.eq("PUT", CosClient(c.srv, a).put(b"v").status, 200)
    c.ctl("POST", "fault", {"mode": "lose_answer", "action": "CommitUpload", "count": 1})
    try:
        c.call("CommitUpload", {"VodSessionKey": a["VodSessionKey"]})
        R.check("CommitUpload answer lost", False)
    except (http.client.HTTPException, OSError):
        R.check("CommitUpload answer lost", True)
    lost = [x["action"] for x in c.ctl("GET", "lost")[1]]
    R.eq("lost answers recorded", lost, ["ApplyUpload", "CommitUpload"])
    expect_code("retry of a committed session refused", c.call(
        "CommitUpload", {"VodSessionKey": a["VodSessionKey"]}),
        "InvalidParameterValue.VodSessionKey")
    committed = [s["committed"] for s in c.ctl("GET", "cos/sessions")[1]
                 if s["vod_session_key"] == a["VodSessionKey"]]
    R.eq("the session is committed", committed, [True])


# ----------------------------------------------------------------- manifests --
M3U8 = ("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n"
        '#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.key",IV=0x01\n'
        '#EXT-X-MAP:URI="init.mp4"\n'
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="x,URI=y",URI="audio/en.m3u8"\n'
        "#EXTINF:9.0,\nseg/0.ts\n#EXTINF:9.0,\n./seg/1.ts\n#EXTINF:9.0,\nseg/0.ts\n"
        "#EXT-X-ENDLIST\n")
MPD = """<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" mediaPresentationDuration="PT9S">
 <BaseURL>dash/</BaseURL>
 <Period>
  <AdaptationSet>
   <SegmentTemplate timescale="1000" duration="4000" startNumber="1"
       initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number%03d$.m4s"/>
   <Representation id="v1" bandwidth="1000"/>
  </AdaptationSet>
  <AdaptationSet>
   <Representation id="a1">
    <SegmentTemplate timescale="10" initialization="a/init.mp4" media="a/$Time$.m4s">
     <SegmentTimeline><S t="0" d="20" r="1"/><S d="5"/></SegmentTimeline>
    </SegmentTemplate>
   </Representation>
   <Representation id="l"><SegmentList><Initialization sourceURL="l/i.mp4"/>
    <SegmentURL media="l/1.m4s"/></SegmentList></Representation>
   <Representation id="t"><BaseURL>text/en.vtt</BaseURL></Representation>
  </AdaptationSet>
 </Period>
</MPD>"""


def test_manifest(c):
    c.reset(rate_limit=0)

    def parse(content, kind=None):
        params = {"MediaManifestContent": content}
        if kind:
            params["ManifestType"] = kind
        return c.call("ParseStreamingManifest", params)
    r, data, obj = parse(M3U8, "m3u8")
    R.eq("m3u8 segments", obj["Response"].get("MediaSegmentSet"),
         ["keys/k1.key", "init.mp4", "audio/en.m3u8", "seg/0.ts", "seg/1.ts"])
    R.eq("ParseStreamingManifest answers every member of the model",
         sorted(obj["Response"]), model_members("ParseStreamingManifest"))
    R.eq("m3u8 is the default type", parse(M3U8)[2]["Response"]["MediaSegmentSet"][0],
         "keys/k1.key")
    R.eq("mpd segments", parse(MPD, "mpd")[2]["Response"].get("MediaSegmentSet"),
         ["dash/v1/init.mp4", "dash/v1/001.m4s", "dash/v1/002.m4s", "dash/v1/003.m4s",
          "dash/a/init.mp4", "dash/a/0.m4s", "dash/a/20.m4s", "dash/a/40.m4s",
          "dash/l/i.mp4", "dash/l/1.m4s", "dash/text/en.vtt"])
    R.eq("an empty playlist", parse("#EXTM3U\n#EXT-X-ENDLIST\n")[2]["Response"].get(
        "MediaSegmentSet"), [])
    bad = "InvalidParameterValue.MediaManifestContent"
    for name, content, kind, want in [
        ("not #EXTM3U", "seg.ts\n", "m3u8", bad),
        ("a URL", "#EXTM3U\nhttps://cdn.example/seg.ts\n", "m3u8", bad),
        ("an absolute path", "#EXTM3U\n/seg.ts\n", "m3u8", bad),
        ("a ..", "#EXTM3U\n../seg.ts\n", "m3u8", bad),
        ("a key URL", '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="https://k/1"\n', "m3u8", bad),
        ("not XML", "<MPD", "mpd", bad),
        ("not an MPD", "<x/>", "mpd", bad),
        ("a template without count", '<MPD><Period><AdaptationSet><Representation id="1">'
         '<SegmentTemplate media="$Number$.m4s"/></Representation></AdaptationSet>'
         "</Period></MPD>", "mpd", bad),
        ("ManifestType flv", "#EXTM3U\n", "flv", "InvalidParameterValue"),
    ]:
        obj = expect_code("ParseStreamingManifest refused: " + name, parse(content, kind),
                          want)
        if obj and want == bad:
            R.check("ParseStreamingManifest refusal names the content: " + name,
                    obj["Response"]["Error"]["Message"] != "", obj)
    # an HLS upload: the manifest, its segments beside it, one commit
    a = apply(c, MediaType="m3u8")
    cos = CosClient(c.srv, a)
    base = cos.key.rsplit("/", 1)[0] + "/"
    R.eq("PUT the manifest", cos.put(M3U8.encode()).status, 200)
    segments = parse(M3U8)[2]["Response"]["MediaSegmentSet"]
    for s in segments:
        R.eq("PUT segment " + s, cos.put(s.encode(), key=base + s).status, 200)
    _error_shape("segment outside the manifest's directory", cos.put(
        b"x", key=cos.key.split("/", 1)[0] + "/elsewhere.ts"), 403, "AccessDenied")
    resp = c.call("CommitUpload", {"VodSessionKey": a["VodSessionKey"]})[2]["Response"]
    R.eq("GET the manifest by MediaUrl", fetch(resp["MediaUrl"])[2], M3U8.encode())
    seg_url = resp["MediaUrl"].rsplit("/", 1)[0] + "/seg/1.ts"
    R.eq("GET a segment beside it", fetch(seg_url)[2], b"seg/1.ts")


# ------------------------------------------------------------- ports, reset --
def test_ports_and_reset(c):
    c.reset(rate_limit=0)
    srv = c.srv
    R.check("COS listeners in ports.json", srv.ports.get("cos_http") and
            srv.ports.get("cos_https"), srv.ports)
    cos = CosClient(srv, apply(c))
    cos.put(b"abc")
    _, upload_id = cos.initiate()
    cos.part(upload_id, 1, b"abc")
    data_dir = os.path.join(srv.dir, "cos", "data")
    R.eq("bytes on disk under --dir", len(os.listdir(data_dir)), 2)
    c.ctl("POST", "reset")
    R.eq("reset clears the COS", [c.ctl("GET", "cos/" + p)[1] for p in
                                  ("objects", "uploads", "sessions", "requests")],
         [[], [], [], []])
    R.eq("reset removes the files", os.listdir(data_dir), [])
    R.eq("reset forgets the credentials", cos.put(b"abc").code(), "InvalidAccessKeyId")
    st, cfg = c.ctl("GET", "config")
    R.eq("config defaults", (cfg["config"]["upload_session_seconds"],
                             cfg["config"]["cos_clock_offset"]), (3600, 0))
    R.eq("config refuses a negative lifetime",
         c.ctl("POST", "config", {"upload_session_seconds": -1})[0], 400)


TESTS = [test_cos_vectors, test_apply_upload, test_put_commit_get, test_multipart,
         test_abort, test_list_uploads, test_refusals, test_cos_faults, test_lost_answers, test_manifest,
         test_ports_and_reset]
