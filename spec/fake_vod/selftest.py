#!/usr/bin/env python3
"""Self-test of the fake VOD endpoint: python3 spec/fake_vod/selftest.py

Starts server.py and drives it with the independent client of
selftest_client.py (whose signer is first checked against the published test
vectors). Exit status is non-zero on any failure; the last line printed is
"N passed, N failed". SELFTEST_TIMES=1 prints the time of each test group.
"""
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
from selftest_client import (IMG, ISO_RE, SECRET_ID, SECRET_KEY, TMP_ID, TMP_KEY,
                             TOKEN, UUID_RE, Client, FakeServer, code, hex_sha256,
                             raw_exchange, sign_tc3)
from selftest_results import R, expect_code, expect_conn_error, next_second
import selftest_cos
import selftest_events
import selftest_model
import selftest_pipeline
import selftest_quota


# ----------------------------------------------------------------- tests --
def test_vectors(c):
    body_b = (b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
              b'"Name": "instance-name"}]}')
    R.eq("vector B payload hash", hex_sha256(body_b),
         "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    key = "Gu5t9xGARNpq86cd98joQYCN3*******"
    vals = {"content-type": "application/json; charset=utf-8",
            "host": "cvm.tencentcloudapi.com"}
    hashed, sig, _ = sign_tc3(key, "cvm", 1551113065, "POST", "", vals, body_b)
    R.eq("vector B hashed canonical request", hashed,
         "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    R.eq("vector B signature", sig,
         "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c")
    vals["x-tc-action"] = "describeinstances"
    hashed, sig, names = sign_tc3(key, "cvm", 1551113065, "POST", "", vals, body_b)
    R.eq("vector C hashed canonical request", hashed,
         "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84")
    R.eq("vector C signature", sig,
         "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3")
    R.eq("vector C signed headers", ";".join(names), "content-type;host;x-tc-action")
    hashed, sig, _ = sign_tc3(
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", 1539084154, "GET",
        "Limit=10&Offset=0", {"content-type": "application/x-www-form-urlencoded",
                              "host": "cvm.tencentcloudapi.com"}, b"")
    R.eq("vector A hashed canonical request", hashed,
         "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7")
    R.eq("vector A signature", sig,
         "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474")


def test_files(c):
    srv = c.srv
    R.check("startup under 2 s", srv.startup < 2.0, "%.2f s" % srv.startup)
    R.eq("ports.json keys", sorted(srv.ports),
         sorted(["http", "https", "https_wrong_host", "https_untrusted", "cos_http",
                 "cos_https", "pid"]))
    R.eq("ports.json pid", srv.ports["pid"], srv.proc.pid)
    R.eq("six distinct ports", len({srv.ports[k] for k in srv.ports if k != "pid"}), 6)
    for name in ("ca.pem", "server.pem", "server.key", "wrong.pem", "wrong.key",
                 "untrusted.pem", "untrusted.key"):
        R.check("file " + name, os.path.getsize(os.path.join(srv.dir, name)) > 0)


def test_lifecycle(c):
    c.reset()
    params = {"SubAppId": 221073, "SubjectName": "café", "SubjectImages": IMG * 3,
              "VoiceId": "v1", "SessionContext": "ctx", "TasksPriority": -10}
    r, data, obj = c.create(params=params)
    R.check("create ok", r.status == 200 and code(obj) is None, data)
    R.check("create Content-Length", r.getheader("Content-Length") == str(len(data)))
    R.check("create Date header", r.getheader("Date"))
    R.check("create Content-Type json", "application/json" in r.getheader("Content-Type", ""))
    task_id = obj["Response"]["TaskId"]
    R.check("TaskId format", re.fullmatch(r"221073-CreateAigcSubject-[0-9a-f]{32}", task_id),
            task_id)
    R.check("create RequestId", UUID_RE.fullmatch(obj["Response"]["RequestId"]))
    for i in range(2):
        _, _, d = c.describe(task_id)
        resp = d["Response"]
        R.eq("poll %d Status" % i, resp.get("Status"), "PROCESSING")
        t = resp.get("CreateAigcSubjectTask", {})
        R.eq("poll %d sub Status" % i, t.get("Status"), "PROCESSING")
        R.eq("poll %d Output" % i, t.get("Output"), {"SubjectId": "", "SubjectInfo": ""})
        R.eq("poll %d FinishTime" % i, resp.get("FinishTime"), "")
    _, _, d = c.describe(task_id)
    resp = d["Response"]
    t = resp["CreateAigcSubjectTask"]
    R.eq("finish Status", resp["Status"], "FINISH")
    R.eq("finish TaskType", resp["TaskType"], "CreateAigcSubject")
    for f in ("CreateTime", "BeginProcessTime", "FinishTime"):
        R.check("finish %s ISO" % f, ISO_RE.fullmatch(resp[f]), resp[f])
    R.eq("finish sub Status", t["Status"], "FINISH")
    R.eq("finish TaskId", t["TaskId"], task_id)
    R.eq("finish ErrCode", t["ErrCode"], 0)
    R.eq("finish ErrCodeExt", t["ErrCodeExt"], "")
    R.eq("finish Message", t["Message"], "SUCCESS")
    R.check("SubjectId format", re.fullmatch(r"subj-[0-9a-f]{24}", t["Output"]["SubjectId"]),
            t["Output"])
    R.check("SubjectInfo string", isinstance(t["Output"]["SubjectInfo"], str))
    R.eq("Input echo", t["Input"], {"SubjectName": "café", "SubjectImages": IMG * 3,
                                    "SubjectVideos": [], "VoiceId": "v1"})
    R.eq("SessionContext echo", t["SessionContext"], "ctx")
    R.eq("SessionId echo", t["SessionId"], "")
    R.check("describe RequestId", UUID_RE.fullmatch(resp["RequestId"]))
    _, _, d2 = c.describe(task_id)
    R.eq("stays finished, same SubjectId",
         d2["Response"]["CreateAigcSubjectTask"]["Output"], t["Output"])
    R.eq("FinishTime stable", d2["Response"]["FinishTime"], resp["FinishTime"])
    # SubAppId on DescribeTaskDetail
    _, _, d = c.call("DescribeTaskDetail", {"TaskId": task_id, "SubAppId": 221073})
    R.eq("describe with own SubAppId", code(d), None)
    expect_code("describe with other SubAppId",
                c.call("DescribeTaskDetail", {"TaskId": task_id, "SubAppId": 5}),
                "InvalidParameterValue.TaskId")
    expect_code("describe unknown task", c.describe("1-CreateAigcSubject-00"),
                "InvalidParameterValue.TaskId")
    expect_code("describe no TaskId", c.call("DescribeTaskDetail", {}), "MissingParameter")
    expect_code("describe TaskId int", c.call("DescribeTaskDetail", {"TaskId": 5}),
                "InvalidParameter")
    expect_code("describe unknown param",
                c.call("DescribeTaskDetail", {"TaskId": task_id, "X": 1}), "UnknownParameter")
    # No SubAppId -> "0-" prefix; processing_polls config
    c.ctl("POST", "config", {"processing_polls": 0})
    _, _, obj = c.create(params={"SubjectVideos": ["https://example.com/v.mp4"]})
    tid = obj["Response"]["TaskId"]
    R.check("TaskId without SubAppId", tid.startswith("0-CreateAigcSubject-"), tid)
    _, _, d = c.describe(tid)
    R.eq("processing_polls 0 finishes at once", d["Response"]["Status"], "FINISH")
    c.ctl("POST", "config", {"processing_polls": 3})
    _, _, obj = c.create()
    tid = obj["Response"]["TaskId"]
    states = [c.describe(tid)[2]["Response"]["Status"] for _ in range(4)]
    R.eq("processing_polls 3", states, ["PROCESSING"] * 3 + ["FINISH"])


def test_outcomes(c):
    c.reset()
    want = {
        "fail": ("FINISH", 30010, "FailedOperation.SubjectImageInvalid",
                 "reference image could not be processed"),
        "abort": ("ABORTED", 30011, "FailedOperation.TaskAborted", "task aborted"),
    }

    def finished(task_id):
        for _ in range(3):
            _, _, d = c.describe(task_id)
        return d["Response"]

    def check(label, resp, mode):
        top, err, ext, msg = want[mode]
        t = resp["CreateAigcSubjectTask"]
        R.eq(label + " Status", resp["Status"], top)
        R.eq(label + " sub Status", t["Status"], "FINISH")
        R.eq(label + " ErrCode", t["ErrCode"], err)
        R.eq(label + " ErrCodeExt", t["ErrCodeExt"], ext)
        R.eq(label + " Message", t["Message"], msg)
        R.eq(label + " SubjectId empty", t["Output"]["SubjectId"], "")
        R.check(label + " FinishTime", ISO_RE.fullmatch(resp["FinishTime"]))

    for mode in ("fail", "abort"):
        _, _, obj = c.create(params={"SubjectName": mode + "-x", "SubjectImages": IMG})
        check("name " + mode, finished(obj["Response"]["TaskId"]), mode)
        c.ctl("POST", "config", {"task_mode": mode})
        _, _, obj = c.create()
        tid = obj["Response"]["TaskId"]
        c.ctl("POST", "config", {"task_mode": "success"})
        check("config " + mode + " (fixed at creation)", finished(tid), mode)
    c.ctl("POST", "config", {"task_mode": "fail"})
    _, _, obj = c.create()
    c.ctl("POST", "reset")
    expect_code("reset forgets tasks", c.describe(obj["Response"]["TaskId"]),
                "InvalidParameterValue.TaskId")


def test_signing_variants(c):
    c.reset(rate_limit=0)
    ok = [
        ("content-type json;charset", dict(content_type="application/json; charset=utf-8")),
        ("sign x-tc-action", dict(sign=("content-type", "host", "x-tc-action"))),
        ("sign x-tc-timestamp too", dict(sign=("content-type", "host", "x-tc-action",
                                               "x-tc-timestamp"))),
        ("host localhost", dict(host="localhost")),
        ("unsigned extra headers", dict(headers={"X-TC-Region": "ap-guangzhou",
                                                 "X-TC-Language": "en-US",
                                                 "X-TC-RequestClient": "selftest",
                                                 "X-TC-TraceId": "abc"})),
        ("Host without port", dict(headers={"Host": "127.0.0.1"})),
        ("timestamp 290 s old", dict(ts=int(time.time()) - 290)),
        ("timestamp 290 s ahead", dict(ts=int(time.time()) + 290)),
    ]
    for name, kw in ok:
        r, data, obj = c.create(**kw)
        R.check("accepted: " + name, r.status == 200 and code(obj) is None, data[:300])
    # Exact raw body bytes are hashed: odd spacing and \u escapes must verify.
    raw = b'{ "SubjectImages" : ["https://example.com/\\u00e9.png"],\n "SubAppId":1 }'
    r, data, obj = c.call("CreateAigcSubject", body=raw)
    R.check("accepted: raw body bytes", code(obj) is None, data[:300])
    utf8 = json.dumps({"SubjectName": "主体", "SubjectImages": IMG},
                      ensure_ascii=False).encode()
    r, data, obj = c.call("CreateAigcSubject", body=utf8)
    R.check("accepted: UTF-8 body", code(obj) is None, data[:300])
    # chunked request body
    conn = c.connect()
    body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG})
    r, data, obj = c.send(conn, "POST", "/", iter([body[:5], body[5:]]), hdrs,
                          encode_chunked=True)
    R.check("accepted: chunked request body", code(obj) is None, data[:300])
    conn.close()


