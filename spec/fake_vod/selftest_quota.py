"""Self-test: quotas per account and action, fault targeting, lost answers,
and the control ledgers (/_control/tasks, /_control/lost, requests' session_id)."""
import http.client
import socket
import time

from selftest_client import IMG, TMP_ID, TMP_KEY, TOKEN, code
from selftest_results import R, expect_code, expect_conn_error, next_second

NOT_FOUND = "InvalidParameterValue.TaskId"


def _describes(c, n, conn, **kw):
    return [code(c.describe("nope", conn=conn, **kw)[2]) for _ in range(n)]


def test_quota_fixed(c):
    c.reset(rate_limits={"DescribeTaskDetail": 3})
    conn = c.connect()
    next_second()
    got = _describes(c, 4, conn)
    R.eq("fixed: 4th call in one second refused", got, [NOT_FOUND] * 3 +
         ["RequestLimitExceeded"])
    R.eq("fixed: other action has its own quota", code(c.create(conn=conn)[2]), None)
    R.eq("fixed: other account has its own quota",
         _describes(c, 1, None, secret_id=TMP_ID, secret_key=TMP_KEY, token=TOKEN),
         [NOT_FOUND])
    R.eq("fixed: throttled counted per action", c.stats()["throttled"],
         {"DescribeTaskDetail": 1})
    next_second()
    R.eq("fixed: the window boundary resets", _describes(c, 4, conn),
         [NOT_FOUND] * 3 + ["RequestLimitExceeded"])
    # throttling comes before validation; refused calls create nothing
    c.ctl("POST", "config", {"rate_limits": {"CreateAigcSubject": 2}})
    next_second()
    got = [code(c.create(conn=conn, params={"Bogus": 1})[2])] + \
        [code(c.create(conn=conn)[2]) for _ in range(2)]
    R.eq("fixed: an invalid call uses quota", got,
         ["UnknownParameter", None, "RequestLimitExceeded"])
    R.eq("fixed: a refused create creates nothing", c.stats()["tasks_created"], 2)
    # rate_limit 0 turns the default off, rate_limits still applies
    c.ctl("POST", "config", {"rate_limit": 0, "rate_limits": {"DescribeTaskDetail": 2}})
    next_second()
    R.eq("rate_limit 0: 30 creates admitted",
         [code(c.create(conn=conn)[2]) for _ in range(30)].count(None), 30)
    R.eq("rate_limit 0: named action still limited", _describes(c, 3, conn),
         [NOT_FOUND] * 2 + ["RequestLimitExceeded"])
    # rate_limits N = 0 is unlimited for that action
    c.ctl("POST", "config", {"rate_limit": 2, "rate_limits": {"CreateAigcSubject": 0}})
    next_second()
    R.eq("rate_limits 0 = unlimited",
         [code(c.create(conn=conn)[2]) for _ in range(5)].count(None), 5)
    R.eq("rate_limit 2 applies to the others", _describes(c, 3, conn),
         [NOT_FOUND] * 2 + ["RequestLimitExceeded"])
    R.eq("InvalidAction uses no quota",
         [code(c.call("NoSuchAction", {}, conn=conn)[2]) for _ in range(3)],
         ["InvalidAction"] * 3)
    conn.close()
    for bad in ({"rate_mode": "leaky"}, {"rate_limits": {"NoSuchAction": 1}},
                {"rate_limits": {"DescribeTaskDetail": -1}}, {"rate_limits": []}):
        st, resp = c.ctl("POST", "config", bad)
        R.check("config rejects %r" % bad, st == 400 and "error" in resp, resp)


def test_quota_sliding(c):
    c.reset(rate_mode="sliding", rate_limits={"DescribeTaskDetail": 3})
    conn = c.connect()
    next_second(0.7)        # the window straddles a whole second
    t_first = time.time()
    R.eq("sliding: 3 admitted", _describes(c, 3, conn), [NOT_FOUND] * 3)
    t_last = time.time()
    time.sleep(max(0, t_first + 0.5 - time.time()))
    R.eq("sliding: refused 0.5 s later (across a second boundary)",
         _describes(c, 1, conn), ["RequestLimitExceeded"])
    time.sleep(max(0, t_first + 0.9 - time.time()))
    R.eq("sliding: refused until the oldest is 1 s old", _describes(c, 1, conn),
         ["RequestLimitExceeded"])
    time.sleep(max(0, t_last + 1.03 - time.time()))
    R.eq("sliding: admitted once the oldest is 1 s old", _describes(c, 3, conn),
         [NOT_FOUND] * 3)
    R.eq("sliding: throttled counted", c.stats()["throttled"], {"DescribeTaskDetail": 2})
    conn.close()


