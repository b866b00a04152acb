"""Self-test: from a subject to a video (CreateAigcVideoTask, DescribeTaskDetail)."""
import re
import time

from selftest_client import IMG, ISO_RE, code
from selftest_results import R, expect_code
import selftest_model

APP = 221073
VIDU = {"SubAppId": APP, "ModelName": "Vidu", "ModelVersion": "q2"}


def make_subject(c, name="hero", sub_app_id=APP, polls=True):
    """A subject task's (TaskId, SubjectId once finished or None)."""
    _, _, obj = c.create(params={"SubAppId": sub_app_id, "SubjectName": name,
                                 "SubjectImages": IMG})
    task_id = obj["Response"]["TaskId"]
    if not polls:
        return task_id, None
    resp = c.describe(task_id)[2]["Response"]
    return task_id, resp["CreateAigcSubjectTask"]["Output"]["SubjectId"] or None


def video(c, subject_ids=(), **extra):
    params = dict(VIDU, SubjectInfos=[{"Id": s, "Name": "n%d" % i, "ImageUrls": IMG}
                                      for i, s in enumerate(subject_ids)])
    params.update(extra)
    return c.call("CreateAigcVideoTask", params)


def test_video_needs_finished_subject(c):
    c.reset(processing_polls=0)
    _, subject = make_subject(c)
    R.check("subject finished at the first poll", subject, subject)
    r, data, obj = video(c, [subject])
    R.check("video from a finished subject", code(obj) is None, data[:300])
    # (an unfinished subject's SubjectId is not told: it cannot be named)
    _, other = make_subject(c, "other", sub_app_id=5)
    # (nor is a failed one's)
    cases = [("unknown subject", "subj-000000000000000000000000"),
             ("subject of another SubAppId", other)]
    for name, sid in cases:
        obj = expect_code("video refused: " + name, video(c, [subject, sid]),
                          "InvalidParameterValue")
        if obj:
            msg = obj["Response"]["Error"]["Message"]
            R.check(name + ": message", "SubjectInfos[1].Id `%s`" % sid in msg and
                    "SubAppId %d" % APP in msg, msg)
    obj = expect_code("Vidu needs Name", c.call("CreateAigcVideoTask", dict(
        VIDU, SubjectInfos=[{"Id": subject, "Name": "a"}, {"Id": subject}])),
        "MissingParameter")
    if obj:
        R.check("Vidu Name message", "SubjectInfos[1].Name" in
                obj["Response"]["Error"]["Message"], obj)
    expect_code("Vidu empty Name", c.call("CreateAigcVideoTask", dict(
        VIDU, SubjectInfos=[{"Id": subject, "Name": ""}])), "MissingParameter")
    r, data, obj = c.call("CreateAigcVideoTask", dict(
        VIDU, ModelName="Kling", ModelVersion="2.1", SubjectInfos=[{"Id": subject}]))
    R.check("Kling needs no Name", code(obj) is None, data[:300])
    expect_code("Id required", c.call("CreateAigcVideoTask", dict(
        VIDU, SubjectInfos=[{"Name": "a"}])), "MissingParameter")
    # subject_seconds: finished by time, never polled
    c.ctl("POST", "config", {"subject_seconds": 0.3, "processing_polls": 5})
    task_id, _ = make_subject(c, "timed", polls=False)
    c.ctl("POST", "config", {"subject_seconds": None})
    subj = c.ctl("GET", "tasks")[1][-1]
    R.eq("tasks ledger has the subject", subj["task_id"], task_id)
    time.sleep(0.35)
    resp = c.describe(task_id)[2]["Response"]     # first poll: already finished
    R.eq("subject_seconds: FINISH at the first poll", resp["Status"], "FINISH")
    R.check("subject_seconds: FinishTime", ISO_RE.fullmatch(resp["FinishTime"]), resp)
    r, data, obj = video(c, [resp["CreateAigcSubjectTask"]["Output"]["SubjectId"]])
    R.check("video from a subject finished by time", code(obj) is None, data[:300])
    # the SessionId store is shared with subjects
    c.create(params={"SubjectImages": IMG, "SessionId": "shared-1"})
    expect_code("SessionId shared with subjects", video(c, SessionId="shared-1"),
                "InvalidParameterValue.SessionId")
    r, data, obj = video(c, SessionId="v-1")
    R.check("video SessionId first use", code(obj) is None, data[:300])
    expect_code("video SessionId repeat", video(c, SessionId="v-1"),
                "InvalidParameterValue.SessionId")
    expect_code("video SessionId too long", video(c, SessionId="s" * 51),
                "InvalidParameterValue.SessionIdTooLong")
    expect_code("video SessionContext too long", video(c, SessionContext="c" * 1001),
                "InvalidParameterValue.SessionContextTooLong")