def test_auth_failures(c):
    c.reset(rate_limit=0)
    now = int(time.time())
    yesterday = datetime.datetime.fromtimestamp(now - 86400, datetime.timezone.utc)
    valid_auth = c.build("CreateAigcSubject", {})[1]["Authorization"]
    cases = [
        ("wrong secret key", dict(secret_key="x" * 32), "AuthFailure.SignatureFailure"),
        ("unknown secret id", dict(secret_id="AKIDnope"), "AuthFailure.SecretIdNotFound"),
        ("service cvm", dict(service="cvm"), "AuthFailure.InvalidAuthorization"),
        ("scope date yesterday", dict(date=yesterday.strftime("%Y-%m-%d")),
         "AuthFailure.InvalidAuthorization"),
        ("host signed with port", dict(sign_values={"host": "127.0.0.1:%d" % c.ports["http"]}),
         "AuthFailure.SignatureFailure"),
        ("host signed differently", dict(sign_values={"host": "vod.tencentcloudapi.com"}),
         "AuthFailure.SignatureFailure"),
        ("action signed not lowercased",
         dict(sign=("content-type", "host", "x-tc-action"),
              sign_values={"x-tc-action": "CreateAigcSubject"}),
         "AuthFailure.SignatureFailure"),
        ("content-type signed differently",
         dict(sign_values={"content-type": "application/json; charset=utf-8"}),
         "AuthFailure.SignatureFailure"),
        ("signed headers without host", dict(sign=("content-type",)),
         "AuthFailure.InvalidAuthorization"),
        ("signed headers without content-type", dict(sign=("host",)),
         "AuthFailure.InvalidAuthorization"),
        ("signed header absent", dict(sign=("content-type", "host", "x-tc-region"),
                                      sign_values={"x-tc-region": "ap"}),
         "AuthFailure.InvalidAuthorization"),
        ("no Authorization", dict(headers={"Authorization": None}),
         "AuthFailure.InvalidAuthorization"),
        ("garbage Authorization", dict(auth="Bearer abc"), "AuthFailure.InvalidAuthorization"),
        ("uppercase signature hex",
         dict(auth=valid_auth[:-64] + valid_auth[-64:].upper()),
         "AuthFailure.InvalidAuthorization"),
        ("unsorted SignedHeaders",
         dict(auth=valid_auth.replace("content-type;host", "host;content-type")),
         "AuthFailure.InvalidAuthorization"),
        ("timestamp 301 s old", dict(ts=now - 301), "AuthFailure.SignatureExpire"),
        ("timestamp 400 s ahead", dict(ts=now + 400), "AuthFailure.SignatureExpire"),
        ("no X-TC-Action", dict(headers={"X-TC-Action": None}), "MissingParameter"),
        ("wrong X-TC-Version", dict(headers={"X-TC-Version": "2017-01-01"}), "NoSuchVersion"),
        ("no X-TC-Timestamp", dict(headers={"X-TC-Timestamp": None}), "MissingParameter"),
        ("non-integer X-TC-Timestamp", dict(headers={"X-TC-Timestamp": "12.5"}),
         "InvalidParameter"),
        ("unsupported content type", dict(content_type="text/plain"), "InvalidRequest"),
        ("temporary id without token", dict(secret_id=TMP_ID, secret_key=TMP_KEY),
         "AuthFailure.TokenFailure"),
        ("temporary id wrong token", dict(secret_id=TMP_ID, secret_key=TMP_KEY,
                                          token="nope"), "AuthFailure.TokenFailure"),
    ]
    for name, kw, want in cases:
        expect_code("rejected: " + name, c.create(**kw), want)
    before = c.stats()["tasks_created"]
    R.eq("rejected calls create no task", before, 0)
    # body tampered after signing
    conn = c.connect()
    body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG})
    expect_code("rejected: body tampered", c.send(conn, "POST", "/", body.replace(
        b"a.png", b"b.png"), hdrs), "AuthFailure.SignatureFailure")
    conn.close()
    r, data, obj = c.create(secret_id=TMP_ID, secret_key=TMP_KEY, token=TOKEN)
    R.check("temporary credential with token", code(obj) is None, data[:300])
    r, data, obj = c.create(secret_id=TMP_ID, secret_key=TMP_KEY, token=TOKEN,
                            sign=("content-type", "host", "x-tc-token"))
    R.check("temporary credential, token signed", code(obj) is None, data[:300])
    last = c.ctl("GET", "last")[1]
    R.check("last has canonical_request", "x-tc-token:" + TOKEN in
            (last.get("canonical_request") or ""), last)
    # clock offset
    c.ctl("POST", "config", {"clock_offset": 1000})
    expect_code("clock_offset: now is expired", c.create(), "AuthFailure.SignatureExpire")
    r, data, obj = c.create(ts=int(time.time()) + 1000)
    R.check("clock_offset: shifted timestamp accepted", code(obj) is None, data[:300])


