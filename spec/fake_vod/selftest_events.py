"""Self-test: reliable notifications (PullEvents, ConfirmEvents), their control
endpoints and fault knobs."""
import http.client
import threading
import time

from selftest_client import code
from selftest_results import R, expect_code, expect_conn_error

APP = 221073


def pull(c, sub_app_id=APP, conn=None):
    params = {} if sub_app_id is None else {"SubAppId": sub_app_id}
    t0 = time.time()
    r, data, obj = c.call("PullEvents", params, conn=conn)
    events = obj["Response"].get("EventSet") if code(obj) is None else None
    return events, time.time() - t0, obj


def confirm(c, handles, sub_app_id=APP):
    params = {"EventHandles": handles}
    if sub_app_id is not None:
        params["SubAppId"] = sub_app_id
    return c.call("ConfirmEvents", params)


def synthetic(c, count, sub_app_id=APP, **extra):
    body = dict(extra, count=count)
    if sub_app_id is not None:
        body["SubAppId"] = sub_app_id
    st, resp = c.ctl("POST", "events", body)
    R.check("synthetic events added", st == 200 and len(resp.get("ids", [])) == count, resp)
    return resp.get("ids", [])


def view(c):
    return c.ctl("GET", "events")[1]


def test_pull_wait_and_video_event(c):
    c.reset(pull_wait=0.4, video_seconds=0.3, confirm_window=30)
    events, took, obj = pull(c)
    R.eq("empty pull answers an empty EventSet", events, [])
    R.check("empty pull held about pull_wait", 0.38 <= took < 0.8, took)
    R.check("empty pull RequestId", obj and "RequestId" in obj["Response"], obj)
    # a video task finishing while nobody polls it: the event still comes
    c.ctl("POST", "config", {"pull_wait": 3})
    t0 = time.time()
    _, _, obj = c.call("CreateAigcVideoTask", {"SubAppId": APP, "ModelName": "Kling",
                                               "ModelVersion": "2.1", "SessionId": "ev-1",
                                               "SessionContext": "ctx"})
    task_id = obj["Response"]["TaskId"]
    events, took, _ = pull(c)
    waited = time.time() - t0
    R.check("a waiting pull wakes at the finish", events and 0.28 <= waited < 0.45,
            "%.3f s %r" % (waited, events))
    if events:
        ev = events[0]
        R.eq("event type", ev.get("EventType"), "AigcVideoTaskComplete")
        t = ev.get("AigcVideoCompleteEvent", {})
        R.eq("event body", (t.get("TaskId"), t.get("Status"), t.get("Progress"),
                            t.get("SessionId"), t.get("SessionContext")),
             (task_id, "FINISH", 100, "ev-1", "ctx"))
        R.eq("event FileUrl", t["Output"]["FileInfos"][0]["FileUrl"],
             "https://fake-vod.example/aigc/%s.mp4" % task_id)
        R.check("event handle", isinstance(ev.get("EventHandle"), str) and ev["EventHandle"])
        detail = c.describe(task_id)[2]["Response"]["AigcVideoTask"]
        R.eq("event body is the task as DescribeTaskDetail shows it", t, detail)
    # nobody pulls: the event is there anyway once the time has come
    c.ctl("POST", "config", {"video_seconds": 0.2})
    c.call("CreateAigcVideoTask", {"SubAppId": 9, "ModelName": "m", "ModelVersion": "v"})
    R.eq("not yet an event", view(c)["visible"], 0)
    time.sleep(0.25)
    v = view(c)
    R.eq("event queued without any poll or pull", (v["visible"], v["in_flight"]), (1, 1))
    R.eq("view of an event", {k: v["events"][-1][k] for k in
                              ("sub_app_id", "event_type", "state", "deliveries", "handle")},
         {"sub_app_id": 9, "event_type": "AigcVideoTaskComplete", "state": "visible",
          "deliveries": 0, "handle": None})


