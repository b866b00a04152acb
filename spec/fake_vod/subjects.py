"""CreateAigcSubject and the rendering of subject tasks (spec sections 3, 4).

Its parameter checks are its own and run before the model's (actions.py), so
their answers (InvalidParameterValue.SubAppId, ...TooLong) stay as they were.
"""
import time
import uuid

from apierror import ApiError

TASK_TYPE = "CreateAigcSubject"


# -- parameter helpers -----------------------------------------------------
def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _reject_unknown(params, allowed):
    for name in params:
        if name not in allowed:
            raise ApiError("UnknownParameter", "parameter `%s` is not recognized" % name)


def _invalid(name, what):
    return ApiError("InvalidParameter", "parameter `%s` must be %s" % (name, what))


def _opt_sub_app_id(params):
    if "SubAppId" not in params:
        return None
    value = params["SubAppId"]
    if not _is_int(value) or not 0 <= value < 2 ** 64:
        raise ApiError("InvalidParameterValue.SubAppId",
                       "SubAppId must be a non-negative integer")
    return value


def _opt_str(params, name):
    if name not in params:
        return None
    if not isinstance(params[name], str):
        raise _invalid(name, "a string")
    return params[name]


def _opt_str_list(params, name, max_items):
    """An optional list of non-empty strings of at most max_items entries."""
    if name not in params:
        return []
    value = params[name]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid(name, "an array of non-empty strings")
    if len(value) > max_items:
        raise _invalid(name, "an array of at most %d entries" % max_items)
    return value


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else ""


# -- CreateAigcSubject -----------------------------------------------------
CREATE_PARAMS = ("SubAppId", "SubjectName", "SubjectImages", "SubjectVideos",
                 "VoiceId", "SessionId", "SessionContext", "TasksPriority")


def validate_create(params):
    _reject_unknown(params, CREATE_PARAMS)
    p = {"sub_app_id": _opt_sub_app_id(params),
         "name": _opt_str(params, "SubjectName"),
         "images": _opt_str_list(params, "SubjectImages", 3),
         "videos": _opt_str_list(params, "SubjectVideos", 1),
         "voice": _opt_str(params, "VoiceId"),
         "session_id": _opt_str(params, "SessionId"),
         "session_context": _opt_str(params, "SessionContext")}
    if not p["images"] and not p["videos"]:
        raise ApiError("InvalidParameter",
                       "one of `SubjectImages` or `SubjectVideos` must be non-empty")
    if p["session_id"] is not None and len(p["session_id"]) > 50:
        raise ApiError("InvalidParameterValue.SessionIdTooLong",
                       "SessionId is longer than 50 characters")
    if p["session_context"] is not None and len(p["session_context"]) > 1000:
        raise ApiError("InvalidParameterValue.SessionContextTooLong",
                       "SessionContext is longer than 1000 characters")
    prio = params.get("TasksPriority", 0)
    if not _is_int(prio) or not -10 <= prio <= 10:
        raise _invalid("TasksPriority", "an integer in -10..10")
    p["priority"] = prio
    return p


def _outcome(name, config):
    """success|fail|abort, fixed at creation: name prefix first, then config."""
    if name and name.startswith("fail-"):
        return "fail"
    if name and name.startswith("abort-"):
        return "abort"
    return config["task_mode"]


def create_aigc_subject(state, secret_id, params):
    p = validate_create(params)
    config = state.get_config()
    now = state.server_time()
    task = dict(p)
    task.update({
        "task_id": "%d-CreateAigcSubject-%s" % (p["sub_app_id"] or 0, uuid.uuid4().hex),
        "action": TASK_TYPE, "secret_id": secret_id,
        "mode": _outcome(p["name"], config),
        "polls_needed": config["processing_polls"], "polls": 0,
        "finish_after": config["subject_seconds"], "created_mono": time.monotonic(),
        "create_time": now, "begin_time": now, "finish_time": None,
        "subject_id": "subj-" + uuid.uuid4().hex[:24],
    })
    state.add_task(task)  # raises InvalidParameterValue.SessionId on a repeat
    return {"TaskId": task["task_id"]}


# -- rendering ----------------------------------------------------------------
def finished(task, mono_now):
    """Whether the subject task has finished (any outcome) at mono_now.

    With subject_seconds set at its creation: that long after creation;
    else after polls_needed PROCESSING polls (polls counted by DescribeTaskDetail).
    """
    if task["finish_after"] is not None:
        return mono_now - task["created_mono"] >= task["finish_after"]
    return task["polls"] > task["polls_needed"]


def succeeded(task, mono_now):
    """Whether the subject is usable: finished with success."""
    return finished(task, mono_now) and task["mode"] == "success"


def _task_result(task, mono_now):
    """(top Status, sub Status, ErrCode, ErrCodeExt, Message, Output)."""
    empty = {"SubjectId": "", "SubjectInfo": ""}
    if not finished(task, mono_now):
        return "PROCESSING", "PROCESSING", 0, "", "", empty
    if task["mode"] == "fail":
        return ("FINISH", "FINISH", 30010, "FailedOperation.SubjectImageInvalid",
                "reference image could not be processed", empty)
    if task["mode"] == "abort":
        return ("ABORTED", "FINISH", 30011, "FailedOperation.TaskAborted",
                "task aborted", empty)
    info = "fake subject %r from %d image(s) and %d video(s)" % (
        task["name"] or "", len(task["images"]), len(task["videos"]))
    return ("FINISH", "FINISH", 0, "", "SUCCESS",
            {"SubjectId": task["subject_id"], "SubjectInfo": info})


def task_detail(task, mono_now):
    """DescribeTaskDetail's answer for a subject task."""
    top, sub, code, ext, message, output = _task_result(task, mono_now)
    finish_time = task["finish_time"]
    if task["finish_after"] is not None and top != "PROCESSING":
        finish_time = task["create_time"] + task["finish_after"]
    return {
        "TaskType": TASK_TYPE, "Status": top,
        "CreateTime": iso(task["create_time"]),
        "BeginProcessTime": iso(task["begin_time"]),
        "FinishTime": iso(finish_time),
        "CreateAigcSubjectTask": {
            "TaskId": task["task_id"], "Status": sub, "ErrCode": code,
            "ErrCodeExt": ext, "Message": message,
            "Input": {"SubjectName": task["name"] or "",
                      "SubjectImages": list(task["images"]),
                      "SubjectVideos": list(task["videos"]),
                      "VoiceId": task["voice"] or ""},
            "Output": output,
            "SessionId": task["session_id"] or "",
            "SessionContext": task["session_context"] or "",
        },
    }