def test_midnight(c, label=""):
    """Server time just before/after UTC midnight (via clock_offset): the
    credential date must be the UTC date of the timestamp on both sides."""
    now = int(time.time())
    midnight = (now // 86400 + 1) * 86400
    for ts in (midnight - 30, midnight + 30):
        c.reset(clock_offset=ts - now)
        r, data, obj = c.create(ts=ts)
        R.check("%sUTC date at %s" % (label, time.strftime("%H:%M:%S", time.gmtime(ts))),
                code(obj) is None, data[:300])
    c.reset()


def test_requests_and_params(c):
    c.reset(rate_limit=0)
    conn = c.connect()
    cases = [
        ("GET /", "GET", "/", "UnsupportedProtocol"),
        ("POST /foo", "POST", "/foo", "InvalidRequest"),
        ("PUT /", "PUT", "/", "InvalidRequest"),
    ]
    for name, method, path, want in cases:
        expect_code(name, c.call("CreateAigcSubject", {}, conn=conn, method=method,
                                 path=path), want)
    bodies = [("not JSON", b"{nope"), ("JSON array", b"[1]"), ("empty body", b""),
              ("invalid UTF-8", b'{"SubjectName": "\xff"}'),
              ("NaN", b'{"TasksPriority": NaN}'),
              ("deeply nested", b"[" * 100000 + b"]" * 100000)]
    for name, body in bodies:
        obj = expect_code("body " + name, c.call("CreateAigcSubject", body=body, conn=conn),
                          "InvalidParameter")
        if name == "not JSON" and obj:
            R.check("not-JSON message", "not valid JSON" in
                    obj["Response"]["Error"]["Message"], obj)
    expect_code("InvalidAction", c.call("DescribeNothing", {}, conn=conn), "InvalidAction")
    base = {"SubjectImages": IMG}
    bad = [
        ("unknown param", {"Foo": 1}, "UnknownParameter"),
        ("SubAppId bool", {"SubAppId": True}, "InvalidParameterValue.SubAppId"),
        ("SubAppId negative", {"SubAppId": -1}, "InvalidParameterValue.SubAppId"),
        ("SubAppId string", {"SubAppId": "1"}, "InvalidParameterValue.SubAppId"),
        ("SubAppId float", {"SubAppId": 1.5}, "InvalidParameterValue.SubAppId"),
        ("SubjectName int", {"SubjectName": 3}, "InvalidParameter"),
        ("4 images", {"SubjectImages": IMG * 4}, "InvalidParameter"),
        ("images not list", {"SubjectImages": "x"}, "InvalidParameter"),
        ("images with int", {"SubjectImages": [1]}, "InvalidParameter"),
        ("2 videos", {"SubjectVideos": ["a", "b"]}, "InvalidParameter"),
        ("no images no videos", {"SubjectImages": [], "SubjectVideos": []},
         "InvalidParameter"),
        ("VoiceId int", {"VoiceId": 1}, "InvalidParameter"),
        ("SessionId 51", {"SessionId": "s" * 51}, "InvalidParameterValue.SessionIdTooLong"),
        ("SessionId int", {"SessionId": 1}, "InvalidParameter"),
        ("SessionContext 1001", {"SessionContext": "c" * 1001},
         "InvalidParameterValue.SessionContextTooLong"),
        ("TasksPriority 11", {"TasksPriority": 11}, "InvalidParameter"),
        ("TasksPriority -11", {"TasksPriority": -11}, "InvalidParameter"),
        ("TasksPriority string", {"TasksPriority": "1"}, "InvalidParameter"),
        ("null value", {"SubjectName": None}, "InvalidParameter"),
    ]
    for name, extra, want in bad:
        params = dict(base, **extra)
        if name == "no images no videos":
            params = extra
        obj = expect_code("param " + name, c.create(params=params, conn=conn), want)
        if obj and want != "InvalidParameterValue.SubAppId" and name != "no images no videos":
            key = next(iter(extra))
            R.check("message names " + key, key in obj["Response"]["Error"]["Message"], obj)
    _, _, obj = c.create(params={"SubjectImages": []})
    R.eq("missing images and videos", code(obj), "InvalidParameter")
    good = [("limits", {"SubAppId": 2 ** 64 - 1, "SessionId": "s" * 50,
                        "SessionContext": "c" * 1000, "TasksPriority": 10}),
            ("video only", {"SubjectVideos": ["v.mp4"]})]
    for name, params in good:
        if name == "limits":
            params = dict(base, **params)
        r, data, obj = c.create(params=params, conn=conn)
        R.check("valid: " + name, code(obj) is None, data[:300])
    st = c.stats()
    R.eq("tasks_created counts only successes", st["tasks_created"], 2)
    R.check("errors counted", st["errors"].get("InvalidParameter", 0) >= 10, st)
    conn.close()


def test_dedup(c):
    c.reset()
    p = {"SubjectImages": IMG, "SessionId": "sess-1", "SessionContext": "ctx-1"}
    r, data, obj = c.create(params=p)
    R.check("dedup first ok", code(obj) is None, data)
    tid = obj["Response"]["TaskId"]
    expect_code("dedup repeat rejected", c.create(params=p), "InvalidParameterValue.SessionId")
    r, data, obj = c.create(params=dict(p, SessionId="sess-2"))
    R.check("other SessionId ok", code(obj) is None, data)
    r, data, obj = c.create(params=dict(p, SessionId=""))
    r2, data2, obj2 = c.create(params=dict(p, SessionId=""))
    R.check("empty SessionId never deduplicated",
            code(obj) is None and code(obj2) is None, data2)
    R.eq("dedup tasks_created", c.stats()["tasks_created"], 4)
    _, _, d = c.describe(tid)
    t = d["Response"]["CreateAigcSubjectTask"]
    R.eq("SessionId echoed", t["SessionId"], "sess-1")
    R.eq("SessionContext echoed", t["SessionContext"], "ctx-1")
    # three days later (server time) the key is free again
    shift = 3 * 86400 + 10
    c.ctl("POST", "config", {"clock_offset": shift})
    r, data, obj = c.create(params=p, ts=int(time.time()) + shift)
    R.check("SessionId reusable after 3 days", code(obj) is None, data)
    c.reset()
    r, data, obj = c.create(params=p)
    R.check("reset clears SessionIds", code(obj) is None, data)


def test_rate_limit(c):
    c.reset()
    conn = c.connect()
    next_second()   # default fixed windows: all 25 within one second
    codes = [code(c.create(conn=conn)[2]) for _ in range(25)]
    R.eq("rate limit: 20 of 25 admitted", codes.count(None), 20)
    R.eq("rate limit: 5 RequestLimitExceeded", codes.count("RequestLimitExceeded"), 5)
    R.eq("rate limited calls create no task", c.stats()["tasks_created"], 20)
    r, data, obj = c.create(secret_id=TMP_ID, secret_key=TMP_KEY, token=TOKEN)
    R.check("rate limit is per SecretId", code(obj) is None, data)
    expect_code("DescribeTaskDetail has its own quota", c.describe("nope", conn=conn),
                "InvalidParameterValue.TaskId")
    R.eq("throttled counted", c.stats()["throttled"], {"CreateAigcSubject": 5})
    time.sleep(1.05)
    R.eq("next window", code(c.create(conn=conn)[2]), None)
    c.ctl("POST", "config", {"rate_limit": 3})
    next_second()
    codes = [code(c.create(conn=conn)[2]) for _ in range(5)]
    R.eq("rate_limit 3", codes, [None, None, None] + ["RequestLimitExceeded"] * 2)
    c.ctl("POST", "config", {"rate_limit": 0})
    codes = [code(c.create(conn=conn)[2]) for _ in range(30)]
    R.eq("rate_limit 0 = off", codes.count(None), 30)
    conn.close()


def test_faults(c):
    c.reset()

    def created():
        return c.stats()["tasks_created"]

    # delay: processes, answers normally after the delay; count 1 then clears
    c.ctl("POST", "fault", {"mode": "delay", "seconds": 0.5, "count": 1})
    t0 = time.time()
    r, data, obj = c.create()
    R.check("delay waited", time.time() - t0 >= 0.5, time.time() - t0)
    R.check("delay answers normally", code(obj) is None, data)
    t0 = time.time()
    c.create()
    R.check("delay count 1 cleared", time.time() - t0 < 0.4)
    R.eq("delay processed", created(), 2)
    # http502: not processed
    st, f = c.ctl("POST", "fault", {"mode": "http502"})
    R.check("fault set response", st == 200 and f.get("ok"), f)
    r, data, obj = c.create()
    R.eq("http502 status", r.status, 502)
    R.check("http502 html", r.getheader("Content-Type", "").startswith("text/html"))
    R.eq("http502 body", data, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    R.eq("control unaffected by faults", c.ctl("GET", "stats")[0], 200)
    r, data, obj = c.create()
    R.eq("count -1 persists", r.status, 502)
    c.ctl("POST", "fault", {"mode": "none"})
    R.eq("http502 not processed", created(), 2)
    R.eq("mode none clears", c.create()[0].status, 200)
    # notjson: count 2
    c.ctl("POST", "fault", {"mode": "notjson", "count": 2})
    for i in range(2):
        r, data, obj = c.create()
        R.check("notjson %d" % i, r.status == 200 and data == b"this is not json <html>"
                and r.getheader("Content-Type") == "application/json", data)
    R.eq("notjson count 2 then normal", code(c.create()[2]), None)
    R.eq("notjson not processed", created(), 4)
    R.eq("fault cleared after count", c.ctl("GET", "config")[1]["fault"], None)
    # close_before: not processed
    c.ctl("POST", "fault", {"mode": "close_before", "count": 1})
    n = c.stats()["requests"]
    expect_conn_error("close_before closes", lambda: c.create(),
                      (http.client.RemoteDisconnected, ConnectionError))
    R.eq("close_before request counted", c.stats()["requests"], n + 1)
    R.eq("close_before not processed", created(), 4)
    # close_mid: processed
    c.ctl("POST", "fault", {"mode": "close_mid", "count": 1})
    conn = c.connect()
    body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG})
    conn.request("POST", "/", body=body, headers=hdrs)
    r = conn.getresponse()
    R.eq("close_mid announces 1000", r.getheader("Content-Length"), "1000")
    try:
        r.read()
        R.check("close_mid truncates", False)
    except http.client.IncompleteRead as e:
        R.check("close_mid truncates ~40 bytes", 30 <= len(e.partial) <= 40
                and e.partial.startswith(b'{"Response"'), e.partial)
    conn.close()
    R.eq("close_mid processed", created(), 5)
    # norequestid: processed
    c.ctl("POST", "fault", {"mode": "norequestid", "count": 1})
    r, data, obj = c.create()
    R.check("norequestid", "TaskId" in obj["Response"] and
            "RequestId" not in obj["Response"], obj)
    R.eq("norequestid processed", created(), 6)
    # nested
    c.ctl("POST", "fault", {"mode": "nested", "depth": 5000, "count": 1})
    r, data, obj = c.create()
    R.eq("nested body", data, b'{"Response": {"RequestId": "x", "Deep": ' + b"[" * 5000 +
         b"]" * 5000 + b"}}")
    c.ctl("POST", "fault", {"mode": "nested", "depth": 3, "count": 1})
    R.eq("nested depth 3", c.create()[2], {"Response": {"RequestId": "x", "Deep": [[[]]]}})
    R.eq("nested processed", created(), 8)
    # bigbody 50 MB: processed, exact size, valid JSON
    size = 50 * 1000 * 1000
    c.ctl("POST", "fault", {"mode": "bigbody", "size": size, "count": 1})
    t0 = time.time()
    r, data, obj = c.create()
    R.eq("bigbody size", len(data), size)
    R.eq("bigbody Content-Length", r.getheader("Content-Length"), str(size))
    R.check("bigbody valid JSON with TaskId", obj and "TaskId" in obj["Response"]
            and "RequestId" in obj["Response"], data[:200])
    R.check("bigbody fast enough", time.time() - t0 < 8, time.time() - t0)
    del data, obj
    R.eq("bigbody processed", created(), 9)
    # faults on HTTPS too
    c.ctl("POST", "fault", {"mode": "http502", "count": 1})
    conn = c.connect("https", host="localhost")
    body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG}, kind="https",
                         host="localhost")
    r, data, obj = c.send(conn, "POST", "/", body, hdrs)
    R.eq("fault on https listener", r.status, 502)
    conn.close()
    # bad fault / config requests
    for name, path, obj in [("bad mode", "fault", {"mode": "explode"}),
                            ("bad count", "fault", {"mode": "notjson", "count": 0}),
                            ("param of other mode", "fault", {"mode": "notjson", "size": 1}),
                            ("bad config key", "config", {"nope": 1}),
                            ("bad task_mode", "config", {"task_mode": "weird"}),
                            ("bad chunked", "config", {"chunked": 1})]:
        st, resp = c.ctl("POST", path, obj)
        R.check("control rejects " + name, st == 400 and "error" in resp, resp)
    R.eq("unknown control endpoint", c.ctl("GET", "nope")[0], 404)