def test_pull_filter_and_max(c):
    c.reset(pull_wait=0.2)
    synthetic(c, 20, 1)
    synthetic(c, 3, 2, EventType="FileUploadEvent", event={"FileUploadEvent": {"FileId": "f"}})
    synthetic(c, 2, None)
    got2, _, _ = pull(c, 2)
    R.eq("SubAppId 2: its 3 events", [e["EventType"] for e in got2], ["FileUploadEvent"] * 3)
    R.eq("synthetic extra fields (FileUploadTask's others null)", got2[0].get("FileUploadEvent"),
         {"FileId": "f", "MediaBasicInfo": None, "ProcedureTaskId": None,
          "ReviewAudioVideoTaskId": None, "MetaData": None})
    got1, _, _ = pull(c, 1)
    R.eq("at most 16 a pull", len(got1), 16)
    R.check("synthetic AigcVideoCompleteEvent", all(
        e["AigcVideoCompleteEvent"]["TaskId"].startswith("1-AigcVideoTask-") for e in got1))
    R.eq("then the 4 others", len(pull(c, 1)[0]), 4)
    R.eq("without SubAppId: the events without one", len(pull(c, None)[0]), 2)
    R.eq("nothing left for SubAppId 1", pull(c, 1)[0], [])
    handles = [e["EventHandle"] for e in got1]
    R.eq("handles unique", len(set(handles)), 16)
    v = view(c)
    R.eq("all in flight", (v["visible"], v["in_flight"], v["confirmed"]), (0, 25, 0))
    synthetic(c, 1000, 3)
    R.eq("a full queue: still 16 a pull", len(pull(c, 3)[0]), 16)
    for bad in ({"count": 0}, {"SubAppId": -1}, {"EventType": 1}, {"bogus": 1},
                {"event": {"FileUploadEvnt": {}}}, {"event": {"EventHandle": "h"}}):
        st, resp = c.ctl("POST", "events", bad)
        R.check("control events rejects %r" % bad, st == 400 and "error" in resp, resp)


def test_confirm(c):
    c.reset(pull_wait=0.2)
    synthetic(c, 18)
    events = pull(c)[0]
    handles = [e["EventHandle"] for e in events]
    expect_code("confirm 17 handles", confirm(c, handles + ["x"]), "InvalidParameterValue")
    expect_code("confirm 0 handles", confirm(c, []), "InvalidParameterValue")
    expect_code("confirm without EventHandles", c.call("ConfirmEvents", {}),
                "MissingParameter")
    obj = expect_code("all or nothing", confirm(c, handles[:2] + ["bogus"]),
                      "InvalidParameterValue")
    if obj:
        R.check("bad handle named", "EventHandles[2] `bogus`" in
                obj["Response"]["Error"]["Message"], obj)
    R.eq("nothing confirmed by a refused call", view(c)["confirmed"], 0)
    expect_code("another SubAppId's handle", confirm(c, handles[:1], 5),
                "InvalidParameterValue")
    R.eq("confirm 16", code(confirm(c, handles)[2]), None)
    v = view(c)
    R.eq("16 confirmed", (v["visible"], v["in_flight"], v["confirmed"]), (2, 0, 16))
    obj = expect_code("confirm again", confirm(c, handles[3:4]), "InvalidParameterValue")
    if obj:
        R.check("already confirmed", "already confirmed" in
                obj["Response"]["Error"]["Message"], obj)
    rest = pull(c)[0]
    R.eq("the 2 others", len(rest), 2)
    R.eq("a repeated handle in one call", code(confirm(c, [rest[0]["EventHandle"]] * 2)[2]),
         None)