def test_video_by_time(c):
    c.reset(processing_polls=0, video_seconds=1.0)
    _, subject = make_subject(c)
    t0 = time.time()
    r, data, obj = video(c, [subject], Prompt="[@n0] runs", SessionId="vid-1",
                         SessionContext="ctx", OutputConfig={"Duration": 8})
    task_id = obj["Response"]["TaskId"]
    R.check("video TaskId", re.fullmatch(r"221073-AigcVideoTask-[0-9a-f]{32}", task_id),
            task_id)
    seen = []
    for at in (0.0, 0.4, 0.7):
        time.sleep(max(0, t0 + at - time.time()))
        resp = c.describe(task_id)[2]["Response"]
        seen.append((resp["Status"], resp["AigcVideoTask"]["Progress"]))
    R.eq("video WAITING at first", seen[0], ("WAITING", 0))
    R.eq("then PROCESSING", [s for s, _ in seen[1:]], ["PROCESSING"] * 2)
    R.check("progress grows with time", 0 < seen[1][1] < seen[2][1] < 100, seen)
    mid = c.describe(task_id)[2]["Response"]
    R.eq("no file before FINISH", mid["AigcVideoTask"]["Output"]["FileInfos"], [])
    R.eq("FinishTime empty before FINISH", mid["FinishTime"], "")
    time.sleep(max(0, t0 + 1.05 - time.time()))
    resp = c.describe(task_id)[2]["Response"]
    t = resp["AigcVideoTask"]
    R.eq("TaskType", resp["TaskType"], "AigcVideoTask")
    R.eq("FINISH", (resp["Status"], t["Status"], t["Progress"]), ("FINISH", "FINISH", 100))
    for f in ("CreateTime", "BeginProcessTime", "FinishTime"):
        R.check("video %s ISO" % f, ISO_RE.fullmatch(resp[f]), resp[f])
    R.eq("no error", (t["ErrCode"], t["ErrCodeExt"], t["TaskId"]), (0, "", task_id))
    files = t["Output"]["FileInfos"]
    R.eq("FileUrl", files and files[0]["FileUrl"],
         "https://fake-vod.example/aigc/%s.mp4" % task_id)
    R.check("FileId", files and re.fullmatch(r"[0-9]+", files[0]["FileId"]), files)
    R.eq("ProcedureTaskIds", t["Output"]["ProcedureTaskIds"], [])
    R.eq("Usage seconds", t["Output"]["Usage"]["OutputSeconds"], 8)
    R.eq("Input echo", {k: t["Input"][k] for k in ("ModelName", "ModelVersion", "Prompt")},
         {"ModelName": "Vidu", "ModelVersion": "q2", "Prompt": "[@n0] runs"})
    R.eq("Input SubjectInfos (as sent, unsent members null)", t["Input"]["SubjectInfos"],
         [{"Id": subject, "Name": "n0", "VoiceId": None, "ImageUrls": IMG, "VideoUrls": None}])
    R.eq("Session echo", (t["SessionId"], t["SessionContext"]), ("vid-1", "ctx"))
    # the API's shape: every member of the model, null where it does not apply
    objects = selftest_model.load_model()["objects"]
    R.eq("every member of DescribeTaskDetailResponse, in the model's order", list(resp),
         [m["name"] for m in objects["DescribeTaskDetailResponse"]["members"]])
    R.eq("only the TaskType's field is non-null",
         [k for k, v in resp.items() if isinstance(v, dict)], ["AigcVideoTask"])
    R.eq("unsent Input members null", (t["Input"]["Seed"], t["Input"]["OutputConfig"]["Resolution"],
                                       t["Input"]["OutputConfig"]["Duration"]), (None, None, 8))
    R.eq("MetaData: the values the fake knows, null for the others", files[0]["MetaData"],
         {"Size": 1048576, "Container": "mp4", "Bitrate": 1677721, "Height": 720,
          "Width": 1280, "Duration": 8.0, "Rotate": None, "VideoStreamSet": None,
          "AudioStreamSet": None, "VideoDuration": None, "AudioDuration": None, "Md5": None})
    expect_code("video task under another SubAppId",
                c.call("DescribeTaskDetail", {"TaskId": task_id, "SubAppId": 5}),
                "InvalidParameterValue.TaskId")
    # failure path, and video_seconds 0
    c.ctl("POST", "config", {"video_seconds": 0})
    _, _, obj = video(c, Prompt="fail-please")
    resp = c.describe(obj["Response"]["TaskId"])[2]["Response"]
    t = resp["AigcVideoTask"]
    R.eq("fail- prompt", (resp["Status"], t["ErrCodeExt"], t["Output"]["FileInfos"]),
         ("FINISH", "FailedOperation.GenerateFailed", []))
    R.check("fail- ErrCode", t["ErrCode"] != 0 and t["Message"], t)
    tasks = c.ctl("GET", "tasks")[1]
    R.eq("tasks ledger", [(x["action"], x["session_id"], x["sub_app_id"]) for x in tasks],
         [("CreateAigcSubject", None, APP), ("CreateAigcVideoTask", "vid-1", APP),
          ("CreateAigcVideoTask", None, APP)])


TESTS = [test_video_needs_finished_subject, test_video_by_time]