def test_chunked(c):
    c.reset(chunked=True)
    r, data, obj = c.create()
    R.eq("chunked header", r.getheader("Transfer-Encoding"), "chunked")
    R.check("chunked no Content-Length", r.getheader("Content-Length") is None)
    R.check("chunked decodes", code(obj) is None, data)
    r, data, obj = c.describe(obj["Response"]["TaskId"])
    R.check("chunked describe", obj["Response"]["Status"] == "PROCESSING", data)
    body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG})
    hdrs["Connection"] = "close"
    req = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in hdrs.items())
    req += "Content-Length: %d\r\n\r\n" % len(body)
    raw = raw_exchange(c.ports["http"], req.encode() + body)
    head, _, rest = raw.partition(b"\r\n\r\n")
    chunks = 0
    decoded = b""
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        n = int(line, 16)
        if n == 0:
            break
        decoded, rest, chunks = decoded + rest[:n], rest[n + 2:], chunks + 1
    R.check("several chunks", chunks >= 2, chunks)
    R.check("chunks join to JSON", "TaskId" in json.loads(decoded)["Response"], decoded)
    c.ctl("POST", "fault", {"mode": "bigbody", "size": 300000, "count": 1})
    r, data, obj = c.create()
    R.check("chunked bigbody", len(data) == 300000 and obj is not None, len(data))
    c.reset()
    r, data, obj = c.create()
    R.check("reset turns chunked off", r.getheader("Content-Length") is not None)