def test_redelivery(c):
    c.reset(pull_wait=0.2, confirm_window=0.4)
    synthetic(c, 1)
    first = pull(c)[0]
    time.sleep(0.45)
    again = pull(c)[0]
    R.eq("redelivered after the window",
         [e["AigcVideoCompleteEvent"]["TaskId"] for e in again],
         [e["AigcVideoCompleteEvent"]["TaskId"] for e in first])
    R.check("with a new handle", again and again[0]["EventHandle"] != first[0]["EventHandle"])
    v = view(c)
    R.eq("redelivered counted", (v["redelivered"], v["events"][0]["deliveries"]), (1, 2))
    R.eq("view shows the current handle", v["events"][0]["handle"], again[0]["EventHandle"])
    obj = expect_code("the old handle expired", confirm(c, [first[0]["EventHandle"]]),
                      "InvalidParameterValue")
    if obj:
        R.check("expired message", "expired" in obj["Response"]["Error"]["Message"], obj)
    R.eq("the new handle confirms", code(confirm(c, [again[0]["EventHandle"]])[2]), None)
    time.sleep(0.45)
    R.eq("a confirmed event is not redelivered", pull(c)[0], [])
    # a waiting pull wakes up for a redelivery
    c.ctl("POST", "config", {"pull_wait": 3})
    synthetic(c, 1)
    pull(c)
    events, took, _ = pull(c)
    R.check("a waiting pull gets the redelivery", len(events) == 1 and 0.3 <= took < 0.6,
            "%.3f s" % took)


def test_concurrent_pulls(c):
    c.reset(pull_wait=1.0)
    got, errors = [], []

    def worker():
        try:
            conn = c.connect()
            events, took, obj = pull(c, 77, conn=conn)
            got.extend(e["EventHandle"] for e in events)
            conn.close()
        except Exception as e:   # pragma: no cover
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    t0 = time.time()
    for _ in range(8):
        synthetic(c, 1, 77)
    for t in threads:
        t.join()
    R.check("8 concurrent pulls: no error", not errors, errors)
    R.eq("8 concurrent pulls: each event delivered once", (len(got), len(set(got))), (8, 8))
    R.check("8 concurrent pulls: ended by pull_wait", time.time() - t0 < 1.5, time.time() - t0)


def test_event_faults(c):
    c.reset(pull_wait=0.2)
    synthetic(c, 1)
    ev = pull(c)[0][0]
    c.ctl("POST", "fault", {"mode": "lose_answer", "action": "ConfirmEvents", "count": 1})
    R.eq("a pull is not affected", pull(c)[0], [])
    expect_conn_error("lose_answer on ConfirmEvents",
                      lambda: confirm(c, [ev["EventHandle"]]),
                      (http.client.RemoteDisconnected, ConnectionError))
    R.eq("the lost confirm was processed", view(c)["confirmed"], 1)
    lost = c.ctl("GET", "lost")[1]
    R.eq("lost ledger", [(x["action"], x["session_id"], x["task_id"]) for x in lost],
         [("ConfirmEvents", None, None)])
    expect_code("its retry is refused", confirm(c, [ev["EventHandle"]]),
                "InvalidParameterValue")
    # close_mid_wait: a pull held, then cut off, having delivered nothing
    synthetic(c, 1)
    c.ctl("POST", "fault", {"mode": "close_mid_wait", "action": "PullEvents",
                            "seconds": 0.3, "count": 1})
    t0 = time.time()
    expect_conn_error("close_mid_wait closes", lambda: pull(c),
                      (http.client.RemoteDisconnected, ConnectionError))
    R.check("close_mid_wait held the request", time.time() - t0 >= 0.3, time.time() - t0)
    v = view(c)
    R.eq("close_mid_wait delivered nothing", (v["visible"], v["events"][-1]["deliveries"]),
         (1, 0))
    R.eq("the next pull gets it", len(pull(c)[0]), 1)
    # a lost PullEvents answer: the events are in flight, delivered again later
    c.ctl("POST", "config", {"confirm_window": 0.3})
    synthetic(c, 2)
    c.ctl("POST", "fault", {"mode": "lose_answer", "action": "PullEvents", "count": 1})
    expect_conn_error("lose_answer on PullEvents", lambda: pull(c),
                      (http.client.RemoteDisconnected, ConnectionError))
    time.sleep(0.35)
    R.eq("its events come again", len(pull(c)[0]), 2)
    c.reset()
    R.eq("reset clears events", view(c), {"visible": 0, "in_flight": 0, "confirmed": 0,
                                          "redelivered": 0, "events": []})


TESTS = [test_pull_wait_and_video_event, test_pull_filter_and_max, test_confirm,
         test_redelivery, test_concurrent_pulls, test_event_faults]