def _raw_call(c, action, params):
    """Send one signed call on a fresh socket; return every byte answered."""
    body, hdrs = c.build(action, params)
    hdrs["Content-Length"] = str(len(body))
    head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in hdrs.items())
    with socket.create_connection(("127.0.0.1", c.ports["http"]), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n" + body)
        out = b""
        while True:
            data = s.recv(65536)
            if not data:
                return out
            out += data


def test_lose_answer(c):
    c.reset()
    c.ctl("POST", "fault", {"mode": "lose_answer", "count": 1})
    params = {"SubAppId": 7, "SubjectImages": IMG, "SessionId": "lost-1"}
    R.eq("lose_answer: not one byte answered", _raw_call(c, "CreateAigcSubject", params), b"")
    tasks = c.ctl("GET", "tasks")[1]
    R.eq("lose_answer: the task was created", len(tasks), 1)
    lost = c.ctl("GET", "lost")[1]
    R.eq("lose_answer: one ledger entry", len(lost), 1)
    if tasks and lost:
        R.eq("lost entry", {k: lost[0].get(k) for k in ("action", "session_id", "task_id")},
             {"action": "CreateAigcSubject", "session_id": "lost-1",
              "task_id": tasks[0]["task_id"]})
        R.check("lost entry time", abs(lost[0]["time"] - time.time()) < 5, lost)
        R.eq("tasks entry", tasks[0], {"task_id": tasks[0]["task_id"],
                                       "action": "CreateAigcSubject", "session_id": "lost-1",
                                       "sub_app_id": 7,
                                       "secret_id": "AKIDEXAMPLEFAKEVOD0000000000000000"})
    expect_code("lose_answer: the retry meets the SessionId",
                c.create(params=params), "InvalidParameterValue.SessionId")
    # a lost answer to an error: no task_id; http.client sees a closed connection
    c.ctl("POST", "fault", {"mode": "lose_answer", "count": 1})
    expect_conn_error("lose_answer via http.client",
                      lambda: c.describe("nope"),
                      (http.client.RemoteDisconnected, ConnectionError))
    lost = c.ctl("GET", "lost")[1]
    R.eq("lost error answer", [(x["action"], x["session_id"], x["task_id"]) for x in lost][1:],
         [("DescribeTaskDetail", None, None)])
    R.eq("lose_answer count consumed", c.ctl("GET", "config")[1]["fault"], None)
    c.create(params={"SubjectImages": IMG})
    R.eq("tasks ledger lists every create",
         [(t["action"], t["session_id"], t["sub_app_id"]) for t in c.ctl("GET", "tasks")[1]],
         [("CreateAigcSubject", "lost-1", 7), ("CreateAigcSubject", None, None)])
    reqs = c.ctl("GET", "requests")[1]
    R.eq("requests carry session_id", [q.get("session_id") for q in reqs],
         ["lost-1", "lost-1", None, None])


def test_fault_targeting(c):
    c.reset(rate_limit=0)
    st, f = c.ctl("POST", "fault", {"mode": "http502", "action": "DescribeTaskDetail",
                                    "count": 1})
    R.eq("fault echoes action and probability", (f["fault"]["action"],
                                                  f["fault"]["probability"]),
         ("DescribeTaskDetail", 1.0))
    R.eq("other action unaffected", c.create()[0].status, 200)
    R.eq("count not consumed by others", c.ctl("GET", "config")[1]["fault"]["count"], 1)
    R.eq("targeted action affected", c.describe("nope")[0].status, 502)
    R.eq("then cleared", code(c.describe("nope")[2]), NOT_FOUND)
    # probability: about half of 400 requests, count -1
    c.ctl("POST", "fault", {"mode": "notjson", "probability": 0.5})
    conn = c.connect()
    hits = sum(c.describe("nope", conn=conn)[2] is None for _ in range(400))
    R.check("probability 0.5 affects about half", 140 <= hits <= 260, hits)
    # probability with a count: exactly `count` affected, then cleared
    c.ctl("POST", "fault", {"mode": "notjson", "probability": 0.3, "count": 3,
                            "action": "DescribeTaskDetail"})
    hits = sum(c.describe("nope", conn=conn)[2] is None for _ in range(200))
    R.eq("probability + count 3", hits, 3)
    R.eq("probability fault cleared after its count", c.ctl("GET", "config")[1]["fault"], None)
    conn.close()
    for bad in ({"mode": "notjson", "probability": 0}, {"mode": "notjson", "probability": 1.5},
                {"mode": "notjson", "action": ""}, {"mode": "notjson", "action": 3},
                {"mode": "close_mid_wait", "seconds": -1}):
        st, resp = c.ctl("POST", "fault", bad)
        R.check("fault rejects %r" % bad, st == 400 and "error" in resp, resp)


TESTS = [test_quota_fixed, test_quota_sliding, test_lose_answer, test_fault_targeting]