def test_control(c):
    c.reset()
    st = c.stats()
    R.eq("stats after reset", st, {"connections": 0, "requests": 0, "actions": {},
                                   "tasks_created": 0, "errors": {}, "throttled": {}})
    R.eq("last after reset", c.ctl("GET", "last")[1], {})
    R.eq("requests after reset", c.ctl("GET", "requests")[1], [])
    R.eq("config defaults", c.ctl("GET", "config")[1],
         {"config": {"task_mode": "success", "processing_polls": 2, "rate_limit": 20,
                     "rate_limits": {}, "rate_mode": "fixed", "clock_offset": 0,
                     "chunked": False, "subject_seconds": None, "video_seconds": 1.0,
                     "pull_wait": 5.0, "confirm_window": 30.0,
                     "upload_session_seconds": 3600, "cos_clock_offset": 0},
          "fault": None})
    conn = c.connect()
    for _ in range(3):
        c.create(conn=conn)
    R.eq("keep-alive: 3 requests, 1 connection", c.stats()["connections"], 1)
    c.describe("nope", conn=conn)
    conn.close()
    conn = c.connect()
    c.describe("nope", conn=conn)
    conn.close()
    # a connection whose first request is a control request counts once it
    # carries an API request
    conn = c.connect()
    conn.request("GET", "/_control/stats")
    conn.getresponse().read()
    c.describe("nope", conn=conn)
    conn.close()
    st = c.stats()
    R.eq("connections counted", st["connections"], 3)
    R.eq("requests counted", st["requests"], 6)
    R.eq("actions counted", st["actions"], {"CreateAigcSubject": 3, "DescribeTaskDetail": 3})
    R.eq("tasks_created", st["tasks_created"], 3)
    R.eq("errors counted", st["errors"], {"InvalidParameterValue.TaskId": 3})
    body, hdrs = c.build("CreateAigcSubject", {"SubjectName": "last",
                                               "SubjectImages": IMG})
    hdrs["X-Custom-Case"] = "Kept"
    conn = c.connect()
    c.send(conn, "POST", "/", body, hdrs)
    conn.close()
    last = c.ctl("GET", "last")[1]
    R.eq("last body is raw text", last.get("body"), body.decode())
    R.eq("last header names as received",
         {k: last["headers"].get(k) for k in ("X-TC-Action", "Authorization", "X-Custom-Case")},
         {"X-TC-Action": "CreateAigcSubject", "Authorization": hdrs["Authorization"],
          "X-Custom-Case": "Kept"})
    R.check("last canonical_request", (last.get("canonical_request") or "").startswith(
        "POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1\n\n"), last)
    reqs = c.ctl("GET", "requests")[1]
    R.eq("requests recorded", len(reqs), 7)
    R.eq("requests actions", [q["action"] for q in reqs][-2:],
         ["DescribeTaskDetail", "CreateAigcSubject"])
    R.check("requests have headers+body", all("headers" in q and "body" in q for q in reqs))
    c.create(headers={"Authorization": None})
    R.eq("rejected requests recorded", len(c.ctl("GET", "requests")[1]), 8)
    c.ctl("POST", "config", {"processing_polls": 7, "task_mode": "abort"})
    c.ctl("POST", "fault", {"mode": "delay", "seconds": 0})
    st, resp = c.ctl("POST", "reset")
    R.eq("reset answer", (st, resp), (200, {"ok": True}))
    R.eq("reset restores config and fault", c.ctl("GET", "config")[1]["fault"], None)
    R.eq("reset restores config", c.ctl("GET", "config")[1]["config"]["processing_polls"], 2)


def test_tls(c):
    c.reset(rate_limit=0)
    srv = c.srv

    def api_over(kind, host, ctx=None):
        conn = c.connect(kind, host=host, ctx=ctx)
        try:
            body, hdrs = c.build("CreateAigcSubject", {"SubjectImages": IMG}, kind=kind,
                                 host=host)
            return c.send(conn, "POST", "/", body, hdrs)
        finally:
            conn.close()

    for host in ("localhost", "127.0.0.1"):
        r, data, obj = api_over("https", host)
        R.check("https ok via " + host, code(obj) is None, data[:200])
    try:
        api_over("https_wrong_host", "localhost")
        R.check("wrong host rejected", False)
    except ssl.SSLCertVerificationError as e:
        R.check("wrong host rejected: hostname mismatch", "mismatch" in str(e).lower(), e)
    ctx = ssl.create_default_context(cafile=srv.ca)
    ctx.check_hostname = False
    r, data, obj = api_over("https_wrong_host", "localhost", ctx)
    R.check("wrong-host cert chains to CA, same API", code(obj) is None, data[:200])
    try:
        api_over("https_untrusted", "localhost")
        R.check("untrusted rejected", False)
    except ssl.SSLCertVerificationError as e:
        R.check("untrusted rejected: self-signed", "self" in str(e).lower(), e)
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    r, data, obj = api_over("https_untrusted", "localhost", ctx)
    R.check("untrusted listener serves the API", code(obj) is None, data[:200])
    R.eq("one shared state", c.stats()["tasks_created"], 4)

    def openssl(*args):
        return subprocess.run(["openssl"] + list(args), cwd=srv.dir,
                              capture_output=True, text=True).returncode

    R.eq("openssl verify server.pem", openssl(
        "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "-verify_hostname",
        "localhost", "server.pem"), 0)
    R.eq("openssl verify server.pem IP", openssl(
        "verify", "-CAfile", "ca.pem", "-verify_ip", "127.0.0.1", "server.pem"), 0)
    for name in ("vod.tencentcloudapi.com", "vod.intl.tencentcloudapi.com"):
        R.eq("openssl verify server.pem for " + name, openssl(
            "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "-verify_hostname",
            name, "server.pem"), 0)
        # what an SDK with a hosts entry / connect-to does: the API's name, our address
        ctx = ssl.create_default_context(cafile=srv.ca)
        with socket.create_connection(("127.0.0.1", c.ports["https"]), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname=name) as tls:
                R.check("TLS verifies as " + name, tls.version() is not None)
    R.eq("openssl verify wrong.pem chain", openssl(
        "verify", "-CAfile", "ca.pem", "-purpose", "sslserver", "wrong.pem"), 0)
    R.check("openssl wrong.pem not for localhost", openssl(
        "verify", "-CAfile", "ca.pem", "-verify_hostname", "localhost", "wrong.pem") != 0)
    R.check("openssl untrusted.pem not from CA", openssl(
        "verify", "-CAfile", "ca.pem", "untrusted.pem") != 0)
    R.eq("certs valid for a day", openssl("x509", "-in", "ca.pem", "-noout",
                                          "-checkend", "86400"), 1 - 1)
    R.check("certs expire within 3 days", openssl(
        "x509", "-in", "server.pem", "-noout", "-checkend", str(3 * 86400)) != 0)
    if shutil.which("curl"):  # libcurl is what the C client uses
        def curl(kind, *extra):
            url = "https://localhost:%d/_control/stats" % c.ports[kind]
            return subprocess.run(["curl", "-sS", "-o", os.devnull, "--max-time", "5",
                                   "--cacert", srv.ca, url] + list(extra),
                                  capture_output=True).returncode
        R.eq("curl https with CA", curl("https"), 0)
        R.check("curl rejects wrong host", curl("https_wrong_host") != 0)
        R.check("curl rejects untrusted", curl("https_untrusted") != 0)


def test_robustness(c):
    c.reset()
    port = c.ports["http"]
    for junk in (b"GARBAGE\r\n\r\n", b"\x16\x03\x01\x00\xff" + b"\x00" * 300,
                 b"GET / HTTP/9.9\r\n\r\n", b"POST / HTTP/1.1\r\nBad header\r\n\r\n"):
        raw_exchange(port, junk)
    R.eq("server alive after junk", c.ctl("GET", "stats")[0], 200)
    out = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    R.check("raw GET / answered", out.startswith(b"HTTP/1.1 200") and
            b"UnsupportedProtocol" in out, out[:300])
    out = raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    R.check("bad Content-Length", b"InvalidRequest" in out, out[:300])
    out = raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nX-TC-Action: \xff\xfe\r\n"
                             b"Authorization: \xff\r\nContent-Length: 0\r\n\r\n")
    R.check("binary header values", b'"Error"' in out, out[:300])
    out = raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
    R.check("client closing mid-body tolerated", out == b"", out[:100])
    conn = c.connect()
    big = b"x" * (10 * 1024 * 1024 + 1)
    body, hdrs = c.build("CreateAigcSubject", body=big)
    expect_code("body over 10 MB", c.send(conn, "POST", "/", big, hdrs),
                "RequestSizeLimitExceeded")
    r, data, obj = c.create(conn=conn)
    R.check("keep-alive after oversized body", code(obj) is None, data[:200])
    conn.request("HEAD", "/")
    r = conn.getresponse()
    r.read()
    R.eq("HEAD answered", r.status, 200)
    conn.close()
    R.eq("server alive after abuse", c.ctl("GET", "stats")[0], 200)


def test_throughput(c):
    c.reset(rate_limit=0)
    n_threads, per_thread = 4, 150
    errors = []

    def worker():
        try:
            conn = c.connect()
            for _ in range(per_thread):
                body, hdrs = c.build("DescribeTaskDetail", {"TaskId": "x"})
                r, data, obj = c.send(conn, "POST", "/", body, hdrs)
                if code(obj) != "InvalidParameterValue.TaskId":
                    errors.append(data)
            conn.close()
        except Exception as e:  # pragma: no cover
            errors.append(repr(e))

    t0 = time.time()
    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = n_threads * per_thread / (time.time() - t0)
    print("throughput: %.0f requests/s" % rate, flush=True)
    R.check("throughput answers correct", not errors, errors[:3])
    R.check("throughput >= 150 requests/s", rate >= 150, "%.0f/s" % rate)
    R.eq("throughput connections", c.stats()["connections"], n_threads)


def test_custom_credentials_and_signals(main_srv):
    # A local time zone far from UTC exposes local-date signing bugs.
    srv = FakeServer("--secret-id", "AKIDcustom", "--secret-key", "customKey",
                     "--token", "tok-1", env={"TZ": "XST-8"})
    try:
        c = Client(srv, "AKIDcustom", "customKey")
        test_midnight(c, "TZ=XST-8: ")
        R.check("custom credential", code(c.create()[2]) is None)
        expect_code("default id unknown with custom credential",
                    c.create(secret_id=SECRET_ID, secret_key=SECRET_KEY),
                    "AuthFailure.SecretIdNotFound")
        R.check("temporary credential with --token",
                code(c.create(secret_id=TMP_ID, secret_key=TMP_KEY, token="tok-1")[2]) is None)
        expect_code("default token rejected with --token",
                    c.create(secret_id=TMP_ID, secret_key=TMP_KEY, token=TOKEN),
                    "AuthFailure.TokenFailure")
        # c keeps an idle keep-alive connection open; it must not block exit,
        # nor must a delayed request in progress.
        c.ctl("POST", "fault", {"mode": "delay", "seconds": 30})
        slow = c.connect()
        body, hdrs = c.build("DescribeTaskDetail", {"TaskId": "x"})
        slow.request("POST", "/", body=body, headers=hdrs)
        time.sleep(0.2)
        t0 = time.time()
        R.eq("SIGINT exits cleanly", srv.stop(signal.SIGINT), 0)
        R.check("exit is prompt", time.time() - t0 < 2, time.time() - t0)
        slow.close()
    finally:
        if srv.proc.poll() is None:
            srv.stop()


def main():
    t0 = time.time()
    srv = FakeServer()
    c = Client(srv)
    tests = [test_vectors, test_files, test_lifecycle, test_outcomes, test_signing_variants,
             test_auth_failures, test_midnight, test_requests_and_params, test_dedup, test_rate_limit,
             test_faults, test_chunked, test_control, test_tls, test_robustness,
             test_throughput]
    tests += (selftest_quota.TESTS + selftest_model.TESTS + selftest_pipeline.TESTS +
              selftest_events.TESTS + selftest_cos.TESTS)
    try:
        for test in tests:
            t1 = time.time()
            try:
                test(c)
                if os.environ.get("SELFTEST_TIMES"):
                    print("%-28s %.2f s" % (test.__name__, time.time() - t1))
            except Exception:
                R.check(test.__name__ + " raised", False, traceback.format_exc())
        try:
            test_custom_credentials_and_signals(srv)
        except Exception:
            R.check("custom credentials raised", False, traceback.format_exc())
    finally:
        if c._conn:
            c._conn.close()
        R.eq("SIGTERM exits cleanly", srv.stop(), 0)
    print("selftest took %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (R.passed, R.failed), flush=True)
    return 1 if R.failed else 0


if __name__ == "__main__":
    sys.exit(main())
